"""The library: its footer, state names, the cursor after the reader, and "my queue"."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from storage import queries
from storage.articles import add_articles
from storage.db import Database
from storage.queries import LibraryQuery
from storage.repository import Repository
from storage.team.assignment import assign
from tests.tui.app_fixtures import make_app, sample_articles, sample_database
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.library_table import LibraryTable


def _shown(app) -> str:  # type: ignore[no-untyped-def]
    return app.export_screenshot().replace("&#160;", " ")


def _row_ids(library: LibraryScreen) -> list[int]:
    return [row.id for row in library._rows]


def _cursor_id(library: LibraryScreen) -> int:
    row = library.query_one(LibraryTable).highlighted_row
    assert row is not None
    return row.id


async def _library(pilot) -> LibraryScreen:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    library = pilot.app.screen
    assert isinstance(library, LibraryScreen)
    return library


async def test_footer_says_enter_opens_and_states_read_as_words(tmp_path: Path) -> None:
    app = make_app(sample_database(tmp_path / "redline.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        library = await _library(pilot)
        footer_keys = {
            (key.key_display, key.description) for key in library.query("FooterKey").results()
        }
        assert ("enter", "Open") in footer_keys  # the table's own enter hid it
        await pilot.press("f", "f")  # all → todo → in progress
        await app.workers.wait_for_complete()
        await pilot.pause()
        progress = str(library.query_one("#library-progress", Static).content)
        assert "· in progress" in progress and "in_progress" not in progress
        await pilot.press("enter")  # enter in the table opens (no article in progress: none)
        await pilot.press("f", "f", "f", "f")  # back to all states
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)


async def test_the_cursor_returns_to_the_article_the_reader_showed(tmp_path: Path) -> None:
    app = make_app(sample_database(tmp_path / "redline.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        library = await _library(pilot)
        first = _cursor_id(library)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.article_id == first
        await pilot.press("right_square_bracket", "right_square_bracket")
        await app.workers.wait_for_complete()
        await pilot.pause()
        last = reader.article_id
        assert last != first
        await pilot.press("q")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is library
        assert _cursor_id(library) == last


async def test_my_queue_by_default_with_everyones_progress(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    report = assign(database, ["ana", "ben"], 1, seed=3)
    mine = sorted(article for article, names in report.plan.items() if "ana" in names)
    everything = sorted(report.plan)
    assert 0 < len(mine) < len(everything)
    app = make_app(database)
    async with app.run_test(size=(120, 30)) as pilot:
        library = await _library(pilot)
        assert library.library_query.assigned
        assert _row_ids(library) == mine
        progress = str(library.query_one("#library-progress", Static).content)
        assert progress.startswith(f"my queue: 0 of {len(mine)} done")
        team = str(library.query_one("#library-team", Static).content)
        assert team == (
            f"queues: ana 0/{len(mine)} done · ben 0/{len(everything) - len(mine)} done"
        )
        await pilot.press("a")  # all articles
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not library.library_query.assigned
        assert _row_ids(library) == everything
        assert "my queue" not in str(library.query_one("#library-progress", Static).content)
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert _row_ids(library) == mine


async def test_without_assignments_the_library_shows_everything(tmp_path: Path) -> None:
    app = make_app(sample_database(tmp_path / "redline.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        library = await _library(pilot)
        assert not library.library_query.assigned
        assert len(_row_ids(library)) == 7
        assert not library.query_one("#library-team").display
        await pilot.press("a")
        await pilot.pause()
        assert not library.library_query.assigned  # nothing to toggle to: a notice instead


def test_the_queue_filter_lists_and_counts_only_assigned_articles(db: Database) -> None:
    add_articles(db, sample_articles())
    report = assign(db, ["ana", "ben"], 1, seed=5)
    mine = sorted(article for article, names in report.plan.items() if "ana" in names)
    with Repository(db, "ana") as repository:
        repository.set_state(mine[0], "done")
    query = LibraryQuery(assigned=True)
    assert [row.id for row in queries.list_articles(db, "ana", query)] == mine
    assert queries.count_articles(db, "ana", assigned=True) == len(mine)
    assert queries.count_articles(db, "ana", state="done", assigned=True) == 1
    assert queries.count_articles(db, "ana", state="todo", assigned=True) == len(mine) - 1
    assert queries.list_articles(db, "cleo", query) == []  # no queue, no rows
    assert len(queries.list_articles(db, "ana", LibraryQuery())) == len(report.plan)


def _many_articles(path: Path, count: int) -> Database:
    from storage.db import open_db
    from storage.importers import ParsedArticle

    database = open_db(str(path))
    add_articles(
        database,
        [
            ParsedArticle(text=f"Article number {n} about trade.", title=f"Report {n:03d}")
            for n in range(count)
        ],
    )
    return database


async def test_the_table_holds_a_page_and_fetches_the_next_near_its_end(tmp_path: Path) -> None:
    database = _many_articles(tmp_path / "redline.db", 150)
    app = make_app(database)
    async with app.run_test(size=(120, 30)) as pilot:
        library = await _library(pilot)
        page = library.page_size()
        assert page == 60  # twice the 30 lines of the terminal
        table = library.query_one(LibraryTable)
        assert len(table.rows) == page and _row_ids(library) == list(range(1, page + 1))
        assert "showing 60 of 150" in str(library.query_one("#library-progress", Static).content)
        await pilot.press("end")  # the cursor near the end fetches the next page
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(table.rows) == 2 * page
        table.scroll_end(animate=False, immediate=True)  # scrolling there does too
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert _row_ids(library) == list(range(1, 151))
        assert "showing" not in str(library.query_one("#library-progress", Static).content)
        await pilot.press("O")  # a new order starts again from one page, sorted
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert _row_ids(library) == list(range(150, 150 - page, -1))


async def test_coming_back_from_the_reader_keeps_every_page_loaded(tmp_path: Path) -> None:
    database = _many_articles(tmp_path / "redline.db", 150)
    app = make_app(database)
    async with app.run_test(size=(120, 30)) as pilot:
        library = await _library(pilot)
        await pilot.press("end")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("end")
        await app.workers.wait_for_complete()
        await pilot.pause()
        loaded = len(library._rows)
        assert loaded > library.page_size()
        chosen = _cursor_id(library)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("q")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is library
        assert len(library._rows) >= loaded and _cursor_id(library) == chosen


async def _type_search(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash", *text)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_search_shows_its_rows_then_their_count(tmp_path: Path) -> None:
    """The count of a search follows its rows as its own message, once they are painted;
    only the last query's count is shown (issue 16)."""
    from tui.screens.library_data import PageLoaded, TotalCounted

    database = _many_articles(tmp_path / "redline.db", 150)
    seen: list[object] = []
    app = make_app(database)
    hook = lambda message: seen.append(message)  # noqa: E731
    async with app.run_test(size=(120, 30), message_hook=hook) as pilot:
        library = await _library(pilot)
        seen.clear()
        await _type_search(pilot, "trade")
        assert library.library_query.search == "trade"
        counted = [m for m in seen if isinstance(m, TotalCounted)]
        loaded = [m for m in seen if isinstance(m, PageLoaded)]
        assert loaded and loaded[-1].query.search == "trade"
        assert counted and counted[-1].query.search == "trade"
        assert (counted[-1].total, counted[-1].capped) == (150, False)
        assert seen.index(counted[-1]) > seen.index(loaded[-1])
        assert "showing 60 of 150 " in str(library.query_one("#library-progress", Static).content)
        assert _row_ids(library) == list(range(1, 61))
        seen.clear()
        await _type_search(pilot, " number 10")  # "Article number 10", 100-109
        assert "showing" not in str(library.query_one("#library-progress", Static).content)
        assert sorted(_row_ids(library)) == [11, *range(101, 111)]
        last = [m for m in seen if isinstance(m, TotalCounted) and m.query.search.endswith("10")]
        assert not last  # one page holds every match: no count


