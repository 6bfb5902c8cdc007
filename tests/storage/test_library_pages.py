"""The library's pages are slices of one order (issue 16), on SQLite and PostgreSQL.

PostgreSQL reads a page sorted by the article alone as its ids first, then those
rows and their states (``storage.library_sql._ids_first``); a page filtered by state
still joins every state first. Both must list the same articles in the same
order: the rows of one state, filtered from the unfiltered list, are the rows the
state filter lists.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage import queries
from storage.articles import add_article
from storage.db import Database
from storage.queries import ArticleRow, LibraryQuery, SortKey
from storage.repository import Repository
from tests.storage.test_repository import Parsed

ARTICLES = [  # title, source, published, words of the text
    ("Trade talks resume", "Wire", dt.date(2024, 3, 1), "trade tariffs talks"),
    ("energy prices", None, dt.date(2023, 1, 9), "trade gas prices"),
    ("Budget", "Daily Ledger", None, "budget schools trade trade"),
    ("Tariff row", "Wire", dt.date(2024, 3, 1), "tariffs trade row"),
    ("Weather", "Astana Times", dt.date(2022, 6, 2), "rain wind"),
    ("trade winds", None, None, "trade winds sail trade trade trade"),
    ("Zebra crossing", "Wire", dt.date(2021, 2, 2), "traffic zebra"),
    ("Apples", "Daily Ledger", dt.date(2025, 5, 5), "apples trade fruit"),
]
STATES = {0: "done", 2: "in_progress", 3: "done", 5: "skipped", 7: "done"}
SORTS: tuple[SortKey, ...] = ("id", "title", "source", "published", "length", "rank", "state")


@pytest.fixture
def library(db: Database) -> list[int]:
    ids = [
        add_article(
            db, Parsed(f"{words} {'x' * i}", title=title, source=source, published=day)
        ).article_id
        for i, (title, source, day, words) in enumerate(ARTICLES)
    ]
    repo = Repository(db, "ana")
    for index, state in STATES.items():
        repo.set_state(ids[index], state)
    Repository(db, "ben").set_state(ids[1], "done")  # another annotator's state shows not
    return ids


def _rows(db: Database, **query: object) -> list[ArticleRow]:
    return queries.list_articles(db, "ana", LibraryQuery(**query))  # type: ignore[arg-type]


@pytest.mark.parametrize("search", ["", "trade", "tr", "t", "tariffs", "nowhere"])
def test_pages_are_slices_of_one_order_and_a_state_filter_keeps_it(
    db: Database, library: list[int], search: str
) -> None:
    for sort in SORTS:
        for descending in (False, True):
            _check_order(db, library, search, sort, descending)


def _check_order(
    db: Database, library: list[int], search: str, sort: SortKey, descending: bool
) -> None:
    every = _rows(db, search=search, sort=sort, descending=descending, limit=100)
    assert len(every) == queries.count_articles(db, "ana", search)
    paged: list[ArticleRow] = []
    for offset in range(0, len(every) + 3, 3):
        paged += _rows(db, search=search, sort=sort, descending=descending, limit=3, offset=offset)
    assert paged == every
    expected_states = {library[index]: state for index, state in STATES.items()}
    assert {row.id: row.state for row in every} == {
        row.id: expected_states.get(row.id, "todo") for row in every
    }
    for state in ("todo", "done"):
        filtered = _rows(db, search=search, sort=sort, descending=descending, state=state)
        assert [row.id for row in filtered] == [row.id for row in every if row.state == state]


@pytest.mark.parametrize("descending", [False, True])
def test_a_sort_orders_by_its_key_then_by_id(
    db: Database, library: list[int], descending: bool
) -> None:
    keys = {
        "title": lambda row: row.title.lower(),
        "length": lambda row: row.length,
        "id": lambda row: row.id,
    }
    for sort, key in keys.items():
        rows = _rows(db, search="trade", sort=sort, descending=descending, limit=100)
        assert len(rows) == 6
        expected = sorted(rows, key=lambda row: row.id)
        expected.sort(key=key, reverse=descending)  # stable: ties stay in id order
        assert [row.id for row in rows] == [row.id for row in expected], sort
    published = _rows(db, sort="published", descending=descending, limit=100)
    dated = [row for row in published if row.published is not None]
    assert [row.published for row in dated] == sorted(
        (row.published for row in dated), reverse=descending
    )
    same_day = [row.id for row in dated if row.published == "2024-03-01"]
    assert same_day == sorted(same_day)  # a tie is in id order, whichever the direction
