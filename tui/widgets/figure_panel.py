"""The Figures panel: each figure with its value, unit, metric and period.

A :class:`VirtualList` drawn as a table: a fixed header row of column titles,
then one row per figure. :meth:`FigurePanel.show` measures the columns in one
pass (formatted values are remembered between calls, as most figures do not
change from one keystroke to the next); rows are rendered only when painted.
When the panel is too narrow, columns that are empty in every row are left
out, then the Metric column gives up its space. After an edit,
:meth:`FigurePanel.patch` changes only the rows of the figures it touched
(see :class:`~tui.widgets.panel_model.TableRows`); the rows are drawn again
only if a column's width changed.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import on
from textual.message import Message

from tui.widgets.panel_model import TableRows
from tui.widgets.row_text import one_line, safe_style
from tui.widgets.virtual_list import VirtualList


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


TITLES = ("Kind", "Value", "Unit", "Metric", "Period")
GAP = "  "
METRIC = 3
"""Index of the column that shrinks when the panel is narrow."""
OPTIONAL = (4, 2, METRIC)
"""Columns left out, in this order, when no row has a value for them and space is short."""
_VALUE_KEY = attrgetter("value", "approximate", "change")


def _cells(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _needed(widths: list[int]) -> int:
    """Cells taken by the columns shown (width > 0) and the gaps between them."""
    shown = [cells for cells in widths if cells]
    return sum(shown) + len(GAP) * max(0, len(shown) - 1)


def _fit(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded to ``width`` cells, or cut with an ellipsis."""
    cells = _cells(text)
    if cells > width:
        return set_cell_size(text, width - 1) + "…" if width > 0 else ""
    padding = " " * (width - cells)
    return padding + text if right else text + padding


class FigurePanel(VirtualList[FigureItem]):
    """Select a row to move the cursor to the figure; ``f`` there edits it."""

    BORDER_TITLE = "Figures"
    HAS_HEADER = True

    class FigureSelected(Message):
        def __init__(self, span_id: int, start: int) -> None:
            super().__init__()
            self.span_id = span_id
            self.start = start

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._model: TableRows[FigureItem] = TableRows(self._measure, len(TITLES))
        self._layout: tuple[int, tuple[int, ...]] = (-1, ())
        self._values: dict[tuple[Decimal | None, bool, bool], str] = {}

    def _value(self, figure: FigureItem) -> str:
        key = _VALUE_KEY(figure)
        text = self._values.get(key)
        if text is None:
            text = format_value(*key)
            self._values[key] = text
        return text

    def _measure(self, figure: FigureItem) -> tuple[int, ...]:
        """Cells of each column's content in ``figure``'s row (0: empty)."""
        return (
            _cells(figure.kind) if figure.kind else 0,
            # Formatted values hold digits, signs, "≈", "—" and suffixes: one cell each.
            len(self._value(figure)),
            _cells(figure.unit) if figure.unit else 0,
            _cells(figure.metric) if figure.metric else 0,
            _cells(figure.period) if figure.period else 0,
        )

    def show(self, figures: Iterable[FigureItem]) -> None:
        """Replace the rows; columns are sized to the widest cell of each.

        A value is formatted once for as long as some figure has it.
        """
        figures = list(figures)
        keys = set(map(_VALUE_KEY, figures))
        if len(self._values) > 2 * len(keys) + 1024:
            self._values = {key: text for key, text in self._values.items() if key in keys}
        self._model.load(figures)
        self._layout = (-1, ())
        self.set_rows(self._model.rows)
        self.border_subtitle = str(len(self._model.rows))

    def patch(self, changed: Iterable[int], figures: Iterable[FigureItem]) -> None:
        """The figures of span ids ``changed`` are now ``figures`` (an id without one is gone).

        Only their rows are drawn again, unless a column's width changed.
        """
        highlighted = self.highlighted_row
        widest = self._model.widest
        splice = self._model.patch(changed, figures)
        if splice is None:
            return
        self.splice_rows(self._model.rows, splice, highlighted)
        if self._model.widest != widest or not self._model.rows:
            self._layout = (-1, ())
            self._revision += 1
            self.refresh()
        count = str(len(self._model.rows))
        if count != self.border_subtitle:  # setting it repaints the whole panel
            self.border_subtitle = count

    def column_widths(self, width: int) -> tuple[int, ...]:
        """Cells per column at ``width`` (0: the column is left out).

        Each column is as wide as its widest cell or its title. If that does not
        fit, optional columns empty in every row go, then Metric shrinks (to
        its title); the line is cut at the panel's edge after that.
        """
        if self._layout[0] == width:
            return self._layout[1]
        widest = self._model.widest
        widths = [max(len(title), cells) for title, cells in zip(TITLES, widest, strict=True)]
        if self.rows:
            for index in OPTIONAL:
                if not widest[index] and _needed(widths) > width:
                    widths[index] = 0
        if widths[METRIC] and _needed(widths) > width:
            widths[METRIC] = max(len(TITLES[METRIC]), widths[METRIC] - (_needed(widths) - width))
        self._layout = (width, tuple(widths))
        return self._layout[1]

    def _line(self, cells: Iterable[tuple[str, Style | str]], width: int) -> Text:
        """One line of the table: each shown cell fitted to its column, ``GAP`` apart.

        The Value column (index 1) is right-aligned, as numbers are.
        """
        text = Text()
        for index, ((content, style), cells_wide) in enumerate(
            zip(cells, self.column_widths(width), strict=True)
        ):
            if cells_wide:
                if text:
                    text.append(GAP)
                text.append(_fit(content, cells_wide, right=index == 1), style)
        return text

    def row_key(self, row: FigureItem) -> Hashable:
        return row.span_id

    def render_header(self, width: int) -> Text:
        return self._line(((title, "") for title in TITLES), width)

    def render_row(self, row: FigureItem, width: int) -> Text:
        suggested = row.status == "suggested"
        return self._line(
            (
                (row.kind, safe_style(f"bold {row.colour}")),
                (self._value(row), "italic dim" if suggested else ""),
                (one_line(row.unit or ""), ""),
                (one_line(row.metric or ""), ""),
                (one_line(row.period or ""), ""),
            ),
            width,
        )

    @on(VirtualList.RowSelected)
    def _selected(self, event: VirtualList.RowSelected) -> None:
        event.stop()
        figure = event.row
        if isinstance(figure, FigureItem):
            self.post_message(self.FigureSelected(figure.span_id, figure.start))
