"""``redline agree``: span F1 against a hand-computed table, κ against scikit-learn and α
against the ``krippendorff`` package, on both backends; 3 annotators, missing articles,
empty annotations and overlapping spans (see :mod:`tests.team.corpus`)."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from storage.db import Database
from storage.errors import StorageError
from storage.repository import Repository
from storage.team.agreement import agreement
from storage.team.stats import cohen_kappa, krippendorff_alpha
from tests.team import corpus

# Hand-computed (see the corpus): ana–ben share articles 1, 2; ana 7 spans, ben 6, exact
# matches Merkel, Bank of England, England, Tesla; partial adds Macron ⊂ Emmanuel Macron.
# ana–cleo share 2, 3 (cleo labelled nothing in 3); ben–cleo share 2.
EXPECTED_ENTITY = {
    ("ana", "ben"): {
        "articles": 2,
        "precision": 4 / 6,
        "recall": 4 / 7,
        "f1": 8 / 13,
        "partial": 10 / 13,
        "by_label": {"GPE": 0.5, "LOC": 0.0, "ORG": 1.0, "PERSON": 0.5},
    },
    ("ana", "cleo"): {
        "articles": 2,
        "precision": 1.0,
        "recall": 0.5,
        "f1": 2 / 3,
        "partial": 2 / 3,
        "by_label": {"GPE": 2 / 3, "ORG": 2 / 3},
    },
    ("ben", "cleo"): {
        "articles": 1,
        "precision": 0.5,
        "recall": 1.0,
        "f1": 2 / 3,
        "partial": 2 / 3,
        "by_label": {"GPE": 0.0, "ORG": 1.0},
    },
}


def test_entity_span_f1_matches_the_hand_computed_table(db: Database) -> None:
    corpus.build(db)
    document = agreement(db, "entity")
    assert set(document) == {"layer", "articles", "pairs", "overall"}
    assert (document["layer"], document["articles"]) == ("entity", 3)
    got = {(pair["a"], pair["b"]): pair for pair in document["pairs"]}
    assert list(got) == list(EXPECTED_ENTITY)
    for key, want in EXPECTED_ENTITY.items():
        pair = got[key]
        assert set(pair) == {"a", "b", "articles", "exact", "partial", "by_label"}
        assert pair["articles"] == want["articles"]
        assert pair["exact"] == pytest.approx(
            {"precision": want["precision"], "recall": want["recall"], "f1": want["f1"]}
        )
        assert pair["partial"] == pytest.approx({"f1": want["partial"]})
        assert {label: value["f1"] for label, value in pair["by_label"].items()} == (
            pytest.approx(want["by_label"])
        )
        assert all(set(value) == {"f1"} for value in pair["by_label"].values())
    assert document["overall"] == pytest.approx(
        {
            "exact_f1": (8 / 13 + 2 / 3 + 2 / 3) / 3,
            "partial_f1": (10 / 13 + 2 / 3 + 2 / 3) / 3,
        }
    )


def test_reference_order_follows_the_annotators_option(db: Database) -> None:
    corpus.build(db)
    [pair] = agreement(db, "entity", ["ben", "ana"])["pairs"]
    assert (pair["a"], pair["b"]) == ("ben", "ana")
    assert pair["exact"] == pytest.approx({"precision": 4 / 7, "recall": 4 / 6, "f1": 8 / 13})


def test_articles_option_restricts_every_pair(db: Database) -> None:
    ids = corpus.build(db)
    document = agreement(db, "entity", articles=[ids[0]])
    [pair] = document["pairs"]  # only ana and ben finished article 1
    assert (pair["a"], pair["b"], pair["articles"], document["articles"]) == ("ana", "ben", 1, 1)
    assert pair["exact"]["f1"] == pytest.approx(2 * 3 / 10)


def test_empty_annotations_on_both_sides_are_undefined_not_perfect(db: Database) -> None:
    ids = corpus.build(db)
    Repository(db, "dan").set_state(ids[2], "done")  # dan and cleo: nothing in article 3
    [pair] = agreement(db, "entity", ["cleo", "dan"], articles=[ids[2]])["pairs"]
    assert pair["exact"] == {"precision": None, "recall": None, "f1": None}
    assert pair["partial"] == {"f1": None} and pair["by_label"] == {}
    document = agreement(db, "entity", ["ana", "dan"])
    assert document["pairs"][0]["exact"] == {"precision": None, "recall": 0.0, "f1": 0.0}
    assert document["overall"] == {"exact_f1": 0.0, "partial_f1": 0.0}


def test_unknown_annotator_is_one_clear_error(db: Database) -> None:
    corpus.build(db)
    with pytest.raises(StorageError, match="unknown annotator 'zoe' \\(annotators: ana, ben"):
        agreement(db, "entity", ["ana", "zoe"])


def _decisions(name: str, articles: list[int]) -> list[int]:
    chosen = corpus.ASSIGNED_TOPICS[name]
    return [
        int(topic in chosen.get(article, [])) for article in articles for topic in corpus.TOPICS
    ]


def test_topic_kappa_and_alpha_match_sklearn_and_krippendorff(db: Database) -> None:
    corpus.build(db)
    document = agreement(db, "topic", topic_keys=corpus.TOPICS)
    assert set(document) == {"layer", "articles", "pairs", "overall"}
    assert (document["layer"], document["articles"]) == ("topic", 3)
    pairs = {(pair["a"], pair["b"]): pair for pair in document["pairs"]}
    for (a, b), pair in pairs.items():
        assert set(pair) == {"a", "b", "articles", "kappa"}
        shared = sorted(set(corpus.DONE[a]) & set(corpus.DONE[b]))
        expected = cohen_kappa_score(_decisions(a, shared), _decisions(b, shared))
        assert pair["articles"] == len(shared)
        assert pair["kappa"] == pytest.approx(expected)
    assert pairs[("ana", "ben")]["kappa"] == pytest.approx(2 / 3)  # po = 5/6, pe = 1/2
    rows = [
        [
            float(topic in corpus.ASSIGNED_TOPICS[name].get(article, []))
            if article in corpus.DONE[name]
            else np.nan
            for article in range(1, 5)
            for topic in corpus.TOPICS
        ]
        for name in ("ana", "ben", "cleo")
    ]  # article 4 is ben's alone: a unit with one value, which α ignores
    expected_alpha = krippendorff.alpha(reliability_data=rows, level_of_measurement="nominal")
    assert document["overall"]["alpha"] == pytest.approx(expected_alpha)


def test_topic_keys_nobody_assigned_are_agreed_negatives(db: Database) -> None:
    corpus.build(db)
    narrow = agreement(db, "topic", ["ana", "ben"])["pairs"][0]["kappa"]
    wide = agreement(db, "topic", ["ana", "ben"], topic_keys=[*corpus.TOPICS, "weather"])
    items_a = [*_decisions("ana", [1, 2]), 0, 0]
    items_b = [*_decisions("ben", [1, 2]), 0, 0]
    assert wide["pairs"][0]["kappa"] == pytest.approx(cohen_kappa_score(items_a, items_b))
    # without schema keys: only economy and diplomacy, the keys ana or ben used in 1 and 2
    assert narrow == pytest.approx(cohen_kappa_score([1, 1, 1, 0], [0, 1, 1, 0]))
    assert narrow == pytest.approx(0.5)


def test_figure_value_agreement_over_spans_at_the_same_offsets(db: Database) -> None:
    corpus.build(db)
    document = agreement(db, "figure")
    pairs = {(pair["a"], pair["b"]): pair for pair in document["pairs"]}
    assert {key: (pair["compared"], pair["value_agreement"]) for key, pair in pairs.items()} == {
        ("ana", "ben"): (2, 0.5),  # same count; the money's unit differs
        ("ana", "cleo"): (1, 1.0),
        ("ben", "cleo"): (1, 0.0),
    }
    assert document["overall"] == {"value_agreement": pytest.approx(0.5)}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ([0, 1, 1, 0, 1, 1], [0, 1, 0, 0, 1, 1]),
        (["a", "b", "c", "a"], ["a", "c", "c", "b"]),
        ([1, 1, 1, 1], [1, 1, 1, 0]),
    ],
)
def test_cohen_kappa_equals_sklearn(first: list, second: list) -> None:
    assert cohen_kappa(first, second) == pytest.approx(cohen_kappa_score(first, second))


def test_coefficients_are_none_when_undefined() -> None:
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) is None
    assert cohen_kappa([], []) is None
    assert krippendorff_alpha([[1, 1, None], [1, None, 1]]) is None
    assert krippendorff_alpha([[1, None], [None, 0]]) is None  # nothing pairable


def test_alpha_with_missing_values_equals_the_krippendorff_package() -> None:
    units = [[1, 1, None], [0, 1, 0], [None, 0, 0], [2, 2, 2], [1, None, 2], [0, 0, None]]
    rows = [[np.nan if unit[i] is None else unit[i] for unit in units] for i in range(3)]
    expected = krippendorff.alpha(reliability_data=rows, level_of_measurement="nominal")
    assert krippendorff_alpha(units) == pytest.approx(expected)


def test_cli_json_and_table(db: Database, tmp_path: Path) -> None:
    corpus.build(db)
    result = corpus.redline(db, tmp_path, "agree", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == json.loads(json.dumps(agreement(db, "entity")))
    result = corpus.redline(db, tmp_path, "agree", "--layer", "figure", "--annotators", "ana,ben")
    assert result.returncode == 0, result.stderr
    assert "figure agreement · 2 articles" in result.stdout and "0.500" in result.stdout
    result = corpus.redline(db, tmp_path, "agree", "--layer", "words")
    assert result.returncode == 2 and "'words' is not entity, figure or topic" in result.stderr
    result = corpus.redline(db, tmp_path, "agree", "--annotators", "ana,[red]zoe\x1b")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "unknown annotator '[red]zoe\\x1b'" in result.stderr


def test_gold_is_left_out_unless_named(db: Database) -> None:
    ids = corpus.build(db)
    gold = Repository(db, "gold")
    gold.add_span(ids[1], *corpus.offsets(2, "Tesla"), "ORG")
    gold.set_state(ids[1], "done")
    names = {(pair["a"], pair["b"]) for pair in agreement(db, "entity")["pairs"]}
    assert names == set(EXPECTED_ENTITY)
    [pair] = agreement(db, "entity", ["gold", "ben"])["pairs"]
    assert pair["exact"]["f1"] == 1.0  # ben's only span in article 2 is Tesla
    custom = agreement(db, "entity", exclude=("ana",))["pairs"]
    assert {(p["a"], p["b"]) for p in custom} == {
        ("ben", "cleo"),
        ("ben", "gold"),
        ("cleo", "gold"),
    }
