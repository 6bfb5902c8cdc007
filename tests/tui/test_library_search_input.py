"""Typing in the library's search field repaints the field and the rows, not the screen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen

from tests.tui.app_fixtures import make_app, sample_database
from tui.screens.library import LibraryScreen
from tui.widgets.search_input import SearchInput


async def test_typing_a_search_lays_the_screen_out_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts: list[Screen[Any]] = []
    refresh_layout = Screen._refresh_layout

    def counted(screen: Screen[Any], *args: Any, **kwargs: Any) -> None:
        layouts.append(screen)
        refresh_layout(screen, *args, **kwargs)

    app = make_app(sample_database(tmp_path / "redline.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        all_rows = len(library._rows)
        await pilot.press("slash")
        await pilot.pause()
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        for character in "trade":
            await pilot.press(character)
            await app.workers.wait_for_complete()
            await pilot.pause()
        monkeypatch.setattr(Screen, "_refresh_layout", refresh_layout)
        assert library.query_one("#library-search", SearchInput).value == "trade"
        assert library.library_query.search == "trade"
        assert len(library._rows) < all_rows  # the search did filter the rows
        assert layouts == []  # Input's virtual_size laid out the whole screen on every key


class _Field(App[None]):
    CSS = """
    #fixed { width: 12; }
    #auto { width: auto; }
    """

    def compose(self) -> ComposeResult:
        yield SearchInput(id="fixed")
        yield SearchInput(id="auto")


async def test_a_fixed_field_scrolls_to_its_cursor_and_an_auto_one_grows() -> None:
    app = _Field()
    async with app.run_test(size=(80, 10)) as pilot:
        fixed = app.query_one("#fixed", SearchInput)
        fixed.focus()
        await pilot.press(*"abcdefghijklmnopqrstuvwxyz")
        await pilot.pause()
        assert fixed.virtual_size.width == 27  # the text and the cursor after it
        assert fixed.max_scroll_x > 0
        assert fixed.scroll_x == fixed.max_scroll_x  # the cursor, at the end, in view
        auto = app.query_one("#auto", SearchInput)
        before = auto.region.width
        auto.focus()
        await pilot.press(*"a long search for the auto field")
        await pilot.pause()
        assert auto.region.width > before  # a field sized by its text still lays out


async def test_a_search_is_counted_after_its_rows_are_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import queries
    from tui.widgets.library_table import LibraryTable

    events: list[str] = []
    render_lines = LibraryTable.render_lines
    count_articles = queries.count_articles

    def drawn(table: LibraryTable, crop: Any) -> Any:
        lines = render_lines(table, crop)
        rows = table.rows
        events.append(f"drawn {rows[0].title if rows else ''}")
        return lines

    def counted(*args: Any, **kwargs: Any) -> int:
        events.append(f"count {args[2]}")
        return count_articles(*args, **kwargs)

    app = make_app(sample_database(tmp_path / "redline.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        monkeypatch.setattr(LibraryTable, "render_lines", drawn)
        monkeypatch.setattr(queries, "count_articles", counted)
        library.page_size = lambda: 1  # type: ignore[method-assign]  # a full page: counted
        library.library_query = replace(library.library_query, search="the", limit=1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "count the" in events
        first_count = events.index("count the")
        title = library._rows[0].title
        assert f"drawn {title}" in events[:first_count]  # the rows were on screen first


async def test_a_typed_key_and_its_rows_are_painted_in_one_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The field's echo of a key waits for the key's rows (SearchInput ``hold``): one frame
    shows both, not the text in one frame and the rows 17-33 ms later in the next."""
    from tui.screens import library as library_module
    from tui.widgets.library_table import LibraryTable

    monkeypatch.setattr(library_module, "ECHO_HOLD", 10.0)  # only the rows end the hold

    frames: list[list[str]] = []
    compositor_refresh = Screen._compositor_refresh
    render_line = SearchInput.render_line
    render_lines = LibraryTable.render_lines

    def painted(screen: Screen[Any]) -> None:
        frames.append([])
        compositor_refresh(screen)

    def field_drawn(field: SearchInput, y: int) -> Any:
        if frames:
            frames[-1].append(f"field {field.value}")
        return render_line(field, y)

    def table_drawn(table: LibraryTable, crop: Any) -> Any:
        if frames:
            frames[-1].append(f"rows {[row.id for row in table.rows]}")
        return render_lines(table, crop)

    app = make_app(sample_database(tmp_path / "redline.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        await pilot.press("slash")
        await pilot.pause()
        monkeypatch.setattr(Screen, "_compositor_refresh", painted)
        monkeypatch.setattr(SearchInput, "render_line", field_drawn)
        monkeypatch.setattr(LibraryTable, "render_lines", table_drawn)
        shown: list[str] = []
        for character in "trade":
            frames.clear()
            await pilot.press(character)
            await app.workers.wait_for_complete()
            await pilot.pause()
            rows = f"rows {[row.id for row in library._rows]}"
            shown.append(rows)
            typed = f"field {'trade'[: len(shown)]}"
            echoed = [i for i, frame in enumerate(frames) if typed in frame]
            assert echoed, frames
            assert rows in frames[echoed[0]], frames  # in the echo's frame
        assert len(set(shown)) > 1  # the rows did change as the word grew


class _HeldField(App[None]):
    def compose(self) -> ComposeResult:
        yield SearchInput(id="held", hold=0.5)


async def test_a_held_echo_is_painted_after_the_hold_without_a_release() -> None:
    app = _HeldField()
    async with app.run_test(size=(80, 10)) as pilot:
        field = app.query_one("#held", SearchInput)
        field.focus()
        await pilot.press("a")
        assert field.holding  # nobody releases it: the hold's time limit does
        await pilot.pause(0.8)
        assert not field.holding
        assert field.value == "a"
        field.release()  # a release after the hold ended does nothing
        assert not field.holding


async def test_a_count_waits_for_typing_to_pause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count of a prefix the next key has left is never run (COUNT_QUIET)."""
    from storage import queries
    from tui.screens import library_data

    counted: list[str] = []
    count_articles = queries.count_articles

    def counting(*args: Any, **kwargs: Any) -> int:
        counted.append(args[2])
        return count_articles(*args, **kwargs)

    app = make_app(sample_database(tmp_path / "redline.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        library.page_size = lambda: 1  # type: ignore[method-assign]  # full pages: counted
        library.library_query = replace(library.library_query, limit=1)
        await app.workers.wait_for_complete()
        await pilot.press("slash")
        await pilot.pause()
        monkeypatch.setattr(queries, "count_articles", counting)
        monkeypatch.setattr(library_data, "COUNT_QUIET", 1.0)
        for character in "the":
            await pilot.press(character)
            await pilot.pause(0.2)  # the rows are painted; the count still waits
        assert counted == []
        await app.workers.wait_for_complete()
        assert counted == ["the"]  # the last prefix only, once typing paused


async def test_after_paint_callbacks_run_after_the_paint_not_inside_it(tmp_path: Path) -> None:
    from tui.widgets.library_table import LibraryTable

    painting: list[bool] = [False]
    seen: list[bool] = []
    compositor_refresh = Screen._compositor_refresh

    def painted(screen: Screen[Any]) -> None:
        painting[0] = True
        try:
            compositor_refresh(screen)
        finally:
            painting[0] = False

    app = make_app(sample_database(tmp_path / "redline.db"))
    async with app.run_test(size=(120, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        Screen._compositor_refresh = painted  # type: ignore[method-assign]
        try:
            app.screen.query_one(LibraryTable).after_paint(lambda: seen.append(painting[0]))
            await pilot.pause(0.1)
        finally:
            Screen._compositor_refresh = compositor_refresh  # type: ignore[method-assign]
    assert seen == [False]
