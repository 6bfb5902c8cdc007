"""The SQL of the library (:mod:`storage.library`): its page, count and per-page count
statements, each a Core statement built once per *shape* (backend, kind of search,
filters, sort) with bound parameters for everything a user types.

The annotator is a scalar subquery by name (:func:`annotator_id`), not a lookup first.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import ARRAY, Integer, and_, any_, bindparam, case, func, literal_column, select

from storage import search as search_index
from storage.models import Annotator, Article, ArticleState, Assignment, Span, TopicAssignment

SortKey = Literal["id", "title", "source", "published", "length", "state", "spans", "rank"]
"""``rank``: best match first while searching (bm25 / ``ts_rank``), else by id."""

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
def _row_columns() -> tuple[Any, ...]:
    """A library row's columns: the article's, and its state for the annotator (``todo``
    without a row)."""
    return (
        _article.c.id,
        _article.c.title,
        _article.c.source,
        _article.c.published,
        _article.c.length,
        func.coalesce(_state.c.state, "todo").label("state"),
    )


def page_statement(
    sqlite: bool,
    kind: search_index.SearchKind,
    title_only: bool,
    state: bool,
    article: bool,
    assigned: bool,
    sort: SortKey,
    descending: bool,
) -> Any:
    """The page query of one shape (its parameters: :func:`storage.library.list_articles`)."""
    if not sqlite and not state and sort not in ("state", "spans"):
        return _ids_first(kind, title_only, article, assigned, sort, descending)
    source, by_id = search_index.search_source(kind, sqlite)
    state_column = func.coalesce(_state.c.state, "todo")
    statement = (
        select(*_row_columns())
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
    order = _order(sort, kind, sqlite, by_id, state_column)
    # FTS5 reports its rowid order to SQLite only for a lone ORDER BY rowid term:
    # a second term (even the same one) sorts every match before the LIMIT.
    ties = () if order is by_id else (by_id,)
    statement = statement.order_by(order.desc() if descending else order, *ties)
    return statement.limit(bindparam("limit")).offset(bindparam("offset"))


def _order(
    sort: SortKey, kind: search_index.SearchKind, sqlite: bool, by_id: Any, state: Any
) -> Any:
    """The expression a page is sorted by (``state``: the row's state, todo when none)."""
    if sort == "id":
        return by_id
    if sort == "rank":
        return search_index.rank_order(kind, sqlite, by_id)
    return {
        "title": lambda: func.lower(_article.c.title),
        "source": lambda: _article.c.source,
        "published": lambda: _article.c.published,
        "length": lambda: _article.c.length,
        "state": lambda: case({"todo": 0, "in_progress": 1, "skipped": 2, "done": 3}, value=state),
        "spans": _entity_count,
    }[sort]()


def _ids_first(
    kind: search_index.SearchKind,
    title_only: bool,
    article: bool,
    assigned: bool,
    sort: SortKey,
    descending: bool,
) -> Any:
    """PostgreSQL, a page sorted and filtered by the article alone: its ids (and sort key)
    first, then those rows and their state.

    Finding, sorting and cutting only ``(id, key)`` pairs, then reading a page of
    rows, lets the planner sort narrow tuples and join the state of one page
    rather than of every match: a search prefix matching 8,000 of 100,000
    articles (a bitmap scan, then a sort) went from ~11 ms to ~4 ms, a rare word
    (a hash join with every state row) from ~1.8 ms to ~0.3 ms (EXPLAIN ANALYZE
    in the issue 16 notes); a common word (an index scan in id order) is unchanged.
    """
    key = _order(sort, kind, False, _article.c.id, None)
    ids = select(_article.c.id, key.label("sort_key"))
    if kind != "none":
        ids = ids.where(search_index.search_condition(kind, title_only, False))
    if article:
        ids = ids.where(_article.c.id == bindparam("article_id"))
    if assigned:
        ids = ids.where(_article.c.id.in_(_assigned()))
    ties = () if key is _article.c.id else (_article.c.id,)
    page = (
        ids.order_by(key.desc() if descending else key, *ties)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("page")
    )
    on_state = and_(_state.c.article_id == page.c.id, _state.c.annotator_id == _annotator_id())
    return (
        select(*_row_columns())
        .select_from(page.join(_article, _article.c.id == page.c.id).outerjoin(_state, on_state))
        .order_by(page.c.sort_key.desc() if descending else page.c.sort_key, page.c.id)
    )


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
def counts_statement(sqlite: bool) -> Any:
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


@lru_cache(maxsize=64)
def count_statement(
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
