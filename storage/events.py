"""The change log behind undo, redo and the audit trail.

Each user action is one :class:`~storage.models.Event` whose ``changes`` hold
row images: ``{"table", "key", "before", "after"}`` where an image is the
row as JSON (``None`` when the row did not exist). Undo writes the ``before``
images back in reverse order, redo the ``after`` images in order. Before
either, the current rows must still equal the images they replace, so an
undo never silently overwrites someone else's later change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlmodel import Session, SQLModel

from storage.errors import Conflict
from storage.models import (
    Article,
    ArticleState,
    Entity,
    Figure,
    Span,
    TopicAssignment,
)

TRACKED: dict[str, type[SQLModel]] = {
    model.__tablename__: model  # type: ignore[misc]
    for model in (Span, Figure, Entity, TopicAssignment, ArticleState, Article)
}
# Timestamps change on every write and say nothing about whether the row's
# meaning changed, so conflict checks ignore them.
VOLATILE = frozenset({"created_at", "updated_at"})
Row = TypeVar("Row", bound=SQLModel)


def image(row: SQLModel) -> dict[str, Any]:
    """A JSON-safe copy of a row."""
    return row.model_dump(mode="json")


def primary_key(row: SQLModel) -> dict[str, Any]:
    mapper = row.__mapper__  # type: ignore[attr-defined]
    return {column.key: getattr(row, column.key) for column in mapper.primary_key}


class ChangeSet:
    """Collects the row changes of one action, inside one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.changes: list[dict[str, Any]] = []

    def _record(self, row: SQLModel, before: dict[str, Any] | None, after: dict[str, Any] | None):
        self.changes.append(
            {
                "table": row.__tablename__,
                "key": primary_key(row),
                "before": before,
                "after": after,
            }
        )

    def insert(self, row: SQLModel) -> SQLModel:
        self.session.add(row)
        self.session.flush()
        self._record(row, None, image(row))
        return row

    def insert_values(self, model: type[Row], values: Sequence[dict[str, Any]]) -> list[Row]:
        """Insert one ``model`` row per dict in one statement; the stored rows, in input order.

        A bulk ``INSERT … RETURNING`` hands back loaded rows (ids, defaults),
        so many rows cost neither an ORM constructor each (most of the time of
        an import) nor a flush each. Keys left out take the column defaults;
        rows that need each other's ids go in separate calls, parents first.
        """
        if not values:
            return []
        statement = (
            insert(model)
            .returning(model, sort_by_parameter_order=True)
            .execution_options(render_nulls=True)
        )
        rows = list(self.session.scalars(statement, list(values)).all())
        for row in rows:
            self._record(row, None, image(row))
        return rows

    def update(self, row: SQLModel, **values: Any) -> SQLModel:
        before = image(row)
        for name, value in values.items():
            setattr(row, name, value)
        self.session.add(row)
        self.session.flush()
        after = image(row)
        if _meaningful(before) != _meaningful(after):
            self._record(row, before, after)
        return row

    def delete(self, row: SQLModel) -> None:
        before = image(row)
        self._record(row, before, None)
        self.session.delete(row)
        self.session.flush()


def _meaningful(row_image: dict[str, Any] | None) -> dict[str, Any] | None:
    if row_image is None:
        return None
    return {k: v for k, v in row_image.items() if k not in VOLATILE}


def apply_images(session: Session, changes: list[dict[str, Any]], *, undo: bool) -> None:
    """Roll ``changes`` back (``undo=True``) or forward again, checking for conflicts."""
    ordered = reversed(changes) if undo else changes
    for change in ordered:
        model = TRACKED[change["table"]]
        expected, target = (
            (change["after"], change["before"]) if undo else (change["before"], change["after"])
        )
        key = change["key"]
        current = session.get(model, key if len(key) > 1 else next(iter(key.values())))
        if _meaningful(image(current) if current is not None else None) != _meaningful(expected):
            raise Conflict(
                f"cannot {'undo' if undo else 'redo'}: the {change['table']} was changed since"
            )
        if target is None:
            session.delete(current)
        elif current is None:
            session.add(model.model_validate(target))
        else:
            restored = model.model_validate(target)
            for name in target:
                setattr(current, name, getattr(restored, name))
            session.add(current)
        session.flush()
