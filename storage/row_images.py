"""Row images: the JSON copies of tracked rows that an event's changes hold.

A change is ``{"table", "key", "before", "after"}`` where ``before`` and
``after`` are images (``None`` when the row did not exist). These helpers are
shared by :class:`~storage.change_set.ChangeSet` (which records them), the
event log and :mod:`storage.replay` (which writes them back).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import Date, DateTime, Float, Table
from sqlmodel import SQLModel

from storage.models import (
    Article,
    ArticleState,
    Entity,
    ExactDecimal,
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

Change = dict[str, Any]
"""One row change: ``{"table", "key", "before", "after"}``."""


def image(row: SQLModel) -> dict[str, Any]:
    """A JSON-safe copy of a row."""
    return row.model_dump(mode="json")


def stored_value_converters(table: Table) -> dict[str, Callable[[Any], Any]]:
    """Per column whose values are not JSON already, what :func:`image` makes of a value once
    stored and loaded (an exact decimal's string, a float, an ISO timestamp).

    Bulk inserts build their rows' images from the inserted values with these,
    so the images equal those of the rows as loaded (undo compares them).
    """
    found: dict[str, Callable[[Any], Any]] = {}
    for column in table.columns:
        if isinstance(column.type, ExactDecimal):
            found[column.key] = lambda value: str(Decimal(value))
        elif isinstance(column.type, Float):
            found[column.key] = float
        elif isinstance(getattr(column.type, "impl_instance", column.type), DateTime | Date):
            found[column.key] = to_jsonable_python
    return found


def primary_key(row: SQLModel) -> dict[str, Any]:
    mapper = row.__mapper__  # type: ignore[attr-defined]
    return {column.key: getattr(row, column.key) for column in mapper.primary_key}


def meaningful(row_image: dict[str, Any] | None) -> dict[str, Any] | None:
    """``row_image`` without its :data:`VOLATILE` columns: what conflict checks compare."""
    if row_image is None:
        return None
    return {k: v for k, v in row_image.items() if k not in VOLATILE}


def row_id(table: str, key: dict[str, Any]) -> tuple[str, str]:
    """A hashable name for the row ``key`` of ``table`` (keys are dicts, possibly composite)."""
    return table, repr(sorted(key.items()))


def _one_line(text: str, limit: int = 40) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe(table: str, row: dict[str, Any]) -> str:
    """A row as a user knows it, for conflict messages."""
    if table == "span":
        return f'span "{_one_line(row["text"])}" in article {row["article_id"]}'
    if table == "entity":
        return f'entity "{_one_line(row["name"])}"'
    if table == "figure":
        return f"the figure of span {row['span_id']}"
    if table == "topicassignment":
        return f'topic "{_one_line(row["topic"])}" of article {row["article_id"]}'
    if table == "articlestate":
        return f"the state of article {row['article_id']}"
    return f"{table} {row.get('id', '')}".strip()
