"""Sessions: each running program of an annotator, so undo stays within its own work.

Two ``redline`` programs with the same annotator on one database must not undo
each other's actions, yet after a restart the new program must be able to undo
what the old one did. Every program therefore starts an :class:`AppSession`
row and stamps its id on the events it stores; undo and redo consider the
events of their own session and of sessions that are no longer *live*.

A session is live while ``ended_at`` is unset and its ``heartbeat_at`` is newer
than :data:`STALE_AFTER`. A program that crashed never sets ``ended_at``; its
session ends when the heartbeat goes stale — or at once when it ran on this
host and its pid no longer exists (``os.kill(pid, 0)``), so undo works right
after restarting a crashed TUI. A reused pid only delays that to the stale
timeout, never the other way round: the pid check can end a session early,
it never keeps a stale one alive. Two hosts sharing one PostgreSQL database
rely on the heartbeat alone.

The TUI calls :meth:`Repository.heartbeat` on a timer (well under
``STALE_AFTER``); every stored action also refreshes it (at most once per
:data:`HEARTBEAT_EVERY`), so a busy session never looks abandoned.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import Annotator, AppSession, utcnow

STALE_AFTER = dt.timedelta(seconds=90)
"""A session whose heartbeat is older than this counts as ended."""
HEARTBEAT_EVERY = dt.timedelta(seconds=20)
"""How often a working session refreshes its heartbeat as a side effect of its writes."""

HOSTNAME = socket.gethostname()[:255]


def annotator_id(session: Session, name: str) -> int:
    """The id of annotator ``name``, created on first use.

    ``INSERT … ON CONFLICT DO NOTHING`` then a select, so two programs starting
    as the same new annotator at once both get its id (PostgreSQL: the second
    insert waits for the first to commit, then does nothing; a plain insert
    would fail on the unique name).
    """
    found = session.exec(select(Annotator.id).where(Annotator.name == name)).first()
    if found is not None:
        return found
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(Annotator).values(name=name).on_conflict_do_nothing(index_elements=["name"])
    )
    created = session.exec(select(Annotator.id).where(Annotator.name == name)).one()
    assert created is not None
    return created


def new_id() -> str:
    """A session id, chosen before its row is stored (a program that starts lazily)."""
    return uuid.uuid4().hex


def start(session: Session, annotator: int, session_id: str | None = None) -> str:
    """Insert a new live session for ``annotator``; its id.

    With ``session_id`` (a lazy program's first write, :mod:`storage.repository_base`)
    it is ``INSERT … ON CONFLICT DO NOTHING``: two of its threads writing first at
    once store the row once.
    """
    now = utcnow()
    session_id = session_id or new_id()
    values = {
        "id": session_id,
        "annotator_id": annotator,
        "pid": os.getpid(),
        "hostname": HOSTNAME,
        "started_at": now,
        "heartbeat_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(AppSession).values(**values).on_conflict_do_nothing(index_elements=["id"])
    )
    return session_id


def heartbeat(session: Session, session_id: str) -> None:
    """Mark the session as still running (an ended session stays ended)."""
    session.execute(
        update(AppSession)
        .where(col(AppSession.id) == session_id, col(AppSession.ended_at).is_(None))
        .values(heartbeat_at=utcnow())
    )


def end(session: Session, session_id: str) -> None:
    """The program is done: its actions may now be undone by a later session."""
    session.execute(
        update(AppSession)
        .where(col(AppSession.id) == session_id, col(AppSession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    except OSError:
        return True  # cannot tell: keep the session live until its heartbeat goes stale
    return True


def is_live(row: AppSession, now: dt.datetime | None = None) -> bool:
    """The rule: not ended, heartbeat fresh, and (on this host) its process exists."""
    if row.ended_at is not None:
        return False
    now = now or utcnow()
    if now - _aware(row.heartbeat_at) > STALE_AFTER:
        return False
    return row.hostname != HOSTNAME or _process_exists(row.pid)


def live_others(session: Session, annotator: int, session_id: str | None) -> list[str]:
    """The ids of this annotator's live sessions other than ``session_id``."""
    cutoff = utcnow() - STALE_AFTER
    rows = session.exec(
        select(AppSession).where(
            AppSession.annotator_id == annotator,
            col(AppSession.ended_at).is_(None),
            col(AppSession.heartbeat_at) > cutoff,
            col(AppSession.id) != (session_id or ""),
        )
    ).all()
    return [row.id for row in rows if is_live(row)]


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
