"""Which schema a database has, and what ``open_db`` and ``redline db upgrade`` do about it.

A redline database has redline's tables and an ``alembic_version`` row. Open
refuses anything else with one line: empty (when not creating), foreign
(tables, none of them redline's), unrevisioned (redline's tables, no revision
row), newer or older than this redline, or at this revision but missing tables
or columns (someone dropped ``span``). ``db upgrade`` applies the migrations,
then checks the result matches the models, so "up to date" is a promise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.db_health import not_redline, redline_tables
from storage.errors import (
    DatabaseError,
    DatabaseOutdated,
    DatabaseTooNew,
    NoDatabase,
    NotRedlineDatabase,
)
from storage.migrations import HEAD_REVISION, KNOWN_REVISIONS

if TYPE_CHECKING:
    from storage.db import Database


def unrevisioned(db: Database, tables: list[str]) -> DatabaseError:
    """The error for a database with tables but no revision row."""
    if not redline_tables() & set(tables):
        return not_redline(db.label, tables)
    problems = db.schema_problems()
    if problems:
        return NotRedlineDatabase(
            f"{db.label} has some of redline's tables but no schema revision, and "
            f"{'; '.join(problems)}: restore it from a backup"
        )
    return DatabaseError(
        f"{db.label} has redline's tables but no schema revision (its alembic_version row "
        f"is missing); they match revision {HEAD_REVISION}: run `redline db upgrade --stamp` "
        "to record it"
    )


def unknown_revision(db: Database, revision: str) -> DatabaseError:
    """A revision this redline does not know: a newer redline's, or another program's."""
    if not redline_tables() & set(db.table_names()):
        return not_redline(db.label, [t for t in db.table_names() if t != "alembic_version"])
    return DatabaseTooNew(
        f"{db.label} is at schema revision {revision}, newer than this redline "
        f"(knows up to {HEAD_REVISION}); upgrade redline to open it"
    )


def check_schema(db: Database, revision: str) -> None:
    """Refuse a database at ``revision`` whose tables lack what the models need."""
    problems = db.schema_problems()
    if problems:
        raise DatabaseError(
            f"{db.label} does not match its schema revision {revision}: "
            f"{'; '.join(problems)} (restore it from a backup)"
        )


def check_revision(db: Database, *, create: bool = True) -> None:
    """Refuse a database this redline cannot use; create the tables of an empty one."""
    db.check_intact()
    revision = db.current_revision()
    if revision == HEAD_REVISION:
        check_schema(db, revision)
        return
    if revision is None:
        tables = db.table_names()
        if not tables:
            if not create:
                raise NoDatabase(
                    f"{db.label} is an empty database; run `redline import` to create "
                    "redline's tables in it"
                )
            db.upgrade()
            return
        raise unrevisioned(db, tables)
    if revision not in KNOWN_REVISIONS:
        raise unknown_revision(db, revision)
    raise DatabaseOutdated(
        f"{db.label} is at schema revision {revision}; run `redline db upgrade` first"
    )


def migrate(db: Database, *, stamp: bool = False) -> tuple[str | None, str]:
    """``redline db upgrade [--stamp]``: (revision before, revision after).

    ``stamp`` records the head revision on redline tables that lost their
    revision row but match this redline's models exactly; it never runs a
    migration, so it cannot add redline's tables to someone else's database.
    """
    db.check_intact()
    before = db.current_revision()
    if before is not None and before not in KNOWN_REVISIONS:
        raise unknown_revision(db, before)
    if before is None:
        tables = [table for table in db.table_names() if table != "alembic_version"]
        if tables:
            error = unrevisioned(db, tables)
            if not stamp or type(error) is not DatabaseError:
                raise error
            return None, db.stamp()
    elif stamp:
        raise DatabaseError(
            f"{db.label} already records revision {before}; --stamp is only for redline "
            "tables without one"
        )
    after = db.upgrade()
    check_schema(db, after)
    return before, after
