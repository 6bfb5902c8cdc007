"""Errors the storage library raises. Each one's ``str()`` is a single line a
user can act on; the CLI and the TUI print it as is."""

from __future__ import annotations


class StorageError(Exception):
    """Base class for every error redline reports to the user."""


class DatabaseError(StorageError):
    """The database cannot be opened, reached, or used."""


class DatabaseTooNew(DatabaseError):
    """The database was written by a newer redline (unknown migration)."""


class DatabaseOutdated(DatabaseError):
    """The database needs ``redline db upgrade`` before this redline can use it."""


class NoDatabase(DatabaseError):
    """There is no database where one was expected, and this command does not create one."""


class NotRedlineDatabase(DatabaseError):
    """The file or server database exists but is not (or no longer) a redline database."""


class DatabaseDamaged(DatabaseError):
    """The database is corrupt: SQLite found a malformed page, or rows cannot be decoded."""


class ReadOnly(DatabaseError):
    """The database role may not write (PostgreSQL ``insufficient_privilege``): reading works."""


class DatabaseGone(DatabaseError):
    """The SQLite file was deleted or replaced while redline had it open; nothing was saved."""


class NotFound(StorageError):
    """A referenced row does not exist."""


class Conflict(StorageError):
    """An action cannot be applied to the current state (e.g. a stale undo)."""
