"""What the learning curve chooses on tuning articles, and how it scores the merges.

A model's output on an article (``Scoredoc``) can be turned into entity spans
these ways (``COLUMNS``):

- ``rules``: the entity rules alone (``storage.suggest.suggest_entities``);
- ``model``: the model alone, beam probability ≥ 0.5;
- ``model_plus_rules``: what ``redline suggest`` does with a model ``redline
  train`` saved: ``TrainedModel.entity_proposals`` under the gap policy chosen by
  ``storage.train.gaps`` (via ``storage.train.threshold.entity_settings``, what
  ``redline train`` writes to ``meta.json``) on the tuning articles, merged with
  the rules' proposals by ``storage.suggest.merge``: every rule span kept, model
  spans only in the rules' gaps, for the chosen labels at their thresholds;
- ``score``: the older merge, what ``redline suggest`` does with a ``meta.json``
  without a gap policy: calibrated model scores (per-label precision on the
  choice articles, least score chosen there), the higher score wins an overlap;
- ``committee`` (a diagnostic, not the product): the gap policy, but a model span
  fills a gap only when a second model trained on the same articles with
  another seed proposes the very same span (query by committee), with its own
  per-label thresholds chosen by the same ``storage.train.gaps.choose_gaps``.
  It doubles the training and halves the suggest rate, so the product does
  not do it.

``choose`` makes every choice from the articles it is given and nothing else;
the learning curve gives it tuning articles only, never one it scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.train.gaps import THRESHOLDS, rule_proposals

COLUMNS = ("rules", "model", "model_plus_rules", "score", "committee")
__all__ = ["COLUMNS", "THRESHOLDS", "Choice", "Scoredoc", "choose", "rule_proposals"]

Triple = tuple[int, int, str]


def _triples(suggestions: Sequence[Any]) -> set[Triple]:
    return {(s.start, s.end, s.label) for s in suggestions if s.layer == "entity"}


@dataclass(frozen=True)
class Choice:
    """What is chosen on tuning articles for a model: ``suggest``, the ``meta.json`` fields
    ``redline train`` would save had those articles been its dev split, the per-label
    precision that calibrates the older score merge, and the committee's thresholds."""

    suggest: dict[str, Any]
    precision: dict[str, float]
    committee_thresholds: dict[str, float]
    tuning_f1: dict[str, float] | None = None
    """Each column's F1 on the articles the choice was made on (optimistic: chosen there)."""
    gap_counts: dict[str, dict[str, dict[str, list[int]]]] | None = None
    """On the choice articles, ``model_plus_rules``/``committee`` → label → threshold →
    [right, wrong] model spans it adds in the rules' gaps."""
    rule_labels: dict[str, Any] | None = None
    """On the choice articles, the rules' per-label counts and P/R/F."""

    @property
    def gap_thresholds(self) -> dict[str, float]:
        return dict(self.suggest.get("entity_gaps", {}))


def _model(suggest: dict[str, Any]) -> Any:
    """The product's view of a trained model with these ``meta.json`` ``suggest`` fields
    (its entity proposals need no pipeline: the beam output is given)."""
    from storage.suggest.trained_model import TrainedModel
    from storage.train.store import ModelMeta

    return TrainedModel(ModelMeta(Path("."), {"suggest": suggest}), nlp=None)  # type: ignore[arg-type]


class Scoredoc:
    """One evaluated article: its gold, the rules' proposals, one model's beam scores and
    (``partner``) the scores of a second model trained on the same articles."""

    def __init__(
        self, example: Any, scored: Any, rules: list[Any] | None = None, partner: Any = None
    ) -> None:
        self.example = example
        self.gold: set[Triple] = set(example.entities)
        self.rules = rule_proposals(example.text) if rules is None else rules
        self.scored = scored
        self.partner = partner

    def agreed(self) -> Any:
        """The model's output restricted to the spans its partner proposes too."""
        from storage.suggest.trained_model import Scored

        theirs = self.partner.entities if self.partner is not None else {}
        mine = {key: p for key, p in self.scored.entities.items() if key in theirs}
        return Scored(mine, self.scored.topics)

    def predicted(self, column: str, choice: Choice) -> set[Triple]:
        from storage.suggest.merge import merge_suggestions
        from storage.suggest.trained_model import propose

        if column == "rules":
            return _triples(self.rules)
        if column == "model":
            return _triples(propose(self.scored, {}))
        if column == "model_plus_rules":
            proposals = _model(choice.suggest).entity_proposals(self.scored)
        elif column == "score":
            old = {"entity_min_score": choice.suggest["entity_min_score"]}
            proposals = _model(old).entity_proposals(self.scored, choice.precision)
        elif column == "committee":
            gaps = {"entity_gaps": choice.committee_thresholds}
            proposals = _model(gaps).entity_proposals(self.agreed())
        else:
            raise ValueError(column)
        return _triples(merge_suggestions([*self.rules, *proposals]))


