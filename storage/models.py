"""The redline data model (SQLModel tables).

Offsets on :class:`Span` are ``[start, end)`` code-point indices into
:attr:`Article.text`, which never changes after import. Every change made
through :mod:`storage.repository` appends an :class:`Event`; undo and redo are
computed from that log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Dialect,
    Index,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

SPAN_LAYERS = ("entity", "figure", "evidence")
SPAN_STATUSES = ("accepted", "suggested", "rejected")
SPAN_ORIGINS = ("manual", "rule", "gazetteer", "model", "import")
ARTICLE_STATES = ("todo", "in_progress", "done", "skipped")
FIGURE_KINDS = ("MONEY", "PERCENT", "QUANTITY", "COUNT", "DATE")


def utcnow() -> dt.datetime:
    """An aware UTC timestamp (SQLModel's UTCDateTime stores it on both backends)."""
    return dt.datetime.now(dt.UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal stored as its exact string form.

    SQLite has no exact numeric type (NUMERIC becomes a float), and figure
    values must survive exactly: "49700000000" or "0.1" come back as written.
    """

    impl = String(64)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class Article(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    dateline: str | None = None
    lang: str = "en"
    length: int = 0
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow)


class Annotator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)


class Label(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("layer", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    layer: str = Field(max_length=16)
    key: str = Field(max_length=100)
    title: str
    colour: str = Field(max_length=32)
    hotkey: str | None = Field(default=None, max_length=16)
    description: str = ""
    parent: str | None = Field(default=None, max_length=100)


# Rows that undo and redo re-create keep their ids, so SQLite must never hand a
# deleted row's id to a new row: AUTOINCREMENT (PostgreSQL sequences never reuse).
NO_ID_REUSE = {"sqlite_autoincrement": True}


class Entity(SQLModel, table=True):
    __table_args__ = (Index("ix_entity_type_name", "type", "name"), NO_ID_REUSE)

    id: int | None = Field(default=None, primary_key=True)
    name: str
    type: str = Field(max_length=100)
    kb_id: str | None = Field(default=None, max_length=200)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    merged_into: int | None = Field(default=None, foreign_key="entity.id")


class Span(SQLModel, table=True):
    __table_args__ = (
        Index("ix_span_article_annotator", "article_id", "annotator_id", "start"),
        Index("ix_span_entity", "entity_id"),
        NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="annotator.id")
    layer: str = Field(max_length=16)
    label: str = Field(max_length=100)
    start: int
    end: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="accepted", max_length=16)
    origin: str = Field(default="manual", max_length=16)
    score: float | None = None
    entity_id: int | None = Field(default=None, foreign_key="entity.id")
    topic: str | None = Field(default=None, max_length=100)
    note: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Figure(SQLModel, table=True):
    span_id: int = Field(primary_key=True, foreign_key="span.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)
    value: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal()))
    value_max: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal()))
    unit: str | None = Field(default=None, max_length=32)
    # 64-bit: "trillion" (10**12) does not fit PostgreSQL's 32-bit integer.
    scale: int = Field(default=1, sa_type=BigInteger)
    metric: str | None = None
    period: str | None = None
    subject_id: int | None = Field(default=None, foreign_key="entity.id")
    approximate: bool = False
    bound: str | None = Field(default=None, max_length=8)
    change: bool = False
    direction: str | None = Field(default=None, max_length=8)
    date_value: str | None = Field(default=None, max_length=32)


class TopicAssignment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("article_id", "annotator_id", "topic"), NO_ID_REUSE)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="annotator.id")
    topic: str = Field(max_length=100)
    status: str = Field(default="accepted", max_length=16)
    note: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class ArticleState(SQLModel, table=True):
    __table_args__ = (Index("ix_state_annotator_state", "annotator_id", "state"),)

    article_id: int = Field(primary_key=True, foreign_key="article.id", ondelete="CASCADE")
    annotator_id: int = Field(primary_key=True, foreign_key="annotator.id")
    state: str = Field(default="todo", max_length=16)
    seconds_spent: float = 0.0
    updated_at: dt.datetime = Field(default_factory=utcnow)


class AppSession(SQLModel, table=True):
    """One running program (TUI, CLI command, serve tab) of one annotator.

    Events record the session that made them, so undo never takes back an
    action of another session that is still running (see :mod:`storage.sessions`).
    """

    id: str = Field(primary_key=True, max_length=32)
    annotator_id: int = Field(foreign_key="annotator.id")
    pid: int
    hostname: str = Field(max_length=255)
    started_at: dt.datetime = Field(default_factory=utcnow)
    heartbeat_at: dt.datetime = Field(default_factory=utcnow)
    ended_at: dt.datetime | None = None


class Event(SQLModel, table=True):
    """One user action. ``changes`` holds row-level before/after images.

    ``undone`` marks an action rolled back by undo; a new action clears the
    redo stack by marking undone events of that (annotator, article) as
    ``discarded``. ``session_id`` is the program that made it (None: before
    sessions existed, or an import), which decides who may undo it.
    """

    __table_args__ = (
        Index("ix_event_scope", "annotator_id", "article_id", "id"),
        Index("ix_event_session", "session_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    annotator_id: int = Field(foreign_key="annotator.id")
    session_id: str | None = Field(default=None, foreign_key="appsession.id", max_length=32)
    article_id: int | None = Field(default=None, foreign_key="article.id", ondelete="CASCADE")
    action: str = Field(max_length=40)
    summary: str = ""
    changes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    undone: bool = False
    discarded: bool = False
    at: dt.datetime = Field(default_factory=utcnow)


class Assignment(SQLModel, table=True):
    """An article given to an annotator by ``redline assign`` (their "queue")."""

    __table_args__ = (Index("ix_assignment_annotator", "annotator_id", "article_id"),)

    article_id: int = Field(primary_key=True, foreign_key="article.id", ondelete="CASCADE")
    annotator_id: int = Field(primary_key=True, foreign_key="annotator.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class Announcement(SQLModel, table=True):
    """A committed change, for SQLite programs following changes (:mod:`storage.live`).

    PostgreSQL delivers the same facts with ``NOTIFY``; SQLite has no such
    channel, so :func:`storage.live.announce` writes one row in the writing
    transaction: it exists exactly when the change committed, and an undo, a
    redo, an import or ``redline assign`` reads like any other action. Only
    the latest :data:`storage.live.ANNOUNCEMENTS_KEPT` rows are kept. No
    foreign keys: ``article_id`` None (and ``annotator_id`` 0) is corpus-wide,
    and a notice may outlive the article it names.
    """

    id: int | None = Field(default=None, primary_key=True)
    article_id: int | None = None
    annotator_id: int = 0
    session_id: str | None = Field(default=None, max_length=32)
