"""Library search takes ``%``, ``_`` and the escape character literally (issue 18, item 10):
``redline list --search _`` used to return every article. Parameters only, never SQL text."""

from __future__ import annotations

import pytest

from storage import queries
from storage.articles import add_article
from storage.db import Database
from storage.queries import LIKE_ESCAPE, LibraryQuery, like_pattern
from tests.storage.test_repository import Parsed

TITLES = {
    "percent": "Growth of 100% in a year",
    "underscore": "snake_case names",
    "backslash": r"C:\path to nowhere",
    "escape": "Stop! Said the minister",
    "plain": "Plain title about trade",
    "quote": "It's 'quoted'; DROP TABLE article; --",
}


@pytest.fixture
def titled(db: Database) -> dict[str, int]:
    return {
        key: add_article(db, Parsed(f"Body number {index}.", title=title)).article_id
        for index, (key, title) in enumerate(TITLES.items())
    }


def _found(db: Database, search: str) -> set[int]:
    rows = queries.list_articles(db, "ana", LibraryQuery(search=search))
    assert queries.count_articles(db, "ana", search) == len(rows)
    return {row.id for row in rows}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("_", {"underscore"}),
        ("%", {"percent"}),
        ("\\", {"backslash"}),
        (LIKE_ESCAPE, {"escape"}),
        ("0%", {"percent"}),
        ("e_c", {"underscore"}),  # "snake_case": the underscore itself, not any one character
        ("h t", {"backslash"}),
        ("'; drop table", {"quote"}),
        ("trade", {"plain"}),
    ],
)
def test_wildcards_match_only_themselves(
    db: Database, titled: dict[str, int], search: str, expected: set[str]
) -> None:
    assert _found(db, search) == {titled[key] for key in expected}


def test_a_wildcard_in_the_text_is_literal_too(db: Database) -> None:
    wanted = add_article(db, Parsed("Inflation hit 7% in March.", title="Prices")).article_id
    add_article(db, Parsed("Inflation hit 7 points in March.", title="Points"))
    assert _found(db, "7%") == {wanted}
    assert _found(db, "7_") == set()


def test_like_pattern_escapes_every_special_character() -> None:
    assert like_pattern("a%b_c!d") == "%a!%b!_c!!d%"
    assert like_pattern("plain") == "%plain%"
