"""Opening a redline database: SQLite (embedded default) or PostgreSQL.

``open_db(url)`` accepts a filesystem path (``redline.db``), a ``sqlite:///``
URL or a ``postgresql://`` / ``postgresql+psycopg://`` URL. A new, empty
database is created at the current schema revision (unless ``create=False``:
the CLI's read commands never create one); an older one asks for ``redline db
upgrade``; one written by a newer redline is refused; a damaged one (SQLite
``PRAGMA quick_check``) or one whose tables do not match its revision is
refused with one line.

Acknowledged means durable: before a write transaction commits, the SQLite
file is checked to still be the one opened (a deleted or replaced file fails
with "nothing was saved", and the transaction is rolled back). An error that
leaves a connection unusable (a read-only file, a dropped server connection)
drops the pooled connections, so the next attempt opens fresh ones.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, ExceptionContext, create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlmodel import Session

from storage.db_health import (
    ROW_ERRORS,
    UNUSABLE_CONNECTION,
    CheckCache,
    FileIdentity,
    damage_reason,
    quick_check,
    schema_problems,
    translate_damage,
    translate_failure,
)
from storage.db_location import check_sqlite_path, describe, to_url
from storage.errors import DatabaseDamaged, DatabaseError, DatabaseGone
from storage.migrations import HEAD_REVISION

DEFAULT_DB = "redline.db"
SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another writer's lock before failing "locked" (SQLite's
busy timeout, PostgreSQL's ``lock_timeout``); ``open_db(busy_timeout_ms=…)`` overrides it."""
READ_ONLY = "redline_read_only"
"""Execution option marking connections that only read (plain deferred BEGIN on SQLite)."""
T = TypeVar("T")


def _use_wal(cursor: sqlite3.Cursor, busy_timeout_ms: int) -> None:
    """Switch the file to WAL (it stays so), waiting out another process doing the same.

    Changing the journal mode needs an exclusive lock and SQLite may report
    "locked" at once instead of calling the busy handler — e.g. when two
    programs open a brand-new file together — so retry within the busy timeout.
    """
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_engine(url: URL, busy_timeout_ms: int | None) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Take over transaction control so every transaction is BEGIN IMMEDIATE:
        # writers then queue on busy_timeout instead of failing with a
        # deadlocked read-to-write upgrade.
        dbapi_connection.isolation_level = None
        timeout = SQLITE_BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        _use_wal(cursor, timeout)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # Reads take a deferred BEGIN: under WAL they then see a snapshot without
        # waiting for (or holding up) a writer, e.g. the library list during an import.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "handle_error")
    def _replace_unusable(context: ExceptionContext) -> None:
        # Treated as a disconnect, the error makes SQLAlchemy drop this connection
        # and every pooled one: the next action gets a connection that can write
        # again once the file is writable (``chmod``, a remount).
        message = str(context.original_exception).lower()
        if any(marker in message for marker in UNUSABLE_CONNECTION):
            context.is_disconnect = True

    return engine


def _postgres_url(url: URL, busy_timeout_ms: int | None) -> URL:
    """``lock_timeout`` plays SQLite's busy timeout: a write waiting for another
    transaction's row or table lock fails "locked" instead of hanging the action."""
    query = dict(url.query)
    query.setdefault("connect_timeout", "5")
    timeout = SQLITE_BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
    query.setdefault("options", f"-c lock_timeout={int(timeout)}")
    return url.set(query=query)


def _postgres_engine(url: URL, busy_timeout_ms: int | None) -> Engine:
    return create_engine(_postgres_url(url, busy_timeout_ms), pool_pre_ping=True)


def _statement_engine(engine: Engine) -> Engine:
    """PostgreSQL: a pool for :meth:`Database.read_statements` (AUTOCOMMIT, no pre-ping).

    A read on the main engine costs five round trips: the pool's pre-ping, BEGIN,
    its statements, ROLLBACK. On this pool only the statements are sent; a
    connection the server dropped fails its first statement, is detected as a
    disconnect (the pool then drops every older connection) and the read is run
    once more on a fresh one. Under READ COMMITTED each statement of a transaction
    sees its own snapshot anyway, so a read of plain SELECTs sees what it did.
    """
    return create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)


def explain(exc: BaseException, url: URL) -> str:
    """One line that says what went wrong with the database, without a traceback."""
    return str(translate(exc, url))


def translate(exc: BaseException, url: URL, *, writing: bool = False) -> DatabaseError:
    """The :class:`DatabaseError` (or subclass) a user sees for a driver failure."""
    path = url.database if url.drivername == "sqlite" else None
    return translate_failure(exc, describe(url), path, writing=writing)


