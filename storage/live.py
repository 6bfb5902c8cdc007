"""Live changes: which articles other programs changed, as soon as they committed.

Team mode shows other people's progress without reopening anything. Every
stored action (an :class:`~storage.events.EventLog` append, an undo or redo)
calls :func:`announce` inside its own transaction; a :class:`ChangeFeed`
running in the TUI reports what others committed:

- PostgreSQL: :func:`announce` does ``SELECT pg_notify('redline', payload)``,
  which the server delivers at commit (never for a rolled-back write); the
  feed holds a psycopg connection that ``LISTEN``\\ s on the channel and waits
  for notifications with a timeout.
- SQLite: :func:`announce` inserts an :class:`~storage.models.Announcement`
  row in the same transaction. The feed polls ``PRAGMA data_version`` on a
  connection of its own every :data:`POLL_SECONDS`: the number changes only
  when another connection committed, so an idle database costs one tiny
  query per poll; when it changed, the announcements newer than the last one
  seen say which articles changed. Undo, redo, imports and ``redline assign``
  announce like every other action, so one path serves them all.

Changes of the feed's own sessions (:meth:`ChangeFeed.ignore`) are left out:
the program already shows what it stored itself.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, event, text
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session

from storage.db import SQLITE_BUSY_TIMEOUT_MS, Database

CHANNEL = "redline"
POLL_SECONDS = 2.0
"""How often the SQLite feed asks whether another connection committed."""
ANNOUNCEMENTS_KEPT = 10_000
"""SQLite: the latest announcements kept; a feed that fell further behind reports everything."""
_ANNOUNCED = "redline_announced"
"""``Session.info`` key: what this transaction already announced (one notice per article)."""


@dataclass(frozen=True)
class Notice:
    """One article (None: corpus-wide, e.g. an entity merge) changed by one annotator's session."""

    article_id: int | None
    annotator: str
    session_id: str | None


@dataclass(frozen=True)
class Changes:
    """What others changed since the last report, several notices folded together."""

    notices: frozenset[Notice] = field(default_factory=frozenset)

    @property
    def article_ids(self) -> frozenset[int | None]:
        return frozenset(notice.article_id for notice in self.notices)

    @property
    def annotators(self) -> frozenset[str]:
        return frozenset(notice.annotator for notice in self.notices)

    def touches(self, article_id: int, annotator: str) -> bool:
        """Whether ``annotator``'s view of ``article_id`` may differ now (corpus-wide counts)."""
        return any(
            notice.article_id is None
            or (notice.article_id == article_id and notice.annotator == annotator)
            for notice in self.notices
        )

    def __bool__(self) -> bool:
        return bool(self.notices)


def announce(
    session: Session, *, article_id: int | None, annotator_id: int, session_id: str | None
) -> None:
    """Tell listening programs, at commit, that this transaction changes ``article_id``.

    PostgreSQL: ``pg_notify``, delivered at commit; SQLite: an ``announcement`` row
    that feeds poll for. An article is announced once per transaction however many
    rows the action touched, and an import (no session) once as corpus-wide.
    """
    if session_id is None:
        article_id = None  # the importer: one notice for its thousands of articles
    key = (article_id, annotator_id, session_id)
    announced: set[Any] = session.info.setdefault(_ANNOUNCED, set())
    if key in announced:
        return
    announced.add(key)
    if session.get_bind().dialect.name == "postgresql":
        payload = {"article_id": article_id, "annotator_id": annotator_id, "session_id": session_id}
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": json.dumps(payload)},
        )
        return
    session.execute(
        text(
            "INSERT INTO announcement (article_id, annotator_id, session_id)"
            " VALUES (:article_id, :annotator_id, :session_id)"
        ),
        {"article_id": article_id, "annotator_id": annotator_id, "session_id": session_id},
    )
    session.execute(
        text("DELETE FROM announcement WHERE id <= (SELECT MAX(id) FROM announcement) - :kept"),
        {"kept": ANNOUNCEMENTS_KEPT},
    )


