"""The reading pane's mouse: press to move, drag to select (snapped; alt: exact), click a
span to select it.

:class:`Pointer` turns Textual's mouse events into the pane's own cursor and
selection calls; which offsets a drag selects is :class:`~tui.widgets.pane_input.Drag`
(pure, tested without an app).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events

from tui.widgets.pane_input import Drag
from tui.widgets.pane_messages import SpanClicked

if TYPE_CHECKING:
    from tui.widgets.reading_pane import ReadingPane


class Pointer:
    """The mouse button's state over one pane."""

    def __init__(self) -> None:
        self.drag = Drag()

    def down(self, pane: ReadingPane, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        offset = pane.offset_under(event)
        self.drag.press(offset)
        pane.capture_mouse()
        pane.move_cursor(offset)

    def move(self, pane: ReadingPane, event: events.MouseMove) -> None:
        if self.drag.origin is None:
            return
        selected = self.drag.move(pane.offset_under(event), len(pane.text), exact=event.meta)
        if selected is not None:
            anchor, cursor, snap = selected
            pane.select_between(anchor, cursor, snap=snap)

    def up(self, pane: ReadingPane) -> None:
        released = self.drag.release()
        if released is None:
            return
        origin, dragged = released
        pane.release_mouse()
        if dragged:
            pane.park_selection()  # so shift+arrows continue from the edges shown
            return
        spans = pane.spans_at(origin)
        if spans:
            pane.select_between(spans[0].start, spans[0].end, snap=False)
            pane.post_message(SpanClicked(pane, spans[0]))
