"""The library list: one page of articles, paged, sorted, filtered and searched in SQL.

Paging and counting happen in the database so a corpus of 100,000 articles
stays responsive; what a search matches is :mod:`storage.search`.

Search-as-you-type runs a page query (and later a count) per keystroke, and
the SQL itself takes about a millisecond on SQLite: building, caching and
running an ORM statement took five to ten times that, under the same GIL as
the screen's repaint. So each query is a Core statement built once per
*shape* (backend, kind of search, filters, sort; see :func:`_page_statement`)
with bound parameters for everything a user types, run on the session's
connection; the annotator is a scalar subquery by name, not a lookup first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import ARRAY, Integer, and_, any_, bindparam, case, func, literal_column, select
from sqlalchemy.engine import Connection
from sqlmodel import Session
from sqlmodel import select as orm_select

from storage import search as search_index
from storage.db import Database
from storage.models import Annotator, Article, ArticleState, Assignment, Span, TopicAssignment
from storage.search import LIKE_ESCAPE as LIKE_ESCAPE  # re-exported (storage.queries)
from storage.search import like_pattern as like_pattern

SortKey = Literal["id", "title", "source", "published", "length", "state", "spans", "rank"]
"""``rank``: best match first while searching (bm25 / ``ts_rank``), else by id."""


@dataclass(frozen=True)
class ArticleRow:
    """One line of the library: an article with one annotator's progress on it."""

    id: int
    title: str
    source: str | None
    published: str | None
    length: int
    state: str
    entities: int
    figures: int
    topics: int
    suggested: int


@dataclass(frozen=True)
class LibraryQuery:
    search: str = ""
    state: str | None = None
    sort: SortKey = "id"
    descending: bool = False
    offset: int = 0
    limit: int = 200
    title_only: bool = False
    article_id: int | None = None
    assigned: bool = False
    """Only the articles assigned to the annotator (``redline assign``): "my queue"."""


def annotator_id_of(session: Session, name: str) -> int | None:
    """The id of the annotator called ``name``; None when there is none."""
    return session.exec(orm_select(Annotator.id).where(Annotator.name == name)).first()


_article: Any = Article.__table__  # type: ignore[attr-defined]
_state: Any = ArticleState.__table__  # type: ignore[attr-defined]
_span: Any = Span.__table__  # type: ignore[attr-defined]
_topic: Any = TopicAssignment.__table__  # type: ignore[attr-defined]
_assignment: Any = Assignment.__table__  # type: ignore[attr-defined]
_annotator: Any = Annotator.__table__  # type: ignore[attr-defined]


def _annotator_id() -> Any:
    """The id of the annotator named by parameter ``annotator`` (NULL when unknown: no rows)."""
    return (
        select(_annotator.c.id).where(_annotator.c.name == bindparam("annotator")).scalar_subquery()
    )


def _assigned() -> Any:
    """The ids of the articles assigned to the annotator, as a subquery."""
    return select(_assignment.c.article_id).where(_assignment.c.annotator_id == _annotator_id())


@lru_cache(maxsize=256)
def _page_statement(
    sqlite: bool,
    kind: search_index.SearchKind,
    title_only: bool,
    state: bool,
    article: bool,
    assigned: bool,
    sort: SortKey,
    descending: bool,
) -> Any:
    """The page query of one shape; its parameters come from :func:`_page_parameters`."""
    source, by_id = search_index.search_source(kind, sqlite)
    state_column = func.coalesce(_state.c.state, "todo")
    statement = (
        select(
            _article.c.id,
            _article.c.title,
            _article.c.source,
            _article.c.published,
            _article.c.length,
            state_column.label("state"),
        )
        .select_from(source)
        .outerjoin(
            _state,
            and_(_state.c.article_id == _article.c.id, _state.c.annotator_id == _annotator_id()),
        )
    )
    if kind != "none":
        statement = statement.where(search_index.search_condition(kind, title_only, sqlite))
    if state:
        statement = statement.where(state_column == bindparam("state"))
    if article:
        statement = statement.where(_article.c.id == bindparam("article_id"))
    if assigned:
        statement = statement.where(by_id.in_(_assigned()))
    order = {
        "id": by_id,
        "title": func.lower(_article.c.title),
        "source": _article.c.source,
        "published": _article.c.published,
        "length": _article.c.length,
        "state": case({"todo": 0, "in_progress": 1, "skipped": 2, "done": 3}, value=state_column),
        "spans": _entity_count(),
        "rank": search_index.rank_order(kind, sqlite, by_id),
    }[sort]
    # FTS5 reports its rowid order to SQLite only for a lone ORDER BY rowid term:
    # a second term (even the same one) sorts every match before the LIMIT.
    ties = () if order is by_id else (by_id,)
    statement = statement.order_by(order.desc() if descending else order, *ties)
    return statement.limit(bindparam("limit")).offset(bindparam("offset"))


