"""Two programs on one database see each other's work without reopening (issue 14 item 5).

Session B's library counts follow A's progress; B's reader shows A's new span
(the same annotator in another program); a write B could not store yet is never
overwritten by the reload: B reads the article again only once it is stored.
SQLite is polled (``PRAGMA data_version``), PostgreSQL told (LISTEN/NOTIFY).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from storage import queries
from storage.articles import add_articles
from storage.db import Database, open_db
from storage.schema import Config, builtin_schema
from tests.conftest import _clear_postgres
from tests.tui.app_fixtures import sample_articles, sample_database
from tests.tui.conftest import open_reader
from tui.app import RedlineApp
from tui.messages import ExternalChange
from tui.screens.library import LibraryScreen
from tui.widgets.reading_pane import ReadingPane

DEADLINE = 20.0
"""Seconds another program's change may take to show on a loaded machine (typically < 1 s)."""


def make_app(database: Database, open_articles: list[int] | None = None) -> RedlineApp:
    """Annotator ana's app, looking for others' changes every 0.2 s (``[team] poll_seconds``)."""
    config = Config(builtin_schema(), {}, auto_suggest=False, poll_seconds=0.2)
    return RedlineApp(database, "ana", config, open_articles)


@pytest.fixture
def sqlite_pair(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """Two programs' connections to one SQLite file holding the sample articles."""
    path = tmp_path / "redline.db"
    sample_database(path).dispose()
    first, second = open_db(str(path)), open_db(str(path), busy_timeout_ms=200)
    yield first, second
    first.dispose()
    second.dispose()


@pytest.fixture
def postgres_pair(postgres_url: str) -> Iterator[tuple[Database, Database]]:
    first = open_db(postgres_url)
    _clear_postgres(first)
    add_articles(first, sample_articles())
    second = open_db(postgres_url)
    yield first, second
    first.dispose()
    second.dispose()


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition()`` holds (a deadline, never a fixed sleep)."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"not within {DEADLINE:g} s: {what}"
        await pilot.pause(0.05)


def texts(pane: ReadingPane) -> list[str]:
    return sorted(pane.text[span.start : span.end] for span in pane.spans)


def progress(app: RedlineApp) -> str:
    return str(app.screen.query_one("#library-progress", Static).content)


async def _library_follows(pair: tuple[Database, Database]) -> None:
    first_db, second_db = pair
    first, second = make_app(first_db, open_articles=[1]), make_app(second_db)
    async with first.run_test(size=(120, 40)) as a, second.run_test(size=(120, 40)) as b:
        await open_reader(a)
        await b.app.workers.wait_for_complete()
        await b.pause()
        assert isinstance(second.screen, LibraryScreen)
        assert progress(second).startswith("0 of ")
        await a.press("d")  # article 1 done, by the same annotator in program A
        await a.pause()
        assert queries.article_state(first_db, 1, "ana") == "done"
        await until(b, lambda: progress(second).startswith("1 of "), "B's library counts it")


async def test_library_counts_follow_another_program_on_sqlite(
    sqlite_pair: tuple[Database, Database],
) -> None:
    await _library_follows(sqlite_pair)


async def test_library_counts_follow_another_program_on_postgres(
    postgres_pair: tuple[Database, Database],
) -> None:
    await _library_follows(postgres_pair)


async def _reader_follows(pair: tuple[Database, Database]) -> None:
    first_db, second_db = pair
    first, second = make_app(first_db, open_articles=[1]), make_app(second_db, open_articles=[1])
    async with first.run_test(size=(120, 40)) as a, second.run_test(size=(120, 40)) as b:
        pane_a = (await open_reader(a)).query_one(ReadingPane)
        pane_b = (await open_reader(b)).query_one(ReadingPane)
        assert texts(pane_b) == []
        pane_a.move_cursor(pane_a.text.index("Astana"))
        await a.press("3")
        await a.pause()
        await until(b, lambda: texts(pane_b) == ["Astana"], "B's reader shows A's span")
        pane_a.move_cursor(pane_a.text.index("Astana"))
        await a.press("u")  # an undo marks an old event: B sees it go too
        await a.pause()
        await until(b, lambda: texts(pane_b) == [], "B's reader drops A's undone span")


async def test_reader_shows_another_programs_span_without_reopening_on_sqlite(
    sqlite_pair: tuple[Database, Database],
) -> None:
    await _reader_follows(sqlite_pair)


async def test_reader_shows_another_programs_span_without_reopening_on_postgres(
    postgres_pair: tuple[Database, Database],
) -> None:
    await _reader_follows(postgres_pair)


async def test_a_write_waiting_to_be_stored_is_never_overwritten_by_the_reload(
    sqlite_pair: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    first_db, second_db = sqlite_pair
    monkeypatch.setattr(RedlineApp, "RETRY_SECONDS", 3600.0)  # B retries on ctrl+s only
    heard: list[ExternalChange] = []

    def hook(message: object) -> None:
        if isinstance(message, ExternalChange):
            heard.append(message)

    first, second = make_app(first_db, open_articles=[1]), make_app(second_db, open_articles=[1])
    async with (
        first.run_test(size=(120, 40)) as a,
        second.run_test(size=(120, 40), message_hook=hook) as b,
    ):
        pane_a = (await open_reader(a)).query_one(ReadingPane)
        pane_b = (await open_reader(b)).query_one(ReadingPane)
        lock = sqlite3.connect(str(first_db.path), isolation_level=None)
        try:
            lock.execute("BEGIN IMMEDIATE")  # another program holds the write lock
            pane_b.move_cursor(pane_b.text.index("Brussels"))
            await b.press("3")
            await until(b, lambda: second.save_state == "unsaved", "B's label fails: locked")
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        assert second.writes_pending

        heard.clear()
        pane_a.move_cursor(pane_a.text.index("Astana"))
        await a.press("3")
        await a.pause()
        assert sorted(s.text for s in queries.spans_for(first_db, 1, "ana")) == ["Astana"]
        # The app hears it first, then hands it to each screen on its stack.
        await until(b, lambda: len(heard) >= 1 + len(second.screen_stack), "B's screens hear of it")
        await b.pause()
        assert second.writes_pending, "B's label still waits to be stored"
        assert "Astana" not in texts(pane_b), "no reload while B has a write waiting"

        await b.press("ctrl+s")  # B's label is stored; then B reads the article again
        await b.pause()
        await until(b, lambda: not second.writes_pending, "B's label stored")
        await until(b, lambda: texts(pane_b) == ["Astana", "Brussels"], "B shows both labels")
        stored = sorted(s.text for s in queries.spans_for(first_db, 1, "ana"))
        assert stored == ["Astana", "Brussels"]
