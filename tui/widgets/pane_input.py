"""Keyboard and mouse handling of the reading pane, as data and pure functions.

Selections run from an anchor to the cursor, ``[min, max)``. Shift+left/right
extend by a word and the result snaps to token edges; alt+shift (or
ctrl+shift, for terminals that send alt+shift as escape + shift) extends by one
character without snapping. `v` turns on selection mode, in which every
movement extends. A mouse drag selects the cells it sweeps, snapped unless alt
is held; a click on a span selects the span and posts ``SpanClicked``.

Nothing here knows the widget: the pane passes what a key needs (a
:class:`Where`: text, wrap table, word index, cursor, goal column, page
height) to :func:`motion` and applies the :class:`Motion` it gets back; a
mouse drag's state is a :class:`Drag`. Every position is a code-point offset
(mouse cells go through the wrap table first, in the pane).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from textual.binding import Binding, BindingType

from tui.widgets import pane_layout as layout
from tui.widgets.pane_words import WordIndex

PANE_BINDINGS: list[BindingType] = [
    Binding("up,k", "go('up')", "Up", show=False, id="pane-cursor-up"),
    Binding("down,j", "go('down')", "Down", show=False, id="pane-cursor-down"),
    Binding("left,h", "go('left')", "Left", show=False, id="pane-cursor-left"),
    Binding("right,l", "go('right')", "Right", show=False, id="pane-cursor-right"),
    Binding("w", "go('word_next')", "Next word", show=False, id="pane-word-next"),
    Binding("b", "go('word_previous')", "Previous word", show=False, id="pane-word-previous"),
    Binding("home", "go('line_start')", "Line start", show=False, id="pane-line-start"),
    Binding("end", "go('line_end')", "Line end", show=False, id="pane-line-end"),
    Binding("pageup", "go('page_up')", "Page up", show=False, id="pane-page-up"),
    Binding("pagedown", "go('page_down')", "Page down", show=False, id="pane-page-down"),
    Binding("g,ctrl+home", "go('top')", "Top", show=False, id="pane-top"),
    Binding("G,ctrl+end", "go('bottom')", "Bottom", show=False, id="pane-bottom"),
    Binding(
        "shift+left",
        "go('word_previous', 'extend')",
        "Select word left",
        show=False,
        id="pane-select-left",
    ),
    Binding(
        "shift+right",
        "go('word_end', 'extend')",
        "Select word right",
        show=False,
        id="pane-select-right",
    ),
    Binding("shift+up", "go('up', 'extend')", "Select up", show=False, id="pane-select-up"),
    Binding("shift+down", "go('down', 'extend')", "Select down", show=False, id="pane-select-down"),
    Binding(
        "alt+shift+left,ctrl+shift+left",
        "go('left', 'exact')",
        "Select char left",
        show=False,
        id="pane-select-char-left",
    ),
    Binding(
        "alt+shift+right,ctrl+shift+right",
        "go('right', 'exact')",
        "Select char right",
        show=False,
        id="pane-select-char-right",
    ),
    Binding(
        "alt+shift+up,ctrl+shift+up",
        "go('up', 'exact')",
        "Select line up (exact)",
        show=False,
        id="pane-select-char-up",
    ),
    Binding(
        "alt+shift+down,ctrl+shift+down",
        "go('down', 'exact')",
        "Select line down (exact)",
        show=False,
        id="pane-select-char-down",
    ),
    Binding("v", "toggle_select_mode", "Select mode", id="pane-select-mode", show=False),
    Binding("escape", "clear_selection", "Clear selection", show=False, id="pane-clear-selection"),
]


@dataclass(frozen=True)
class Where:
    """What a movement key needs to know about the pane."""

    text: str
    table: layout.WrapTable
    words: WordIndex
    cursor: int
    goal_column: int | None
    """The column a run of vertical moves keeps to (None: not in such a run)."""
    page_rows: int


@dataclass(frozen=True)
class Motion:
    """Where a key moves the cursor."""

    offset: int
    goal_column: int | None = None
    """Kept for the next vertical move (None: forgotten, the move was not vertical)."""
    scroll_rows: int = 0
    """Scroll the pane by this many rows too (page up/down)."""


def _vertical(where: Where, rows: int) -> Motion:
    """The offset ``rows`` visual lines away, in the column the vertical run began."""
    row, column = layout.offset_to_cell(where.text, where.table, where.cursor)
    goal = column if where.goal_column is None else where.goal_column
    target = max(0, min(row + rows, len(where.table) - 1))
    return Motion(layout.cell_to_offset(where.text, where.table, target, goal), goal)


_OFFSETS: dict[str, Callable[[Where], int]] = {
    "left": lambda w: w.cursor - 1,
    "right": lambda w: w.cursor + 1,
    "word_next": lambda w: w.words.next_start(w.cursor),
    "word_previous": lambda w: w.words.previous_start(w.cursor),
    "word_end": lambda w: w.words.next_end(w.cursor),
    "line_start": lambda w: w.table.starts[w.table.row_of(w.cursor)],
    "line_end": lambda w: layout.last_offset(w.text, w.table, w.table.row_of(w.cursor)),
    "top": lambda w: 0,
    "bottom": lambda w: len(w.text),
}
"""Horizontal moves: the offset they go to (the goal column is forgotten)."""


def motion(name: str, where: Where) -> Motion:
    """Where the movement ``name`` (a ``go(...)`` action's argument) takes the cursor."""
    if name in ("up", "down"):
        return _vertical(where, -1 if name == "up" else 1)
    if name in ("page_up", "page_down"):
        rows = max(1, where.page_rows) * (-1 if name == "page_up" else 1)
        return replace(_vertical(where, rows), scroll_rows=rows)
    return Motion(_OFFSETS[name](where))


class Drag:
    """A mouse press on the pane and the drag that may follow it."""

    def __init__(self) -> None:
        self.origin: int | None = None
        """The offset the button went down on (None: no button held)."""
        self.dragged = False

    def press(self, offset: int) -> None:
        self.origin, self.dragged = offset, False

    def move(self, offset: int, length: int, *, exact: bool) -> tuple[int, int, bool] | None:
        """The selection a drag to ``offset`` makes: (anchor, cursor, snap); None: no change.

        A drag covers every cell it sweeps, the one under the pointer included.
        """
        origin = self.origin
        if origin is None or (offset == origin and not self.dragged):
            return None
        self.dragged = True
        if offset >= origin:
            return origin, min(offset + 1, length), not exact
        return min(origin + 1, length), offset, not exact

    def release(self) -> tuple[int, bool] | None:
        """The button went up: (origin, whether it dragged); None if none was held."""
        if self.origin is None:
            return None
        released = self.origin, self.dragged
        self.origin = None
        return released
