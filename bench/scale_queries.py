"""The scale case's searches without the app (:mod:`bench.case_scale`): per keystroke, the
library's page query and its count, against the search before the full-text index (a
``LIKE`` scan of titles and texts) on the same database in the same run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, or_, select

from bench import db
from bench.common import median

PAGE = 80
"""Rows per library page at the bench's terminal size: ``LibraryScreen.page_size``,
twice the 40 lines of ``bench.apps.SIZE`` (it was 500 rows, in a ``DataTable``)."""


def prefixes(words: list[str]) -> list[str]:
    """What the search field holds after each key of each word."""
    return [word[: length + 1] for word in words for length in range(len(word))]


def like_scan(database: Any, search: str) -> int:
    """The baseline: the library's search before the index (a LIKE over title and text),
    one page in id order and its count, as ``storage.queries`` ran it."""
    from storage.models import Article
    from storage.queries import LIKE_ESCAPE, like_pattern

    pattern = like_pattern(search.lower())

    def contains(column: Any) -> Any:
        target = column if database.is_sqlite else func.lower(column)
        return target.like(pattern, escape=LIKE_ESCAPE)

    matches = or_(contains(Article.title), contains(Article.text))
    with database.reading() as session:
        page = session.exec(
            select(Article.id, Article.title).where(matches).order_by(Article.id).limit(PAGE)
        ).all()
        session.exec(select(func.count(Article.id)).where(matches)).one()
    return len(page)


def query_times(
    database: Any, words: list[str], runs: int = 3, baseline: bool = True, like_every: int = 1
) -> dict[str, list[float]]:
    """Seconds per keystroke without the app: page query, count, and the LIKE baseline.

    Each prefix is timed ``runs`` times and its median kept (one value per keystroke);
    the baseline once, on every ``like_every``-th prefix (PostgreSQL's scan lowers and
    reads every TOASTed text: seconds per keystroke at 100,000 articles).
    """
    from storage import queries
    from storage.queries import LibraryQuery
    from tui.screens.library_data import COUNT_CAP

    def timed(call: Callable[[], Any]) -> float:
        values = []
        for _ in range(runs):
            started = time.perf_counter()
            call()
            values.append(time.perf_counter() - started)
        return median(values)

    result: dict[str, list[float]] = {"page": [], "count": [], "like": []}
    for index, search in enumerate(prefixes(words)):
        result["page"].append(
            timed(
                lambda search=search: queries.list_articles(
                    database, db.ANNOTATOR, LibraryQuery(search=search, limit=PAGE)
                )
            )
        )
        result["count"].append(  # as the library counts while searching: up to COUNT_CAP
            timed(
                lambda search=search: queries.count_articles(
                    database, db.ANNOTATOR, search, at_most=COUNT_CAP
                )
            )
        )
        if baseline and index % like_every == 0:
            started = time.perf_counter()  # once: a scan of every text takes seconds
            like_scan(database, search)
            result["like"].append(time.perf_counter() - started)
    return result