def _entity_count() -> Any:
    """The ``spans`` sort: the annotator's accepted entities in the row's article."""
    return (
        select(func.count())
        .where(
            _span.c.article_id == _article.c.id,
            _span.c.annotator_id == _annotator_id(),
            _span.c.layer == "entity",
            _span.c.status == "accepted",
        )
        .scalar_subquery()
    )


def list_articles(
    db: Database, annotator: str, query: LibraryQuery = LibraryQuery()
) -> list[ArticleRow]:
    """One page of the library. The page is found first, then its span and topic counts
    in two grouped queries over its ids: correlated count subqueries per row cost more
    than finding the page (a 500-row page of a 100,000-article search: ~26 ms → ~8 ms)."""
    sqlite = db.is_sqlite
    kind = search_index.search_kind(query.search)
    statement = _page_statement(
        sqlite,
        kind,
        query.title_only and kind == "index",
        query.state is not None and query.state != "",
        query.article_id is not None,
        query.assigned,
        query.sort,
        query.descending,
    )
    parameters: dict[str, Any] = {
        "annotator": annotator,
        "limit": query.limit,
        "offset": query.offset,
        **search_index.search_parameters(query.search, query.title_only, sqlite),
    }
    if query.state:
        parameters["state"] = query.state
    if query.article_id is not None:
        parameters["article_id"] = query.article_id
    with db.reading() as session:
        connection = session.connection()
        rows = connection.execute(statement, parameters).all()
        counts = _page_counts(connection, annotator, [row.id for row in rows], sqlite)
    return [
        ArticleRow(
            id=row.id,
            title=row.title,
            source=row.source,
            published=row.published.isoformat() if row.published else None,
            length=row.length,
            state=row.state,
            **counts.get(row.id, NO_COUNTS),
        )
        for row in rows
    ]


NO_COUNTS = {"entities": 0, "figures": 0, "topics": 0, "suggested": 0}


def _in_page(column: Any, sqlite: bool) -> Any:
    """``column`` is one of the ids of parameter ``ids`` (a page's article ids).

    One bound value, not one per id: an expanding ``IN (?, ?, …)`` is rendered
    anew on every execution (80 ids: most of the counts' cost). SQLite gets the
    ids as a JSON array (``json_each``), PostgreSQL as an array (``= ANY``).
    """
    if sqlite:
        ids = select(literal_column("value")).select_from(func.json_each(bindparam("ids")))
        return column.in_(ids)
    return column == any_(bindparam("ids", type_=ARRAY(Integer)))


