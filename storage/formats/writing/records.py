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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session, col, select

from storage.db import Database
from storage.formats.codec import EntityRef
from storage.formats.writing.damage import present
from storage.formats.writing.report import ExportError
from storage.formats.writing.rows import (
    ANNOTATOR_NAMES,
    QUERIES,
    ROW_ANNOTATOR,
    ROW_ARTICLE,
    ROW_FIGURE,
    ROW_LAYER,
    ROW_SPAN_ID,
    ROW_TOPIC,
    EntityTable,
    ExportArticle,
    Queries,
    SpanRow,
    article_rows,
    entity_table,
    figure_values,
    linked_ids,
    plain_rows,
)
from storage.models import (
    ARTICLE_STATES,
    Annotator,
    Article,
    ArticleState,
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


TopicRow = tuple[str, str | None, list[SpanRow]]
"""A topic as read: (status, note, its evidence spans)."""


@dataclass
class ExportTopic:
    key: str
    status: str = "accepted"
    note: str | None = None
    evidence: list[ExportSpan] = field(default_factory=list)


@dataclass
class ExportRecord:
    """An article as one annotator left it (``annotator`` None: nobody touched it).

    The annotations are held as read (:data:`~storage.formats.writing.rows.SpanRow`
    tuples, topics by key); ``entities``, ``figures`` and ``topics`` are typed
    views built on first use, so a writer that works from the rows (native JSONL)
    never pays for them.
    """

    article: ExportArticle
    annotator: str | None
    state: str
    entity_rows: list[SpanRow] = field(default_factory=list)
    figure_rows: list[SpanRow] = field(default_factory=list)
    topic_rows: dict[str, TopicRow] = field(default_factory=dict)
    """Topic key → (status, note, evidence rows), in assignment order."""
    linked: EntityTable = field(default_factory=EntityTable)

    def _spans(self, rows: list[SpanRow], layer: str) -> list[ExportSpan]:
        refs = self.linked.refs
        return [
            ExportSpan(layer, label, start, end, text, status, origin, score, note,
                       topic if layer == "evidence" else None,
                       refs.get(entity_id) if entity_id else None,
                       figure if layer == "figure" else None)
            for start, end, text, label, status, origin, score, note, entity_id, figure, topic,
                _, _, _, _ in rows
        ]  # fmt: skip

    @cached_property
    def entities(self) -> list[ExportSpan]:
        return self._spans(self.entity_rows, "entity")

    @cached_property
    def figures(self) -> list[ExportSpan]:
        return self._spans(self.figure_rows, "figure")

    @cached_property
    def topics(self) -> list[ExportTopic]:
        return [
            ExportTopic(key, status, note, self._spans(evidence, "evidence"))
            for key, (status, note, evidence) in self.topic_rows.items()
        ]

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


def _load_chunk(
    session: Session, selection: Selection, chunk: Sequence[Pair], where: str
) -> list[ExportRecord]:
    """The records of ``chunk``: one query each for articles, states, spans, figures,
    linked entities and topics, read as plain column values (no ORM objects: building
    one per span, figure and article was most of an export; and no ``Row`` per span)."""
    connection = session.connection()
    article_ids = sorted({article_id for article_id, _ in chunk})
    params = {
        "annotators": sorted({a for _, a in chunk if a is not None}),
        "statuses": list(selection.statuses),
        "layers": list(selection.span_layers),
    }
    dense = article_ids[-1] - article_ids[0] < 2 * len(article_ids)
    if dense:
        params["first"], params["last"] = article_ids[0], article_ids[-1]
    else:
        params["articles"] = article_ids
    queries = QUERIES[dense]
    spans = plain_rows(connection, queries.spans, params)
    figures: dict[int, tuple[Any, ...]] = {}
    if "figure" in selection.span_layers:
        figures = {row[0]: row[1:] for row in plain_rows(connection, queries.figures, params)}
    linked = entity_table(connection, linked_ids(spans, figures.values()), where)
    records = _empty_records(connection, chunk, queries, params, where, linked)
    if "topic" in selection.layers:
        for article_id, annotator, topic, status, note in plain_rows(
            connection, queries.topics, params
        ):
            record = records.get((article_id, annotator))
            if record is not None:
                record.topic_rows.setdefault(topic, (status, note, []))
    for key, rows in groupby(spans, _RECORD_KEY):
        record = records.get(key)
        if record is None:
            continue
        entity_rows, figure_rows, topic_rows = (
            record.entity_rows, record.figure_rows, record.topic_rows
        )  # fmt: skip
        for row in rows:
            layer = row[ROW_LAYER]
            if layer == "entity":
                entity_rows.append(row)
            elif layer == "figure":
                figure = figure_values(row[3], figures.get(row[ROW_SPAN_ID]), linked)
                figure_rows.append((*row[:ROW_FIGURE], figure, *row[ROW_TOPIC:]))
            else:
                topic_key = row[ROW_TOPIC] or row[3]
                if topic_key not in topic_rows:  # its assignment was filtered out
                    topic_rows[topic_key] = ("accepted", None, [])
                topic_rows[topic_key][2].append(row)
    return list(records.values())


_RECORD_KEY = itemgetter(ROW_ARTICLE, ROW_ANNOTATOR)


def _empty_records(
    connection: Connection,
    chunk: Sequence[Pair],
    queries: Queries,
    params: dict[str, Any],
    where: str,
    linked: EntityTable,
) -> dict[Pair, ExportRecord]:
    """One record per pair of ``chunk``, in order, with its article, annotator and state."""
    articles = {row[0]: ExportArticle(*row) for row in article_rows(connection, queries, params)}
    names = dict(plain_rows(connection, ANNOTATOR_NAMES, {}))
    states = {
        (article_id, annotator): state
        for article_id, annotator, state in plain_rows(connection, queries.states, params)
    }
    return {
        (article_id, annotator): ExportRecord(
            article=present(articles, article_id, "article", where),
            annotator=present(names, annotator, "annotator", where)
            if annotator is not None
            else None,
            state=states.get((article_id, annotator), "todo") if annotator else "todo",
            linked=linked,
        )
        for article_id, annotator in chunk
    }
