"""The Figures panel: each figure with its value, unit, metric and period."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import DataTable


@dataclass(frozen=True)
class FigureItem:
    span_id: int
    start: int
    text: str
    kind: str
    colour: str
    status: str
    value: Decimal | None
    unit: str | None
    metric: str | None
    period: str | None
    approximate: bool = False
    change: bool = False


def format_value(value: Decimal | None, approximate: bool = False, change: bool = False) -> str:
    """A compact, exact rendering: 49700000000 → '49.7bn', 16.9 → '+16.9' for changes."""
    if value is None:
        return "—"
    prefix = "≈" if approximate else ""
    sign = "+" if change and value > 0 else ""
    magnitude = abs(value)
    for threshold, suffix in ((10**12, "tn"), (10**9, "bn"), (10**6, "m"), (10**3, "k")):
        if magnitude >= threshold and magnitude >= 10_000:
            scaled = (value / threshold).normalize()
            return f"{prefix}{sign}{scaled:f}{suffix}"
    return f"{prefix}{sign}{value.normalize():f}"


class FigurePanel(DataTable[Text | str]):
    """Select a row to move the cursor to the figure; ``f`` there edits it."""

    BORDER_TITLE = "Figures"

    class FigureSelected(Message):
        def __init__(self, span_id: int, start: int) -> None:
            super().__init__()
            self.span_id = span_id
            self.start = start

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._starts: dict[str, int] = {}

    def on_mount(self) -> None:
        for key, title in (
            ("kind", "Kind"),
            ("value", "Value"),
            ("unit", "Unit"),
            ("metric", "Metric"),
            ("period", "Period"),
        ):
            self.add_column(title, key=key)

    def show(self, figures: list[FigureItem]) -> None:
        self.clear()
        self._starts = {}
        for figure in figures:
            key = str(figure.span_id)
            self._starts[key] = figure.start
            style = "italic dim" if figure.status == "suggested" else ""
            self.add_row(
                Text(figure.kind, style=f"bold {figure.colour}"),
                Text(format_value(figure.value, figure.approximate, figure.change), style=style),
                figure.unit or "",
                Text(figure.metric or "", overflow="ellipsis", no_wrap=True),
                figure.period or "",
                key=key,
            )
        self.border_subtitle = str(len(figures))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = str(event.row_key.value)
        self.post_message(self.FigureSelected(int(key), self._starts[key]))
