"""Read-side queries: an article's annotations, entities, statistics.

Nothing here writes. The library list (paged and filtered in SQL) is
:mod:`storage.library`; its names are re-exported here, where most callers
take them from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from storage.db import Database
from storage.library import (
    LIKE_ESCAPE,
    ArticleRow,
    LibraryQuery,
    SortKey,
    annotator_id_of,
    count_articles,
    like_pattern,
    list_articles,
    progress,
)
from storage.models import Article, ArticleState, Entity, Figure, Span, TopicAssignment

__all__ = [
    "LIKE_ESCAPE",
    "SPAN_COLUMNS",
    "ArticleRow",
    "LibraryQuery",
    "SortKey",
    "Stats",
    "article_ids",
    "article_state",
    "count_articles",
    "entities",
    "entities_by_id",
    "entity_mentions",
    "figures_for",
    "first_not_done",
    "get_article",
    "get_span",
    "like_pattern",
    "list_articles",
    "progress",
    "span_rows",
    "spans_for",
    "stats",
    "topics_for",
]


@dataclass
class Stats:
    articles: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    spans_by_label: Counter[tuple[str, str]] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    figure_kinds: Counter[str] = field(default_factory=Counter)
    suggested: int = 0
    entities: int = 0


def article_ids(db: Database) -> list[int]:
    """Every article id in library order (for previous/next article)."""
    with db.reading() as session:
        return list(session.exec(select(Article.id).order_by(Article.id)).all())


def first_not_done(db: Database, annotator: str) -> int | None:
    with db.reading() as session:
        annotator_id = annotator_id_of(session, annotator) or -1
        done = select(ArticleState.article_id).where(
            ArticleState.annotator_id == annotator_id,
            col(ArticleState.state).in_(("done", "skipped")),
        )
        return session.exec(
            select(Article.id).where(col(Article.id).not_in(done)).order_by(Article.id).limit(1)
        ).first()


def get_article(db: Database, article_id: int) -> Article | None:
    with db.reading() as session:
        return session.get(Article, article_id)


def get_span(db: Database, span_id: int) -> Span | None:
    with db.reading() as session:
        return session.get(Span, span_id)


def article_state(db: Database, article_id: int, annotator: str) -> str:
    with db.reading() as session:
        annotator_id = annotator_id_of(session, annotator) or -1
        state = session.get(ArticleState, (article_id, annotator_id))
        return state.state if state else "todo"


def spans_for(
    db: Database,
    article_id: int,
    annotator: str,
    *,
    statuses: tuple[str, ...] = ("accepted", "suggested"),
    layers: tuple[str, ...] | None = None,
) -> list[Span]:
    """One annotator's spans on an article, in reading order."""
    return spans_of_articles(db, [article_id], annotator, statuses=statuses, layers=layers)[
        article_id
    ]


def spans_of_articles(
    db: Database,
    article_ids: Sequence[int],
    annotator: str,
    *,
    statuses: tuple[str, ...] = ("accepted", "suggested"),
    layers: tuple[str, ...] | None = None,
) -> dict[int, list[Span]]:
    """:func:`spans_for` of several articles, read with one query (a batch of ``suggest``)."""
    found: dict[int, list[Span]] = {article_id: [] for article_id in article_ids}
    if not found:
        return found
    with db.reading() as session:
        annotator_id = annotator_id_of(session, annotator) or -1
        statement = select(Span).where(
            col(Span.article_id).in_(list(found)),
            Span.annotator_id == annotator_id,
            col(Span.status).in_(statuses),
        )
        if layers is not None:
            statement = statement.where(col(Span.layer).in_(layers))
        rows = session.exec(statement.order_by(Span.article_id, Span.start, Span.end, Span.id))
        for span in rows.all():
            found[span.article_id].append(span)
    return found


def figures_for(db: Database, span_ids: list[int]) -> dict[int, Figure]:
    if not span_ids:
        return {}
    with db.reading() as session:
        rows = session.exec(select(Figure).where(col(Figure.span_id).in_(span_ids))).all()
        return {figure.span_id: figure for figure in rows}


