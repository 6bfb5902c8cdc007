"""The library's counts agree with its pages (issue 16): each state and search shape of
``count_articles`` (state rows alone, the FTS5 index alone, a capped count) counts
exactly the articles ``list_articles`` lists, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from storage import queries
from storage.articles import add_article
from storage.db import Database
from storage.queries import LibraryQuery
from storage.repository import Repository
from storage.team.assignment import assign
from tests.storage.test_repository import Parsed
from tests.storage.test_search import CORPUS

STATES = {0: "done", 1: "in_progress", 3: "skipped", 4: "done"}
"""Index in CORPUS → this annotator's state (the others are todo: no state row)."""


@pytest.fixture
def library(db: Database) -> list[int]:
    ids = [add_article(db, Parsed(text, title=title)).article_id for title, text in CORPUS]
    repo = Repository(db, "ana")
    for index, state in STATES.items():
        repo.set_state(ids[index], state)
    Repository(db, "ben").set_state(ids[2], "done")  # another annotator's state counts not
    return ids


def _listed(db: Database, annotator: str, **query: object) -> list[int]:
    return [row.id for row in queries.list_articles(db, annotator, LibraryQuery(**query))]  # type: ignore[arg-type]


@pytest.mark.parametrize("state", [None, "todo", "in_progress", "done", "skipped"])
@pytest.mark.parametrize("search", ["", "schools", "tarif", "t", "%", "nowhere"])
def test_every_count_is_the_number_of_rows_listed(
    db: Database, library: list[int], state: str | None, search: str
) -> None:
    listed = _listed(db, "ana", search=search, state=state)
    assert queries.count_articles(db, "ana", search, state) == len(listed)


def test_the_fixture_has_rows_in_each_state(db: Database, library: list[int]) -> None:
    """Guards the comparison above: each state finds some rows, and not all of them."""
    for state in ("todo", "in_progress", "done", "skipped"):
        assert 0 < len(_listed(db, "ana", state=state)) < len(CORPUS)
    assert queries.progress(db, "ana") == (2, len(CORPUS))
    assert queries.progress(db, "ben") == (1, len(CORPUS))
    assert queries.count_articles(db, "nobody", state="done") == 0
    assert queries.count_articles(db, "nobody", state="todo") == len(CORPUS)


def test_counts_in_a_queue_are_the_rows_of_the_queue(db: Database, library: list[int]) -> None:
    assign(db, ["ana"], 1, [library[0], library[1], library[5]])
    for state in (None, "todo", "done", "in_progress"):
        listed = _listed(db, "ana", state=state, assigned=True)
        assert queries.count_articles(db, "ana", state=state, assigned=True) == len(listed)
    assert queries.count_articles(db, "ana", assigned=True) == 3


@pytest.mark.parametrize("search", ["", "schools", "t", "tarif"])
def test_a_capped_count_stops_at_its_cap(db: Database, library: list[int], search: str) -> None:
    total = queries.count_articles(db, "ana", search)
    assert total >= 2  # the fixture: each of these finds several articles
    assert queries.count_articles(db, "ana", search, at_most=1) == 1
    assert queries.count_articles(db, "ana", search, at_most=total) == total
    assert queries.count_articles(db, "ana", search, at_most=total + 5) == total
    assert queries.count_articles(db, "ana", search, "done", at_most=total + 5) == len(
        _listed(db, "ana", search=search, state="done")
    )


def test_page_counts_are_the_annotators_own(db: Database, library: list[int]) -> None:
    """The entity, figure, suggestion and topic counts of a page (one statement for all)."""
    repo = Repository(db, "ana")
    article = library[0]
    text = CORPUS[0][1]
    start = text.index("Astana")
    end = start + len("Astana")
    repo.add_span(article, start, end, "LOC")
    repo.add_span(article, start, end, "LOC", status="suggested", origin="rules")
    repo.assign_topic(article, "economy")
    Repository(db, "ben").add_span(article, start, end, "LOC")
    rows = {row.id: row for row in queries.list_articles(db, "ana", LibraryQuery())}
    found = rows[article]
    assert (found.entities, found.suggested, found.topics, found.figures) == (1, 1, 1, 0)
    assert (rows[library[1]].entities, rows[library[1]].topics) == (0, 0)
    ben = {row.id: row for row in queries.list_articles(db, "ben", LibraryQuery())}
    assert (ben[article].entities, ben[article].topics) == (1, 0)