@lru_cache(maxsize=2)
def _counts_statement(sqlite: bool) -> Any:
    """One annotator's accepted entities, figures, suggestions and topics per article of
    a page, in one statement: span counts, then topic counts (a column of zeros each)."""

    def counted(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    accepted = _span.c.status == "accepted"
    zero = literal_column("0")
    spans = (
        select(
            _span.c.article_id,
            counted(and_(accepted, _span.c.layer == "entity")),
            counted(and_(accepted, _span.c.layer == "figure")),
            counted(_span.c.status == "suggested"),
            zero,
        )
        .where(_in_page(_span.c.article_id, sqlite), _span.c.annotator_id == _annotator_id())
        .group_by(_span.c.article_id)
    )
    topics = (
        select(_topic.c.article_id, zero, zero, zero, func.count())
        .where(_in_page(_topic.c.article_id, sqlite), _topic.c.annotator_id == _annotator_id())
        .group_by(_topic.c.article_id)
    )
    return spans.union_all(topics)


def _page_counts(
    connection: Connection, annotator: str, ids: list[int], sqlite: bool
) -> dict[int, dict[str, int]]:
    """Accepted entities and figures, suggestions and topics of one annotator, per article."""
    if not ids:
        return {}
    parameters = {"annotator": annotator, "ids": json.dumps(ids) if sqlite else ids}
    counts = {article_id: {**NO_COUNTS} for article_id in ids}
    for article_id, entities_, figures, suggested, topics in connection.execute(
        _counts_statement(sqlite), parameters
    ):
        if topics:
            counts[article_id]["topics"] = topics
        else:
            counts[article_id].update(entities=entities_, figures=figures, suggested=suggested)
    return counts


@lru_cache(maxsize=64)
def _count_statement(
    sqlite: bool, kind: search_index.SearchKind, state: str | None, assigned: bool, capped: bool
) -> Any:
    """The count query of one shape (``state``: None, "todo" or "other").

    Without a search, a state other than todo is counted from the state rows
    alone (each belongs to an article: a foreign key), and "todo" needs every
    article outer-joined to its state (no row means todo); a 100,000-article
    count drops from ~40-80 ms to well under 1 ms. A full-text search on SQLite
    counts the FTS5 matches without reading ``article`` at all. ``capped``
    counts at most parameter ``cap`` rows (the matches are not all read).
    """
    annotator_id = _annotator_id()
    if kind == "none" and state == "other":
        statement = select(literal_column("1")).select_from(_state)
        statement = statement.where(
            _state.c.annotator_id == annotator_id, _state.c.state == bindparam("state")
        )
        article_id = _state.c.article_id
    else:
        source, article_id = search_index.search_source(kind, sqlite)
        if kind == "index" and sqlite:
            source = search_index.fts5_table()  # every row of the index is an article
        statement = select(literal_column("1")).select_from(source)
        on_state = and_(_state.c.article_id == article_id, _state.c.annotator_id == annotator_id)
        if state == "todo":
            statement = statement.outerjoin(_state, on_state).where(
                func.coalesce(_state.c.state, "todo") == "todo"
            )
        elif state:
            statement = statement.join(_state, on_state).where(_state.c.state == bindparam("state"))
        if kind != "none":
            statement = statement.where(search_index.search_condition(kind, False, sqlite))
    if assigned:
        statement = statement.where(article_id.in_(_assigned()))
    if capped:
        statement = statement.limit(bindparam("cap"))
    return select(func.count()).select_from(statement.subquery())


def count_articles(
    db: Database,
    annotator: str,
    search: str = "",
    state: str | None = None,
    assigned: bool = False,
    at_most: int | None = None,
) -> int:
    """Articles matching ``search`` in ``state`` for ``annotator`` (``assigned``: in their queue).

    ``at_most``: stop counting there (the result is then ``at_most``, meaning "at
    least that many"); a count of every match of a common word prefix reads every
    matching row (PostgreSQL: seconds at 100,000 articles), a capped one does not.
    """
    sqlite = db.is_sqlite
    kind = search_index.search_kind(search)
    shape = None if not state else "todo" if state == "todo" else "other"
    statement = _count_statement(sqlite, kind, shape, assigned, at_most is not None)
    parameters: dict[str, Any] = {
        "annotator": annotator,
        **search_index.search_parameters(search, False, sqlite),
    }
    if shape == "other":
        parameters["state"] = state
    if at_most is not None:
        parameters["cap"] = at_most
    with db.reading() as session:
        connection = session.connection()
        if kind == "index" and not sqlite:
            _bitmap_only(connection)
        return int(connection.execute(statement, parameters).scalar_one())


def _bitmap_only(connection: Connection) -> None:
    """PostgreSQL, this transaction: count tsvector matches from the GIN index (a bitmap scan).

    For a common word the planner picks a sequential scan that evaluates ``@@``
    on every row, de-TOASTing every ``search_vector`` (~1 s at 100,000 articles);
    the GIN bitmap of a prefix query is exact (no recheck), so counting from it
    reads only the heap pages for visibility: ~10x less (EXPLAIN ANALYZE in the
    issue 16 notes). ``SET LOCAL`` ends with the read's transaction.
    """
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_indexscan = off")


def progress(db: Database, annotator: str) -> tuple[int, int]:
    """(done, total) for the library header."""
    return count_articles(db, annotator, state="done"), count_articles(db, annotator)
