"""Sessions (issue 18 item 2): two programs of one annotator never undo each other's work,
and a later program can undo what an ended (or crashed) one did."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from alembic import command
from sqlalchemy import update
from sqlmodel import col, select

from storage import queries, sessions
from storage.articles import add_article
from storage.db import Database
from storage.errors import Conflict, DatabaseError, StorageError
from storage.migrations import HEAD_REVISION
from storage.migrations.runner import alembic_config
from storage.models import AppSession, Event, Figure
from storage.repository import Repository
from tests.storage.test_repository import TEXT, Parsed


@pytest.fixture
def article_id(db: Database) -> int:
    return add_article(db, Parsed(TEXT)).article_id


def texts(db: Database, article_id: int) -> list[str]:
    return [span.text for span in queries.spans_for(db, article_id, "ana")]


def set_session(db: Database, session_id: str, **values: object) -> None:
    with db.transaction() as session:
        session.execute(
            update(AppSession).where(col(AppSession.id) == session_id).values(**values)
        )


def test_running_sessions_keep_their_own_undo(db: Database, article_id: int) -> None:
    a, b = Repository(db, "ana"), Repository(db, "ana")
    assert a.session_id != b.session_id
    a.add_span(article_id, 0, 5, "PERSON")  # "Murat"
    a.add_span(article_id, 18, 22, "PERSON")  # "Kaja"
    b.add_span(article_id, 33, 39, "GPE")  # "Astana", the newest action of "ana"
    a.undo(article_id)
    assert texts(db, article_id) == ["Murat", "Astana"]
    b.undo(article_id)
    assert texts(db, article_id) == ["Murat"]
    assert b.undo(article_id) is None  # "Murat" belongs to A, which still runs
    assert b.redo(article_id) is not None  # B's own redo stack
    assert texts(db, article_id) == ["Murat", "Astana"]
    a.end_session()
    c = Repository(db, "ana")
    assert c.undo(article_id) is not None  # B's "Astana" is B's: C takes back A's "Murat"
    assert texts(db, article_id) == ["Astana"]
    assert c.undo(article_id) is None
    assert c.redo(article_id) is not None and c.redo(article_id) is not None
    assert texts(db, article_id) == ["Murat", "Kaja", "Astana"]
    assert b.undo(article_id) is not None  # B still undoes only its own
    assert texts(db, article_id) == ["Murat", "Kaja"]


def test_events_carry_their_session(db: Database, article_id: int) -> None:
    repo = Repository(db, "ana")
    repo.add_span(article_id, 0, 5, "PERSON")
    with db.reading() as session:
        [event] = session.exec(select(Event)).all()
        row = session.get(AppSession, repo.session_id)
    assert event.session_id == repo.session_id
    assert row is not None and row.annotator_id == repo.annotator_id and row.ended_at is None
    with Repository(db, "ana", session_id=repo.session_id) as same:  # e.g. a worker's
        assert same.undo(article_id) is not None
    with db.reading() as session:
        ended = session.get(AppSession, repo.session_id)
    assert ended is not None and ended.ended_at is not None
    with pytest.raises(StorageError, match="no session"):
        Repository(db, "ben", session_id=repo.session_id)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_crashed_program_on_this_host_ends_with_its_process(
    db: Database, article_id: int
) -> None:
    crashed, other = Repository(db, "ana"), Repository(db, "ana")
    crashed.add_span(article_id, 0, 5, "PERSON")
    assert other.undo(article_id) is None
    set_session(db, crashed.session_id, pid=_dead_pid())  # it never called end_session()
    assert other.undo(article_id) is not None
    assert texts(db, article_id) == []


def test_a_silent_session_elsewhere_ends_when_its_heartbeat_goes_stale(
    db: Database, article_id: int
) -> None:
    remote, here = Repository(db, "ana"), Repository(db, "ana")
    remote.add_span(article_id, 0, 5, "PERSON")
    set_session(db, remote.session_id, hostname="another-host", pid=1)
    assert here.undo(article_id) is None  # fresh heartbeat: still running over there
    old = sessions.utcnow() - sessions.STALE_AFTER - dt.timedelta(seconds=5)
    set_session(db, remote.session_id, heartbeat_at=old)
    assert here.undo(article_id) is not None
    assert here.redo(article_id) is not None
    remote.heartbeat()  # it was only asleep: its heartbeat makes it live again
    assert here.undo(article_id) is None
    assert remote.undo(article_id) is not None


def test_writes_refresh_the_heartbeat(db: Database, article_id: int) -> None:
    repo = Repository(db, "ana")
    old = sessions.utcnow() - dt.timedelta(minutes=10)
    set_session(db, repo.session_id, heartbeat_at=old)
    repo._heartbeat_at = old  # as if the last heartbeat was that long ago
    repo.add_span(article_id, 0, 5, "PERSON")
    with db.reading() as session:
        row = session.get(AppSession, repo.session_id)
    assert row is not None and sessions.is_live(row)


def test_a_new_action_keeps_another_running_sessions_redo(db: Database, article_id: int) -> None:
    a, b = Repository(db, "ana"), Repository(db, "ana")
    a.add_span(article_id, 0, 5, "PERSON")
    a.undo(article_id)
    b.add_span(article_id, 33, 39, "GPE")
    assert a.redo(article_id) is not None
    assert texts(db, article_id) == ["Murat", "Astana"]
    a.add_span(article_id, 18, 22, "PERSON")
    a.undo(article_id)
    a.add_span(article_id, 6, 13, "PERSON")  # A's own redo stack is dropped, as always
    assert a.redo(article_id) is None


def test_events_from_before_sessions_can_be_undone_after_the_upgrade(
    db: Database, article_id: int
) -> None:
    """An 0001 database: events without session, a 32-bit scale column. After the
    upgrade the old events count as ended and the figure keeps its scale."""
    repo = Repository(db, "ana")
    start = TEXT.index("$49.7")
    repo.add_span(article_id, start, start + 13, "MONEY", layer="figure", figure={"scale": 10**9})
    repo.add_span(article_id, 0, 5, "PERSON")
    config = alembic_config()
    try:
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0001_initial")
    finally:
        assert db.upgrade() == HEAD_REVISION
    with db.reading() as session:
        assert {event.session_id for event in session.exec(select(Event))} == {None}
        assert [figure.scale for figure in session.exec(select(Figure))] == [10**9]
    later = Repository(db, "ana")
    assert later.undo(article_id) is not None and later.undo(article_id) is not None
    assert texts(db, article_id) == []


def test_redoing_a_topic_another_program_assigned_again_is_a_conflict(
    db: Database, article_id: int
) -> None:
    """Found by the state machine: the redo re-inserted the old assignment next to the
    new one and failed with UNIQUE constraint failed (a DatabaseError)."""
    a, b = Repository(db, "ana"), Repository(db, "ana")
    a.assign_topic(article_id, "trade")
    a.undo(article_id)
    b.assign_topic(article_id, "trade", note="again")
    with pytest.raises(Conflict, match=f'cannot redo: topic "trade" of article {article_id}'):
        a.redo(article_id)
    assert [(t.topic, t.note) for t in queries.topics_for(db, article_id, "ana")] == [
        ("trade", "again")
    ]


def test_a_failing_end_of_session_hides_nothing(
    db: Database, article_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``with Repository(...)``: the block's own error comes out, not the failed update
    of ``ended_at`` (the session ends anyway once its process is gone)."""

    def unreachable(*_: object) -> None:
        raise DatabaseError("cannot reach the database server")

    monkeypatch.setattr(sessions, "end", unreachable)
    with pytest.raises(Conflict, match="the block's own"):
        with Repository(db, "ana"):
            raise Conflict("the block's own")
    with Repository(db, "ana") as repo:
        repo.add_span(article_id, 0, 5, "PERSON")
    assert texts(db, article_id) == ["Murat"]
