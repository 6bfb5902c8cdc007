"""Is the database intact, redline's, and still the file we opened?

Cheap checks shared by :func:`storage.db.open_db` and every write transaction,
and :func:`translate_damage`, which turns the many ways a damaged database
fails (SQLite "malformed", undecodable rows, the ``KeyError`` or ``IndexError``
a driver raises on a garbage row) into one :class:`DatabaseDamaged` line.
"""

from __future__ import annotations

import json
import os
import sqlite3
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, MetaData, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from storage.errors import DatabaseDamaged, DatabaseError, NotRedlineDatabase, ReadOnly

DAMAGE_MARKERS = (
    "database disk image is malformed",
    "could not decode to utf-8",
    "database corruption",
    "malformed database schema",
)
"""Lower-case fragments of SQLite errors that mean the file is corrupt."""
DRIVER_PACKAGES = ("sqlalchemy", "sqlmodel", "sqlite3", "psycopg")
"""Where a ``KeyError``/``IndexError`` must come from to count as a garbage row."""
UNUSABLE_CONNECTION = (
    "readonly database",
    "disk i/o error",
    "unable to open database file",
)
"""SQLite errors after which a connection must be replaced: SQLite opens a file it
cannot write read-only and stays so for the connection's life."""


@dataclass(frozen=True)
class FileIdentity:
    """Which file a path names: a deleted or replaced file has another (or none)."""

    device: int
    inode: int

    @classmethod
    def of(cls, path: str | Path) -> FileIdentity | None:
        try:
            status = os.stat(path)
        except OSError:
            return None
        return cls(status.st_dev, status.st_ino)


def is_sqlite_file(path: str | Path) -> bool:
    """Whether the file at ``path`` is a SQLite database (an empty file is an empty database).

    Asked through SQLite (read-only and immutable: no lock taken, no WAL or -shm
    touched), never with ``open()``: closing any descriptor of a file drops every
    POSIX lock this process holds on it, those of its SQLite connections included,
    and then another program closing its connection takes itself for the last one
    and deletes the WAL that this process is still writing to. SQLite keeps such a
    descriptor open while its connections hold locks, so it never does that.
    """
    uri = Path(path).absolute().as_uri() + "?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return "not a database" not in str(exc)
    return True


def first_line(message: str, limit: int = 160) -> str:
    """The line of a SQLite message that says something, without the row's text.

    ``quick_check`` starts with "*** in database main ***"; a decode error quotes
    the undecodable column ("… with text '<the article>'"), which is data, not a reason.
    """
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    meaningful = [line for line in lines if not line.startswith("***")] or lines or [""]
    line = meaningful[0].split(" with text '", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


ROW_ERRORS = (KeyError, IndexError, ValueError)
"""What converting a garbage row raises (a missing key, a short row, a date of NUL bytes)."""


def damage_reason(exc: BaseException, *, strict: bool = False) -> str | None:
    """The first line of ``exc`` when it says the database is corrupt, else None.

    A :data:`ROW_ERRORS` exception counts when SQLAlchemy or the driver was
    converting a row: for reads, when their code is on the way to the raise
    (which covers a model's own column type failing on a garbage value); with
    ``strict`` (writes, where a ``ValueError`` is a bad value redline passed),
    only a ``KeyError``/``IndexError`` raised in their code. The same exception
    raised by redline's code alone stays what it is: a bug.
    """
    original = getattr(exc, "orig", None) or exc
    first = first_line(str(original)) or type(original).__name__
    lowered = first.lower()
    if any(marker in lowered for marker in DAMAGE_MARKERS):
        return first
    suspects = (KeyError, IndexError) if strict else ROW_ERRORS
    if isinstance(original, suspects) and _through_driver(original, innermost=strict):
        return f"unreadable row ({type(original).__name__}: {first})"
    return None


def _through_driver(exc: BaseException, *, innermost: bool) -> bool:
    """Whether SQLAlchemy or a driver raised ``exc`` (or, not ``innermost``, called its raiser)."""
    tb: types.TracebackType | None = exc.__traceback__
    in_driver = False
    while tb is not None:
        parts = Path(tb.tb_frame.f_code.co_filename).parts
        in_driver = any(package in parts for package in DRIVER_PACKAGES)
        if in_driver and not innermost:
            return True
        tb = tb.tb_next
    return in_driver


def damaged(where: str, reason: str) -> DatabaseDamaged:
    return DatabaseDamaged(f"database is damaged: {where}: {reason} (restore it from a backup)")


@contextmanager
def translate_damage(where: str) -> Iterator[None]:
    """Re-raise any damaged-database failure inside the block as one ``DatabaseDamaged``.

    ``where`` names the database in the message (``Database.label``). Other
    errors pass through unchanged, so a bug in the caller's code still shows
    as what it is.
    """
    try:
        yield
    except DatabaseDamaged:
        raise
    except (SQLAlchemyError, sqlite3.Error, *ROW_ERRORS) as exc:
        reason = damage_reason(exc)
        if reason is None:
            raise
        raise damaged(where, reason) from exc


CHECK_CACHE_FILE = "checked.json"
CHECK_CACHE_ENTRIES = 64
"""Databases whose passed check is remembered (the most recently checked)."""


def _file_key(path: str) -> list[int] | None:
    """What changes when a SQLite database is written: its file's and its WAL's stat."""
    key: list[int] = []
    for name in (path, path + "-wal"):
        try:
            status = os.stat(name)
        except FileNotFoundError:
            if name == path:
                return None  # created by this open: its tables are written after the check
            key += [0, 0, 0, 0]
            continue
        except OSError:
            return None
        key += [status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns]
    return key


def _cache_path() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("redline", appauthor=False)) / CHECK_CACHE_FILE


