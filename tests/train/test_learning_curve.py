"""The learning curve's split and choices (no model is trained here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.case_learning_curve import FOLDS, plan, split_unseen
from bench.learning_choice import THRESHOLDS, Scoredoc, choose, rule_proposals
from storage.suggest.trained_model import Scored, TrainedModel
from storage.train.data import TrainingExample
from storage.train.store import ModelMeta

NAMES = [f"wikinews_{n:02d}" for n in range(19)]


def test_the_split_depends_on_names_and_seed_only() -> None:
    folds, test = split_unseen(NAMES)
    assert (folds, test) == split_unseen(list(reversed(NAMES)))
    tuning = [name for fold in folds for name in fold]
    assert len(tuning) == 10 and len(test) == 9 and len(folds) == FOLDS
    assert sorted(tuning + test) == sorted(NAMES)
    assert not set(tuning) & set(test)
    assert sorted(len(fold) for fold in folds) == [5, 5]
    assert split_unseen(NAMES, seed=1) != (folds, test)


def test_the_plan_keeps_development_tuning_and_test_apart() -> None:
    chosen = plan()
    development = {a.name for a in chosen.development}
    tuning = {a.name for fold in chosen.folds for a in fold}
    test = {a.name for a in chosen.test}
    assert not development & tuning and not development & test and not tuning & test
    assert {a.group for a in chosen.development} == {"development"}
    assert {a.group for fold in chosen.folds for a in fold} == {"unseen"}
    assert {a.group for a in chosen.test} == {"unseen", "heldout"}
    assert len(tuning) + len({a.name for a in chosen.test if a.group == "unseen"}) == 19


TEXT = "Kaja Kallas met officials of Zorblat in Astana on Monday. The weather was fine."
KALLAS, ZORBLAT, ASTANA = (0, 11, "PERSON"), (29, 36, "ORG"), (40, 46, "GPE")
WEATHER = (62, 69, "ORG")
"""The rules find Kaja Kallas and Astana, not Zorblat (``tests/train/test_threshold``)."""
GOLD = TrainingExample(1, TEXT, (KALLAS, ZORBLAT, ASTANA))


def _docs(entities: dict, partner: dict | None = None) -> list[Scoredoc]:
    return [Scoredoc(GOLD, Scored(entities, {}), partner=Scored(partner or {}, {}))]


def test_a_label_right_in_the_gaps_may_fill_them() -> None:
    choice = choose(_docs({ZORBLAT: 0.9, KALLAS: 1.0}))
    assert choice.gap_thresholds == {"ORG": 0.9}  # ties: the highest threshold that keeps it
    # PERSON adds nothing in the gaps: it stays out of the saved policy
    assert choice.suggest["entity_gaps_dev"] == {"rules_f1": 0.8, "merged_f1": 1.0, "articles": 1}
    assert choice.tuning_f1 == pytest.approx(
        {"rules": 0.8, "model": 0.8, "model_plus_rules": 1.0, "score": 1.0, "committee": 0.8},
        abs=1e-6,
    )  # the partner proposed nothing: the committee adds nothing
    assert choice.gap_counts is not None
    assert choice.gap_counts["model_plus_rules"]["ORG"]["0.9"] == [1, 0]
    assert choice.gap_counts["committee"]["ORG"]["0.9"] == [0, 0]


def test_a_label_wrong_in_the_gaps_stays_out() -> None:
    choice = choose(_docs({WEATHER: 1.0}, {WEATHER: 1.0}))
    assert choice.gap_thresholds == choice.committee_thresholds == {}
    wrong = {"ORG": {f"{t:g}": [0, 1] for t in THRESHOLDS[:-1]}}
    assert choice.gap_counts == {"model_plus_rules": wrong, "committee": wrong}
    doc = _docs({WEATHER: 1.0})[0]
    assert doc.predicted("model_plus_rules", choice) == {KALLAS, ASTANA}  # the rules alone


def test_the_committee_keeps_only_the_gap_spans_both_models_propose() -> None:
    docs = _docs({ZORBLAT: 1.0, WEATHER: 1.0}, {ZORBLAT: 0.6, (62, 69, "GPE"): 1.0})
    choice = choose(docs)
    assert choice.gap_thresholds == {"ORG": 0.95}  # one right, one wrong: F1 0.8 -> 0.857
    assert choice.committee_thresholds == {"ORG": 0.95}
    assert docs[0].predicted("committee", choice) == {KALLAS, ZORBLAT, ASTANA}
    assert docs[0].predicted("model_plus_rules", choice) == {KALLAS, ZORBLAT, ASTANA, WEATHER}
    assert choice.tuning_f1 is not None
    assert choice.tuning_f1["committee"] == pytest.approx(1.0)


def test_the_product_column_is_what_a_saved_model_suggests() -> None:
    """The bench's model + rules is ``TrainedModel.entity_proposals`` under the saved policy,
    merged with the rules by the product merge."""
    from storage.suggest.merge import merge_suggestions

    doc = _docs({ZORBLAT: 0.9, (0, 4, "ORG"): 1.0})[0]
    choice = choose([doc])
    model = FixedModel(ModelMeta(Path("."), {"suggest": choice.suggest}), nlp=None)  # type: ignore[arg-type]
    model.fixed = doc.scored
    [found] = model.suggestions([TEXT])
    stored = merge_suggestions([*rule_proposals(TEXT), *found])
    assert {(s.start, s.end, s.label) for s in stored} == doc.predicted("model_plus_rules", choice)
    assert {(s.start, s.end, s.label) for s in stored} == {KALLAS, ZORBLAT, ASTANA}


class FixedModel(TrainedModel):
    fixed: Scored

    def score(self, texts):  # type: ignore[no-untyped-def]
        return iter([self.fixed for _ in texts])
