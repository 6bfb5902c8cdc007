"""The least score of a model entity suggestion, chosen on the dev split (table tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.suggest.trained_model import MIN_SCORE, Scored, TrainedModel
from storage.train.data import TrainingExample
from storage.train.store import ModelMeta
from storage.train.threshold import CANDIDATES, choose_min_score, merged_f1

TEXT = "Kaja Kallas met officials of Zorblat in Astana on Monday. The weather was fine."
KALLAS = (0, 11, "PERSON")
ZORBLAT = (29, 36, "ORG")
ASTANA = (40, 46, "GPE")
WEATHER = (62, 69, "ORG")
"""The rules find Kaja Kallas (0.7) and Astana (0.85), not Zorblat."""

GOLD = TrainingExample(1, TEXT, (KALLAS, ZORBLAT, ASTANA))

CASES = {
    "a sure right span and an unsure wrong one: the threshold between them": (
        {ZORBLAT: 0.75, WEATHER: 0.55},
        0.6,
    ),
    "the model's only span is wrong, however sure: no model spans (above 1)": (
        {WEATHER: 0.97},
        1.01,
    ),
    "the model adds nothing the rules miss: the lowest candidate (ties keep suggestions)": (
        {KALLAS: 0.9},
        MIN_SCORE,
    ),
    "a confident wrong label over a rule span costs more than a right gap brings": (
        {(40, 46, "ORG"): 0.9, ZORBLAT: 0.6},
        0.95,
    ),
}


@pytest.mark.parametrize(("entities", "expected"), CASES.values(), ids=CASES)
def test_choose_min_score(entities: dict, expected: float) -> None:
    scored = [Scored(entities, {})]
    assert choose_min_score([GOLD], scored, {}) == expected
    assert expected in CANDIDATES


def test_merged_f1_replays_the_merge_with_the_rules() -> None:
    scored = [Scored({ZORBLAT: 0.75, WEATHER: 0.55}, {})]
    assert merged_f1([GOLD], scored, {}, 1.01) == pytest.approx(0.8)  # rules: 2 of 3 right
    assert merged_f1([GOLD], scored, {}, 0.6) == pytest.approx(1.0)
    assert merged_f1([GOLD], scored, {}, 0.5) == pytest.approx(6 / 7)
    # dev precision calibrates first: ORG right half the time puts Zorblat under 0.5
    assert merged_f1([GOLD], scored, {"ORG": 0.5}, 0.5) == pytest.approx(0.8)


class Fixed(TrainedModel):
    def score(self, texts):  # type: ignore[no-untyped-def]
        for _text in texts:
            yield Scored({ZORBLAT: 0.75, WEATHER: 0.55}, {})


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({}, [ZORBLAT, WEATHER]),
        ({"suggest": {"entity_min_score": 0.6}}, [ZORBLAT]),
        ({"suggest": {"entity_min_score": 1.01}}, []),
    ],
)
def test_suggestions_use_the_min_score_in_meta(meta: dict, expected: list) -> None:
    model = Fixed(ModelMeta(Path("."), meta), nlp=None)  # type: ignore[arg-type]
    [found] = model.suggestions([TEXT])
    assert [(s.start, s.end, s.label) for s in found] == expected
