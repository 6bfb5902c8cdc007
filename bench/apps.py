"""The apps the TUI cases drive: redline on a benchmark database, and the bare baselines.

Each baseline is the smallest Textual app doing the same visible job with
Textual's own widgets (a ``DataTable`` of the same rows, a read-only
``TextArea`` of the same text, a ``Static`` echoing the key), so a ratio shows
what redline adds on top of the framework.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TextArea

from bench import OUT
from bench.db import ANNOTATOR
from storage.db import Database, open_db
from storage.queries import ArticleRow
from storage.schema import load_config
from tui.app import RedlineApp

SIZE = (120, 40)
"""Terminal size for every measured app."""
COLUMNS = ("Title", "Source", "Date", "Length", "State", "Ent", "Fig", "Top")


def open_database(path: Path) -> Database:
    return open_db(str(path))


def redline_app(database: Database, *, open_articles: list[int] | None = None) -> RedlineApp:
    """redline as ``redline --db PATH`` starts it, with the built-in schema.

    The on-open suggesters are off: they run in a worker after the article is
    shown and would add suggestions (changing the data) on the first run.
    """
    config = replace(load_config(None, cwd=OUT, environ={}), auto_suggest=False)
    return RedlineApp(database, ANNOTATOR, config, open_articles=open_articles)


def table_cells(row: ArticleRow) -> tuple[Text | str, ...]:
    """The same cells the library shows for ``row``."""
    return (
        Text(row.title, overflow="ellipsis", no_wrap=True),
        Text(row.source or "", overflow="ellipsis", no_wrap=True),
        row.published or "",
        Text(f"{row.length:,}", justify="right"),
        Text(row.state.replace("_", " ")),
        Text(str(row.entities), justify="right"),
        Text(str(row.figures), justify="right"),
        Text(str(row.topics), justify="right"),
    )


class BareTable(App[None]):
    """Baseline for start-up: a header, one ``DataTable`` with the library's rows, a footer."""

    def __init__(self, rows: Sequence[tuple[Text | str, ...]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for title in COLUMNS:
            table.add_column(title)
        for index, cells in enumerate(self.rows):
            table.add_row(*cells, key=str(index))
        table.focus()


class TextScreen(Screen[None]):
    """Baseline for opening an article: Textual's read-only ``TextArea``, no highlights."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield TextArea(self.text, read_only=True, soft_wrap=True)
        yield Footer()


class BareScreens(App[None]):
    """An app that only pushes the screens a measurement gives it."""

    def compose(self) -> ComposeResult:
        yield Static("ready")


class Echo(App[None]):
    """Baseline for keystrokes: each bound key updates a ``Static``, through an action."""

    BINDINGS = [Binding(key, f"echo('{key}')", key) for key in ("1", "2", "u", "w", "a", "r")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="echo")
        yield Footer()

    def action_echo(self, key: str) -> None:
        self.count += 1
        self.query_one("#echo", Static).update(f"pressed {key} ({self.count})")


def rows_painted(screen: Screen[Any]) -> bool:
    """True once ``screen`` shows rows: a ``DataTable`` (baselines) or the library's table."""
    from tui.widgets.library_table import LibraryTable

    return any(table.row_count for table in screen.query(DataTable)) or any(
        table.rows for table in screen.query(LibraryTable)
    )
