"""One paint of the reading pane: what every row reads, taken once, and each row drawn from it.

Textual computes ``rich_style`` (a walk over the ancestors) and the content
region afresh on each access: per line they were a third of a scrolled pane's
paint. So when a paint begins the pane takes them, with its text, wrap table,
spans, cursor, selection and search matches, into one :class:`Paint`, and
:func:`draw_row` draws each row of the viewport from it: the span-styled line
from the cache (:mod:`~tui.widgets.pane_lines`), cropped to the viewport, then
matches, selection and cursor painted on top. :func:`jump_rows` says which
lines a jump will show, so the pane can build them ahead. No widget code here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from rich.console import Console
from rich.style import Style
from textual.strip import Strip

from tui.widgets import pane_layout as layout
from tui.widgets.pane_lines import ComponentStyle, LineCache, PaneLine, paint_overlays
from tui.widgets.pane_render import StyleKey
from tui.widgets.pane_spans import SpanStore


class Paint(NamedTuple):
    """What every row of one paint needs: the pane's content, state and styles at its start."""

    text: str
    table: layout.WrapTable
    spans: SpanStore
    lines: LineCache
    make_style: Callable[[StyleKey], Style]
    """Builds a span style on first use (the pane's colours): see :meth:`LineCache.line`."""
    console: Console
    component: ComponentStyle
    scroll_x: int
    scroll_y: int
    width: int
    base: Style
    cursor: int
    cursor_row: int
    selection: tuple[int, int] | None
    matches: Sequence[tuple[int, int]]

    def line(self, row: int) -> PaneLine:
        """Visual line ``row`` with its spans drawn (from the line cache when unchanged)."""
        spans = self.spans
        return self.lines.line(
            self.text,
            self.table,
            spans.index,
            spans.revision,
            row,
            self.make_style,
            self.base,
            self.console,
        )


def draw_row(paint: Paint, y: int) -> Strip:
    """Visual line ``y`` of the viewport: cached spans, then matches, selection, cursor."""
    scroll_x, width, base = paint.scroll_x, paint.width, paint.base
    row = paint.scroll_y + y
    if row >= len(paint.table):
        return Strip.blank(width, base)
    line = paint.line(row)
    strip = line.strip.crop_extend(scroll_x, scroll_x + width, base)
    on_row = paint.cursor_row == row
    selection = paint.selection
    if not on_row and selection is None and not paint.matches:
        return strip
    return paint_overlays(
        strip,
        line,
        scroll_x,
        paint.matches,
        selection,
        paint.cursor if on_row else None,
        paint.component,
    )


def jump_rows(table: layout.WrapTable, offset: int, cursor: int, height: int) -> range:
    """The visual lines on screen after the cursor jumps from ``cursor`` to ``offset``.

    A jump forward scrolls ``offset`` to the bottom edge, a jump back to the top.
    """
    row = table.row_of(offset)
    first = row - height + 1 if offset >= cursor else row
    return range(max(0, first), min(len(table), first + height))
