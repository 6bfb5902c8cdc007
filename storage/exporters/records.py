"""What an exporter sees: one article with one annotator's annotations, read in batches.

Every format is written from the same :class:`ExportRecord`, so the choice of
*what* is exported (status, annotator, layers, suggestions) is made once, here,
and every format agrees on it. Records stream in batches of articles so a large
corpus never sits in memory as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from storage.db import Database
from storage.exporters.report import ExportError
from storage.formats.codec import EntityRef, figure_json
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


@dataclass
class ExportRecord:
    """An article as one annotator left it (``annotator`` None: nobody touched it)."""

    article: Article
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


def _pairs(session: Session, selection: Selection) -> list[Pair]:
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
        return _by_state(session, selection.status, found)
    if selection.status != "all":
        return _by_state(session, selection.status, None)
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
        annotators = sorted(by_article.get(article_id, []), key=lambda a: names[a])
        if annotators:
            pairs.extend((article_id, annotator) for annotator in annotators)
        else:
            pairs.append((article_id, None))
    return pairs


def _by_state(session: Session, state: str, annotator: int | None) -> list[Pair]:
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
    return sorted(rows, key=lambda pair: (pair[0], names[pair[1]]))


def plan(db: Database, selection: Selection) -> list[Pair]:
    """The records an export will write, so progress knows its total up front."""
    with db.reading() as session:
        return _pairs(session, selection)


def load_records(
    db: Database, selection: Selection, pairs: Sequence[Pair], batch: int = BATCH_ARTICLES
) -> Iterator[ExportRecord]:
    """The records for ``pairs``, loaded ``batch`` articles at a time."""
    for begin in range(0, len(pairs), batch):
        chunk = pairs[begin : begin + batch]
        with db.reading() as session:
            yield from _load_chunk(session, selection, chunk)


def _load_chunk(
    session: Session, selection: Selection, chunk: Sequence[Pair]
) -> list[ExportRecord]:
    article_ids = sorted({article_id for article_id, _ in chunk})
    annotator_ids = sorted({a for _, a in chunk if a is not None})
    articles = {
        article.id: article
        for article in session.exec(select(Article).where(col(Article.id).in_(article_ids)))
    }
    names = dict(session.exec(select(Annotator.id, Annotator.name)).all())
    states = {
        (row.article_id, row.annotator_id): row.state
        for row in session.exec(
            select(ArticleState).where(
                col(ArticleState.article_id).in_(article_ids),
                col(ArticleState.annotator_id).in_(annotator_ids),
            )
        )
    }
    spans = session.exec(
        select(Span)
        .where(
            col(Span.article_id).in_(article_ids),
            col(Span.annotator_id).in_(annotator_ids),
            col(Span.status).in_(selection.statuses),
            col(Span.layer).in_(selection.span_layers),
        )
        .order_by(Span.start, Span.end, Span.id)
    ).all()
    figures = {
        figure.span_id: figure
        for figure in session.exec(
            select(Figure).where(
                col(Figure.span_id).in_([s.id for s in spans if s.layer == "figure"])
            )
        )
    }
    entity_ids = {s.entity_id for s in spans if s.entity_id is not None}
    entity_ids |= {f.subject_id for f in figures.values() if f.subject_id is not None}
    entities = _entities(session, entity_ids)
    topics: list[TopicAssignment] = []
    if "topic" in selection.layers:
        topics = list(
            session.exec(
                select(TopicAssignment)
                .where(
                    col(TopicAssignment.article_id).in_(article_ids),
                    col(TopicAssignment.annotator_id).in_(annotator_ids),
                    col(TopicAssignment.status).in_(selection.statuses),
                )
                .order_by(TopicAssignment.id)
            ).all()
        )
    records: dict[Pair, ExportRecord] = {}
    for article_id, annotator in chunk:
        records[(article_id, annotator)] = ExportRecord(
            article=articles[article_id],
            annotator=names.get(annotator) if annotator is not None else None,
            state=states.get((article_id, annotator), "todo") if annotator else "todo",
        )
    for assignment in topics:
        record = records.get((assignment.article_id, assignment.annotator_id))
        if record is not None:
            record.topics.append(ExportTopic(assignment.topic, assignment.status, assignment.note))
    for span in spans:
        record = records.get((span.article_id, span.annotator_id))
        if record is None:
            continue
        exported = _export_span(span, figures.get(span.id or -1), entities)
        if span.layer == "entity":
            record.entities.append(exported)
        elif span.layer == "figure":
            record.figures.append(exported)
        else:
            _topic_of(record, span.topic or span.label).evidence.append(exported)
    return list(records.values())


def _topic_of(record: ExportRecord, key: str) -> ExportTopic:
    """The topic an evidence span belongs to (added when its assignment was filtered out)."""
    for topic in record.topics:
        if topic.key == key:
            return topic
    topic = ExportTopic(key)
    record.topics.append(topic)
    return topic


def _entities(session: Session, ids: set[int]) -> dict[int, EntityRef]:
    """Entity id → its canonical reference, following merges to the surviving entity."""
    found: dict[int, Entity] = {}
    pending = set(ids)
    while pending:
        rows = session.exec(select(Entity).where(col(Entity.id).in_(pending))).all()
        for row in rows:
            assert row.id is not None
            found[row.id] = row
        pending = {r.merged_into for r in rows if r.merged_into and r.merged_into not in found}
    result: dict[int, EntityRef] = {}
    for entity_id in ids:
        entity = found[entity_id]
        seen = {entity_id}
        while entity.merged_into is not None and entity.merged_into not in seen:
            seen.add(entity.merged_into)
            entity = found[entity.merged_into]
        result[entity_id] = EntityRef(entity.name, entity.type, entity.kb_id, tuple(entity.aliases))
    return result


def _export_span(span: Span, figure: Figure | None, entities: dict[int, EntityRef]) -> ExportSpan:
    figure_values = None
    if figure is not None:
        subject = entities.get(figure.subject_id) if figure.subject_id else None
        figure_values = figure_json(figure.model_dump(), subject)
    elif span.layer == "figure":
        defaults = {"kind": span.label, "scale": 1, "approximate": False, "change": False}
        figure_values = figure_json(defaults, None)
    return ExportSpan(
        layer=span.layer,
        label=span.label,
        start=span.start,
        end=span.end,
        text=span.text,
        status=span.status,
        origin=span.origin,
        score=span.score,
        note=span.note,
        topic=span.topic if span.layer == "evidence" else None,
        entity=entities.get(span.entity_id) if span.entity_id else None,
        figure=figure_values,
    )
