"""A PostgreSQL role without write grants reads everything and gets one "read-only: …" line
on its first write (the role is created for the test and dropped after)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from storage import queries
from storage.db import Database, open_db
from storage.errors import DatabaseError
from storage.models import AppSession
from storage.repository import Repository
from storage.schema import load_config
from storage.team.agreement import agreement
from tests.conftest import _clear_postgres
from tests.team import corpus
from tui.app import RedlineApp
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.reading_pane import ReadingPane


@pytest.fixture
def reader_url(postgres_url: str) -> Iterator[str]:
    """A login role of the test database with SELECT on every table and nothing else."""
    role = f"redline_reader_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    name = make_url(postgres_url).database
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        connection.execute(text(f'GRANT CONNECT ON DATABASE "{name}" TO "{role}"'))
        connection.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        connection.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
    try:
        yield make_url(postgres_url).set(username=role).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"),
                {"r": role},
            )
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


@pytest.fixture
def team_database(postgres_url: str) -> Iterator[Database]:
    database = open_db(postgres_url)
    _clear_postgres(database)
    corpus.build(database)
    yield database
    database.dispose()


def test_read_only_role_reads_and_refuses_the_first_write_in_one_line(
    team_database: Database, reader_url: str
) -> None:
    reader = open_db(reader_url)
    try:
        document = agreement(reader, "entity")
        assert document == agreement(team_database, "entity")
        with pytest.raises(DatabaseError) as caught:
            Repository(reader, "ana")
        message = str(caught.value)
        assert message.startswith("read-only: this database role may not write to ")
        assert "permission denied for table" in message and message.endswith("nothing was saved")
        assert "\n" not in message
        assert agreement(reader, "topic")["pairs"]  # still usable for reading after the refusal
    finally:
        reader.dispose()


def session_rows(database: Database) -> int:
    with database.reading() as session:
        return len(session.exec(select(AppSession)).all())


@pytest.mark.parametrize("annotator", ["ana", "zoe"])  # one with work stored, one new
async def test_the_app_opens_for_a_read_only_role_and_refuses_the_first_write(
    team_database: Database, reader_url: str, annotator: str
) -> None:
    reader = open_db(reader_url)
    sessions_before = session_rows(team_database)
    try:
        config = replace(load_config(None), auto_suggest=False)
        app = RedlineApp(reader, annotator, config, open_articles=[1])  # stores nothing yet
        assert app.read_only is not None and app.read_only.startswith("read-only: ")
        assert "\n" not in app.read_only
        notes: list[str] = []
        notify = app.notify

        def noted(message: str, **options: Any) -> None:
            notes.append(message)
            notify(message, **options)

        app.notify = noted  # type: ignore[method-assign]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            assert app.sub_title.endswith(" · read-only")
            assert notes and notes[0].startswith("read-only: this database role may not write")
            reader_screen = app.screen
            assert isinstance(reader_screen, ReaderScreen)
            pane = reader_screen.query_one(ReadingPane)
            if annotator == "ana":  # her spans of article 1 are read and shown
                assert len(pane.spans) == len(queries.spans_for(team_database, 1, "ana")) > 0
            pane.move_cursor(pane.text.index("Lisbon") if "Lisbon" in pane.text else 0)
            await pilot.press("3")
            await pilot.pause()
            assert app.save_state == "unsaved"  # kept: the owner may grant writes meanwhile
            [refusal] = [note for note in notes if note.startswith("Not saved")]
            assert ": read-only: this database role may not write" in refusal
            await pilot.press("escape", "q")  # reading goes on: back to the library
            await pilot.pause()
            assert isinstance(app.screen, LibraryScreen)
        assert session_rows(team_database) == sessions_before  # the app stored nothing
    finally:
        reader.dispose()


def test_cli_read_only_role(team_database: Database, reader_url: str, tmp_path: Path) -> None:
    reader = open_db(reader_url)
    try:
        result = corpus.redline(reader, tmp_path, "agree", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["layer"] == "entity"
        result = corpus.redline(reader, tmp_path, "assign", "--annotators", "ana,ben", "--all")
        assert result.returncode == 1
        [line] = result.stderr.splitlines()
        assert line.startswith("redline: error: read-only: this database role may not write")
    finally:
        reader.dispose()