async def test_a_capped_count_reads_at_least(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A search stops counting at COUNT_CAP: "≥ N" until every row is loaded."""
    import tui.screens.library_data as library_data

    monkeypatch.setattr(library_data, "COUNT_CAP", 100)
    database = _many_articles(tmp_path / "redline.db", 150)
    app = make_app(database)
    async with app.run_test(size=(120, 30)) as pilot:
        library = await _library(pilot)
        assert "showing 60 of 150" in str(library.query_one("#library-progress", Static).content)
        await _type_search(pilot, "trade")
        assert "showing 60 of ≥ 100" in str(library.query_one("#library-progress", Static).content)
        library.query_one(LibraryTable).focus()
        for _ in range(2):
            await pilot.press("end")
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert len(library._rows) == 150
        assert "showing" not in str(library.query_one("#library-progress", Static).content)


def test_the_progress_line_keeps_its_width_while_the_count_comes() -> None:
    from tui.screens.library_data import Shown, progress_line

    query = LibraryQuery(search="trade")
    pending = progress_line(3, 150, Shown(60, None), query)
    counted = progress_line(3, 150, Shown(60, 1234), query)
    capped = progress_line(3, 150, Shown(60, 10_000, capped=True), query)
    assert "showing 60 of …" in pending
    assert "showing 60 of 1,234" in counted
    assert "showing 60 of ≥ 10,000" in capped
    assert len(pending) == len(counted) == len(capped)
    assert "showing" not in progress_line(3, 150, Shown(60, 60), query)