@dataclass
class Database:
    """An open redline database: an engine plus the URL it came from."""

    engine: Engine
    url: URL
    identity: FileIdentity | None = None
    """The SQLite file opened (device, inode); a write is refused once the path names another."""
    file: str | None = None
    """The SQLite file's absolute path as opened (a later ``chdir`` does not move it)."""
    intact: bool = False
    """SQLite: the file passed ``quick_check`` at open and no read or write found damage since."""
    _statements: Engine | None = field(default=None, repr=False)
    """PostgreSQL: the pool of :meth:`read_statements`, opened on its first use."""

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

    @property
    def path(self) -> str | None:
        """The SQLite file, or None (PostgreSQL, in-memory)."""
        if self.is_sqlite and self.url.database and self.url.database != ":memory:":
            return self.url.database
        return None

    def remember_file(self) -> None:
        """Record which file the path names now (after it exists)."""
        if self.path is not None:
            self.file = self.file or os.path.abspath(self.path)
            self.identity = FileIdentity.of(self.file)

    def check_file(self, session: Session | None = None) -> None:
        """Refuse when the SQLite file (or its WAL) is not the one this database opened.

        SQLite keeps writing to a deleted file's inode, so a commit "succeeds"
        and the action is lost; two ``stat`` calls a write prevent that.
        """
        if self.path is None:
            return
        if self.identity is None:
            self.remember_file()
            return
        path = self.file or self.path
        gone = FileIdentity.of(path) != self.identity
        if not gone and session is not None:
            info = session.connection().info
            wal = FileIdentity.of(path + "-wal")
            gone = info.setdefault("redline_wal", wal) != wal
        if gone:
            raise DatabaseGone(
                f"database file {path} was deleted or replaced; nothing was saved "
                "(restart redline on the database you mean to use)"
            )

    def _failure(self, exc: BaseException, *, writing: bool) -> DatabaseError:
        error = translate(exc, self.url, writing=writing)
        if isinstance(error, DatabaseDamaged):
            self.intact = False
        if writing and not isinstance(error, DatabaseDamaged):
            return type(error)(f"{error}; nothing was saved")
        return error

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error.

        Database failures surface as :class:`DatabaseError` with one clear line;
        nothing of a failed transaction is kept.
        """
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
                self.check_file(session)
        except (SQLAlchemyError, *ROW_ERRORS) as exc:
            if not isinstance(exc, SQLAlchemyError) and damage_reason(exc, strict=True) is None:
                raise
            raise self._failure(exc, writing=True) from exc

    def _reader(self) -> Engine:
        return self.engine.execution_options(**{READ_ONLY: True})

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; nothing is written (SQLite: it never waits for a writer)."""
        try:
            with (
                translate_damage(self.label),
                Session(self._reader(), expire_on_commit=False) as session,
            ):
                yield session
        except DatabaseDamaged:
            self.intact = False
            raise
        except SQLAlchemyError as exc:
            raise self._failure(exc, writing=False) from exc

    def read_statements(self, work: Callable[[Connection], T]) -> T:
        """``work(connection)``: read-only statements run one after another, outside a transaction.

        For the reads a keystroke waits on (the library's page). SQLite: exactly as
        :meth:`reading` (on its session's connection). PostgreSQL: on an AUTOCOMMIT
        connection of a pool without pre-ping (:func:`_statement_engine`): no BEGIN,
        no ROLLBACK, no ``SELECT 1`` first. ``work`` must only read (it may be run
        twice: once more on a fresh connection when the server dropped the first),
        and ``SET LOCAL`` has no effect there.
        """
        if self.is_sqlite:
            with self.reading() as session:
                return work(session.connection())
        if self._statements is None:
            self._statements = _statement_engine(self.engine)
        for attempt in (1, 2):
            try:
                with self._statements.connect() as connection:
                    return work(connection)
            except DBAPIError as exc:
                if attempt == 1 and exc.connection_invalidated:
                    continue  # a dropped connection: the pool has let it go
                raise self._failure(exc, writing=False) from exc
            except SQLAlchemyError as exc:
                raise self._failure(exc, writing=False) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def write_denied(self) -> str | None:
        """Why this database role may not write (PostgreSQL: no INSERT grant on events), or None.

        Asked once at the TUI's start, so a reviewer with a read-only role sees it on one
        line before trying a key. SQLite: None (a read-only file fails on the first write).
        """
        if self.is_sqlite:
            return None
        try:
            with self._reader().connect() as connection:
                allowed = connection.execute(
                    text("SELECT has_table_privilege('event', 'INSERT')")
                ).scalar()
        except SQLAlchemyError as exc:
            raise self._failure(exc, writing=False) from exc
        if allowed:
            return None
        return f"read-only: this database role may not write to {self.label}; reading only"

    def current_revision(self) -> str | None:
        """The Alembic revision stored in the database, or None when it has none."""
        try:
            with self._reader().connect() as connection:
                if not inspect(connection).has_table("alembic_version"):
                    return None
                row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
                return row[0] if row else None
        except SQLAlchemyError as exc:
            raise self._failure(exc, writing=False) from exc

    def table_names(self) -> list[str]:
        try:
            with self._reader().connect() as connection:
                return inspect(connection).get_table_names()
        except SQLAlchemyError as exc:
            raise self._failure(exc, writing=False) from exc

    def is_empty(self) -> bool:
        return not self.table_names()

    def schema_problems(self) -> list[str]:
        """What the tables lack compared with this redline's models (empty: they match)."""
        try:
            with self._reader().connect() as connection:
                return schema_problems(connection)
        except SQLAlchemyError as exc:
            raise self._failure(exc, writing=False) from exc

    def check_intact(self, *, cached: bool = True) -> None:
        """SQLite: refuse a damaged file (``PRAGMA quick_check``) with one line.

        A file unchanged since it last passed (same inode, size and mtime, its WAL
        too: :class:`~storage.db_health.CheckCache`) is not read again unless
        ``cached`` is False; damage a check cannot see then still surfaces as
        ``DatabaseDamaged`` from the reads (``translate_damage``).
        """
        if not self.is_sqlite:
            return
        cache = CheckCache(self.path) if self.path is not None else None
        if cached and cache is not None and cache.passed_before():
            self.intact = True
            return
        try:
            with self._reader().connect() as connection:
                quick_check(connection, self.label)
        except SQLAlchemyError as exc:
            raise self._failure(exc, writing=False) from exc
        self.intact = True
        if cache is not None:
            cache.remember()

    def upgrade(self) -> str:
        """Bring the schema to the head revision (``redline db upgrade``)."""
        from storage.migrations.runner import upgrade_to_head

        try:
            upgrade_to_head(self.engine)
        except SQLAlchemyError as exc:
            raise self._failure(exc, writing=True) from exc
        return HEAD_REVISION

    def stamp(self) -> str:
        """Record the head revision on tables that already match it (``db upgrade --stamp``)."""
        from storage.migrations.runner import stamp_head

        try:
            stamp_head(self.engine)
        except SQLAlchemyError as exc:
            raise self._failure(exc, writing=True) from exc
        return HEAD_REVISION

    def check_revision(self, *, create: bool = True) -> None:
        """Refuse a database this redline cannot use; create the tables of an empty one."""
        from storage.db_schema import check_revision

        check_revision(self, create=create)

    def migrate(self, *, stamp: bool = False) -> tuple[str | None, str]:
        """``redline db upgrade``: the revisions before and after (see :mod:`storage.db_schema`)."""
        from storage.db_schema import migrate

        return migrate(self, stamp=stamp)

    def _dispose_statements(self) -> None:
        if self._statements is not None:
            self._statements.dispose()

    def reconnect(self) -> None:
        """Close every pooled connection: the next action opens a fresh one."""
        self.engine.dispose()
        self._dispose_statements()

    def dispose(self) -> None:
        """Close every connection. A SQLite file that passed its check at open and showed no
        damage since is remembered as checked in its new state (after SQLite's closing
        checkpoint): redline's own writes do not damage a file, so the next open of a
        file only this program changed skips the check."""
        self.engine.dispose()
        self._dispose_statements()
        path = self.file or self.path
        if self.intact and path is not None and FileIdentity.of(path) == self.identity:
            CheckCache(path).remember()  # not a file that replaced the one checked
        self.intact = False


