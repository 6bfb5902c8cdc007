"""The reading pane: one article on Textual's Line API, with spans, cursor and selection.

The pane never builds a widget per paragraph or one giant ``Static``: the text is
wrapped once per width into a table of visual lines (``pane_layout``), and
``render_line`` draws only the rows on screen (:mod:`~tui.widgets.pane_paint`),
from an LRU cache of span-styled strips (:mod:`~tui.widgets.pane_lines`),
painting search matches, the selection and the cursor on top; how each looks is
:mod:`~tui.widgets.pane_render`. Spans are found per line by ``bisect``, so a
1 MB article with 5,000 spans stays instant.

Everything the pane reports (cursor, selection, clicked span) is a code-point
offset into the article text; cells never leave the widget. Selections snap to
spaCy token edges; the tokenizer runs only on the paragraph being selected.
Which offset a key or a drag goes to is :mod:`tui.widgets.pane_input` (the
bindings, and pure functions the pane passes its state to); mouse events are
turned into cursor and selection calls by :mod:`~tui.widgets.pane_pointer`, and
the messages the pane posts live in :mod:`~tui.widgets.pane_messages`. The state the pane
keeps is in plain classes beside it: spans (:mod:`~tui.widgets.pane_spans`),
search matches (:mod:`~tui.widgets.pane_search`), the selection
(:mod:`~tui.widgets.pane_selection`), tokens (:mod:`~tui.widgets.pane_words`)
and drawn lines (:mod:`~tui.widgets.pane_lines`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets import pane_input, pane_messages, pane_render
from tui.widgets import pane_layout as layout
from tui.widgets.pane_lines import LineCache
from tui.widgets.pane_model import PaneSpan
from tui.widgets.pane_paint import Paint, draw_row, jump_rows
from tui.widgets.pane_pointer import Pointer
from tui.widgets.pane_render import StyleKey, span_style
from tui.widgets.pane_search import SearchMatches
from tui.widgets.pane_selection import Selection
from tui.widgets.pane_spans import SpanStore
from tui.widgets.pane_words import WordIndex

__all__ = ["PaneSpan", "ReadingPane"]


class ReadingPane(ScrollView, can_focus=True):
    """Shows an article with its spans and lets the user move, select and click."""

    BINDINGS = pane_input.PANE_BINDINGS

    ALLOW_SELECT = False  # the pane selects itself, in snapped character offsets

    DEFAULT_CSS = pane_render.PANE_CSS
    COMPONENT_CLASSES = pane_render.COMPONENT_CLASSES

    cursor: reactive[int] = reactive(0, repaint=False, init=False)
    """Code-point offset of the cursor; ``len(text)`` is the end position."""

    max_width: reactive[int] = reactive(88, init=False)
    """Widest visual line in cells (a comfortable measure); 0 means the pane width."""

    select_mode: reactive[bool] = reactive(False, repaint=False, init=False)
    """On while `v` selection mode lasts: every cursor movement extends the selection."""

    CursorMoved = pane_messages.CursorMoved
    SelectionChanged = pane_messages.SelectionChanged
    SpanClicked = pane_messages.SpanClicked

    def __init__(
        self,
        text: str = "",
        spans: Sequence[PaneSpan] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._spans = SpanStore()
        self._lines = LineCache()
        self._matches = SearchMatches()
        self._paint: Paint | None = None
        self.prefetch_words = False
        """Set once the tokenizer is loaded (by the screen's warm-up worker): after the
        cursor's frame, the paragraph under it is tokenized ahead of a label key."""
        self.load(text, spans)

    # -- content -------------------------------------------------------------

    @property
    def text(self) -> str:
        """The article text as loaded (control characters shown as replacements)."""
        return self._text

    @property
    def spans(self) -> tuple[PaneSpan, ...]:
        """The spans drawn, sorted by start."""
        return tuple(self._spans.ordered)

    def load(self, text: str, spans: Sequence[PaneSpan], cursor: int = 0) -> None:
        """Show a new article: re-wrap, drop selection and search, place the cursor."""
        self._text = layout.sanitize(text)
        self._words = WordIndex(self._text)
        self._selecting = Selection(self._words)
        self._goal_column: int | None = None
        self._pointer = Pointer()
        self.set_reactive(ReadingPane.select_mode, False)
        self._matches.clear()
        self._table = layout.wrap(self._text, self._wrap_width())
        self._install_spans(spans)
        self.set_reactive(ReadingPane.cursor, max(0, min(cursor, len(self._text))))
        self._after_layout()

    def set_spans(self, spans: Sequence[PaneSpan]) -> None:
        """Replace the spans after an edit; cached lines are redrawn on demand."""
        self._install_spans(spans)
        self.refresh()

    def _install_spans(self, spans: Sequence[PaneSpan]) -> None:
        self._spans.install(spans)
        self._lines.clear()

    def patch_spans(self, removed: Iterable[int], added: Iterable[PaneSpan]) -> None:
        """Apply one edit: drop the spans ``removed`` (ids), draw ``added``.

        Costs O(log n) per span plus the lines they cover, however many
        spans the article has; only those lines are drawn again.
        """
        touched = self._spans.patch(removed, added)
        if not touched or not self._table:
            return
        revision = self._spans.revision
        for first, count in self._lines.discard_spans(self._table, touched, revision):
            self.refresh_lines(first, count)

    def spans_at(self, offset: int) -> list[PaneSpan]:
        """Spans covering ``offset``, innermost first."""
        return self._spans.index.covering(offset)

    # -- cursor and selection ----------------------------------------------

    def validate_cursor(self, offset: int) -> int:
        return max(0, min(offset, len(self._text)))

    def watch_cursor(self, old: int, new: int) -> None:
        """Repaint only the rows the cursor left and entered, and keep it in view."""
        self.refresh_line(self._table.row_of(old))
        self.refresh_line(self._table.row_of(new))
        self.scroll_to_offset(new)
        self.post_message(pane_messages.CursorMoved(self, new))
        if self.prefetch_words:  # tokenize the paragraph now, not in the next label key
            self.call_after_refresh(self._words.bounds, new)

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selection as ``[start, end)`` (snapped to tokens unless made with alt), or None."""
        return self._selecting.range

    def move_cursor(self, offset: int, *, select: bool = False) -> None:
        """Move the cursor and scroll it into view; ``select`` extends the selection to it."""
        if not select:
            self.select_mode = False
        self._move(offset, extend=select)

    def _move(self, offset: int, *, extend: bool, snap: bool = True) -> None:
        """Move the cursor, keeping the selection anchor when extending, else dropping it."""
        if extend:
            self._selecting.extend_from(self.cursor, snap=snap)
        else:
            self._selecting.anchor = None
        self.cursor = offset
        self.scroll_to_offset(self.cursor)
        self._update_selection()

    def select_between(self, anchor: int, cursor: int, *, snap: bool) -> None:
        """Set the selection from ``anchor`` to ``cursor`` in one step (mouse, span click)."""
        self._selecting.anchor = anchor
        self._selecting.snap = snap
        self.cursor = cursor
        self._update_selection()

    def clear_selection(self) -> None:
        """Drop the selection and leave selection mode."""
        self.select_mode = False
        self._selecting.anchor = None
        self._update_selection()

    def _update_selection(self) -> None:
        """Recompute the (snapped) selection; repaint and announce it if it changed."""
        changed = self._selecting.update(self.cursor)
        if changed is None:
            return
        for repaint in changed:
            if repaint is not None:
                self._refresh_range(*repaint)
        self.post_message(pane_messages.SelectionChanged(self, changed[1]))

    def select_range(self, start: int, end: int, *, snap: bool = True) -> None:
        """Select ``[start, end)`` with the cursor on its first character (phrase key, search).

        The anchor is the end, so shift+arrows move the start; the resize keys
        (:mod:`tui.screens.reader.selecting`) move either edge by a token.
        """
        self.select_mode = False
        self.select_between(end, start, snap=snap)

    def token_bounds_at(self, offset: int) -> list[tuple[int, int]]:
        """Token bounds of the paragraph holding ``offset`` (tokenized once, then cached)."""
        return self._words.bounds(offset)

    # -- keys and mouse (offsets from pane_input) -------------------------------

    def action_go(self, name: str, mode: str = "") -> None:
        """Move as key ``name`` asks; ``mode`` "extend" (snapped) or "exact" extends the selection.

        In selection mode every move extends.
        """
        where = pane_input.Where(
            self._text,
            self._table,
            self._words,
            self.cursor,
            self._goal_column,
            self.scrollable_content_region.height,
        )
        motion = pane_input.motion(name, where)
        self._goal_column = motion.goal_column
        if motion.scroll_rows:
            self.scroll_to(y=self.scroll_y + motion.scroll_rows, animate=False)
        self._move(motion.offset, extend=bool(mode) or self.select_mode, snap=mode != "exact")

    def action_toggle_select_mode(self) -> None:
        """`v`: start extending from the cursor, or leave selection mode and clear."""
        if self.select_mode:
            self.clear_selection()
            return
        self.select_mode = True
        self._selecting.begin(self.cursor)

    def action_clear_selection(self) -> None:
        """Escape clears a selection; with nothing to clear the key goes to the screen."""
        if self.selection is None and not self.select_mode:
            raise SkipAction()
        self.clear_selection()

    def offset_under(self, event: events.MouseEvent) -> int:
        """The text offset under the pointer, via the wrap table (clamped to the text)."""
        point = event.get_content_offset_capture(self)
        scroll_x, scroll_y = self.scroll_offset
        return layout.cell_to_offset(
            self._text, self._table, point.y + scroll_y, point.x + scroll_x
        )

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._goal_column = None
        self._pointer.down(self, event)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._pointer.move(self, event)

    def on_mouse_up(self) -> None:
        self._pointer.up(self)

    def park_selection(self) -> None:
        """After a drag: anchor and cursor on the selection's snapped edges."""
        parked = self._selecting.parked(self.cursor)
        if parked is not None:
            self.select_between(*parked, snap=self._selecting.snap)

    def target_range(self) -> tuple[int, int] | None:
        """What a label key acts on: the selection, else the word under the cursor."""
        if self._selecting.range is not None:
            return self._selecting.range
        return self._words.word_at(self.cursor)

    # -- layout --------------------------------------------------------------

    def _wrap_width(self) -> int:
        return layout.wrap_width(self.scrollable_content_region.width, self.max_width)

    def _relayout(self) -> None:
        """Re-wrap if the width changed, keeping the cursor offset and scrolling to it."""
        width = self._wrap_width()
        if width != self._table.width:
            self._table = layout.wrap(self._text, width)
            self._lines.clear()
        self._after_layout()

    def _after_layout(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._table))
        self.refresh()
        self.scroll_to_offset(self.cursor)

    def on_resize(self) -> None:
        self._relayout()

    def watch_max_width(self) -> None:
        self._relayout()

    def notify_style_update(self) -> None:
        """Theme or focus changed the colours: restyle every line."""
        super().notify_style_update()
        self._lines.clear_styles()

    def scroll_to_offset(self, offset: int, *, center: bool = False) -> None:
        """Scroll so the cell showing ``offset`` is visible."""
        if not self.is_mounted or self.scrollable_content_region.height <= 0:
            return
        row, column = layout.offset_to_cell(self._text, self._table, offset)
        self.scroll_to_region(
            Region(column, row, 1, 1), animate=False, center=center, immediate=True
        )

    def warm(self, offset: int) -> None:
        """Build (into the line cache) the lines a jump from the cursor to ``offset`` shows.

        ``a``/``r`` move on to the next pending suggestion, often screens away:
        a viewport of lines never drawn cost more than the rest of the key on
        a long article. Called when idle, so that frame only copies them.
        """
        height = self.scrollable_content_region.height
        if not self.is_mounted or height <= 0 or not len(self._table):
            return
        paint = self._new_paint()
        for row in jump_rows(self._table, offset, self.cursor, height):
            paint.line(row)

    def _refresh_range(self, start: int, end: int) -> None:
        """Repaint the rows showing offsets ``[start, end]``, not the whole pane."""
        first = self._table.row_of(start)
        last = self._table.row_of(end)
        self.refresh_lines(first, last - first + 1)

    # -- search --------------------------------------------------------------

    def search(self, query: str, *, ignore_case: bool = True, origin: int | None = None) -> int:
        """Highlight every match; move to the first at/after ``origin`` (default: the cursor).

        An incremental search passes the offset where it began as ``origin``, so
        each keystroke finds the first match from there (and backspace goes back).
        """
        self._matches.find(self._text, query, ignore_case=ignore_case)
        self.refresh()
        first = self._matches.first_from(self.cursor if origin is None else origin)
        if first is not None:
            self.move_cursor(first)
        return len(self._matches)

    def current_match(self) -> tuple[int, int] | None:
        """The match the cursor is on (searches put it on a match's start), or None."""
        return self._matches.starting_at(self.cursor)

    def next_match(self, backwards: bool = False) -> None:
        """Move to the next match (or previous), wrapping around the article."""
        offset = self._matches.next_from(self.cursor, backwards=backwards)
        if offset is not None:
            self.move_cursor(offset)

    def clear_search(self) -> None:
        """Remove the match highlights."""
        self._matches.clear()
        self.refresh()

    # -- drawing (each row from one Paint: see pane_paint) ------------------------

    def _make_style(self, key: StyleKey) -> Style:
        suggested = self.get_component_rich_style("reading-pane--suggested", partial=True)
        return span_style(*key, self.background_colors[1], suggested)

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines of a paint, with what every line needs taken once (a :class:`Paint`)."""
        self._paint = self._new_paint()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def _new_paint(self) -> Paint:
        scroll_x, scroll_y = self.scroll_offset
        return Paint(
            text=self._text,
            table=self._table,
            spans=self._spans,
            lines=self._lines,
            make_style=self._make_style,
            console=self.app.console,
            component=self.get_component_rich_style,
            scroll_x=scroll_x,
            scroll_y=scroll_y,
            width=self.scrollable_content_region.width,
            base=self.rich_style,
            cursor=self.cursor,
            cursor_row=self._table.row_of(self.cursor),
            selection=self.selection,
            matches=self._matches.ranges,
        )

    def render_line(self, y: int) -> Strip:
        """Draw visual line ``y`` of the viewport (outside a paint too)."""
        return draw_row(self._paint or self._new_paint(), y)
