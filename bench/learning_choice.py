"""What the learning curve chooses on tuning articles, and how it scores the merges.

A model's output on an article (``Scoredoc``) can be turned into entity spans
four ways (``COLUMNS``):

- ``rules``: the entity rules alone (``storage.suggest.suggest_entities``);
- ``model``: the model alone, beam probability ≥ 0.5;
- ``model_plus_rules``: what ``redline suggest`` does, the higher score wins an
  overlap (``storage.suggest.merge``); model scores calibrated by the per-label
  precision the model reached on the choice articles, proposed from the least
  score ``redline train`` would choose on them (``storage.train.threshold``);
- ``gaps``: every rule proposal kept, model spans only where no rule span
  overlaps, at a beam probability ≥ a threshold *per label*. Adding spans raises
  F1 only when their precision is above about half the F1 already reached, so a
  label whose gap spans are mostly wrong gets a threshold above 1 ("none of this
  label"); labels are chosen one after the other (sorted), each keeping the best
  pooled F1 (ties: the higher threshold; a label must show that it helps);
- ``committee``: the same, but a model span fills a gap only when a second model
  trained on the same articles with another seed proposes the very same span
  (query by committee: two models that agree are right far more often than one
  alone, whose beam probabilities are nearly all 1.0), with its own per-label
  thresholds chosen the same way.

``choose`` makes every choice (calibration, least score, gap thresholds, and
which of the two merges is *the* model + rules, ``Choice.merge``) from the
articles it is given and nothing else; the learning curve gives it tuning
articles only, never one it scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

COLUMNS = ("rules", "model", "model_plus_rules", "gaps", "committee")
MERGES = ("model_plus_rules", "gaps", "committee")
"""The ways of merging; ``choose`` picks one on the tuning articles (ties: the first, what
``redline suggest`` does)."""
GAP_MERGES = ("gaps", "committee")
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)
"""Beam probabilities the ``gaps`` threshold is chosen from (1.01: no model spans)."""

Triple = tuple[int, int, str]


def _triples(suggestions: Sequence[Any]) -> set[Triple]:
    return {(s.start, s.end, s.label) for s in suggestions}


def rule_proposals(text: str) -> list[Any]:
    from storage.repository import SpanSuggestion
    from storage.suggest import suggest_entities

    return [
        SpanSuggestion(s.start, s.end, s.label, origin="rule", score=s.score)
        for s in suggest_entities(text)
    ]


def _as_existing(suggestions: Sequence[Any]) -> list[Any]:
    """Proposals as annotations already there: a merge then only fills the gaps they leave."""
    return [
        SimpleNamespace(layer="entity", label=s.label, start=s.start, end=s.end, status="suggested")
        for s in suggestions
    ]


@dataclass(frozen=True)
class Choice:
    """What is chosen on tuning articles for a model: the per-label precision that calibrates
    its scores, the least calibrated score, the gap thresholds, and the merge."""

    precision: dict[str, float]
    min_score: float
    gap_thresholds: dict[str, float]
    """Label → least beam probability of a model span in the gaps (absent: none)."""
    committee_thresholds: dict[str, float] | None = None
    """The same for the ``committee`` merge (None: ``gap_thresholds``)."""
    merge: str = MERGES[0]
    tuning_f1: dict[str, float] | None = None
    """Each column's F1 on the articles the choice was made on (optimistic: chosen there)."""
    gap_counts: dict[str, dict[str, dict[str, list[int]]]] | None = None
    """On the choice articles, merge (``gaps``, ``committee``) → label → threshold →
    [right, wrong] model spans it adds in the rules' gaps."""
    rule_labels: dict[str, Any] | None = None
    """On the choice articles, the rules' per-label counts and P/R/F."""


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

    def predicted(self, column: str, choice: Choice) -> set[Triple]:
        from storage.suggest.merge import merge_suggestions
        from storage.suggest.trained_model import propose

        if column == "merged":
            column = choice.merge
        if column == "rules":
            return _triples(self.rules)
        raw = propose(self.scored, {})
        if column == "model":
            return _triples(raw)
        if column == "model_plus_rules":
            calibrated = propose(self.scored, choice.precision, choice.min_score)
            return _triples(merge_suggestions([*calibrated, *self.rules]))
        thresholds = choice.gap_thresholds
        if column == "committee":
            agreed = self.partner.entities if self.partner is not None else {}
            raw = [s for s in raw if (s.start, s.end, s.label) in agreed]
            thresholds = choice.committee_thresholds or thresholds
        sure = [s for s in raw if (s.score or 0.0) >= thresholds.get(s.label, 2.0)]
        gaps = merge_suggestions(self.rules) + merge_suggestions(sure, _as_existing(self.rules))
        return _triples(gaps)


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
    from storage.train.threshold import choose_min_score

    precision = _precision(docs)

    def f1(choice: Choice, column: str) -> float:
        return round(scores(docs, column, [choice] * len(docs)).micro.f1, 6)

    labels = sorted({label for doc in docs for *_r, label in doc.scored.entities})
    chosen_thresholds = {}
    for merge in GAP_MERGES:
        thresholds = {label: THRESHOLDS[-1] for label in labels}
        for label in labels:
            f1s = {t: f1(Choice({}, 0.5, {**thresholds, label: t}), merge) for t in THRESHOLDS}
            thresholds[label] = max(THRESHOLDS, key=lambda t: (f1s[t], t))  # ties: fewer spans
        chosen_thresholds[merge] = thresholds
    examples = [doc.example for doc in docs]
    min_score = choose_min_score(examples, [doc.scored for doc in docs], precision)
    chosen = Choice(precision, min_score, chosen_thresholds["gaps"], chosen_thresholds["committee"])
    tuning = {column: f1(chosen, column) for column in COLUMNS}
    merge = max(MERGES, key=lambda m: (tuning[m], -MERGES.index(m)))
    rules = scores(docs, "rules", [chosen] * len(docs))
    return Choice(
        precision,
        min_score,
        chosen.gap_thresholds,
        chosen.committee_thresholds,
        merge,
        tuning,
        {merge: _gap_counts(docs, labels, merge) for merge in GAP_MERGES},
        {label: s.as_json() for label, s in sorted(rules.labels.items())},
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
            choice = Choice({}, 0.5, {label: threshold})
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
        "merge": choice.merge,
        "min_score": choice.min_score,
        "gap_thresholds": choice.gap_thresholds,
        "committee_thresholds": choice.committee_thresholds,
        "precision": {label: round(p, 4) for label, p in sorted(choice.precision.items())},
        "tuning_f1": choice.tuning_f1,
        "gap_counts": choice.gap_counts,
        "rule_labels": choice.rule_labels,
    }