def open_db(
    location: str = DEFAULT_DB,
    *,
    migrate: bool = True,
    create: bool = True,
    busy_timeout_ms: int | None = None,
) -> Database:
    """Open (and, when new and empty, create) a redline database.

    ``migrate=False`` opens without checking the schema revision (used by
    ``redline db upgrade`` itself). ``create=False`` refuses a missing SQLite
    file or an empty database ("no database at PATH …") instead of creating
    one. ``busy_timeout_ms`` bounds how long a SQLite write waits for another
    writer (default :data:`SQLITE_BUSY_TIMEOUT_MS`).
    """
    url = to_url(location)
    if url.drivername == "sqlite":
        if url.database and url.database != ":memory:":
            check_sqlite_path(url.database, create)
        engine = _sqlite_engine(url, busy_timeout_ms)
    else:
        engine = _postgres_engine(url, busy_timeout_ms)
    database = Database(engine=engine, url=url)
    if not database.is_sqlite:  # opens no connection until its first read
        database._statements = _statement_engine(engine)
    if migrate:
        try:
            database.check_revision(create=create)
        except DatabaseError:
            engine.dispose()
            raise
        except OperationalError as exc:  # pragma: no cover - defensive
            engine.dispose()
            raise translate(exc, url) from exc
    database.remember_file()
    return database


def safe_identifier(name: str) -> str:
    """Validate an SQL identifier built from user or test input."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
        raise DatabaseError(f"invalid identifier {name!r}")
    return name