def scores(docs: Sequence[Scoredoc], column: str, choices: Sequence[Choice]) -> Any:
    """Pooled ``LayerScores`` of ``column`` over ``docs`` (each with its model's choice)."""
    from storage.train.evaluate import LayerScores

    pooled = LayerScores()
    for doc, choice in zip(docs, choices, strict=True):
        pooled.add(doc.gold, doc.predicted(column, choice))
    return pooled


def score_json(docs: Sequence[Scoredoc], column: str, choices: Sequence[Choice]) -> dict:
    """Micro P/R/F1 with counts, and the same per label."""
    pooled = scores(docs, column, choices)
    return {
        **pooled.micro.as_json(),
        "labels": {label: s.as_json() for label, s in sorted(pooled.labels.items())},
    }


def _precision(docs: Sequence[Scoredoc]) -> dict[str, float]:
    """Per-label precision of the uncalibrated model on ``docs`` (what meta.json would hold)."""
    from storage.suggest.trained_model import propose
    from storage.train.evaluate import LayerScores

    pooled = LayerScores()
    for doc in docs:
        pooled.add(doc.gold, _triples(propose(doc.scored, {})))
    return {label: s.precision for label, s in pooled.labels.items() if s.predicted}


def choose(docs: Sequence[Scoredoc]) -> Choice:
    """Everything chosen on ``docs`` (their gold and this model's output on them only)."""
    from storage.train.gaps import choose_gaps
    from storage.train.threshold import entity_settings

    precision = _precision(docs)
    examples = [doc.example for doc in docs]
    rules = [doc.rules for doc in docs]
    suggest = entity_settings(examples, [doc.scored for doc in docs], precision, rules)
    committee = choose_gaps(examples, [doc.agreed() for doc in docs], rules).thresholds
    chosen = Choice(suggest, precision, committee)

    def f1(column: str) -> float:
        return round(scores(docs, column, [chosen] * len(docs)).micro.f1, 6)

    labels = sorted({label for doc in docs for *_r, label in doc.scored.entities})
    rule_scores = scores(docs, "rules", [chosen] * len(docs))
    return Choice(
        suggest,
        precision,
        committee,
        {column: f1(column) for column in COLUMNS},
        {merge: _gap_counts(docs, labels, merge) for merge in ("model_plus_rules", "committee")},
        {label: s.as_json() for label, s in sorted(rule_scores.labels.items())},
    )


def _gap_counts(
    docs: Sequence[Scoredoc], labels: Sequence[str], merge: str
) -> dict[str, dict[str, list[int]]]:
    """What ``merge`` would add in the rules' gaps, per label and threshold: right and wrong."""
    counts: dict[str, dict[str, list[int]]] = {}
    for label in labels:
        counts[label] = {}
        for threshold in THRESHOLDS[:-1]:
            right = wrong = 0
            only = {label: threshold}
            choice = Choice({"entity_min_score": 0.5, "entity_gaps": only}, {}, only)
            for doc in docs:
                added = doc.predicted(merge, choice) - _triples(doc.rules)
                right += len(added & doc.gold)
                wrong += len(added - doc.gold)
            counts[label][f"{threshold:g}"] = [right, wrong]
    return counts


def gap_labels(thresholds_of: Sequence[dict[str, float]]) -> str:
    """The labels the model may fill gaps with, in how many of the choices ("-": none)."""
    counts: dict[str, int] = {}
    for thresholds in thresholds_of:
        for label, threshold in thresholds.items():
            if threshold <= 1:
                counts[label] = counts.get(label, 0) + 1
    if not counts:
        return "-"
    return " ".join(f"{label} {n}/{len(thresholds_of)}" for label, n in sorted(counts.items()))


def choice_json(choice: Choice) -> dict[str, Any]:
    return {
        "suggest": choice.suggest,
        "committee_thresholds": choice.committee_thresholds,
        "precision": {label: round(p, 4) for label, p in sorted(choice.precision.items())},
        "tuning_f1": choice.tuning_f1,
        "gap_counts": choice.gap_counts,
        "rule_labels": choice.rule_labels,
    }
