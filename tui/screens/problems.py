"""Problems: the dataset quality findings (``redline check``) in the app, key ``P``.

The checks run in a thread worker when the screen opens and again whenever it
comes back into view, so a problem fixed in the reader is gone on return.
``enter`` on a finding opens the reader with the cursor at its span (or the
Entities screen for an entity without mentions). Messages quote article text
and names: shown as ``Text`` of :func:`~tui.literal.visible_line`, never markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from storage.checks import CheckReport, Finding, run_checks
from storage.errors import StorageError
from tui.literal import visible_line

if TYPE_CHECKING:
    from tui.app import RedlineApp
    from tui.screens.reader import ReaderScreen

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
CURSOR_ATTEMPTS = 50
"""Refreshes to wait for the reader to mount before placing its cursor."""


class ProblemsScreen(Screen[None]):
    """A table of findings: severity, check, place, message."""

    DEFAULT_CSS = """
    ProblemsScreen #problems-title {
        height: 1;
        padding: 0 1;
        background: $panel;
        text-style: bold;
    }
    ProblemsScreen #problems-table {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("enter", "open", "Go to", id="problems-open", show=True),
        Binding("g", "recheck", "Check again", id="problems-recheck"),
        Binding("q,escape", "back", "Back", id="problems-back"),
    ]

    class Checked(Message):
        """The worker finished a run (``error`` set when the database could not be read)."""

        def __init__(self, report: CheckReport | None, error: str | None = None) -> None:
            super().__init__()
            self.report = report
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.findings: list[Finding] = []

    @property
    def redline(self) -> RedlineApp:
        return cast("RedlineApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("Problems · checking…", id="problems-title")
        yield DataTable(id="problems-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in (("Severity", 8), ("Check", 22), ("Place", 18), ("Problem", None)):
            table.add_column(name, width=width, key=name.lower())
        table.focus()

    def on_screen_resume(self) -> None:
        """Opened, or back from the reader: check again (what was fixed goes away)."""
        self.recheck()

    def action_recheck(self) -> None:
        self.recheck()

    @work(thread=True, exclusive=True, group="problems")
    def recheck(self) -> None:
        app = self.redline
        try:
            report = run_checks(
                app.database,
                app.config.schema,
                annotator=app.annotator,
                ignore=app.config.check_ignore,
            )
        except StorageError as exc:
            self.post_message(self.Checked(None, str(exc)))
            return
        self.post_message(self.Checked(report))

    @on(Checked)
    def show_report(self, event: Checked) -> None:
        title = self.query_one("#problems-title", Static)
        if event.report is None:
            title.update(Text(visible_line(f"Problems · cannot check: {event.error}")))
            return
        report = event.report
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self.findings = list(report.findings)
        for finding in self.findings:
            table.add_row(
                Text(finding.severity, SEVERITY_STYLE[finding.severity]),
                Text(finding.check),
                Text(finding.place, "dim"),
                Text(visible_line(finding.message)),
            )
        if self.findings:
            table.move_cursor(row=min(row, len(self.findings) - 1))
        counts = report.counts
        summary = (
            f"Problems · {counts['error']} errors, {counts['warning']} warnings, "
            f"{counts['info']} info · {visible_line(self.redline.annotator)}"
        )
        summary += " · enter goes to the place" if self.findings else " · nothing to fix"
        title.update(Text(summary))

    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not self.findings or not 0 <= table.cursor_row < len(self.findings):
            return
        finding = self.findings[table.cursor_row]
        if finding.article_id is not None:
            self.open_finding(finding.article_id, finding.start or 0)
        elif finding.entity_id is not None:
            from tui.screens.entities import EntitiesScreen

            self.app.push_screen(EntitiesScreen())
        else:
            self.notify("This finding has no place to go to.", timeout=3)

    def open_finding(self, article_id: int, offset: int) -> None:
        """The reader on ``article_id`` with its cursor at ``offset``."""
        self.redline.open_reader(article_id)
        reader = self.app.screen
        self._place_cursor(reader, article_id, offset, CURSOR_ATTEMPTS)

    def _place_cursor(self, reader: Screen[None], article_id: int, offset: int, left: int) -> None:
        from tui.screens.reader import ReaderScreen

        if not isinstance(reader, ReaderScreen) or reader.article_id != article_id:
            return
        if reader.is_mounted and _loaded(reader):
            reader.pane.move_cursor(offset)
        elif left > 0:
            self.app.call_after_refresh(self._place_cursor, reader, article_id, offset, left - 1)

    def action_back(self) -> None:
        self.app.pop_screen()


def _loaded(reader: ReaderScreen) -> bool:
    return reader.article is not None and reader.article.id == reader.article_id
