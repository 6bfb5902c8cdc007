"""Entity suggestions against hand-annotated gold mentions of the sample articles.

Gold files: tests/data/gold/entities/<article stem>.jsonl (see the README there).
Offsets index the article text as redline stores it; ``article_text`` below is
the agreed rule, kept here so this test does not depend on the importer.

Every gold file is checked line by line against its article, wherever the article is
(``sample_articles/``, the held-out ``tests/data/articles/``, the unseen Wikinews
articles in ``tests/data/wikinews/``). The rule-precision floor is checked on the
development articles only: it guards the rules on the text they were written from.
On articles no rule was written from, rule precision is a measurement
(``bench/case_learning_curve.py`` reports it), not a floor: a floor there would
invite fitting the rules to the articles the model is tested on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.suggest import suggest_entities
from storage.suggest.entity_quality import ALL, mention_key, restrict, score_entities
from storage.text import normalise

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_articles"
ARTICLE_DIRS = (SAMPLES, ROOT / "tests" / "data" / "articles", ROOT / "tests" / "data" / "wikinews")
GOLD = ROOT / "tests" / "data" / "gold" / "entities"
GOLD_FILES = sorted(path.name for path in GOLD.glob("*.jsonl"))
LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP"}
PRECISION_LABELS = ("PERSON", "ORG", "GPE")
MIN_PRECISION = 0.80
REQUIRED = [
    "kazakhstan-eu-kallas.md",
    "04_wikinews_hong_kong_legislative_election_2016.txt",
    "05_wikinews_uk_asylum_questionnaire_2023.txt",
    "06_wikinews_north_korea_quasi_state_of_war_2015.txt",
    "07_wikinews_italy_taxes_religious_schools_2015.txt",
    "08_wikinews_microsoft_ie6_countdown_2011.txt",
]
DEVELOPMENT_ONLY = ["09_us_state_of_the_union_2022_long.txt"]
"""Gold for training and the learning curve; not in the rule-precision check above."""


def article_text(path: Path) -> str:
    """The stored text: normalised file; for Markdown, the body after the front matter
    (after the closing ``---`` line, leading newlines removed, nothing else stripped)."""
    text = normalise(path.read_text("utf-8"))
    if path.suffix != ".md" or not text.startswith("---\n"):
        return text
    closing = text.find("\n---\n", 3)
    assert closing >= 0, f"{path.name}: front matter is not closed"
    return text[closing + len("\n---\n") :].lstrip("\n")


def article_path(gold_file: str) -> Path:
    """The article a gold file belongs to (same stem, ``.txt`` or ``.md``)."""
    stem = Path(gold_file).stem
    found = [
        folder / f"{stem}{suffix}"
        for folder in ARTICLE_DIRS
        for suffix in (".txt", ".md")
        if (folder / f"{stem}{suffix}").exists()
    ]
    assert len(found) == 1, f"{gold_file}: {len(found)} articles of that name in {ARTICLE_DIRS}"
    return found[0]


def gold_mentions(article: str) -> list[dict]:
    lines = (GOLD / f"{Path(article).stem}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_markdown_body_rule() -> None:
    text = article_text(SAMPLES / "kazakhstan-eu-kallas.md")
    assert text.startswith("ASTANA, Kazakhstan, March 28.")
    assert "title:" not in text


def test_the_development_gold_is_there() -> None:
    for article in [*REQUIRED, *DEVELOPMENT_ONLY]:
        assert f"{Path(article).stem}.jsonl" in GOLD_FILES, article
        assert article_path(f"{Path(article).stem}.jsonl") == SAMPLES / article


def test_every_unseen_and_held_out_article_has_gold() -> None:
    for folder in ARTICLE_DIRS[1:]:
        for article in sorted(folder.glob("*.txt")):
            assert f"{article.stem}.jsonl" in GOLD_FILES, f"{article.name}: no entity gold"


@pytest.mark.parametrize("gold_file", GOLD_FILES)
def test_gold_file_is_consistent_with_the_article(gold_file: str) -> None:
    article = article_path(gold_file).name
    text = article_text(article_path(gold_file))
    mentions = gold_mentions(article)
    assert mentions, f"{article}: no gold mentions"
    seen: set[tuple[int, int]] = set()
    previous_start = -1
    for mention in mentions:
        start, end = mention["start"], mention["end"]
        assert set(mention) == {"start", "end", "text", "label"}
        assert text[start:end] == mention["text"], mention
        assert mention["label"] in LABELS, mention
        assert start >= previous_start, f"{article}: mentions out of reading order at {start}"
        assert (start, end) not in seen, f"{article}: duplicate mention {mention}"
        assert not any(s < end and start < e for s, e in seen), f"{article}: overlap {mention}"
        seen.add((start, end))
        previous_start = start


def test_rule_precision_on_the_gold_set(capsys: pytest.CaptureFixture[str]) -> None:
    gold: list[tuple] = []
    predicted: list[tuple] = []
    for article in REQUIRED:
        text = article_text(SAMPLES / article)
        gold += [(article, m["start"], m["end"], m["label"]) for m in gold_mentions(article)]
        predicted += [(article, s.start, s.end, s.label) for s in suggest_entities(text)]
    scores = score_entities(gold, restrict(predicted, LABELS))
    with capsys.disabled():
        print("\nentity rules on the gold set (exact offsets and label):")
        for label in [*sorted(LABELS), ALL]:
            precision, recall, f1 = scores.get(label, (0.0, 0.0, 0.0))
            print(f"  {label:7} precision {precision:.2f}  recall {recall:.2f}  f1 {f1:.2f}")
    for label in PRECISION_LABELS:
        precision = scores[label][0]
        assert precision >= MIN_PRECISION, f"{label} precision {precision:.2f} < {MIN_PRECISION}"


# --- the scorer itself --------------------------------------------------------------------


def test_score_entities_exact_match_per_label() -> None:
    gold = [(0, 5, "PERSON"), (10, 12, "ORG"), (20, 25, "GPE")]
    predicted = [(0, 5, "PERSON"), (10, 13, "ORG"), (20, 25, "ORG"), (30, 31, "NORP")]
    scores = score_entities(gold, predicted)
    assert scores["PERSON"] == (1.0, 1.0, 1.0)
    assert scores["ORG"] == (0.0, 0.0, 0.0)
    assert scores["GPE"] == (0.0, 0.0, 0.0)
    assert scores["NORP"] == (0.0, 0.0, 0.0)
    precision, recall, f1 = scores[ALL]
    assert (precision, recall) == (0.25, 1 / 3)
    assert f1 == pytest.approx(2 * 0.25 * (1 / 3) / (0.25 + 1 / 3))


def test_score_entities_accepts_objects_dicts_and_documents() -> None:
    [suggestion] = suggest_entities("Talks in Kazakhstan.")
    gold = [{"start": 9, "end": 19, "label": "GPE"}]
    assert score_entities(gold, [suggestion])["GPE"] == (1.0, 1.0, 1.0)
    two_docs_gold = [("a", 0, 3, "ORG"), ("b", 0, 3, "ORG")]
    assert score_entities(two_docs_gold, [("a", 0, 3, "ORG")])["ORG"] == (
        1.0,
        0.5,
        pytest.approx(2 / 3),
    )
    assert mention_key({"doc": "a", "start": 1, "end": 2, "label": "X"}) == ("a", 1, 2, "X")
    with pytest.raises(ValueError, match="3 or 4 items"):
        mention_key((1, 2))


def test_score_entities_empty_inputs() -> None:
    assert score_entities([], []) == {ALL: (0.0, 0.0, 0.0)}
    assert score_entities([(0, 1, "ORG")], [])["ORG"] == (0.0, 0.0, 0.0)
