"""Keyboard and mouse handling of the reading pane.

A mixin base of ``ReadingPane`` so the widget module keeps to state and drawing:
this one turns keys and pointer events into cursor moves and selections, always
in code-point offsets (mouse cells go through the wrap table first).

Selections run from an anchor to the cursor, ``[min, max)``. Shift+left/right
extend by a word and the result snaps to token edges; alt+shift (or
ctrl+shift, for terminals that send alt+shift as escape + shift) extends by one
character without snapping. `v` turns on selection mode, in which every
movement extends. A mouse drag selects the cells it sweeps, snapped unless alt
is held; a click on a span selects the span and posts ``SpanClicked``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.scroll_view import ScrollView

from tui.widgets import pane_layout as layout

if TYPE_CHECKING:
    from tui.widgets.pane_model import PaneSpan
    from tui.widgets.pane_words import WordIndex


class ReadingPaneInput(ScrollView):
    """Bindings, actions and mouse handlers; state and drawing live in ``ReadingPane``."""

    BINDINGS: list[BindingType] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="pane-cursor-up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="pane-cursor-down"),
        Binding("left,h", "cursor_left", "Left", show=False, id="pane-cursor-left"),
        Binding("right,l", "cursor_right", "Right", show=False, id="pane-cursor-right"),
        Binding("w", "word_next", "Next word", show=False, id="pane-word-next"),
        Binding("b", "word_previous", "Previous word", show=False, id="pane-word-previous"),
        Binding("home", "line_start", "Line start", show=False, id="pane-line-start"),
        Binding("end", "line_end", "Line end", show=False, id="pane-line-end"),
        Binding("pageup", "cursor_page_up", "Page up", show=False, id="pane-page-up"),
        Binding("pagedown", "cursor_page_down", "Page down", show=False, id="pane-page-down"),
        Binding("g,ctrl+home", "cursor_top", "Top", show=False, id="pane-top"),
        Binding("G,ctrl+end", "cursor_bottom", "Bottom", show=False, id="pane-bottom"),
        Binding("shift+left", "select_left", "Select word left", show=False, id="pane-select-left"),
        Binding(
            "shift+right", "select_right", "Select word right", show=False, id="pane-select-right"
        ),
        Binding("shift+up", "select_up", "Select up", show=False, id="pane-select-up"),
        Binding("shift+down", "select_down", "Select down", show=False, id="pane-select-down"),
        Binding(
            "alt+shift+left,ctrl+shift+left",
            "select_char_left",
            "Select char left",
            show=False,
            id="pane-select-char-left",
        ),
        Binding(
            "alt+shift+right,ctrl+shift+right",
            "select_char_right",
            "Select char right",
            show=False,
            id="pane-select-char-right",
        ),
        Binding(
            "alt+shift+up,ctrl+shift+up",
            "select_char_up",
            "Select line up (exact)",
            show=False,
            id="pane-select-char-up",
        ),
        Binding(
            "alt+shift+down,ctrl+shift+down",
            "select_char_down",
            "Select line down (exact)",
            show=False,
            id="pane-select-char-down",
        ),
        Binding("v", "toggle_select_mode", "Select mode", id="pane-select-mode", show=False),
        Binding(
            "escape", "clear_selection", "Clear selection", show=False, id="pane-clear-selection"
        ),
    ]

    if TYPE_CHECKING:
        cursor: int
        select_mode: bool
        _text: str
        _table: layout.WrapTable
        _words: WordIndex
        _anchor: int | None
        _snap: bool

        @property
        def selection(self) -> tuple[int, int] | None: ...
        def _move(self, offset: int, *, extend: bool, snap: bool = True) -> None: ...
        def _select(self, anchor: int, cursor: int, *, snap: bool) -> None: ...
        def clear_selection(self) -> None: ...
        def spans_at(self, offset: int) -> list[PaneSpan]: ...
        def _post_span_clicked(self, span: PaneSpan) -> None: ...

    def _reset_input_state(self) -> None:
        """Forget the goal column and any drag in progress (a new article was loaded)."""
        self._goal_column: int | None = None
        self._drag_origin: int | None = None
        self._dragged = False

    # -- movement helpers ----------------------------------------------------

    def _go(
        self, offset: int, *, extend: bool = False, snap: bool = True, vertical: bool = False
    ) -> None:
        """Move as a key asks; in selection mode every move extends."""
        if not vertical:
            self._goal_column = None
        self._move(offset, extend=extend or self.select_mode, snap=snap)

    def _vertical(self, rows: int) -> int:
        """The offset ``rows`` visual lines away, in the column the vertical run began."""
        row, column = layout.offset_to_cell(self._text, self._table, self.cursor)
        if self._goal_column is None:
            self._goal_column = column
        target = max(0, min(row + rows, len(self._table) - 1))
        return layout.cell_to_offset(self._text, self._table, target, self._goal_column)

    def _page(self, direction: int) -> None:
        rows = max(1, self.scrollable_content_region.height) * direction
        target = self._vertical(rows)
        self.scroll_to(y=self.scroll_y + rows, animate=False)
        self._go(target, vertical=True)

    # -- actions ---------------------------------------------------------------

    def action_cursor_left(self) -> None:
        self._go(self.cursor - 1)

    def action_cursor_right(self) -> None:
        self._go(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._go(self._vertical(-1), vertical=True)

    def action_cursor_down(self) -> None:
        self._go(self._vertical(1), vertical=True)

    def action_word_next(self) -> None:
        self._go(self._words.next_start(self.cursor))

    def action_word_previous(self) -> None:
        self._go(self._words.previous_start(self.cursor))

    def action_line_start(self) -> None:
        self._go(self._table.starts[self._table.row_of(self.cursor)])

    def action_line_end(self) -> None:
        row = self._table.row_of(self.cursor)
        self._go(layout.last_offset(self._text, self._table, row))

    def action_cursor_page_up(self) -> None:
        self._page(-1)

    def action_cursor_page_down(self) -> None:
        self._page(1)

    def action_cursor_top(self) -> None:
        self._go(0)

    def action_cursor_bottom(self) -> None:
        self._go(len(self._text))

    def action_select_left(self) -> None:
        self._go(self._words.previous_start(self.cursor), extend=True)

    def action_select_right(self) -> None:
        self._go(self._words.next_end(self.cursor), extend=True)

    def action_select_up(self) -> None:
        self._go(self._vertical(-1), extend=True, vertical=True)

    def action_select_down(self) -> None:
        self._go(self._vertical(1), extend=True, vertical=True)

    def action_select_char_left(self) -> None:
        self._go(self.cursor - 1, extend=True, snap=False)

    def action_select_char_right(self) -> None:
        self._go(self.cursor + 1, extend=True, snap=False)

    def action_select_char_up(self) -> None:
        self._go(self._vertical(-1), extend=True, snap=False, vertical=True)

    def action_select_char_down(self) -> None:
        self._go(self._vertical(1), extend=True, snap=False, vertical=True)

    def action_toggle_select_mode(self) -> None:
        """`v`: start extending from the cursor, or leave selection mode and clear."""
        if self.select_mode:
            self.clear_selection()
            return
        self.select_mode = True
        if self._anchor is None:
            self._anchor = self.cursor
            self._snap = True

    def action_clear_selection(self) -> None:
        """Escape clears a selection; with nothing to clear the key goes to the screen."""
        if self.selection is None and not self.select_mode:
            raise SkipAction()
        self.clear_selection()

    # -- mouse -----------------------------------------------------------------

    def _offset_at(self, event: events.MouseEvent) -> int:
        """The text offset under the pointer, via the wrap table (clamped to the text)."""
        point = event.get_content_offset_capture(self)
        scroll_x, scroll_y = self.scroll_offset
        return layout.cell_to_offset(
            self._text, self._table, point.y + scroll_y, point.x + scroll_x
        )

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        offset = self._offset_at(event)
        self._drag_origin = offset
        self._dragged = False
        self._goal_column = None
        self.capture_mouse()
        self.select_mode = False
        self._move(offset, extend=False)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        origin = self._drag_origin
        if origin is None:
            return
        offset = self._offset_at(event)
        if offset == origin and not self._dragged:
            return
        self._dragged = True
        # A drag covers every cell it sweeps, the one under the pointer included.
        if offset >= origin:
            self._select(origin, min(offset + 1, len(self._text)), snap=not event.meta)
        else:
            self._select(min(origin + 1, len(self._text)), offset, snap=not event.meta)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        origin = self._drag_origin
        if origin is None:
            return
        self._drag_origin = None
        self.release_mouse()
        if self._dragged:
            # Park anchor and cursor on the snapped edges, so shift+arrows continue from them.
            selection = self.selection
            if selection is not None and self._anchor is not None:
                start, end = selection
                if self.cursor >= self._anchor:
                    self._select(start, end, snap=self._snap)
                else:
                    self._select(end, start, snap=self._snap)
            return
        spans = self.spans_at(origin)
        if spans:
            self._select(spans[0].start, spans[0].end, snap=False)
            self._post_span_clicked(spans[0])
