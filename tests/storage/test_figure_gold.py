"""find_figures against the hand-checked gold set of every shipped sample article.

A prediction counts only when offsets, kind and normalised value all match the
gold line. Targets: precision >= 0.95 and recall >= 0.90 for MONEY and PERCENT,
>= 0.85 for COUNT, QUANTITY and DATE, per kind over all articles together.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from storage.figures import find_figures
from storage.figures.quality import (
    SAMPLE_DIR,
    article_text,
    figure_record,
    gold_articles,
    read_gold,
    score,
)

ROOT = Path(__file__).resolve().parents[2]
TARGETS = {
    "MONEY": (0.95, 0.90),
    "PERCENT": (0.95, 0.90),
    "COUNT": (0.85, 0.85),
    "QUANTITY": (0.85, 0.85),
    "DATE": (0.85, 0.85),
}
PAIRS = gold_articles(ROOT)


def _corpus() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Gold and predicted spans of all articles, offsets shifted apart per article."""
    gold: list[dict[str, Any]] = []
    predicted: list[dict[str, Any]] = []
    for number, (article, gold_path) in enumerate(PAIRS):
        shift = number * 10_000_000
        text = article_text(article)
        gold += [{**g, "start": g["start"] + shift, "end": g["end"] + shift}
                 for g in read_gold(gold_path)]
        predicted += [{**p, "start": p["start"] + shift, "end": p["end"] + shift}
                      for p in map(figure_record, find_figures(text))]
    return gold, predicted


def test_every_sample_article_has_gold() -> None:
    articles = sorted(
        p.name for p in (ROOT / SAMPLE_DIR).iterdir() if p.suffix in (".txt", ".md")
        and p.name != "SOURCES.md"
    )
    assert sorted(article.name for article, _ in PAIRS) == articles
    assert len(articles) == 7


@pytest.mark.parametrize(("article", "gold_path"), PAIRS, ids=[a.stem for a, _ in PAIRS])
def test_gold_spans_match_the_article_text(article: Path, gold_path: Path) -> None:
    text = article_text(article)
    spans = read_gold(gold_path)
    assert spans, "a gold file must not be empty"
    for span in spans:
        assert text[span["start"] : span["end"]] == span["text"]
        assert span["kind"] in TARGETS
        assert (span["value"] is None) == (span["kind"] == "DATE")
    ordered = sorted(spans, key=lambda s: s["start"])
    assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(ordered))


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_find_figures_meets_targets(kind: str) -> None:
    gold, predicted = _corpus()
    scores = score(gold, predicted)[kind]
    minimum_precision, minimum_recall = TARGETS[kind]
    assert scores.gold > 0
    assert scores.precision >= minimum_precision, scores
    assert scores.recall >= minimum_recall, scores


def test_score_needs_exact_value() -> None:
    gold = [{"start": 0, "end": 5, "kind": "MONEY", "value": "5000"}]
    assert score(gold, gold)["MONEY"].f1 == 1.0
    wrong = [{"start": 0, "end": 5, "kind": "MONEY", "value": "500"}]
    result = score(gold, wrong)["MONEY"]
    assert (result.precision, result.recall) == (0.0, 0.0)
    shifted = [{"start": 1, "end": 5, "kind": "MONEY", "value": "5000.0"}]
    assert score(gold, shifted)["MONEY"].recall == 0.0
    assert score(gold, [{**gold[0], "value": "5000.00"}])["MONEY"].f1 == 1.0