@event.listens_for(Session, "after_transaction_end")
def _forget_announced(session: Session, transaction: SessionTransaction) -> None:
    """A rolled-back savepoint took its notices with it: the next action announces again.

    (After a commit, forgetting only costs a duplicate notice, which readers fold.)
    """
    session.info.pop(_ANNOUNCED, None)


class ChangeFeed:
    """Reports other programs' committed changes; :meth:`wait` blocks, so run it in a thread.

    Errors while listening or polling (a server restart, a locked file) are not
    raised: the feed reconnects on the next :meth:`wait`, and reports every
    article as possibly changed (``Notice(None, …)``) once it is back, since
    notifications sent meanwhile are lost.
    """

    def __init__(
        self,
        database: Database,
        *,
        ignore: Iterable[str] = (),
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.database = database
        self.poll_seconds = poll_seconds
        self._ignored: set[str] = set(ignore)
        self._lock = threading.Lock()
        self._names: dict[int, str] = {}
        self._closed = False
        self._wake = threading.Event()
        """Set by :meth:`interrupt`: every pause of the waiting thread ends at once."""
        self._lost = False
        self._source: _Source | None = None

    def ignore(self, session_id: str) -> None:
        """Leave out the changes of ``session_id`` too (e.g. the review screen's gold session)."""
        with self._lock:
            self._ignored.add(session_id)

    def start(self) -> None:
        """Connect now, so changes committed from here on are reported (otherwise on ``wait``)."""
        self._connected()

    def wait(self, timeout: float) -> Changes:
        """Block up to ``timeout`` seconds for others' changes; empty when none came."""
        deadline = time.monotonic() + timeout
        while not self._closed:
            source = self._connected()
            if source is None:
                self._pause(deadline)
            else:
                try:
                    raw = source.wait(max(0.0, deadline - time.monotonic()))
                except Exception:  # any driver failure: reconnect next time
                    self._drop()
                    raw = []
                changes = self._report(raw)
                if changes:
                    return changes
            if time.monotonic() >= deadline:
                break
        return Changes()

    def interrupt(self) -> None:
        """From any thread: the current :meth:`wait` returns soon (SQLite: at once), and no
        later one waits; the waiting thread then calls :meth:`close`."""
        self._closed = True
        self._wake.set()

    def close(self) -> None:
        """Stop and close the feed's connection (from the waiting thread, or once it stopped)."""
        self._closed = True
        self._drop()

    def _pause(self, deadline: float) -> None:
        self._wake.wait(max(0.0, min(self.poll_seconds, deadline - time.monotonic())))

    def _connected(self) -> _Source | None:
        if self._source is None and not self._closed:
            try:
                self._source = (
                    _SqlitePoll(self.database, self.poll_seconds, self._wake)
                    if self.database.is_sqlite
                    else _PostgresListen(self.database)
                )
            except Exception:  # unreachable now: try again on the next wait
                self._lost = True
                return None
            if self._lost:
                self._lost = False
                self._source.pending.append((None, 0, None))  # missed: anything may have changed
        return self._source

    def _drop(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            self._lost = True
            source.close()

    def _report(self, raw: list[tuple[int | None, int, str | None]]) -> Changes:
        with self._lock:
            ignored = set(self._ignored)
        kept = [item for item in raw if item[2] is None or item[2] not in ignored]
        if not kept:
            return Changes()
        names = self._annotator_names({annotator for _, annotator, _ in kept})
        return Changes(
            frozenset(
                Notice(article_id, names.get(annotator, ""), session_id)
                for article_id, annotator, session_id in kept
            )
        )

    def _annotator_names(self, ids: set[int]) -> dict[int, str]:
        missing = ids - self._names.keys() - {0}
        if missing:
            try:
                with self.database.reading() as session:
                    rows = session.execute(
                        text("SELECT id, name FROM annotator WHERE id IN :ids").bindparams(
                            bindparam("ids", expanding=True)
                        ),
                        {"ids": sorted(missing)},
                    ).all()
            except Exception:  # a name is a nicety; the article is what matters
                rows = []
            self._names.update({row[0]: row[1] for row in rows})
        return self._names


class _Source(ABC):
    """Where raw notices come from: (article_id, annotator_id, session_id) tuples."""

    def __init__(self) -> None:
        self.pending: list[tuple[int | None, int, str | None]] = []

    @abstractmethod
    def wait(self, timeout: float) -> list[tuple[int | None, int, str | None]]:
        """The notices that arrived within ``timeout`` seconds (returns at the first)."""

    @abstractmethod
    def close(self) -> None:
        """Close the source's own connection."""

    def _take(self) -> list[tuple[int | None, int, str | None]]:
        found, self.pending = self.pending, []
        return found


class _PostgresListen(_Source):
    """A psycopg connection of its own (autocommit) listening on :data:`CHANNEL`."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        import psycopg

        url = database.url.set(drivername="postgresql")
        self._connection = psycopg.connect(
            url.render_as_string(hide_password=False), autocommit=True, connect_timeout=5
        )
        self._connection.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> list[tuple[int | None, int, str | None]]:
        if not self.pending:
            for notify in self._connection.notifies(timeout=timeout, stop_after=1):
                self.pending.append(_decode(notify.payload))
            # Everything else that already arrived comes with it, as one report.
            for notify in self._connection.notifies(timeout=0):
                self.pending.append(_decode(notify.payload))
        return self._take()

    def close(self) -> None:
        self._connection.close()


def _decode(payload: str) -> tuple[int | None, int, str | None]:
    try:
        data = json.loads(payload)
        return data.get("article_id"), int(data.get("annotator_id") or 0), data.get("session_id")
    except (ValueError, TypeError, AttributeError):
        return None, 0, None  # not ours to read: treat as "something changed"


class _SqlitePoll(_Source):
    """``PRAGMA data_version`` on a connection of its own, then the announcements behind it."""

    def __init__(self, database: Database, poll_seconds: float, wake: threading.Event) -> None:
        super().__init__()
        self._wake = wake
        path = database.file or database.path
        if path is None:
            raise ValueError("an in-memory database has no other programs")
        self._poll_seconds = poll_seconds
        self._next_poll = time.monotonic() + poll_seconds
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        self._version = self._data_version()
        self._last_id = self._scalar("SELECT COALESCE(MAX(id), 0) FROM announcement")

    def _scalar(self, sql: str) -> int:
        return int(self._connection.execute(sql).fetchone()[0])

    def _data_version(self) -> int:
        return self._scalar("PRAGMA data_version")

    def wait(self, timeout: float) -> list[tuple[int | None, int, str | None]]:
        """Poll every ``poll_seconds`` however short the waits are (a worker's 0.5 s)."""
        deadline = time.monotonic() + timeout
        while not self.pending:
            now = time.monotonic()
            if now >= self._next_poll:
                self._next_poll = now + self._poll_seconds
                version = self._data_version()
                if version != self._version:
                    self._version = version
                    self._read_changes()
                    continue
            pause = min(self._next_poll, deadline) - time.monotonic()
            if time.monotonic() >= deadline or self._wake.wait(max(0.0, pause)):
                break
        return self._take()

    def _read_changes(self) -> None:
        rows = self._connection.execute(
            "SELECT id, article_id, annotator_id, session_id FROM announcement WHERE id > ? "
            "ORDER BY id",
            (self._last_id,),
        ).fetchall()
        if not rows:
            return
        if rows[0][0] > self._last_id + 1 and self._last_id:  # pruned before this feed read them
            self.pending.append((None, 0, None))
        self._last_id = rows[-1][0]
        self.pending.extend((row[1], row[2], row[3]) for row in rows)

    def close(self) -> None:
        self._connection.close()
