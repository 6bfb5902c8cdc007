"""Writing an event's row images back (undo) or forward again (redo), refusing conflicts.

Before a step, the current rows must still equal the images they replace (or
already equal the images they write), so an undo never silently overwrites
someone else's later change; no row may be deleted while another still refers
to it, nor restored pointing at a row that is gone. Each refusal is a
:class:`~storage.errors.Conflict` naming the rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Session, SQLModel, select

from storage.errors import Conflict
from storage.row_images import TRACKED, Change, describe, image, meaningful, primary_key, row_id

REFERENCES: tuple[tuple[type[SQLModel], str, type[SQLModel]], ...] = tuple(
    (child, fk.parent.name, TRACKED[fk.column.table.name])
    for child in TRACKED.values()
    for fk in child.__table__.foreign_keys  # type: ignore[attr-defined]
    if fk.column.table.name in TRACKED and fk.ondelete is None
)
"""(child model, column, parent model) for every reference between tracked rows that
the database does not cascade: deleting a parent some child still names would fail."""


LOCK_CHUNK = 500
"""Rows locked per SELECT … FOR UPDATE (well under SQLite's and psycopg's parameter limits)."""


def _locked_rows(
    session: Session, wanted: list[tuple[str, dict[str, Any]]]
) -> dict[tuple[str, str], SQLModel]:
    """The rows as committed now, locked until the end of the transaction (PostgreSQL).

    One ``SELECT … WHERE id IN (…) FOR UPDATE`` per table and chunk rather than
    one per row (an undo of 5,000 suggestions); the result also keeps the rows
    alive in the session's (weak) identity map for the writes that follow.
    """
    found: dict[tuple[str, str], SQLModel] = {}
    by_table: dict[str, list[dict[str, Any]]] = {}
    for table, key in wanted:
        by_table.setdefault(table, []).append(key)
    for table, keys in by_table.items():
        model = TRACKED[table]
        columns = [column.key for column in model.__mapper__.primary_key]  # type: ignore[attr-defined]
        if len(columns) > 1:
            for key in keys:
                identity = tuple(key[name] for name in columns)
                row = session.get(model, identity, with_for_update=True, populate_existing=True)
                if row is not None:
                    found[row_id(table, key)] = row
            continue
        [name] = columns
        values = [key[name] for key in keys]
        for start in range(0, len(values), LOCK_CHUNK):
            chunk = values[start : start + LOCK_CHUNK]
            statement = (
                select(model)
                .where(getattr(model, name).in_(chunk))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            for row in session.exec(statement):
                found[row_id(table, {name: getattr(row, name)})] = row
    return found


def _check_not_referenced(
    session: Session,
    verb: str,
    table: str,
    row: SQLModel,
    besides: frozenset[tuple[str, str]] = frozenset(),
) -> None:
    """Refuse to delete ``row`` while a row outside ``besides`` still refers to it."""
    for child, column, parent in REFERENCES:
        if parent.__tablename__ != table:
            continue
        referring = getattr(child, column) == row.id  # type: ignore[attr-defined]
        found = session.exec(select(child).where(referring).limit(len(besides) + 2)).all()
        users = [
            user
            for user in found
            if row_id(child.__tablename__, primary_key(user)) not in besides  # type: ignore[arg-type]
        ]
        if users:
            more = " (and others)" if len(users) > 1 else ""
            raise Conflict(
                f"cannot {verb}: {describe(table, image(row))} is still used by "
                f"{describe(child.__tablename__, image(users[0]))}{more}"  # type: ignore[arg-type]
            )


def _check_targets_exist(
    session: Session, verb: str, table: str, target: dict[str, Any], current: SQLModel | None
) -> None:
    for child, column, parent in REFERENCES:
        if child.__tablename__ != table or target.get(column) is None:
            continue
        if current is not None and getattr(current, column) == target[column]:
            continue
        if session.get(parent, target[column]) is None:
            raise Conflict(
                f"cannot {verb}: {describe(table, target)} refers to "
                f"{parent.__tablename__} {target[column]}, which no longer exists"
            )


def _check_unique(session: Session, verb: str, table: str, target: dict[str, Any]) -> None:
    """A row coming back must not collide with one made since (e.g. the same topic
    assigned again by another program of the annotator)."""
    model = TRACKED[table]
    for constraint in model.__table__.constraints:  # type: ignore[attr-defined]
        if not isinstance(constraint, UniqueConstraint):
            continue
        columns = [column.key for column in constraint.columns]
        same = [getattr(model, name) == target[name] for name in columns]
        if session.exec(select(model).where(*same).limit(1)).first() is not None:
            raise Conflict(f"cannot {verb}: {describe(table, target)} is there again")


def apply_images(session: Session, changes: list[Change], *, undo: bool) -> None:
    """Roll ``changes`` back (``undo=True``) or forward again, checking for conflicts.

    The check is on the action's effect on each row — its image before the
    action's first change to it and after the last (a batch may change a row
    several times) — so the action is refused as a whole when any row it
    touched was changed since; a row already as the step would leave it is
    left alone. Then the changes are written in their order (reversed for
    undo), which keeps parents before the rows that refer to them.
    """
    verb = "undo" if undo else "redo"
    ordered = list(reversed(changes)) if undo else list(changes)
    effect: dict[tuple[str, str], list[Any]] = {}  # row → [expected now, target]
    for change in ordered:
        expected, target = (
            (change["after"], change["before"]) if undo else (change["before"], change["after"])
        )
        row = row_id(change["table"], change["key"])
        if row in effect:
            effect[row][1] = target
        else:
            effect[row] = [expected, target, change]
    already: set[tuple[str, str]] = set()
    rows = _locked_rows(
        session, [(change["table"], change["key"]) for _, _, change in effect.values()]
    )
    for row, (expected, target, change) in effect.items():
        table = change["table"]
        current = rows.get(row)
        now = meaningful(image(current) if current is not None else None)
        if now == meaningful(target):
            already.add(row)  # e.g. another program set the same article state
            continue
        if now != meaningful(expected):
            if target is None and current is not None:
                # The likelier cause, and the one to name: a row elsewhere still refers to it.
                _check_not_referenced(session, verb, table, current, frozenset(effect))
            what = describe(table, image(current)) if current is not None else f"the {table}"
            gone = " was deleted" if current is None else " was changed"
            raise Conflict(f"cannot {verb}: {what}{gone} since")
    unflushed: set[tuple[str, str]] = set()
    for change in ordered:
        table = change["table"]
        row = row_id(table, change["key"])
        if row in already:
            continue
        # Write what is pending when the table changes (the unit of work knows no
        # foreign keys between these models: parents must go first by hand) or a
        # row comes again; a run of rows of one table goes out as one batch.
        if unflushed and (row in unflushed or next(iter(unflushed))[0] != table):
            session.flush()
            unflushed.clear()
        unflushed.add(row)
        model = TRACKED[table]
        target = change["before"] if undo else change["after"]
        current = rows.get(row)  # as locked above, then as this loop left it
        if target is None:
            assert current is not None
            _check_not_referenced(session, verb, table, current)
            session.delete(current)
            del rows[row]
        else:
            _check_targets_exist(session, verb, table, target, current)
            restored = model.model_validate(target)
            if current is None:
                _check_unique(session, verb, table, target)
                session.add(restored)
                rows[row] = restored
            else:
                for name in target:
                    setattr(current, name, getattr(restored, name))
                session.add(current)
    session.flush()