def _read_cache() -> dict[str, list[int]]:
    try:
        loaded = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


class CheckCache:
    """Passed ``quick_check`` results, keyed by the file's (device, inode, size, mtime) and
    its WAL's, in the user's cache directory: reopening an unchanged database skips the
    check (0.35-0.5 s on a 220 MB file, growing with its size).

    Any write changes the key (SQLite bumps the file's or the WAL's mtime), so a
    database is checked again after every session that wrote to it. A cache that
    cannot be read or written only means the check runs.
    """

    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(path)
        self.key = _file_key(self.path)

    def passed_before(self) -> bool:
        return self.key is not None and _read_cache().get(self.path) == self.key

    def remember(self) -> None:
        """Record the pass for the key taken *before* the check: a write during it re-checks."""
        if self.key is None:
            return
        cache = {k: v for k, v in _read_cache().items() if k != self.path}
        cache[self.path] = self.key
        kept = dict(list(cache.items())[-CHECK_CACHE_ENTRIES:])
        target = _cache_path()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(kept), encoding="utf-8")
            temporary.replace(target)
        except OSError:
            return


def quick_check(connection: Connection, where: str) -> None:
    """SQLite's ``PRAGMA quick_check``: page structure only (no index contents).

    It still reads every page: linear in the file's size (see :class:`CheckCache`).
    """
    try:
        rows = connection.exec_driver_sql("PRAGMA quick_check(1)").fetchall()
    except SQLAlchemyError as exc:
        reason = damage_reason(exc)
        if reason is None:
            raise
        raise damaged(where, reason) from exc
    verdict = "\n".join(str(row[0]) for row in rows) if rows else "no answer"
    if verdict.strip().lower() != "ok":
        raise damaged(where, first_line(verdict))


def _models() -> MetaData:
    """redline's tables as this version defines them (the head revision)."""
    import storage.models  # noqa: F401  (registers every table on SQLModel.metadata)

    return SQLModel.metadata


def redline_tables() -> set[str]:
    return set(_models().tables)


def schema_problems(connection: Connection) -> list[str]:
    """What the database lacks compared with this redline's models (tables, then columns),
    and of the full-text search index (:func:`storage.search.index_problems`).

    Types are not compared: reflection reports them differently per backend.
    Extra tables and columns are not problems (another tool may add its own).
    """
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    problems: list[str] = []
    for table in _models().sorted_tables:
        if table.name not in present:
            problems.append(f"table {table.name} is missing")
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column.name for column in table.columns if column.name not in columns]
        if missing:
            problems.append(f"table {table.name} lacks {', '.join(missing)}")
    from storage.search import index_problems

    return problems + index_problems(connection, present)


def not_redline(where: str, tables: list[str]) -> NotRedlineDatabase:
    shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
    return NotRedlineDatabase(
        f"{where} is not a redline database: it has tables ({shown}) and no redline revision"
    )


def translate_failure(
    exc: BaseException, where: str, sqlite_path: str | None, *, writing: bool = False
) -> DatabaseError:
    """The :class:`DatabaseError` (or subclass) a user sees for a driver failure.

    ``where`` names the database; ``sqlite_path`` is its file (None for PostgreSQL).
    """
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else ""
    lowered = message.lower()
    reason = damage_reason(exc, strict=writing)
    if reason is not None:
        return damaged(where, reason)
    if "file is not a database" in lowered:
        if sqlite_path and is_sqlite_file(sqlite_path):
            return damaged(where, message)
        return NotRedlineDatabase(f"{where} is not a redline database (not a SQLite file)")
    if getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501":  # insufficient_privilege
        return ReadOnly(
            f"read-only: this database role may not write to {where} ({message}); "
            "ask the database owner for write grants"
        )
    if "database is locked" in lowered or "lock timeout" in lowered:
        return DatabaseError(f"{where} is locked by another program (try again in a moment)")
    if "readonly database" in lowered:
        return DatabaseError(
            f"cannot write to {where}: it is read-only (check the permissions of the file, "
            "its directory and the file system)"
        )
    if "disk is full" in lowered:
        return DatabaseError(f"cannot write to {where}: the disk is full")
    if "disk i/o error" in lowered:
        return DatabaseError(f"cannot write to {where}: disk I/O error")
    if "unable to open database" in lowered:
        return DatabaseError(f"cannot open {where} (check the path and its permissions)")
    if "connection refused" in lowered or "could not connect" in lowered or "timeout" in lowered:
        return DatabaseError(f"cannot reach the database server at {where}: {message}")
    if getattr(exc, "connection_invalidated", False) or "terminating connection" in lowered:
        return DatabaseError(f"lost the connection to the database server at {where}: {message}")
    if "does not exist" in lowered and sqlite_path is None:
        return DatabaseError(f"{where}: {message}")
    return DatabaseError(f"database error on {where}: {message}")
