"""The reading pane's drawn lines: span-styled strips, cached, with overlays on top.

A visual line's span styling only changes when its spans, the wrap width or the
theme do, so it is built once into a :class:`PaneLine` and kept in an LRU cache;
search matches, the selection and the cursor change on every key and are
painted over the cached strip each time a row is drawn (:func:`paint_overlays`).
No widget code here: the pane passes its text, wrap table, spans and styles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.style import Style
from textual.cache import LRUCache
from textual.strip import Strip

from tui.widgets import pane_layout as layout
from tui.widgets.pane_model import PaneSpan
from tui.widgets.pane_render import StyleKey, line_strip, overlay, style_key

ComponentStyle = Callable[..., Style]
"""``get_component_rich_style`` of the pane: a component class name to its style."""


@dataclass(frozen=True)
class PaneLine:
    """A cached visual line: its strip and what is needed to place overlays on it."""

    strip: Strip
    start: int
    shown: int
    positions: list[int] | None

    def cells(self, start: int, end: int) -> tuple[int, int]:
        """Cells ``[first, last)`` showing offsets ``[start, end)`` of the text, on this line."""
        return layout.cell_range(self.positions, self.shown, start - self.start, end - self.start)


class LineCache:
    """Built lines by ``(row, width, revision)``, and span styles by :data:`StyleKey`.

    ``revision`` is the span store's: a wholesale replace of the spans makes
    every cached line stale without walking the cache.
    """

    def __init__(self) -> None:
        self._lines: LRUCache[tuple[int, int, int], PaneLine] = LRUCache(1024)
        self.styles: dict[StyleKey, Style] = {}

    def clear(self) -> None:
        """Forget every line (the wrap or the spans changed)."""
        self._lines.clear()

    def clear_styles(self) -> None:
        """Forget styles and lines (the theme or focus changed the colours)."""
        self.styles.clear()
        self._lines.clear()

    def discard_spans(
        self, table: layout.WrapTable, spans: Iterable[PaneSpan], revision: int
    ) -> list[tuple[int, int]]:
        """Forget the lines ``spans`` cover (they changed); their rows, as ``(first, count)``."""
        rows = []
        for span in spans:
            first, last = table.row_of(span.start), table.row_of(max(span.start, span.end - 1))
            for row in range(first, last + 1):
                self._lines.discard((row, table.width, revision))
            rows.append((first, last - first + 1))
        return rows

    def line(
        self,
        text: str,
        table: layout.WrapTable,
        spans: layout.SpanIndex[PaneSpan],
        revision: int,
        row: int,
        make_style: Callable[[StyleKey], Style],
        base: Style,
        console: Console,
    ) -> PaneLine:
        """Visual line ``row``, built (styles made on first use by ``make_style``) or cached."""
        key = (row, table.width, revision)
        cached = self._lines.get(key)
        if cached is not None:
            return cached
        start, _ = table.line_range(row)
        shown = layout.line_text(text, table, row)
        touching = spans.touching(start, start + len(shown))
        for span in touching:
            span_key = style_key(span)
            if span_key not in self.styles:
                self.styles[span_key] = make_style(span_key)
        strip = line_strip(shown, start, touching, self.styles, base, console)
        line = PaneLine(strip, start, len(shown), layout.cell_positions(shown))
        self._lines.set(key, line)
        return line


def paint_overlays(
    strip: Strip,
    line: PaneLine,
    scroll_x: int,
    matches: Sequence[tuple[int, int]],
    selection: tuple[int, int] | None,
    cursor: int | None,
    component: ComponentStyle,
) -> Strip:
    """Paint search matches, the selection and (if on this line) the ``cursor`` over ``strip``.

    Selection and matches take their whole style (readable text on a blended
    background); the cursor only reverses what is already there.
    """
    line_end = line.start + line.shown
    for start, end in layout.match_ranges(matches, line.start, line_end):
        first, last = line.cells(start, end)
        strip = overlay(strip, first - scroll_x, last - scroll_x, component("reading-pane--match"))
    if selection is not None and selection[0] < line_end and selection[1] > line.start:
        first, last = line.cells(*selection)
        strip = overlay(
            strip, first - scroll_x, last - scroll_x, component("reading-pane--selection")
        )
    if cursor is not None:
        first, last = layout.char_cells(line.positions, cursor - line.start)
        strip = overlay(
            strip,
            first - scroll_x,
            last - scroll_x,
            component("reading-pane--cursor", partial=True),
        )
    return strip
