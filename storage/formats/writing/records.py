"""What an exporter sees: one article with one annotator's annotations, read in batches.

Every format is written from the same :class:`ExportRecord`, so the choice of
*what* is exported (status, annotator, layers, suggestions) is made once, here,
and every format agrees on it. Records stream in batches of articles so a large
corpus never sits in memory as a whole.

A damaged SQLite file can pass ``PRAGMA quick_check`` and still hold rows that
cannot be read (``Database.reading`` reports those) or rows that name an
article, annotator or entity that is not there (:func:`present` reports
those): either way one "database is damaged: …" line, never a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session, col, select

from storage.db import Database
from storage.formats.codec import EntityRef, figure_json
from storage.formats.writing.damage import present
from storage.formats.writing.report import ExportError
from storage.models import (
    ARTICLE_STATES,
    Annotator,
    Article,
    ArticleState,
    Entity,
    Figure,
    Span,
    TopicAssignment,
)

EXPORT_LAYERS = ("entity", "figure", "topic")
BATCH_ARTICLES = 100


@dataclass
class ExportSpan:
    """One span, with its figure attributes and canonical entity resolved."""

    layer: str
    label: str
    start: int
    end: int
    text: str
    status: str = "accepted"
    origin: str = "manual"
    score: float | None = None
    note: str | None = None
    topic: str | None = None
    entity: EntityRef | None = None
    figure: dict[str, Any] | None = None


@dataclass
class ExportTopic:
    key: str
    status: str = "accepted"
    note: str | None = None
    evidence: list[ExportSpan] = field(default_factory=list)


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


@dataclass
class ExportRecord:
    """An article as one annotator left it (``annotator`` None: nobody touched it)."""

    article: ExportArticle
    annotator: str | None
    state: str
    entities: list[ExportSpan] = field(default_factory=list)
    figures: list[ExportSpan] = field(default_factory=list)
    topics: list[ExportTopic] = field(default_factory=list)

    @property
    def evidence(self) -> list[ExportSpan]:
        return [span for topic in self.topics for span in topic.evidence]

    @property
    def spans(self) -> list[ExportSpan]:
        """Every span of every layer, in reading order."""
        return sorted(
            [*self.entities, *self.figures, *self.evidence], key=lambda s: (s.start, s.end)
        )

    def article_json(self) -> dict[str, Any]:
        """The article's metadata as JSON-safe values (text excluded)."""
        article = self.article
        return {
            "id": article.id,
            "sha256": article.sha256,
            "title": article.title,
            "source": article.source,
            "url": article.url,
            "published": article.published.isoformat() if article.published else None,
            "dateline": article.dateline,
            "lang": article.lang,
            "meta": article.meta,
        }


@dataclass(frozen=True)
class Selection:
    """Which annotations an export takes (the ``redline export`` options)."""

    status: str = "done"
    annotator: str = "all"
    layers: tuple[str, ...] = EXPORT_LAYERS
    include_suggested: bool = False

    def __post_init__(self) -> None:
        if self.status != "all" and self.status not in ARTICLE_STATES:
            raise ExportError(f"unknown status {self.status!r} (all, {', '.join(ARTICLE_STATES)})")
        unknown = set(self.layers) - set(EXPORT_LAYERS)
        if unknown or not self.layers:
            raise ExportError(
                f"unknown layer(s) {', '.join(sorted(unknown)) or '(none)'} "
                f"(choose from {', '.join(EXPORT_LAYERS)})"
            )

    @property
    def statuses(self) -> tuple[str, ...]:
        return ("accepted", "suggested") if self.include_suggested else ("accepted",)

    @property
    def span_layers(self) -> tuple[str, ...]:
        mapping = {"entity": "entity", "figure": "figure", "topic": "evidence"}
        return tuple(mapping[layer] for layer in self.layers)


Pair = tuple[int, int | None]


def _pairs(session: Session, selection: Selection, where: str) -> list[Pair]:
    """(article id, annotator id) of every record, in article then annotator order."""
    if selection.annotator != "all":
        found = session.exec(
            select(Annotator.id).where(Annotator.name == selection.annotator)
        ).first()
        if selection.status == "all":
            articles = session.exec(select(Article.id).order_by(Article.id)).all()
            return [(article_id, found) for article_id in articles]
        if found is None:
            return []
        return _by_state(session, selection.status, found, where)
    if selection.status != "all":
        return _by_state(session, selection.status, None, where)
    touched: set[Pair] = set()
    for model in (ArticleState, Span, TopicAssignment):
        touched.update(
            session.exec(select(model.article_id, model.annotator_id).distinct()).all()  # type: ignore[attr-defined]
        )
    names = dict(session.exec(select(Annotator.id, Annotator.name)).all())
    articles = session.exec(select(Article.id).order_by(Article.id)).all()
    by_article: dict[int, list[int]] = {}
    for article_id, annotator in touched:
        by_article.setdefault(article_id, []).append(annotator)
    pairs: list[Pair] = []
    for article_id in articles:
        annotators = sorted(
            by_article.get(article_id, []), key=lambda a: present(names, a, "annotator", where)
        )
        if annotators:
            pairs.extend((article_id, annotator) for annotator in annotators)
        else:
            pairs.append((article_id, None))
    return pairs


