"""The library's table draws a row once: a refill that finds it again reuses its line."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from storage.queries import ArticleRow
from tui.widgets.library_table import LibraryTable


def _row(number: int) -> ArticleRow:
    return ArticleRow(number, f"Title {number}", "wire", "2024-01-02", 1000, "todo", 1, 0, 0, 0)


class _Table(App[None]):
    def compose(self) -> ComposeResult:
        yield LibraryTable()


async def test_rows_found_again_are_not_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[int] = []
    render_row = LibraryTable.render_row

    def counted(table: LibraryTable, row: ArticleRow, width: int) -> Text:
        drawn.append(row.id)
        return render_row(table, row, width)

    monkeypatch.setattr(LibraryTable, "render_row", counted)
    app = _Table()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(LibraryTable)
        table.set_rows([_row(n) for n in range(1, 21)])
        await pilot.pause()
        assert drawn and set(drawn) <= set(range(1, 21))
        drawn.clear()
        table.set_rows([_row(n) for n in range(1, 21)])  # the same search again: equal rows
        await pilot.pause()
        assert drawn == []
        table.set_rows([_row(n) for n in (1, 2, 3, 99, *range(5, 21))])  # one row differs
        await pilot.pause()
        assert drawn == [99]
        assert "Title 99" in app.export_screenshot().replace("&#160;", " ")
