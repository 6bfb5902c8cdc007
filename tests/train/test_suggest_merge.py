"""The merge of model, rule and gazetteer proposals (issue 13 item 2): table tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from storage.repository import SpanSuggestion
from storage.suggest.merge import merge_suggestions
from storage.suggest.registry import SUGGESTERS


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