def _by_state(session: Session, state: str, annotator: int | None, where: str) -> list[Pair]:
    statement = select(ArticleState.article_id, ArticleState.annotator_id)
    if annotator is not None:
        statement = statement.where(ArticleState.annotator_id == annotator)
    if state == "todo":
        # An article nobody opened is "todo" without a row: only a single
        # annotator's view can name those.
        if annotator is None:
            raise ExportError("--status todo needs one --annotator, not all")
        others = select(ArticleState.article_id).where(
            ArticleState.annotator_id == annotator, ArticleState.state != "todo"
        )
        ids = session.exec(
            select(Article.id).where(col(Article.id).not_in(others)).order_by(Article.id)
        ).all()
        return [(article_id, annotator) for article_id in ids]
    rows = session.exec(statement.where(ArticleState.state == state)).all()
    names = dict(session.exec(select(Annotator.id, Annotator.name)).all())
    return sorted(rows, key=lambda pair: (pair[0], present(names, pair[1], "annotator", where)))


def plan(db: Database, selection: Selection) -> list[Pair]:
    """The records an export will write, so progress knows its total up front."""
    with db.reading() as session:
        return _pairs(session, selection, db.label)


def load_records(
    db: Database, selection: Selection, pairs: Sequence[Pair], batch: int = BATCH_ARTICLES
) -> Iterator[ExportRecord]:
    """The records for ``pairs``, loaded ``batch`` articles at a time."""
    for begin in range(0, len(pairs), batch):
        chunk = pairs[begin : begin + batch]
        with db.reading() as session:
            records = _load_chunk(session, selection, chunk, db.label)
        yield from records


SPAN_COLUMNS = (
    Span.id, Span.article_id, Span.annotator_id, Span.layer, Span.label, Span.start, Span.end,
    Span.text, Span.status, Span.origin, Span.score, Span.note, Span.topic, Span.entity_id,
)  # fmt: skip
"""What :func:`_load_chunk` selects of a span, in the order :func:`_export_span` unpacks."""
FIGURE_COLUMNS = tuple(getattr(Figure, name) for name in Figure.model_fields if name != "span_id")
FIGURE_KEYS = tuple(column.key for column in FIGURE_COLUMNS)
TOPIC_COLUMNS = (
    TopicAssignment.article_id, TopicAssignment.annotator_id, TopicAssignment.topic,
    TopicAssignment.status, TopicAssignment.note,
)  # fmt: skip
ENTITY_COLUMNS = (
    Entity.id, Entity.name, Entity.type, Entity.kb_id, Entity.aliases, Entity.merged_into,
)  # fmt: skip


def _load_chunk(
    session: Session, selection: Selection, chunk: Sequence[Pair], where: str
) -> list[ExportRecord]:
    """The records of ``chunk``, read as plain column values on the session's connection.

    Selecting columns (not ORM rows) and skipping the ORM result layer matters:
    building an ORM object per span, figure and article was most of an export.
    """
    connection = session.connection()
    article_ids = sorted({article_id for article_id, _ in chunk})
    annotator_ids = sorted({a for _, a in chunk if a is not None})
    records = _empty_records(connection, chunk, article_ids, annotator_ids, where)
    span_filter = (
        col(Span.article_id).in_(article_ids),
        col(Span.annotator_id).in_(annotator_ids),
        col(Span.status).in_(selection.statuses),
        col(Span.layer).in_(selection.span_layers),
    )
    # Grouped by record first, as the index is: each record still gets its spans by
    # (start, end, id), and SQLite only sorts within a record instead of the chunk.
    order = (Span.article_id, Span.annotator_id, Span.start, Span.end, Span.id)
    spans = connection.execute(select(*SPAN_COLUMNS).where(*span_filter).order_by(*order)).all()
    figures: dict[int, dict[str, Any]] = {}
    if "figure" in selection.span_layers:
        figure_rows = connection.execute(
            select(Figure.span_id, *FIGURE_COLUMNS)
            .join(Span, col(Span.id) == col(Figure.span_id))
            .where(*span_filter, Span.layer == "figure")
        ).all()
        figures = {row[0]: dict(zip(FIGURE_KEYS, row[1:], strict=True)) for row in figure_rows}
    entity_ids = {row.entity_id for row in spans if row.entity_id is not None}
    entity_ids |= {f["subject_id"] for f in figures.values() if f["subject_id"] is not None}
    entities = _entities(connection, entity_ids, where)
    if "topic" in selection.layers:
        topics = connection.execute(
            select(*TOPIC_COLUMNS)
            .where(
                col(TopicAssignment.article_id).in_(article_ids),
                col(TopicAssignment.annotator_id).in_(annotator_ids),
                col(TopicAssignment.status).in_(selection.statuses),
            )
            .order_by(TopicAssignment.id)
        )
        for article_id, annotator, topic, status, note in topics:
            record = records.get((article_id, annotator))
            if record is not None:
                record.topics.append(ExportTopic(topic, status, note))
    for row in spans:
        record = records.get((row.article_id, row.annotator_id))
        if record is None:
            continue
        exported = _export_span(row, figures.get(row.id), entities)
        if exported.layer == "entity":
            record.entities.append(exported)
        elif exported.layer == "figure":
            record.figures.append(exported)
        else:
            _topic_of(record, exported.topic or exported.label).evidence.append(exported)
    return list(records.values())


