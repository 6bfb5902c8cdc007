"""The merge of model, rule and gazetteer proposals (issue 13 item 2): table tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from storage.repository import SpanSuggestion
from storage.suggest.merge import GapSuggestion, merge_suggestions
from storage.suggest.registry import SUGGESTERS
from storage.suggest.trained_model import Scored, TrainedModel
from storage.train.store import ModelMeta


@dataclass
class Existing:
    layer: str
    start: int
    end: int
    status: str
    label: str = "PERSON"


def s(
    start: int, end: int, origin: str, score: float, label: str = "PERSON", layer: str = "entity"
):
    return SpanSuggestion(start, end, label, layer=layer, origin=origin, score=score)


CASES = {
    "same span from two origins: one kept, the higher score": (
        [s(0, 5, "rule", 0.6), s(0, 5, "model", 0.93)],
        [],
        [s(0, 5, "model", 0.93)],
    ),
    "same span, equal scores: gazetteer over model over rule": (
        [s(0, 5, "rule", 0.9), s(0, 5, "model", 0.9), s(0, 5, "gazetteer", 0.9, "ORG")],
        [],
        [s(0, 5, "gazetteer", 0.9, "ORG")],
    ),
    "overlapping spans: the higher score wins, the other is dropped": (
        [s(0, 12, "rule", 0.7, "ORG"), s(4, 12, "model", 0.81, "GPE")],
        [],
        [s(4, 12, "model", 0.81, "GPE")],
    ),
    "equal score and origin overlapping: the longer span": (
        [s(0, 5, "model", 0.8), s(0, 12, "model", 0.8)],
        [],
        [s(0, 12, "model", 0.8)],
    ),
    "disjoint spans of three origins all kept, in reading order": (
        [s(20, 25, "gazetteer", 0.9), s(0, 5, "model", 0.55), s(10, 15, "rule", 0.6)],
        [],
        [s(0, 5, "model", 0.55), s(10, 15, "rule", 0.6), s(20, 25, "gazetteer", 0.9)],
    ),
    "a rejected span is never suggested again, whatever its score": (
        [s(0, 5, "model", 0.99), s(2, 8, "gazetteer", 0.9)],
        [Existing("entity", 0, 5, "rejected")],
        [],
    ),
    "an accepted annotation blocks overlapping proposals; the rest stay": (
        [s(0, 5, "model", 0.99), s(10, 14, "model", 0.7)],
        [Existing("entity", 3, 6, "accepted")],
        [s(10, 14, "model", 0.7)],
    ),
    "layers do not block each other": (
        [s(0, 5, "rule", 0.9, "MONEY", "figure"), s(0, 5, "model", 0.8)],
        [Existing("figure", 20, 30, "rejected")],
        [s(0, 5, "model", 0.8), s(0, 5, "rule", 0.9, "MONEY", "figure")],
    ),
}


@pytest.mark.parametrize(("proposals", "existing", "expected"), CASES.values(), ids=CASES)
def test_merge(proposals, existing, expected) -> None:
    assert merge_suggestions(proposals, existing) == expected


def test_registry_names_each_suggester_once_with_its_layer() -> None:
    names = [spec.name for spec in SUGGESTERS]
    assert len(names) == len(set(names))
    assert {spec.name: spec.layer for spec in SUGGESTERS} == {
        "figures": "figure",
        "gazetteer": "entity",
        "entity_rules": "entity",
        "spacy": "entity",
        "topics": "topic",
        "trained": "entity",
    }
    assert [spec.name for spec in SUGGESTERS if not spec.on_open] == ["spacy"]


class FixedScores(TrainedModel):
    """A trained model whose beam always gives the same two entities."""

    def score(self, texts):  # type: ignore[no-untyped-def]
        for _text in texts:
            yield Scored({(0, 4, "ORG"): 0.9, (5, 11, "GPE"): 0.9, (12, 15, "LOC"): 0.6}, {})


CALIBRATION = {
    "dev precision scales the beam probability; under 0.5 is not proposed": (
        {"ORG": {"p": 0.3, "predicted": 10}, "GPE": {"p": 0.8, "predicted": 5}},
        [("GPE", 0.72), ("LOC", 0.6)],
    ),
    "a label never predicted on dev keeps its probability": (
        {"ORG": {"p": 0.0, "predicted": 0}},
        [("ORG", 0.9), ("GPE", 0.9), ("LOC", 0.6)],
    ),
}


@pytest.mark.parametrize(("labels", "expected"), CALIBRATION.values(), ids=CALIBRATION)
def test_model_scores_are_calibrated_by_dev_precision(labels: dict, expected: list) -> None:
    meta = ModelMeta(Path("."), {"scores": {"entity": {"labels": labels}}})
    [found] = FixedScores(meta, nlp=None).suggestions(["Acme Berlin Alp"])  # type: ignore[arg-type]
    assert [(s.label, s.score) for s in found] == [
        (label, pytest.approx(score)) for label, score in expected
    ]
    assert all(s.origin == "model" for s in found)


def g(start: int, end: int, score: float, label: str = "PERSON") -> GapSuggestion:
    return GapSuggestion(start, end, label, origin="model", score=score)


GAP_CASES = {
    "a gap span where no rule proposes is kept": (
        [s(0, 5, "rule", 0.6), g(10, 15, 1.0)],
        [],
        [s(0, 5, "rule", 0.6), g(10, 15, 1.0)],
    ),
    "a rule span wins an overlap whatever the scores (the policy, not the score)": (
        [s(0, 12, "rule", 0.55, "ORG"), g(4, 12, 1.0, "GPE")],
        [],
        [s(0, 12, "rule", 0.55, "ORG")],
    ),
    "the same span from the rules and the model: the rule's, once": (
        [s(0, 5, "rule", 0.6), g(0, 5, 0.99)],
        [],
        [s(0, 5, "rule", 0.6)],
    ),
    "a gazetteer span wins too": (
        [s(0, 5, "gazetteer", 0.5, "ORG"), g(3, 9, 1.0)],
        [],
        [s(0, 5, "gazetteer", 0.5, "ORG")],
    ),
    "a rule proposal that lost to another rule still closes its place to the model": (
        [s(0, 8, "rule", 0.9), s(6, 14, "rule", 0.6), g(9, 14, 1.0)],
        [],
        [s(0, 8, "rule", 0.9)],
    ),
    "two gap spans overlapping: the higher beam probability": (
        [g(0, 5, 0.7), g(3, 9, 0.95)],
        [],
        [g(3, 9, 0.95)],
    ),
    "a rejected span is never suggested again by the model": (
        [g(0, 5, 1.0), g(20, 25, 1.0)],
        [Existing("entity", 0, 5, "rejected")],
        [g(20, 25, 1.0)],
    ),
    "a span suggested by an earlier run is not suggested twice": (
        [g(0, 5, 1.0)],
        [Existing("entity", 0, 5, "suggested")],
        [],
    ),
    "a figure span does not close an entity gap": (
        [s(0, 5, "rule", 0.9, "MONEY", "figure"), g(0, 5, 0.8)],
        [],
        [g(0, 5, 0.8), s(0, 5, "rule", 0.9, "MONEY", "figure")],
    ),
}


@pytest.mark.parametrize(("proposals", "existing", "expected"), GAP_CASES.values(), ids=GAP_CASES)
def test_gap_merge(proposals, existing, expected) -> None:
    assert merge_suggestions(proposals, existing) == expected


GAP_POLICY = {
    "only the chosen labels, at their thresholds": (
        {"entity_min_score": 0.5, "entity_gaps": {"ORG": 0.9, "LOC": 0.7}},
        [(0, 4, "ORG", 0.9)],
    ),
    "an empty policy: the model adds nothing": (
        {"entity_min_score": 0.5, "entity_gaps": {}},
        [],
    ),
}


@pytest.mark.parametrize(("suggest", "expected"), GAP_POLICY.values(), ids=GAP_POLICY)
def test_the_saved_gap_policy_decides_the_model_spans(suggest: dict, expected: list) -> None:
    meta = ModelMeta(Path("."), {"suggest": suggest})
    [found] = FixedScores(meta, nlp=None).suggestions(["Acme Berlin Alp"])  # type: ignore[arg-type]
    assert [(x.start, x.end, x.label, x.score) for x in found] == expected
    assert all(isinstance(x, GapSuggestion) for x in found)


def test_a_meta_json_without_a_gap_policy_keeps_the_score_merge() -> None:
    """Models trained before the gap policy: calibrated spans that compete on score."""
    meta = ModelMeta(Path("."), {"suggest": {"entity_min_score": 0.6}})
    [found] = FixedScores(meta, nlp=None).suggestions(["Acme Berlin Alp"])  # type: ignore[arg-type]
    assert [(x.label, x.score) for x in found] == [("ORG", 0.9), ("GPE", 0.9), ("LOC", 0.6)]
    assert not any(isinstance(x, GapSuggestion) for x in found)
