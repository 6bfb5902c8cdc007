"""One batch of export records read as plain rows: one query per table, no object per span.

An export's time is spent per span, so a span stays the tuple the database
returned, reshaped once into a :data:`SpanRow`; its figure attributes are one
dict built from the columns named by :data:`storage.formats.codec.FIGURE_ATTRS`
(the one list of figure attributes, in the order exports write them), and each
linked entity is resolved once per batch (:class:`EntityTable`). The native
JSONL writer turns these rows straight into its lines; the other formats ask a
record for typed :class:`~storage.formats.writing.records.ExportSpan` views.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Select, String, bindparam, null, type_coerce
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from storage.formats.codec import FIGURE_ATTRS, EntityRef
from storage.formats.writing.damage import present
from storage.models import (
    Annotator,
    Article,
    ArticleState,
    Entity,
    ExactDecimal,
    Figure,
    Span,
    TopicAssignment,
)

SpanRow = tuple[Any, ...]
"""One span as read: ``(start, end, text, label, status, origin, score, note, entity_id,
figure, topic, article_id, annotator_id, layer, span id)``.

The first eight are the native JSONL span's keys in its order; ``figure`` is the
attribute dict (figure layer only; the query selects NULL there, so an entity's or an
evidence span's row is kept as the driver returned it); ``topic`` the stored topic column."""
ROW_FIGURE = 9
ROW_TOPIC = 10
ROW_ARTICLE, ROW_ANNOTATOR, ROW_LAYER, ROW_SPAN_ID = 11, 12, 13, 14

SPAN_COLUMNS = (
    Span.start, Span.end, Span.text, Span.label, Span.status, Span.origin, Span.score,
    Span.note, Span.entity_id, null().label("figure"), Span.topic,
    Span.article_id, Span.annotator_id, Span.layer, Span.id,
)  # fmt: skip
"""What a batch selects of a span: a :data:`SpanRow`."""
FIGURE_COLUMNS = tuple(
    type_coerce(column, String) if isinstance(column.type, ExactDecimal) else column
    for column in (
        Figure.__table__.c["subject_id" if name == "subject" else name]  # type: ignore[attr-defined]
        for name in FIGURE_ATTRS
    )
)
"""A figure's columns in :data:`FIGURE_ATTRS` order (``subject`` is stored as ``subject_id``).

Exact decimals are read as their stored text (made canonical by :func:`figure_values`):
the column type's converter, called for every row of the outer join, cost more than
the rest of a span."""
_SUBJECT = FIGURE_ATTRS.index("subject")
_BARE_FIGURE: dict[str, Any] = {
    **dict.fromkeys(FIGURE_ATTRS),
    "scale": 1,
    "approximate": False,
    "change": False,
}
ENTITY_COLUMNS = (
    Entity.id, Entity.name, Entity.type, Entity.kb_id, Entity.aliases, Entity.merged_into,
)  # fmt: skip


@dataclass
class EntityTable:
    """The canonical entities a batch links to: id → reference, and → its JSON (built once)."""

    refs: dict[int, EntityRef] = field(default_factory=dict)
    json: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ExportArticle:
    """The article columns an export writes (plain values: no ORM object per article)."""

    id: int
    sha256: str
    title: str
    text: str
    source: str | None
    url: str | None
    published: dt.date | None
    dateline: str | None
    lang: str
    meta: dict[str, Any]


ARTICLE_COLUMNS = tuple(getattr(Article, item.name) for item in fields(ExportArticle))
"""What :func:`_load_chunk` selects, in :class:`ExportArticle` field order."""
ANNOTATOR_NAMES = select(Annotator.id, Annotator.name)


TOPIC_COLUMNS = (
    TopicAssignment.article_id, TopicAssignment.annotator_id, TopicAssignment.topic,
    TopicAssignment.status, TopicAssignment.note,
)  # fmt: skip
_ARTICLES, _ANNOTATORS, _STATUSES, _LAYERS = (
    bindparam(name, expanding=True) for name in ("articles", "annotators", "statuses", "layers")
)


@dataclass(frozen=True)
class Queries:
    """A batch's statements, built once: a batch passes its ids as parameters, so
    SQLAlchemy neither coerces every id into an expression nor compiles again.

    ``dense``: the batch's article ids fill most of their range (a whole-corpus
    export), so they are asked for as ``BETWEEN :first AND :last`` (an index range,
    no list to expand); else as ``IN``. Rows of articles outside the batch are skipped.
    """

    articles: Select[Any]
    states: Select[Any]
    topics: Select[Any]
    spans: Select[Any]
    figures: Select[Any]
    """The selected spans' figure rows: ``(span id, *FIGURE_COLUMNS)``.

    Read apart from the spans and looked up by span id: an outer join made every
    span row twice as wide, and SQLite sorted all those columns for the order."""

    @classmethod
    def build(cls, dense: bool) -> Queries:
        def of(column: Any) -> Any:
            if dense:
                return col(column).between(bindparam("first"), bindparam("last"))
            return col(column).in_(_ARTICLES)

        span_filter = (
            of(Span.article_id),
            col(Span.annotator_id).in_(_ANNOTATORS),
            col(Span.status).in_(_STATUSES),
            col(Span.layer).in_(_LAYERS),
        )
        states = (ArticleState.article_id, ArticleState.annotator_id, ArticleState.state)
        return cls(
            articles=select(*ARTICLE_COLUMNS).where(of(Article.id)),
            states=select(*states).where(
                of(ArticleState.article_id), col(ArticleState.annotator_id).in_(_ANNOTATORS)
            ),
            topics=select(*TOPIC_COLUMNS)
            .where(
                of(TopicAssignment.article_id),
                col(TopicAssignment.annotator_id).in_(_ANNOTATORS),
                col(TopicAssignment.status).in_(_STATUSES),
            )
            .order_by(TopicAssignment.id),
            spans=span_statement(span_filter),
            figures=select(Figure.span_id, *FIGURE_COLUMNS)
            .join(Span, col(Span.id) == col(Figure.span_id))
            .where(*span_filter, col(Span.layer) == "figure"),
        )


def span_statement(where: Sequence[Any]) -> Select[Any]:
    """The selected spans, grouped by record, in (start, end, id) order.

    Grouped by record first, as the index is: SQLite then only sorts within a record.
    """
    order = (Span.article_id, Span.annotator_id, Span.start, Span.end, Span.id)
    return select(*SPAN_COLUMNS).where(*where).order_by(*order)


QUERIES = {dense: Queries.build(dense) for dense in (False, True)}
"""The batch statements for sparse and dense article ids."""


def plain_rows(
    connection: Connection, statement: Select[Any], params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """The statement's rows as the driver's tuples: no ``Row`` and no result processor each.

    Only for statements whose columns need no conversion on either backend (those of
    spans and figures: the flags, SQLite's 0/1, are made booleans by :func:`figure_values`).
    SQLAlchemy still compiles, caches and expands the statement; a driver error while
    fetching is wrapped as SQLAlchemy's would be, so ``Database.reading`` reports it.
    """
    result = connection.execute(statement, params)
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        return result.cursor.fetchall()
    except dbapi_error as error:
        raise DBAPIError.instance(None, None, error, dbapi_error) from error
    finally:
        result.close()


@lru_cache(maxsize=8)
def _article_converters(dialect: Dialect) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """``(index, converter)`` of the article columns the dialect converts (SQLite: the
    date and the JSON metadata; PostgreSQL's driver hands both back converted)."""
    table = Article.__table__  # type: ignore[attr-defined]
    found = []
    for index, item in enumerate(fields(ExportArticle)):
        column_type = table.c[item.name].type
        converter = column_type.dialect_impl(dialect).result_processor(dialect, None)
        if converter is not None:
            found.append((index, converter))
    return tuple(found)


def article_rows(
    connection: Connection, queries: Queries, params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """The batch's article rows (:class:`ExportArticle` fields), converted as SQLAlchemy
    would (a bad stored date raises the same ``ValueError``, reported as damage)."""
    rows = plain_rows(connection, queries.articles, params)
    converters = _article_converters(connection.dialect)
    if not converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for index, converter in converters:
            values[index] = converter(values[index])
        converted.append(tuple(values))
    return converted


def linked_ids(spans: Iterable[SpanRow], figures: Iterable[tuple[Any, ...]]) -> set[int]:
    """Every entity the rows link to: spans' entities and figures' subjects (``figures``:
    their :data:`FIGURE_COLUMNS` values)."""
    ids = {row[8] for row in spans if row[8] is not None}
    ids.update(row[_SUBJECT] for row in figures if row[_SUBJECT] is not None)
    return ids


@lru_cache(maxsize=4096)
def canonical_decimal(text: str) -> str:
    """A stored exact decimal as exports write it (the same figure values recur)."""
    return str(Decimal(text))


def figure_values(
    kind: str, values: tuple[Any, ...] | None, entities: EntityTable
) -> dict[str, Any]:
    """The JSON-safe attributes of a figure span (``values``: its figure row's
    :data:`FIGURE_COLUMNS`; None, a span without a figure row, has the defaults).

    Values are exact decimals written as text, flags booleans (SQLite stores 0/1),
    the subject the canonical entity's JSON. One dict display, keys in
    :data:`FIGURE_ATTRS` order (``dict(zip(...))`` cost half as much again).
    """
    if values is None:  # no figure row: what a bare figure span means
        return {**_BARE_FIGURE, "kind": kind}
    (stored_kind, value, value_max, unit, scale, metric, period, subject, approximate, bound,
     change, direction, date_value) = values  # fmt: skip
    return {
        "kind": stored_kind,
        "value": None if value is None else canonical_decimal(value),
        "value_max": None if value_max is None else canonical_decimal(value_max),
        "unit": unit, "scale": scale, "metric": metric, "period": period,
        "subject": None if subject is None else entities.json[subject],
        "approximate": bool(approximate), "bound": bound, "change": bool(change),
        "direction": direction, "date_value": date_value,
    }  # fmt: skip


def entity_table(connection: Connection, ids: set[int], where: str) -> EntityTable:
    """Entity id → its canonical reference, following merges to the surviving entity."""
    found: dict[int, Any] = {}
    pending = set(ids)
    while pending:
        rows = connection.execute(select(*ENTITY_COLUMNS).where(col(Entity.id).in_(pending))).all()
        for row in rows:
            found[row.id] = row
        pending = {r.merged_into for r in rows if r.merged_into and r.merged_into not in found}
    table = EntityTable()
    for entity_id in ids:
        entity = present(found, entity_id, "entity", where)
        seen = {entity_id}
        while entity.merged_into is not None and entity.merged_into not in seen:
            seen.add(entity.merged_into)
            entity = present(found, entity.merged_into, "entity", where)
        ref = EntityRef(entity.name, entity.type, entity.kb_id, tuple(entity.aliases))
        table.refs[entity_id] = ref
        table.json[entity_id] = ref.to_json()
    return table
