"""What the reading pane tells its screen: the cursor moved, the selection changed, a span
was clicked.

Module-level so the pane's modules (pointer, input) and screens can name them
without importing the widget; the pane re-exports them as ``ReadingPane.CursorMoved``
etc., and ``namespace`` keeps the handler names ``on_reading_pane_…``.
"""

from __future__ import annotations

from textual.message import Message
from textual.widget import Widget

from tui.widgets.pane_model import PaneSpan


class CursorMoved(Message, namespace="reading_pane"):
    """The cursor moved to ``offset``."""

    def __init__(self, pane: Widget, offset: int) -> None:
        super().__init__()
        self.pane = pane
        self.offset = offset

    @property
    def control(self) -> Widget:
        return self.pane


class SelectionChanged(Message, namespace="reading_pane"):
    """The (snapped) selection changed; ``None`` when cleared."""

    def __init__(self, pane: Widget, selection: tuple[int, int] | None) -> None:
        super().__init__()
        self.pane = pane
        self.selection = selection

    @property
    def control(self) -> Widget:
        return self.pane


class SpanClicked(Message, namespace="reading_pane"):
    """A click landed on ``span`` (the innermost one under the pointer)."""

    def __init__(self, pane: Widget, span: PaneSpan) -> None:
        super().__init__()
        self.pane = pane
        self.span = span

    @property
    def control(self) -> Widget:
        return self.pane
