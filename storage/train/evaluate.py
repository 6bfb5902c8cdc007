"""Per-label precision, recall and F1 of a pipeline on the dev split.

Spans (entities, figures) match on exact offsets and label; a topic counts as
predicted when its ``doc.cats`` score is at least :data:`TOPIC_THRESHOLD`.
``score`` (what training keeps the best of) is the mean of the micro F1 of
each layer that has dev data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.train.data import TrainingExample

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

TOPIC_THRESHOLD = 0.5
FIGURE_SPANS_KEY = "figures"


@dataclass
class LabelScore:
    gold: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "correct": self.correct,
            "p": round(self.precision, 4),
            "r": round(self.recall, 4),
            "f": round(self.f1, 4),
        }


@dataclass
class LayerScores:
    labels: dict[str, LabelScore] = field(default_factory=dict)

    def add(self, gold: Iterable[tuple[Any, ...]], predicted: Iterable[tuple[Any, ...]]) -> None:
        """Count one document; items are tuples whose last element is the label."""
        gold_set, predicted_set = set(gold), set(predicted)
        for item in gold_set:
            self.labels.setdefault(item[-1], LabelScore()).gold += 1
        for item in predicted_set:
            score = self.labels.setdefault(item[-1], LabelScore())
            score.predicted += 1
            score.correct += item in gold_set

    @property
    def micro(self) -> LabelScore:
        total = LabelScore()
        for score in self.labels.values():
            total.gold += score.gold
            total.predicted += score.predicted
            total.correct += score.correct
        return total


@dataclass
class Evaluation:
    layers: dict[str, LayerScores] = field(default_factory=dict)

    @property
    def score(self) -> float:
        scored = [layer.micro.f1 for layer in self.layers.values() if layer.micro.gold]
        return sum(scored) / len(scored) if scored else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            **{
                name: {
                    "micro": layer.micro.as_json(),
                    "labels": {key: s.as_json() for key, s in sorted(layer.labels.items())},
                }
                for name, layer in self.layers.items()
            },
        }


def predicted_items(doc: Doc, layers: Sequence[str]) -> dict[str, set[tuple[Any, ...]]]:
    items: dict[str, set[tuple[Any, ...]]] = {}
    if "entity" in layers:
        items["entity"] = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
    if "figure" in layers:
        group = doc.spans[FIGURE_SPANS_KEY] if FIGURE_SPANS_KEY in doc.spans else []
        items["figure"] = {(s.start_char, s.end_char, s.label_) for s in group}
    if "topic" in layers:
        items["topic"] = {(key,) for key, score in doc.cats.items() if score >= TOPIC_THRESHOLD}
    return items


def gold_items(example: TrainingExample, layers: Sequence[str]) -> dict[str, set[tuple[Any, ...]]]:
    items: dict[str, set[tuple[Any, ...]]] = {}
    if "entity" in layers:
        items["entity"] = set(example.entities)
    if "figure" in layers:
        items["figure"] = set(example.figures)
    if "topic" in layers:
        items["topic"] = {(key,) for key in example.topics}
    return items


def evaluate(nlp: Language, dev: Sequence[TrainingExample], layers: Sequence[str]) -> Evaluation:
    """Score ``nlp`` on ``dev`` for each of ``layers``."""
    evaluation = Evaluation({layer: LayerScores() for layer in layers})
    for example, doc in zip(dev, nlp.pipe(example.text for example in dev), strict=True):
        predicted = predicted_items(doc, layers)
        for layer, gold in gold_items(example, layers).items():
            evaluation.layers[layer].add(gold, predicted[layer])
    return evaluation