def topics_for(db: Database, article_id: int, annotator: str) -> list[TopicAssignment]:
    with db.reading() as session:
        annotator_id = annotator_id_of(session, annotator) or -1
        return list(
            session.exec(
                select(TopicAssignment)
                .where(
                    TopicAssignment.article_id == article_id,
                    TopicAssignment.annotator_id == annotator_id,
                )
                .order_by(TopicAssignment.id)
            ).all()
        )


def entities(db: Database, type: str | None = None, include_merged: bool = False) -> list[Entity]:
    with db.reading() as session:
        statement = select(Entity)
        if type is not None:
            statement = statement.where(Entity.type == type)
        if not include_merged:
            statement = statement.where(col(Entity.merged_into).is_(None))
        return list(session.exec(statement.order_by(func.lower(Entity.name))).all())


def entity_mentions(db: Database) -> dict[int, int]:
    """Accepted mentions per entity id, across the corpus and annotators."""
    with db.reading() as session:
        rows = session.exec(
            select(Span.entity_id, func.count())
            .where(col(Span.entity_id).is_not(None), Span.status == "accepted")
            .group_by(Span.entity_id)
        ).all()
        return {entity_id: count for entity_id, count in rows}


def stats(db: Database, annotator: str | None = None) -> Stats:
    """Counts per state, label, topic and figure kind (one annotator, or all when None)."""
    result = Stats()
    with db.reading() as session:
        annotator_id = annotator_id_of(session, annotator) if annotator else None
        result.articles = session.exec(select(func.count(Article.id))).one()

        def scoped(statement, column):  # type: ignore[no-untyped-def]
            if annotator is None:
                return statement
            return statement.where(column == (annotator_id or -1))

        states = scoped(
            select(ArticleState.state, func.count()).group_by(ArticleState.state),
            ArticleState.annotator_id,
        )
        result.by_state.update(dict(session.exec(states).all()))
        touched = sum(result.by_state.values())
        if annotator is not None:
            result.by_state["todo"] += result.articles - touched
        spans = scoped(
            select(Span.layer, Span.label, Span.status, func.count()).group_by(
                Span.layer, Span.label, Span.status
            ),
            Span.annotator_id,
        )
        for layer, label, status, count in session.exec(spans).all():
            if status == "accepted":
                result.spans_by_label[(layer, label)] += count
            elif status == "suggested":
                result.suggested += count
        topics = scoped(
            select(TopicAssignment.topic, func.count()).group_by(TopicAssignment.topic),
            TopicAssignment.annotator_id,
        )
        result.topics.update(dict(session.exec(topics).all()))
        kinds = scoped(
            select(Figure.kind, func.count())
            .join(Span, col(Span.id) == Figure.span_id)
            .where(Span.status == "accepted")
            .group_by(Figure.kind),
            Span.annotator_id,
        )
        result.figure_kinds.update(dict(session.exec(kinds).all()))
        result.entities = session.exec(
            select(func.count(Entity.id)).where(col(Entity.merged_into).is_(None))
        ).one()
    return result


def entities_by_id(db: Database, ids: set[int]) -> dict[int, Entity]:
    if not ids:
        return {}
    with db.reading() as session:
        rows = session.exec(select(Entity).where(col(Entity.id).in_(ids))).all()
        return {entity.id: entity for entity in rows if entity.id is not None}


SPAN_COLUMNS = (
    Span.id,
    Span.start,
    Span.end,
    Span.layer,
    Span.label,
    Span.text,
    Span.status,
    Span.origin,
    Span.score,
    Span.entity_id,
    Span.topic,
    Span.note,
)


def span_rows(
    db: Database,
    article_id: int,
    annotator: str,
    *,
    statuses: tuple[str, ...] = ("accepted", "suggested"),
) -> list[Any]:
    """Like :func:`spans_for`, as light read-only rows (attribute access, no ORM objects).

    Several times faster for articles with thousands of spans, which the
    reader reads back after every change.
    """
    with db.reading() as session:
        annotator_id = annotator_id_of(session, annotator) or -1
        statement = (
            select(*SPAN_COLUMNS)
            .where(
                Span.article_id == article_id,
                Span.annotator_id == annotator_id,
                col(Span.status).in_(statuses),
            )
            .order_by(Span.start, Span.end, Span.id)
        )
        return list(session.exec(statement).all())
