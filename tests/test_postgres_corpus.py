"""The sample-corpus flow on PostgreSQL through the CLI: import, suggest --all, export
every format (issue 18 item 19: suggesting failed there with "integer out of range"
on the State of the Union's "trillion", which SQLite accepted)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select
from typer.testing import CliRunner, Result

from storage import queries
from storage.db import Database, open_db
from storage.models import Article, Figure, Span
from tests.conftest import SAMPLES
from tui import cli
from tui.commands.export_cmd import FORMAT_NAMES


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[str]:
    """The test session's PostgreSQL database, emptied (it is shared with other tests)."""
    database = open_db(postgres_url)
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    database.dispose()
    yield postgres_url


def redline(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli.app, ["--db", url, "--annotator", "tester", *args])


def test_sample_corpus_on_postgres(postgres: str, tmp_path: Path) -> None:
    imported = redline(postgres, "import", str(SAMPLES))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.strip().startswith("imported ") and "failed 0" in imported.stdout

    suggested = redline(postgres, "suggest", "--all")
    assert (suggested.exit_code, suggested.stderr) == (0, ""), suggested.output
    database: Database = open_db(postgres)
    try:
        articles = queries.article_ids(database)
        assert f"in {len(articles)} articles" in suggested.stdout
        with database.reading() as session:
            [speech] = session.exec(
                select(Article.id).where(Article.title.contains("State of the Union"))  # type: ignore[attr-defined]
            ).all()
            scales = session.exec(
                select(Figure.scale).join(Span).where(Span.article_id == speech)
            ).all()
        assert 10**12 in scales  # "one trillion dollars"
        assert all(queries.article_state(database, i, "tester") == "todo" for i in articles)
    finally:
        database.dispose()

    for fmt in FORMAT_NAMES:
        out = tmp_path / f"export-{fmt}"
        exported = redline(
            postgres,
            "export",
            "--format",
            fmt,
            "--status",
            "all",
            "--include-suggested",
            "--out",
            str(out),
        )
        assert exported.exit_code == 0, f"{fmt}: {exported.output}"
        assert out.exists(), fmt
        written = [out] if out.is_file() else [p for p in out.rglob("*") if p.is_file()]
        assert written and all(p.stat().st_size > 0 for p in written), fmt
