"""Which labels a trained model may add where the rules propose nothing, chosen on dev.

``redline suggest`` keeps every rule (and gazetteer) proposal; a trained model's
entity span is added only in a *gap*, where no such proposal overlaps it, and
only for a label chosen here, at a beam probability ≥ that label's threshold
(``storage.suggest.merge.GapSuggestion``). On the wikinews learning curve the
model's beam probabilities were nearly all 1.0 and wrong half the time, so the
older merge (the higher calibrated score wins an overlap) ended up equal to the
rules; the gaps are where a model can add without taking right rule spans away.

Adding spans raises F1 only when their precision is above about half the F1
already reached, so a label whose gap spans are mostly wrong stays out. Labels
are chosen one after the other (sorted), each keeping the threshold of
:data:`THRESHOLDS` with the best pooled F1 of the merge on the dev articles (ties:
the higher threshold, fewer spans; 1.01: none of the label, so a label must show
that it helps). ``meta.json`` keeps the chosen labels as ``suggest.entity_gaps``
and the rules' and the merge's dev F1 as ``suggest.entity_gaps_dev``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.repository import SpanSuggestion
from storage.suggest.trained_model import Scored, gap_proposals
from storage.train.data import TrainingExample
from storage.train.evaluate import LayerScores

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)
"""Beam probabilities a label's gap threshold is chosen from (1.01: none of the label)."""

Triple = tuple[int, int, str]


def rule_proposals(text: str) -> list[SpanSuggestion]:
    """The entity rules' proposals for ``text``, as ``redline suggest`` stores them."""
    from storage.suggest import suggest_entities

    return [
        SpanSuggestion(s.start, s.end, s.label, origin="rule", score=s.score)
        for s in suggest_entities(text)
    ]


def merged(
    rules: Sequence[SpanSuggestion], scored: Scored, thresholds: dict[str, float]
) -> set[Triple]:
    """The spans ``redline suggest`` would store for one article: the rules' proposals and
    the model's gap proposals at ``thresholds``, through the product merge."""
    from storage.suggest.merge import merge_suggestions

    kept = merge_suggestions([*rules, *gap_proposals(scored, thresholds)])
    return {(s.start, s.end, s.label) for s in kept if s.layer == "entity"}


@dataclass(frozen=True)
class GapChoice:
    thresholds: dict[str, float]
    """Label → least beam probability of its gap spans; only the labels chosen."""
    rules_f1: float
    merged_f1: float
    articles: int

    def as_json(self) -> dict[str, Any]:
        return {
            "rules_f1": round(self.rules_f1, 4),
            "merged_f1": round(self.merged_f1, 4),
            "articles": self.articles,
        }


def choose_gaps(
    examples: Sequence[TrainingExample],
    scored: Sequence[Scored],
    rules: Sequence[Sequence[SpanSuggestion]] | None = None,
) -> GapChoice:
    """The gap thresholds with the best pooled entity F1 on ``examples`` (their gold and
    the model's output ``scored`` on them only); ``rules``: their rule proposals, when
    already computed."""
    if rules is None:
        rules = [rule_proposals(example.text) for example in examples]
    golds = [set(example.entities) for example in examples]

    def f1(thresholds: dict[str, float]) -> float:
        pooled = LayerScores()
        for gold, found, one in zip(golds, rules, scored, strict=True):
            pooled.add(gold, merged(found, one, thresholds))
        return round(pooled.micro.f1, 6)

    labels = sorted({label for one in scored for *_r, label in one.entities})
    thresholds = {label: THRESHOLDS[-1] for label in labels}
    for label in labels:
        f1s = {t: f1({**thresholds, label: t}) for t in THRESHOLDS}
        thresholds[label] = max(THRESHOLDS, key=lambda t: (f1s[t], t))
    chosen = {label: t for label, t in thresholds.items() if t <= 1}
    return GapChoice(chosen, f1({}), f1(chosen), len(examples))


def gap_settings(
    examples: Sequence[TrainingExample],
    scored: Sequence[Scored],
    rules: Sequence[Sequence[SpanSuggestion]] | None = None,
) -> dict[str, Any]:
    """``meta.json``'s ``suggest`` fields for the gap policy chosen on ``examples``."""
    choice = choose_gaps(examples, scored, rules)
    return {"entity_gaps": choice.thresholds, "entity_gaps_dev": choice.as_json()}
