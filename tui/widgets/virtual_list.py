"""A selectable list on Textual's Line API: only the rows on screen are drawn.

The reader's side panels hold thousands of rows on a big article.
``OptionList`` and ``DataTable`` build and measure every row on each change;
this list keeps the rows as plain Python objects and asks its subclass for a
row's ``Text`` only when it is painted, so :meth:`VirtualList.set_rows` is one
cheap pass, and after an edit :meth:`VirtualList.splice_rows` repaints only the
visible lines the changed run moved or replaced. Strips are cached per (row
value, width, revision, state): rows must be hashable (frozen dataclasses).
Where the cursor goes is worked out in :mod:`tui.widgets.list_cursor`.

Subclasses implement :meth:`render_row` (one line of ``Text``; the list crops
it to the width with an ellipsis), and may override :meth:`row_key` (identity
that keeps the cursor on the same item across :meth:`set_rows`),
:meth:`row_enabled` (disabled rows, such as group headings, are skipped by the
cursor and cannot be selected) and :meth:`render_header` (a fixed first line,
e.g. column titles, drawn above the scrolling rows).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import ClassVar, Generic, TypeVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets import list_cursor
from tui.widgets.row_text import fit_strip

RowT = TypeVar("RowT")


class VirtualList(ScrollView, Generic[RowT], can_focus=True):
    """A scrolling list of rows with a highlighted row, drawn line by line."""

    ALLOW_SELECT = False

    DEFAULT_CSS = """
    VirtualList {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        padding: 0 1;
        &:focus { background-tint: $foreground 5%; }
        & > .virtual-list--cursor {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        &:focus > .virtual-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .virtual-list--hover { background: $block-hover-background; }
        & > .virtual-list--disabled { color: $text-disabled; }
        & > .virtual-list--header {
            color: $foreground;
            background: $panel;
            text-style: bold;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-list--cursor",
        "virtual-list--hover",
        "virtual-list--disabled",
        "virtual-list--header",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    HAS_HEADER: ClassVar[bool] = False
    """Whether :meth:`render_header` draws a fixed first line above the rows."""

    ROW_DRAWN_BY_VALUE: ClassVar[bool] = False
    """Whether :meth:`render_row` depends on nothing but the row and the width: then
    :meth:`set_rows` keeps the drawn strips (rows found again are not drawn again)."""

    cursor: reactive[int] = reactive(-1, repaint=False, init=False)
    """Index of the highlighted row; -1 when there is none."""

    class RowSelected(Message):
        """A row was chosen with enter or a click."""

        def __init__(self, virtual_list: VirtualList[RowT], index: int, row: RowT) -> None:
            super().__init__()
            self.virtual_list = virtual_list
            self.index = index
            self.row = row

        @property
        def control(self) -> VirtualList[RowT]:
            return self.virtual_list

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._rows: Sequence[RowT] = ()
        self._revision = 0
        self._hover = -1
        self._strips: LRUCache[tuple[object, int, int, str, bool], Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}
        self._header_height = 1 if self.HAS_HEADER else 0
        self._painting: tuple[int, int, bool] | None = None
        """(width, scroll top, focused) while :meth:`render_lines` draws (see there)."""

    # -- to override ---------------------------------------------------------

    def render_row(self, row: RowT, width: int) -> Text:
        """One line of text for ``row``; ``width`` is the cells available (for columns)."""
        raise NotImplementedError

    def render_header(self, width: int) -> Text:
        """The fixed first line when :attr:`HAS_HEADER` is set (e.g. column titles)."""
        return Text()

    def row_key(self, row: RowT) -> Hashable:
        """Identity of ``row`` across :meth:`set_rows` calls (the cursor follows it)."""
        return row  # type: ignore[return-value]

    def row_enabled(self, row: RowT) -> bool:
        """False for rows the cursor skips and nobody can select (headings)."""
        return True

    # -- rows ------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[RowT]:
        """The rows shown, in order."""
        return self._rows

    @property
    def highlighted_row(self) -> RowT | None:
        """The row under the cursor, if any."""
        return self._rows[self.cursor] if 0 <= self.cursor < len(self._rows) else None

    def set_rows(self, rows: Sequence[RowT]) -> None:
        """Replace the rows, keeping the scroll position and the cursor on the same item.

        One pass over ``rows`` at most (to find the highlighted item again);
        nothing is rendered or measured until the rows are painted.
        """
        old = self.highlighted_row
        old_index = self.cursor
        self._rows = rows
        if not self.ROW_DRAWN_BY_VALUE:
            self._revision += 1
        self._hover = -1
        cursor = -1
        if old is not None:
            cursor = list_cursor.find(rows, self.row_key, self.row_key(old), old_index)
            if cursor < 0 and rows:
                # The item is gone (deleted): stay at the same place in the list.
                cursor = list_cursor.nearest_enabled(rows, self.row_enabled, old_index)
        elif rows:
            cursor = list_cursor.next_enabled(rows, self.row_enabled, -1, 1)
        self.set_reactive(VirtualList.cursor, cursor)
        self._set_virtual_size(Size(self.virtual_size.width, len(rows) + self._header_height))
        self.refresh()

    def splice_rows(
        self, rows: Sequence[RowT], splice: tuple[int, int, int], highlighted: RowT | None
    ) -> None:
        """``rows`` are the old ones with ``[start, old_stop)`` replaced by ``[start, new_stop)``.

        ``highlighted`` is the row the cursor was on (the caller may have
        edited the old sequence in place). The cursor stays on its item, the
        scroll position stays, and only the visible lines the splice replaced
        (and, if it changed the row count, those below it) are repainted.
        """
        old_cursor, old_hover = self.cursor, self._hover
        self._rows = rows
        self._hover = -1
        key = self.row_key(highlighted) if highlighted is not None else None
        cursor = list_cursor.after_splice(
            rows, self.row_enabled, self.row_key, old_cursor if key is not None else -1, key, splice
        )
        self.set_reactive(VirtualList.cursor, cursor)
        header = self._header_height
        top = self.scroll_offset.y
        bottom = top + max(0, self.scrollable_content_region.height - header)
        first, count = list_cursor.lines_to_redraw(splice, top, bottom)
        if count:
            self.refresh_lines(first + header, count)
        for index in {old_cursor, cursor, old_hover} - {-1}:
            self.refresh_line(index + header)
        self._set_virtual_size(Size(self.virtual_size.width, len(rows) + header))

    def _set_virtual_size(self, size: Size) -> None:
        """Set the scrollable size without laying out the whole screen again.

        Assigning ``virtual_size`` re-lays out the screen (it may change an
        ``auto`` height), which costs a full repaint on every keystroke that
        adds or removes a row. A list sized by CSS only needs its scrollbars
        updated; ``_scroll_update`` (what ``OptionList`` calls too) still asks
        for a layout if a scrollbar appears or goes, and clamps the scroll.
        """
        if size == self.virtual_size:
            return
        if self.styles.auto_dimensions:
            self.virtual_size = size
            return
        self.set_reactive(VirtualList.virtual_size, size)
        self._scroll_update(size)

    # -- cursor ----------------------------------------------------------------

    def _enabled(self, index: int) -> bool:
        return 0 <= index < len(self._rows) and self.row_enabled(self._rows[index])

    def _next_enabled(self, index: int, step: int) -> int:
        return list_cursor.next_enabled(self._rows, self.row_enabled, index, step)

    def validate_cursor(self, index: int) -> int:
        """Clamp to the rows; a disabled row passes the cursor on to the nearest enabled one."""
        if not self._rows or index < 0:
            return -1
        return list_cursor.nearest_enabled(
            self._rows, self.row_enabled, min(index, len(self._rows) - 1)
        )

    def watch_cursor(self, old: int, new: int) -> None:
        """Repaint only the rows the cursor left and entered, and keep it in view."""
        header = self._header_height
        if old >= 0:
            self.refresh_line(old + header)
        if new >= 0:
            self.refresh_line(new + header)
            self.scroll_to_row(new)

    def scroll_to_row(self, index: int) -> None:
        """Scroll so row ``index`` is visible (with a heading directly above it, if any)."""
        if not self.is_mounted or not 0 <= index < len(self._rows):
            return
        top = list_cursor.run_start(self._rows, self.row_enabled, index)
        header = self._header_height
        region = Region(0, top + header, 1, index - top + 1)
        self.scroll_to_region(
            region, spacing=Spacing(top=header), animate=False, force=True, immediate=True
        )

    def _move(self, step: int) -> None:
        target = self._next_enabled(self.cursor, step)
        if target >= 0:
            self.cursor = target
        elif self.cursor < 0:
            self.action_first()

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_first(self) -> None:
        self.cursor = self._next_enabled(-1, 1)

    def action_last(self) -> None:
        self.cursor = self._next_enabled(len(self._rows), -1)

    def _page(self, direction: int) -> None:
        page = max(1, self.scrollable_content_region.height - self._header_height)
        target = list_cursor.page_target(
            self._rows, self.row_enabled, self.cursor, direction * page
        )
        if target >= 0:
            self.cursor = target

    def action_page_up(self) -> None:
        self._page(-1)

    def action_page_down(self) -> None:
        self._page(1)

    def action_select(self) -> None:
        """Post :class:`RowSelected` for the highlighted row."""
        index = self.cursor
        if self._enabled(index):
            self.post_message(self.RowSelected(self, index, self._rows[index]))

    # -- mouse -----------------------------------------------------------------

    def _row_at(self, event: events.MouseEvent) -> int:
        """The row under the pointer, or -1 (header, padding, past the last row)."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < self._header_height:
            return -1
        index = self.scroll_offset.y + offset.y - self._header_height
        return index if 0 <= index < len(self._rows) else -1

    def on_click(self, event: events.Click) -> None:
        index = self._row_at(event)
        if self._enabled(index):
            self.cursor = index
            self.action_select()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._row_at(event))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(-1)

    def _set_hover(self, index: int) -> None:
        if index == self._hover:
            return
        header = self._header_height
        for row in (self._hover, index):
            if row >= 0:
                self.refresh_line(row + header)
        self._hover = index

    # -- drawing -----------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Theme or focus changed the colours: redraw every row."""
        super().notify_style_update()
        self._strips.clear()
        self._styles.clear()

    def _style(self, component: str) -> Style:
        """The widget's style with ``component``'s on top ("" for none), computed once.

        ``rich_style`` walks the ancestors to blend backgrounds; per row that
        would cost more than drawing the row.
        """
        style = self._styles.get(component)
        if style is None:
            style = self.rich_style
            if component:
                style += self.get_component_rich_style(component)
            self._styles[component] = style
        return style

    def on_resize(self) -> None:
        self._set_virtual_size(
            Size(self.scrollable_content_region.width, len(self._rows) + self._header_height)
        )

    def _state(self, index: int) -> str:
        if index == self.cursor:
            return "virtual-list--cursor"
        if not self.row_enabled(self._rows[index]):
            return "virtual-list--disabled"
        if index == self._hover:
            return "virtual-list--hover"
        return ""

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines in ``crop``; width, scroll and focus are looked up once, not per line."""
        self._painting = (
            self.scrollable_content_region.width,
            self.scroll_offset.y,
            self.has_focus,
        )
        try:
            return super().render_lines(crop)
        finally:
            self._painting = None

    def render_line(self, y: int) -> Strip:
        """Draw line ``y`` of the viewport: the header, a cached row, or blank."""
        painting = self._painting
        if painting is None:
            painting = (self.scrollable_content_region.width, self.scroll_offset.y, self.has_focus)
        width, top, focused = painting
        header = self._header_height
        if y < header:
            style = self._style("virtual-list--header")
            return fit_strip(self.render_header(width), width, style, self.app.console)
        index = top + y - header
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, self._style(""))
        state = self._state(index)
        row = self._rows[index]
        key = (row, width, self._revision, state, focused)
        strip = self._strips.get(key)
        if strip is None:
            text = self.render_row(row, width)
            strip = fit_strip(text, width, self._style(state), self.app.console)
            self._strips.set(key, strip)
        return strip
