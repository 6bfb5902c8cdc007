"""Allocating row ids up front, for bulk inserts that do not load rows back."""

from __future__ import annotations

from sqlalchemy import Table, text
from sqlmodel import Session


def new_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` unused ids of ``table``, never an id a deleted row had (undo restores those).

    PostgreSQL: from the table's sequence. SQLite: past both the AUTOINCREMENT
    counter and the largest id; a write transaction holds the lock (``BEGIN
    IMMEDIATE``), so nobody else takes them meanwhile, and inserting them
    moves the counter on.
    """
    if session.get_bind().dialect.name == "postgresql":
        statement = text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        return list(session.execute(statement, {"table": table.name, "n": count}).scalars())
    last = session.execute(
        text(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = :table), 0), "
            f'coalesce((SELECT max(id) FROM "{table.name}"), 0))'
        ),
        {"table": table.name},
    ).scalar_one()
    return list(range(last + 1, last + 1 + count))
