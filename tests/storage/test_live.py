"""The change feed (issue 14 item 5): what another program commits is reported within
seconds, on SQLite (``PRAGMA data_version`` poll) and PostgreSQL (LISTEN/NOTIFY); this
program's own sessions are left out."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text

from storage import live
from storage.articles import add_article
from storage.db import Database, open_db
from storage.live import ChangeFeed, Changes, Notice
from storage.repository import Repository
from storage.team import assignment
from tests.conftest import ROOT
from tests.storage.test_repository import TEXT, Parsed

DEADLINE = 15.0
"""Seconds a change may take to be reported on a loaded machine (typically < 1 s)."""


@pytest.fixture
def article_id(db: Database) -> int:
    return add_article(db, Parsed(TEXT)).article_id


@pytest.fixture
def other(db: Database) -> Iterator[Database]:
    """The same database through a second engine: another program's connections."""
    location = db.path or db.url.render_as_string(hide_password=False)
    second = open_db(location)
    yield second
    second.dispose()


def collect(feed: ChangeFeed, until: Callable[[set[Notice]], bool]) -> set[Notice]:
    """Wait for the feed (with a deadline, never a fixed sleep) until ``until(seen)``."""
    seen: set[Notice] = set()
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline and not until(seen):
        seen |= feed.wait(0.5).notices
    return seen


def has(notice: Notice) -> Callable[[set[Notice]], bool]:
    return lambda seen: notice in seen


def test_a_span_another_connection_stores_is_reported(
    db: Database, other: Database, article_id: int
) -> None:
    mine = Repository(db, "ana")
    feed = ChangeFeed(db, ignore=[mine.session_id], poll_seconds=0.2)
    feed.start()
    try:
        theirs = Repository(other, "ben")
        theirs.add_span(article_id, 0, 5, "PERSON")
        expected = Notice(article_id, "ben", theirs.session_id)
        assert expected in collect(feed, has(expected))
    finally:
        feed.close()


def test_own_session_is_left_out_and_others_of_the_same_annotator_are_not(
    db: Database, other: Database, article_id: int
) -> None:
    mine = Repository(db, "ana")
    feed = ChangeFeed(db, ignore=[mine.session_id], poll_seconds=0.2)
    feed.start()
    try:
        mine.add_span(article_id, 0, 5, "PERSON")
        mine.set_state(article_id, "done")
        second = Repository(other, "ana")  # the same annotator in another program
        second.add_span(article_id, 33, 39, "GPE")
        expected = Notice(article_id, "ana", second.session_id)
        seen = collect(feed, has(expected))
        assert expected in seen
        assert all(notice.session_id != mine.session_id for notice in seen)
    finally:
        feed.close()


def test_undo_in_another_program_is_reported(
    db: Database, other: Database, article_id: int
) -> None:
    theirs = Repository(other, "ben")
    theirs.add_span(article_id, 0, 5, "PERSON")
    feed = ChangeFeed(db, poll_seconds=0.2)
    feed.start()
    try:
        assert theirs.undo(article_id) is not None  # marks an old event: no new event row
        expected = Notice(article_id, "ben", theirs.session_id)
        assert expected in collect(feed, has(expected))
    finally:
        feed.close()


def test_a_quiet_database_reports_nothing(db: Database, article_id: int) -> None:
    feed = ChangeFeed(db, poll_seconds=0.1)
    feed.start()
    try:
        Repository(db, "ana").heartbeat()  # a write, but no annotation changed
        assert feed.wait(0.5) == Changes()
        assert not feed.wait(0.3)
    finally:
        feed.close()


def test_a_write_from_another_process_is_reported(db: Database, article_id: int) -> None:
    location = db.path or db.url.render_as_string(hide_password=False)
    feed = ChangeFeed(db)  # the default 2 s poll on SQLite
    feed.start()
    script = (
        "import sys\n"
        "from storage.db import open_db\n"
        "from storage.repository import Repository\n"
        "database = open_db(sys.argv[1])\n"
        "with Repository(database, 'cleo') as repo:\n"
        "    repo.set_state(int(sys.argv[2]), 'done')\n"
        "database.dispose()\n"
    )
    try:
        subprocess.run(
            [sys.executable, "-c", script, location, str(article_id)],
            check=True,
            cwd=ROOT,
            timeout=60,
        )
        seen = collect(feed, lambda seen: any(n.annotator == "cleo" for n in seen))
        assert (article_id, "cleo") in {(n.article_id, n.annotator) for n in seen}
    finally:
        feed.close()


def test_changes_say_which_articles_and_annotators() -> None:
    article_id = 3
    changes = Changes(frozenset({Notice(article_id, "ben", "s1"), Notice(7, "ana", None)}))
    assert changes.article_ids == {article_id, 7}
    assert changes.annotators == {"ana", "ben"}
    assert changes.touches(article_id, "ben") and changes.touches(7, "ana")
    assert not changes.touches(article_id, "ana")
    assert Changes(frozenset({Notice(None, "ben", None)})).touches(article_id, "ana")


