"""Recording the row changes of one action as row images (:mod:`storage.row_images`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic_core import PydanticUndefined, to_jsonable_python
from sqlalchemy import Table, insert
from sqlmodel import Session, SQLModel

from storage.row_ids import new_ids
from storage.row_images import image, meaningful, primary_key, stored_value_converters

Row = TypeVar("Row", bound=SQLModel)


class ChangeSet:
    """Collects the row changes of one action, inside one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.changes: list[dict[str, Any]] = []
        self.logged = False
        """Whether an event holding these changes was appended."""

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

    def insert_rows(
        self, model: type[SQLModel], values: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Insert one ``model`` row per dict with one Core ``executemany``; the rows as stored.

        For many rows of one action (an article's suggestions): no ORM object
        is loaded back, which cost most of ``insert_values``. Ids are taken up
        front (:func:`new_ids`), keys left out get the model's defaults, and
        the changes recorded hold the same images :func:`image` gives of the
        rows as loaded (undo compares them). The returned dicts are the Python
        values inserted, ids included, in input order.
        """
        if not values:
            return []
        table: Table = model.__table__  # type: ignore[attr-defined]
        columns = [column.key for column in table.columns]
        defaults = _defaults(model)
        rows = [
            {key: row[key] if key in row else defaults[key]() for key in columns} for row in values
        ]
        if "id" in table.columns:
            for row, new in zip(rows, new_ids(self.session, table, len(rows)), strict=True):
                row["id"] = new
        self.session.execute(insert(table), rows)
        keys = [column.key for column in table.primary_key.columns]
        converters = stored_value_converters(table)
        for after in to_jsonable_python([_as_stored(converters, row) for row in rows]):
            self.changes.append(
                {
                    "table": table.name,
                    "key": {key: after[key] for key in keys},
                    "before": None,
                    "after": after,
                }
            )
        return rows

    def update(self, row: SQLModel, **values: Any) -> SQLModel:
        before = image(row)
        for name, value in values.items():
            setattr(row, name, value)
        self.session.add(row)
        self.session.flush()
        after = image(row)
        if meaningful(before) != meaningful(after):
            self._record(row, before, after)
        return row

    def delete(self, row: SQLModel) -> None:
        before = image(row)
        self._record(row, before, None)
        self.session.delete(row)
        self.session.flush()


def _defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Column key -> a callable giving the model's default for a row that leaves it out."""
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            found[name] = info.default_factory
        elif info.default is not PydanticUndefined:
            found[name] = lambda default=info.default: default
    return found


def _as_stored(converters: dict[str, Callable[[Any], Any]], row: dict[str, Any]) -> dict[str, Any]:
    """``row`` as the database hands it back (``converters``: :func:`stored_value_converters`)."""
    stored = dict(row)
    for key, convert in converters.items():
        if stored[key] is not None:
            stored[key] = convert(stored[key])
    return stored
