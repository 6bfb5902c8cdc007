"""``redline suggest --jobs N``: worker processes store exactly what one process stores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlmodel import col, select
from typer.testing import CliRunner

from storage import queries
from storage.articles import add_articles
from storage.db import Database
from storage.models import Annotator, Event
from storage.repository import Repository
from storage.suggestions import BATCH, SuggestOptions, suggest_corpus
from tests.storage.test_suggestions import generated_articles
from tui import cli

ARTICLES = 2 * BATCH + 7
"""More than two batches, so several batches are in flight in the pool at once."""


def stored_rows(db: Database, annotator: str, ids: list[int]) -> list[tuple[Any, ...]]:
    """Every span (with its figure) of ``annotator``, in article and offset order."""
    rows: list[tuple[Any, ...]] = []
    for article_id in ids:
        spans = queries.spans_for(db, article_id, annotator, statuses=("suggested",))
        figures = queries.figures_for(db, [s.id for s in spans if s.id is not None])
        for span in spans:
            figure = figures.get(span.id)  # type: ignore[arg-type]
            rows.append(
                (
                    article_id, span.start, span.end, span.text, span.layer, span.label,
                    span.origin, span.score, span.status, span.entity_id,
                    figure.model_dump(exclude={"span_id", "id"}) if figure else None,
                )
            )
    return rows


def events(db: Database, annotator: str) -> list[tuple[int | None, str, int]]:
    """(article, action, rows changed) of each event ``annotator`` stored, in storage order."""
    with db.reading() as session:
        found = session.exec(
            select(Event)
            .join(Annotator, col(Annotator.id) == col(Event.annotator_id))
            .where(Annotator.name == annotator)
            .order_by(col(Event.id))
        ).all()
        return [(event.article_id, event.action, len(event.changes)) for event in found]


def test_two_jobs_store_the_same_suggestions_in_article_order(db: Database) -> None:
    ids = [a.article_id for a in add_articles(db, generated_articles(ARTICLES, seed=11))]
    ids = list(reversed(ids))  # an order that is not the id order: results follow it
    one = suggest_corpus(db, Repository(db, "one"), ids, SuggestOptions(), jobs=1)
    seen: list[int] = []
    two = suggest_corpus(
        db, Repository(db, "two"), ids, SuggestOptions(), lambda i, _n: seen.append(i), jobs=2
    )
    assert seen == ids
    assert (two.articles, two.added, two.by_origin, two.failed) == (
        one.articles, one.added, one.by_origin, one.failed,
    )
    assert one.added > ARTICLES  # figures and entities were found, so the comparison says something
    assert stored_rows(db, "two", ids) == stored_rows(db, "one", ids)
    one_events, two_events = events(db, "one"), events(db, "two")
    assert [article for article, _, _ in two_events] == ids  # one event per article, in order
    assert two_events == one_events


def test_cli_jobs_two_matches_jobs_one(tmp_path: Path) -> None:
    from storage.db import open_db

    path = tmp_path / "redline.db"
    database = open_db(str(path))
    ids = [a.article_id for a in add_articles(database, generated_articles(ARTICLES, seed=3))]
    runner = CliRunner()
    outputs = []
    for annotator, jobs in (("one", "1"), ("two", "2")):
        result = runner.invoke(
            cli.app,
            ["--db", str(path), "--annotator", annotator, "suggest", "--all", "--jobs", jobs],
        )
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] and outputs[0].startswith("suggested ")
    assert stored_rows(database, "two", ids) == stored_rows(database, "one", ids)
    database.dispose()


def test_jobs_zero_is_one_error_line(tmp_path: Path) -> None:
    from storage.db import open_db

    path = tmp_path / "redline.db"
    add_articles(open_db(str(path)), generated_articles(1))
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(path), "suggest", "--all", "--jobs", "0"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["redline: error: --jobs must be at least 1, not 0"]