def test_an_import_in_another_program_is_reported(db: Database, other: Database) -> None:
    feed = ChangeFeed(db, poll_seconds=0.2)
    feed.start()
    try:
        added = add_article(other, Parsed(TEXT)).article_id
        seen = collect(feed, lambda seen: bool(seen))
        # One corpus-wide notice per import transaction however many articles it stored.
        assert {notice.article_id for notice in seen} & {added, None}
    finally:
        feed.close()


def test_postgres_feed_reconnects_and_says_anything_may_have_changed(postgres_url: str) -> None:
    database = open_db(postgres_url)
    try:
        article_id = add_article(database, Parsed(TEXT)).article_id
        feed = ChangeFeed(database, poll_seconds=0.2)
        feed.start()
        try:
            with database.engine.connect() as connection:  # the server drops the listener
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE query LIKE :listen AND pid <> pg_backend_pid() "
                        "AND datname = current_database()"
                    ),
                    {"listen": "LISTEN%"},
                )
                connection.commit()
            lost = Notice(None, "", None)
            assert lost in collect(feed, has(lost))  # notices sent meanwhile may be lost
            theirs = Repository(database, "ben")
            theirs.add_span(article_id, 0, 5, "PERSON")
            expected = Notice(article_id, "ben", theirs.session_id)
            assert expected in collect(feed, has(expected))  # and it listens again
        finally:
            feed.close()
    finally:
        database.dispose()


def test_new_queues_from_redline_assign_are_reported(
    db: Database, other: Database, article_id: int
) -> None:
    feed = ChangeFeed(db, poll_seconds=0.2)
    feed.start()
    try:
        assignment.assign(other, ["ana", "ben"], 2, [article_id])
        corpus_wide = Notice(None, "", None)
        assert corpus_wide in collect(feed, has(corpus_wide))
    finally:
        feed.close()


def test_undo_of_an_action_older_than_many_others_is_reported(
    db: Database, other: Database, article_id: int
) -> None:
    """Undo marks an old event; the feed hears of it however many events came since."""
    theirs = Repository(other, "ben")
    theirs.add_span(article_id, 0, 5, "PERSON")
    second = add_article(other, Parsed(TEXT + " Another.")).article_id
    busy = Repository(other, "cai")
    with other.transaction() as session:  # 600 later events elsewhere, stored at once
        session.execute(
            text(
                "INSERT INTO event (annotator_id, article_id, action, summary, changes,"
                " undone, discarded, at) VALUES (:who, :article, 'x', '', '[]', false, false,"
                " CURRENT_TIMESTAMP)"
            ),
            [{"who": busy.annotator_id, "article": second}] * 600,
        )
    feed = ChangeFeed(db, poll_seconds=0.2)
    feed.start()
    try:
        assert theirs.undo(article_id) is not None
        expected = Notice(article_id, "ben", theirs.session_id)
        assert expected in collect(feed, has(expected))
    finally:
        feed.close()


def test_a_rolled_back_savepoint_does_not_swallow_the_next_notice(
    db: Database, other: Database
) -> None:
    """The importer retries records one by one after a failed batch: each still announces."""
    feed = ChangeFeed(db, poll_seconds=0.2)
    feed.start()
    try:
        with other.transaction() as session:
            savepoint = session.begin_nested()
            live.announce(session, article_id=None, annotator_id=0, session_id=None)
            savepoint.rollback()
            live.announce(session, article_id=None, annotator_id=0, session_id=None)
        corpus_wide = Notice(None, "", None)
        assert corpus_wide in collect(feed, has(corpus_wide))
    finally:
        feed.close()


def test_a_feed_that_fell_behind_the_kept_announcements_reports_everything(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    article_id = add_article(sqlite_db, Parsed(TEXT)).article_id
    other = open_db(str(sqlite_db.path))
    monkeypatch.setattr(live, "ANNOUNCEMENTS_KEPT", 3)
    feed = ChangeFeed(sqlite_db, poll_seconds=3600)  # polls only when told to below
    feed.start()
    try:
        theirs = Repository(other, "ben")
        for start in range(0, 30, 5):
            theirs.add_span(article_id, start, start + 4, "PERSON")
        with other.reading() as session:
            kept = session.execute(text("SELECT COUNT(*) FROM announcement")).scalar_one()
        assert kept == 3
        source = feed._connected()
        assert source is not None
        source._read_changes()  # type: ignore[attr-defined]
        lost = Notice(None, "", None)
        assert lost in feed._report(source._take()).notices
    finally:
        feed.close()
        other.dispose()