def _empty_records(
    connection: Connection,
    chunk: Sequence[Pair],
    article_ids: list[int],
    annotator_ids: list[int],
    where: str,
) -> dict[Pair, ExportRecord]:
    """One record per pair of ``chunk``, in order, with its article, annotator and state."""
    articles = {
        row[0]: ExportArticle(*row)
        for row in connection.execute(
            select(*ARTICLE_COLUMNS).where(col(Article.id).in_(article_ids))
        )
    }
    names = {key: name for key, name in connection.execute(select(Annotator.id, Annotator.name))}
    states = {
        (article_id, annotator): state
        for article_id, annotator, state in connection.execute(
            select(ArticleState.article_id, ArticleState.annotator_id, ArticleState.state).where(
                col(ArticleState.article_id).in_(article_ids),
                col(ArticleState.annotator_id).in_(annotator_ids),
            )
        )
    }
    return {
        (article_id, annotator): ExportRecord(
            article=present(articles, article_id, "article", where),
            annotator=present(names, annotator, "annotator", where)
            if annotator is not None
            else None,
            state=states.get((article_id, annotator), "todo") if annotator else "todo",
        )
        for article_id, annotator in chunk
    }


def _topic_of(record: ExportRecord, key: str) -> ExportTopic:
    """The topic an evidence span belongs to (added when its assignment was filtered out)."""
    for topic in record.topics:
        if topic.key == key:
            return topic
    topic = ExportTopic(key)
    record.topics.append(topic)
    return topic


def _entities(connection: Connection, ids: set[int], where: str) -> dict[int, EntityRef]:
    """Entity id → its canonical reference, following merges to the surviving entity."""
    found: dict[int, Any] = {}
    pending = set(ids)
    while pending:
        rows = connection.execute(select(*ENTITY_COLUMNS).where(col(Entity.id).in_(pending))).all()
        for row in rows:
            found[row.id] = row
        pending = {r.merged_into for r in rows if r.merged_into and r.merged_into not in found}
    result: dict[int, EntityRef] = {}
    for entity_id in ids:
        entity = present(found, entity_id, "entity", where)
        seen = {entity_id}
        while entity.merged_into is not None and entity.merged_into not in seen:
            seen.add(entity.merged_into)
            entity = present(found, entity.merged_into, "entity", where)
        result[entity_id] = EntityRef(entity.name, entity.type, entity.kb_id, tuple(entity.aliases))
    return result


def _export_span(
    row: Any, figure: dict[str, Any] | None, entities: dict[int, EntityRef]
) -> ExportSpan:
    """One selected span row (see ``SPAN_COLUMNS``) with its figure columns, as exported."""
    (_, _, _, layer, label, start, end, text, status, origin, score, note, topic, entity_id) = row
    figure_values = None
    if figure is not None:
        subject = entities.get(figure["subject_id"]) if figure["subject_id"] else None
        figure_values = figure_json(figure, subject)
    elif layer == "figure":
        defaults = {"kind": label, "scale": 1, "approximate": False, "change": False}
        figure_values = figure_json(defaults, None)
    return ExportSpan(
        layer, label, start, end, text, status, origin, score, note,
        topic if layer == "evidence" else None,
        entities.get(entity_id) if entity_id else None,
        figure_values,
    )  # fmt: skip
