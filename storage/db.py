"""Opening a redline database: SQLite (embedded default) or PostgreSQL.

``open_db(url)`` accepts a filesystem path (``redline.db``), a ``sqlite:///``
URL or a ``postgresql://`` / ``postgresql+psycopg://`` URL. A new, empty
database is created at the current schema revision; an older one asks for
``redline db upgrade``; one written by a newer redline is refused.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlmodel import Session

from storage.errors import DatabaseError, DatabaseOutdated, DatabaseTooNew
from storage.migrations import HEAD_REVISION, KNOWN_REVISIONS

DEFAULT_DB = "redline.db"
SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY = "redline_read_only"
"""Execution option marking connections that only read (plain deferred BEGIN on SQLite)."""


def to_url(location: str) -> URL:
    """Turn a path or URL given by the user into a SQLAlchemy URL."""
    location = location.strip()
    if not location:
        raise DatabaseError("no database given (use --db PATH or --db postgresql://…)")
    if "://" not in location:
        return URL.create("sqlite", database=str(Path(location).expanduser()))
    try:
        url = make_url(location)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseError(f"not a database URL: {location!r}") from None
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return url.set(drivername="postgresql+psycopg")
    if url.drivername.startswith("sqlite"):
        return url.set(drivername="sqlite")
    raise DatabaseError(
        f"unsupported database {url.drivername!r}: use a SQLite path or a postgresql:// URL"
    )


def describe(url: URL) -> str:
    """The URL for messages: password hidden, SQLite shown as a path."""
    if url.drivername == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the file to WAL (it stays so), waiting out another process doing the same.

    Changing the journal mode needs an exclusive lock and SQLite may report
    "locked" at once instead of calling the busy handler — e.g. when two
    programs open a brand-new file together — so retry within the busy timeout.
    """
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        parent = Path(url.database).parent
        if not parent.is_dir():
            raise DatabaseError(f"cannot create database {url.database}: no directory {parent}")
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Take over transaction control so every transaction is BEGIN IMMEDIATE:
        # writers then queue on busy_timeout instead of failing with a
        # deadlocked read-to-write upgrade.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # Reads take a deferred BEGIN: under WAL they then see a snapshot without
        # waiting for (or holding up) a writer, e.g. the library list during an import.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: URL) -> Engine:
    query = dict(url.query)
    query.setdefault("connect_timeout", "5")
    return create_engine(url.set(query=query), pool_pre_ping=True)


def explain(exc: BaseException, url: URL) -> str:
    """One line that says what went wrong with the database, without a traceback."""
    where = describe(url)
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else ""
    lowered = message.lower()
    if "file is not a database" in lowered or "malformed" in lowered:
        return f"{where} is not a redline database (file is corrupt or not SQLite)"
    if "database is locked" in lowered:
        return f"{where} is locked by another program; try again in a moment"
    if "unable to open database" in lowered:
        return f"cannot open {where} (check the path and its permissions)"
    if "connection refused" in lowered or "could not connect" in lowered or "timeout" in lowered:
        return f"cannot reach the database server at {where}: {message}"
    if "does not exist" in lowered and url.drivername.startswith("postgresql"):
        return f"{where}: {message}"
    return f"database error on {where}: {message}"


@dataclass
class Database:
    """An open redline database: an engine plus the URL it came from."""

    engine: Engine
    url: URL

    @property
    def is_sqlite(self) -> bool:
        return self.url.drivername == "sqlite"

    @property
    def label(self) -> str:
        return describe(self.url)

    @property
    def short_label(self) -> str:
        """The file name (SQLite) or host/database (PostgreSQL), for headers."""
        if self.is_sqlite:
            return Path(self.url.database or ":memory:").name
        return f"{self.url.host or 'localhost'}/{self.url.database or ''}"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error.

        Database failures surface as :class:`DatabaseError` with one clear line.
        """
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise DatabaseError(explain(exc, self.url)) from exc

    def _reader(self) -> Engine:
        return self.engine.execution_options(**{READ_ONLY: True})

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; nothing is written (SQLite: it never waits for a writer)."""
        try:
            with Session(self._reader(), expire_on_commit=False) as session:
                yield session
        except SQLAlchemyError as exc:
            raise DatabaseError(explain(exc, self.url)) from exc

    def current_revision(self) -> str | None:
        """The Alembic revision stored in the database, or None when it has none."""
        try:
            with self._reader().connect() as connection:
                if not inspect(connection).has_table("alembic_version"):
                    return None
                row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
                return row[0] if row else None
        except SQLAlchemyError as exc:
            raise DatabaseError(explain(exc, self.url)) from exc

    def is_empty(self) -> bool:
        try:
            with self._reader().connect() as connection:
                return not inspect(connection).get_table_names()
        except SQLAlchemyError as exc:
            raise DatabaseError(explain(exc, self.url)) from exc

    def upgrade(self) -> str:
        """Bring the schema to the head revision (``redline db upgrade``)."""
        from storage.migrations.runner import upgrade_to_head

        try:
            upgrade_to_head(self.engine)
        except SQLAlchemyError as exc:
            raise DatabaseError(explain(exc, self.url)) from exc
        return HEAD_REVISION

    def check_revision(self) -> None:
        revision = self.current_revision()
        if revision == HEAD_REVISION:
            return
        if revision is None:
            if self.is_empty():
                self.upgrade()
                return
            raise DatabaseError(f"{self.label} is not a redline database (it has other tables)")
        if revision not in KNOWN_REVISIONS:
            raise DatabaseTooNew(
                f"{self.label} is at schema revision {revision}, newer than this redline "
                f"(knows up to {HEAD_REVISION}); upgrade redline to open it"
            )
        raise DatabaseOutdated(
            f"{self.label} is at schema revision {revision}; run `redline db upgrade` first"
        )

    def dispose(self) -> None:
        self.engine.dispose()


def open_db(location: str = DEFAULT_DB, *, migrate: bool = True) -> Database:
    """Open (and, when new and empty, create) a redline database.

    ``migrate=False`` opens without checking the schema revision (used by
    ``redline db upgrade`` itself).
    """
    url = to_url(location)
    engine = _sqlite_engine(url) if url.drivername == "sqlite" else _postgres_engine(url)
    database = Database(engine=engine, url=url)
    if migrate:
        try:
            database.check_revision()
        except DatabaseError:
            engine.dispose()
            raise
        except OperationalError as exc:  # pragma: no cover - defensive
            engine.dispose()
            raise DatabaseError(explain(exc, url)) from exc
    return database


def safe_identifier(name: str) -> str:
    """Validate an SQL identifier built from user or test input."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
        raise DatabaseError(f"invalid identifier {name!r}")
    return name
