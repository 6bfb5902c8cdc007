"""The library list: one page of articles, paged, sorted, filtered and searched in SQL.

Paging and counting happen in the database so a corpus of 100,000 articles
stays responsive; what a search matches is :mod:`storage.search`.

Search-as-you-type runs a page query (and later a count) per keystroke, and
the SQL itself takes about a millisecond on SQLite: building, caching and
running an ORM statement took five to ten times that, under the same GIL as
the screen's repaint. So each query is a Core statement built once per
*shape* (backend, kind of search, filters, sort; see :mod:`storage.library_sql`)
with bound parameters for everything a user types, run on the session's
connection; the annotator is a scalar subquery by name, not a lookup first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection
from sqlmodel import Session
from sqlmodel import select as orm_select

from storage import search as search_index
from storage.db import Database
from storage.library_sql import SortKey as SortKey  # re-exported (storage.queries)
from storage.library_sql import count_statement, counts_statement, page_statement
from storage.models import Annotator
from storage.search import LIKE_ESCAPE as LIKE_ESCAPE  # re-exported (storage.queries)
from storage.search import like_pattern as like_pattern


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


def list_articles(
    db: Database, annotator: str, query: LibraryQuery = LibraryQuery()
) -> list[ArticleRow]:
    """One page of the library. The page is found first, then its span and topic counts
    in two grouped queries over its ids: correlated count subqueries per row cost more
    than finding the page (a 500-row page of a 100,000-article search: ~26 ms → ~8 ms)."""
    sqlite = db.is_sqlite
    kind = search_index.search_kind(query.search)
    statement = page_statement(
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

    def read(connection: Connection) -> tuple[list[Any], dict[int, dict[str, int]]]:
        rows = connection.execute(statement, parameters).all()
        return rows, _page_counts(connection, annotator, [row.id for row in rows], sqlite)

    rows, counts = db.read_statements(read)  # PostgreSQL: no BEGIN, ROLLBACK or pre-ping
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


def _page_counts(
    connection: Connection, annotator: str, ids: list[int], sqlite: bool
) -> dict[int, dict[str, int]]:
    """Accepted entities and figures, suggestions and topics of one annotator, per article."""
    if not ids:
        return {}
    parameters = {"annotator": annotator, "ids": json.dumps(ids) if sqlite else ids}
    counts = {article_id: {**NO_COUNTS} for article_id in ids}
    for article_id, entities_, figures, suggested, topics in connection.execute(
        counts_statement(sqlite), parameters
    ):
        if topics:
            counts[article_id]["topics"] = topics
        else:
            counts[article_id].update(entities=entities_, figures=figures, suggested=suggested)
    return counts


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
    statement = count_statement(sqlite, kind, shape, assigned, at_most is not None)
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
