"""The library's table of articles, on :class:`~tui.widgets.virtual_list.VirtualList`.

A search keystroke replaces every row. ``DataTable`` measures each new cell
and renders each visible cell through Rich's padding and wrapping (about
0.3 ms a cell: ~100 ms a screen of 35 rows × 8 columns on the development
machine); this table keeps the rows as :class:`~storage.queries.ArticleRow`
values, draws only the rows on screen, each as one ``Text`` line cut into
fixed columns (the title takes the width the others leave), and caches the
drawn lines, so a refill is a list assignment and a repaint a few ms.

Titles and sources are data: cells are ``Text`` of :func:`~tui.literal.visible_line`
(never markup, no control character reaches the terminal). A click on a
column title posts :class:`LibraryTable.HeaderSelected` (the library sorts by it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.text import Span, Text
from textual import events
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from storage.queries import ArticleRow
from tui.literal import visible_line
from tui.states import STATE_STYLE, state_name
from tui.widgets.virtual_list import VirtualList

COLUMNS = (
    ("title", "Title", 0),
    ("source", "Source", 16),
    ("published", "Date", 10),
    ("length", "Length", 8),
    ("state", "State", 11),
    ("entities", "Ent", 4),
    ("figures", "Fig", 4),
    ("topics", "Top", 4),
)
"""(key, header, width); the title takes what the others leave."""
RIGHT = frozenset({"length", "entities", "figures", "topics"})
"""Columns of numbers, aligned right."""
GAP = 2
"""Cells between two columns."""
MIN_TITLE = 16


def _fit(value: str, width: int) -> str:
    """``value`` cut to ``width`` cells, with an ellipsis when it was longer."""
    if cell_len(value) <= width:
        return value
    return set_cell_size(value, max(0, width - 1)) + "…" if width > 0 else ""


@lru_cache(maxsize=8)
def _header(width: int) -> Text:
    return LibraryTable._line([(title, "") for _, title, _ in COLUMNS], width)


class LibraryTable(VirtualList[ArticleRow]):
    """One row per article: title, source, date, length, state and annotation counts."""

    HAS_HEADER: ClassVar[bool] = True
    ROW_DRAWN_BY_VALUE: ClassVar[bool] = True
    """A search keystroke finds mostly the rows it showed: their strips are reused."""

    DEFAULT_CSS = """
    LibraryTable {
        padding: 0 0;
        & > .library-table--zebra { background: $surface-lighten-1; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *VirtualList.COMPONENT_CLASSES,
        "library-table--zebra",
    }

    class HeaderSelected(Message):
        """A column title was clicked."""

        def __init__(self, table: LibraryTable, column_key: str) -> None:
            super().__init__()
            self.table = table
            self.column_key = column_key

        @property
        def control(self) -> LibraryTable:
            return self.table

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._after_paint: list[Callable[[], object]] = []

    def after_paint(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the table's lines have next been drawn (its rows on screen).

        ``call_after_refresh`` is not that: the screen learns of the table's
        repaint from a message the table posts when idle, and may run its
        callbacks before (the count of a search then raced the rows' paint).
        The callbacks run after the paint that drew the lines, not inside it: the
        library's callback releases a worker thread, which would contend with the
        rest of that paint for the GIL (a 5 ms paint took up to 50 ms).
        """
        self._after_paint.append(callback)
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = super().render_lines(crop)
        if self._after_paint:
            callbacks, self._after_paint = self._after_paint, []
            self.call_later(self._painted, callbacks)
        return lines

    @staticmethod
    def _painted(callbacks: list[Callable[[], object]]) -> None:
        for callback in callbacks:
            callback()

    def row_key(self, row: ArticleRow) -> Hashable:
        return row.id

    @staticmethod
    def widths(width: int) -> list[int]:
        """Each column's width in a table ``width`` cells wide (one leading gap included)."""
        fixed = sum(column_width + GAP for _, _, column_width in COLUMNS)
        title = max(MIN_TITLE, width - fixed - GAP)
        return [column_width or title for _, _, column_width in COLUMNS]

    @classmethod
    def _line(cls, cells: list[tuple[str, str]], width: int) -> Text:
        """One line of (text, style) cells, each cut or padded to its column.

        Built as one string and a span per styled cell: a ``Text`` per cell
        appended one by one cost more than the rest of the repaint.
        """
        parts: list[str] = []
        spans: list[Span] = []
        position = 0
        for (key, _, _), (value, style), column_width in zip(
            COLUMNS, cells, cls.widths(width), strict=True
        ):
            fitted = _fit(value, column_width)
            pad = " " * (column_width - cell_len(fitted))
            lead = GAP // 2 + (len(pad) if key in RIGHT else 0)
            part = (
                f"{' ' * (GAP // 2)}{pad}{fitted}{' ' * (GAP - GAP // 2)}"
                if key in RIGHT
                else f"{' ' * (GAP // 2)}{fitted}{pad}{' ' * (GAP - GAP // 2)}"
            )
            if style:
                spans.append(Span(position + lead, position + lead + len(fitted), style))
            parts.append(part)
            position += len(part)
        return Text("".join(parts), spans=spans, no_wrap=True, end="")

    def render_header(self, width: int) -> Text:
        return _header(width).copy()

    def render_row(self, row: ArticleRow, width: int) -> Text:
        return self._line(
            [
                (visible_line(row.title), ""),
                (visible_line(row.source or ""), ""),
                (visible_line(row.published or ""), ""),
                (f"{row.length:,}", ""),
                (state_name(row.state), STATE_STYLE.get(row.state, "")),
                (str(row.entities), ""),
                (str(row.figures), ""),
                (str(row.topics), ""),
            ],
            width,
        )

    def _state(self, index: int) -> str:
        state = super()._state(index)
        return "library-table--zebra" if not state and index % 2 else state

    def column_at(self, x: int) -> str | None:
        """The key of the column under content offset ``x`` (None: between columns)."""
        start = 0
        for (key, _, _), column_width in zip(
            COLUMNS, self.widths(self.scrollable_content_region.width), strict=True
        ):
            if start <= x < start + column_width + GAP:
                return key
            start += column_width + GAP
        return None

    def on_click(self, event: events.Click) -> None:
        """A click on a title sorts (rows: ``VirtualList.on_click``, called after this)."""
        offset = event.get_content_offset(self)
        if offset is not None and offset.y < self._header_height:
            key = self.column_at(offset.x)
            if key is not None:
                self.post_message(self.HeaderSelected(self, key))
