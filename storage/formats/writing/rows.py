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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, String, bindparam, type_coerce
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from storage.formats.codec import FIGURE_ATTRS, EntityRef
from storage.formats.writing.damage import present
from storage.models import (
    Article,
    ArticleState,
    Entity,
    ExactDecimal,
    Figure,
    Span,
    TopicAssignment,
)

SpanRow = tuple[Any, ...]
"""One span: ``(start, end, text, label, status, origin, score, note, entity_id, figure, topic)``.

The first eight are the native JSONL span's keys in its order; ``figure`` is the
attribute dict (figure layer only, else None); ``topic`` the stored topic column."""
ROW_FIGURE = 9
ROW_TOPIC = 10

SPAN_COLUMNS = (
    Span.article_id, Span.annotator_id, Span.layer, Span.start, Span.end, Span.text, Span.label,
    Span.status, Span.origin, Span.score, Span.note, Span.entity_id, Span.topic, Span.id,
)  # fmt: skip
"""What a batch selects of a span; ``[3:12]`` is a :data:`SpanRow`'s first nine items."""
ROW_SPAN_ID = 13
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
_DECIMALS = ("value", "value_max")
_FLAGS = ("approximate", "change")
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


def linked_ids(spans: Iterable[tuple[Any, ...]], figures: Iterable[tuple[Any, ...]]) -> set[int]:
    """Every entity the rows link to: spans' entities and figures' subjects (``figures``:
    their :data:`FIGURE_COLUMNS` values)."""
    ids = {row[11] for row in spans if row[11] is not None}
    ids.update(row[_SUBJECT] for row in figures if row[_SUBJECT] is not None)
    return ids


def figure_values(
    kind: str, values: tuple[Any, ...] | None, entities: EntityTable
) -> dict[str, Any]:
    """The JSON-safe attributes of a figure span (``values``: its figure row's
    :data:`FIGURE_COLUMNS`; None, a span without a figure row, has the defaults).

    Values are exact decimals written as text, flags booleans (SQLite stores 0/1),
    the subject the canonical entity's JSON.
    """
    if values is None:  # no figure row: what a bare figure span means
        return {**_BARE_FIGURE, "kind": kind}
    figure = dict(zip(FIGURE_ATTRS, values, strict=True))
    for name in _DECIMALS:
        if figure[name] is not None:
            figure[name] = str(Decimal(figure[name]))
    for name in _FLAGS:
        figure[name] = bool(figure[name])
    subject = figure["subject"]
    if subject is not None:
        figure["subject"] = entities.json[subject]
    return figure


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
