"""Pre-annotation: suggesters stored as suggested spans, never duplicated or revived."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from storage import queries
from storage.articles import add_articles
from storage.db import Database, open_db
from storage.errors import DatabaseError
from storage.importers import ParsedArticle
from storage.repository import Repository
from storage.suggestions import SuggestFailure, SuggestOptions, suggest_corpus
from tui import cli

PEOPLE = ["Kaja Kallas", "Murat Nurtleu", "Olaf Scholz", "Ursula von der Leyen"]
PLACES = ["Astana", "Brussels", "Samarkand", "Berlin"]


def generated_articles(count: int, seed: int = 7) -> list[ParsedArticle]:
    rng = random.Random(seed)
    articles = []
    for n in range(count):
        person, place = rng.choice(PEOPLE), rng.choice(PLACES)
        amount = rng.randint(2, 900) / 10
        growth = rng.randint(1, 300) / 10
        text = (
            f"Report {n}. {person} visited {place} on Monday. Trade reached "
            f"${amount} billion in 2024, up {growth} percent, and more than "
            f"{rng.randint(2, 9)},000 companies took part."
        )
        articles.append(ParsedArticle(text=text, title=f"Report {n}"))
    return articles


def test_gazetteer_from_accepted_entities_reaches_other_articles(db: Database) -> None:
    ids = [a.article_id for a in add_articles(db, generated_articles(6))]
    repository = Repository(db, "ana")
    texts = {article_id: queries.get_article(db, article_id).text for article_id in ids}  # type: ignore[union-attr]
    person = max(PEOPLE, key=lambda p: sum(p in text for text in texts.values()))
    holders = [article_id for article_id, text in texts.items() if person in text]
    assert len(holders) > 1
    start = texts[holders[0]].index(person)
    span = repository.add_span(holders[0], start, start + len(person), "PERSON")
    entity = repository.create_and_link(span.id, kb_id="Q1")
    report = suggest_corpus(db, repository, ids, SuggestOptions(entity_rules=False))
    assert report.by_origin.get("gazetteer", 0) >= 1
    for article_id in holders[1:]:
        hits = [
            s
            for s in queries.spans_for(db, article_id, "ana")
            if s.origin == "gazetteer" and s.text == person
        ]
        assert len(hits) == texts[article_id].count(person)
        assert all(hit.entity_id == entity.id and hit.label == "PERSON" for hit in hits)


def test_figures_are_suggested_with_values_and_rejections_stick(sqlite_db: Database) -> None:
    [added] = add_articles(sqlite_db, generated_articles(1))
    repository = Repository(sqlite_db, "ana")
    suggest_corpus(sqlite_db, repository, [added.article_id], SuggestOptions())
    spans = queries.spans_for(sqlite_db, added.article_id, "ana")
    money = [s for s in spans if s.layer == "figure" and s.label == "MONEY"]
    assert len(money) == 1
    figure = queries.figures_for(sqlite_db, [money[0].id])[money[0].id]
    assert figure.unit == "USD" and figure.value is not None and figure.value > 10**8
    repository.reject([money[0].id])
    again = suggest_corpus(sqlite_db, repository, [added.article_id], SuggestOptions())
    assert again.added == 0
    assert [
        s.status
        for s in queries.spans_for(
            sqlite_db, added.article_id, "ana", statuses=("accepted", "suggested", "rejected")
        )
        if s.id == money[0].id
    ] == ["rejected"]


def test_suggest_all_on_200_articles_twice_adds_no_duplicates(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    import json

    corpus.write_text(
        "\n".join(json.dumps({"text": a.text, "title": a.title}) for a in generated_articles(200))
        + "\n",
        "utf-8",
    )
    database = str(tmp_path / "redline.db")
    redline = [sys.executable, "-m", "tui.cli", "--db", database, "--annotator", "ana"]
    subprocess.run([*redline, "import", str(corpus)], check=True, capture_output=True)
    first = subprocess.run([*redline, "suggest", "--all"], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert first.stdout.startswith("suggested ") and " in 200 articles" in first.stdout
    second = subprocess.run([*redline, "suggest", "--all"], capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("suggested 0 spans in 200 articles")

    db = open_db(database)
    try:
        keys: Counter[tuple[int, str, int, int]] = Counter()
        for article_id in queries.article_ids(db):
            for span in queries.spans_for(db, article_id, "ana"):
                keys[(article_id, span.layer, span.start, span.end)] += 1
        assert keys and max(keys.values()) == 1
    finally:
        db.dispose()


def test_unknown_model_is_one_clear_line(tmp_path: Path) -> None:
    database = str(tmp_path / "redline.db")
    open_db(database).dispose()  # only import and db upgrade create a database
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", database, "suggest", "--model", "xx_missing"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "redline: error: spaCy pipeline 'xx_missing' is not installed "
        "(pip install it or pass a path)"
    ]


def _fail_on(monkeypatch: pytest.MonkeyPatch, failing: int) -> None:
    """Storing the suggestions of article ``failing`` fails as PostgreSQL did on a trillion."""
    original = Repository.add_suggestions

    def add_suggestions(self: Repository, article_id: int, suggestions: Any) -> Any:
        if article_id == failing:
            raise DatabaseError("database error on test: integer out of range")
        return original(self, article_id, suggestions)

    monkeypatch.setattr(Repository, "add_suggestions", add_suggestions)


def test_a_failing_article_is_reported_and_the_rest_are_suggested(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18 item 19: suggest --all used to stop at the first failing article."""
    ids = [a.article_id for a in add_articles(db, generated_articles(3))]
    _fail_on(monkeypatch, ids[1])
    with Repository(db, "ana") as repository:
        report = suggest_corpus(db, repository, ids, SuggestOptions(entity_rules=False))
    assert report.failed == [
        SuggestFailure(ids[1], "Report 1", "database error on test: integer out of range")
    ]
    assert report.articles == 2 and report.added > 0
    assert queries.spans_for(db, ids[1], "ana") == []
    assert all(queries.spans_for(db, article_id, "ana") for article_id in (ids[0], ids[2]))


def test_suggest_all_names_the_failing_article_and_exits_non_zero(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [a.article_id for a in add_articles(sqlite_db, generated_articles(3))]
    _fail_on(monkeypatch, ids[0])
    location = sqlite_db.url.database
    assert location is not None
    result = CliRunner().invoke(
        cli.app, ["--db", location, "--annotator", "ana", "suggest", "--all"]
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        f'redline: error: article {ids[0]} "Report 0": '
        "database error on test: integer out of range"
    ]
    assert result.stdout.startswith("suggested ")
    assert "in 2 articles" in result.stdout and "1 articles failed" in result.stdout
    assert queries.spans_for(sqlite_db, ids[2], "ana")


def test_suggesting_leaves_progress_alone(db: Database) -> None:
    """Issue 18 item 20: after suggest --all every article is still "todo"."""
    ids = [a.article_id for a in add_articles(db, generated_articles(3))]
    with Repository(db, "ana") as repository:
        report = suggest_corpus(db, repository, ids, SuggestOptions())
        assert report.added > 0
        assert [queries.article_state(db, i, "ana") for i in ids] == ["todo"] * 3
        assert queries.progress(db, "ana") == (0, 3)
        assert queries.first_not_done(db, "ana") == ids[0]
        stats = queries.stats(db, "ana")
        assert stats.by_state.get("in_progress", 0) == 0
        [first, *_] = queries.spans_for(db, ids[1], "ana")
        repository.accept([first.id])
    assert queries.article_state(db, ids[1], "ana") == "in_progress"
