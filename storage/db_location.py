"""Where a database is: the URL a ``--db`` argument names, how messages show it, and
which SQLite paths to refuse before SQLite would create a file there."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from storage.db_health import is_sqlite_file
from storage.errors import DatabaseError, NoDatabase, NotRedlineDatabase


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


def check_sqlite_path(path: str, create: bool) -> None:
    """Refuse what cannot be a database, or is none, before SQLite creates a file."""
    location = Path(path)
    if location.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file")
    if not location.exists():
        if not create:
            raise NoDatabase(f"no database at {path}; run `redline import` to create one")
        if not location.parent.is_dir():
            raise DatabaseError(f"cannot create database {path}: no directory {location.parent}")
        return
    try:
        size = location.stat().st_size
    except OSError:
        return  # SQLite reports what is wrong with it when it opens the file
    if size == 0 and not create:  # SQLite would write a header on connecting
        raise NoDatabase(
            f"{path} is an empty database; run `redline import` to create redline's tables in it"
        )
    if size and not is_sqlite_file(location) and location.is_file():
        raise NotRedlineDatabase(f"{path} is not a redline database (not a SQLite file)")
