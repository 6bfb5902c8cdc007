"""The reading pane's selection: an anchor, the cursor it runs to, snapped or exact.

No widget code here: the pane moves the cursor, tells this where the anchor
is, and repaints the ranges :meth:`Selection.update` reports as changed.
Snapping to token edges asks the article's :class:`~tui.widgets.pane_words.WordIndex`.
"""

from __future__ import annotations

from tui.widgets.pane_words import WordIndex

Range = tuple[int, int]


class Selection:
    """``[start, end)`` from ``anchor`` to the cursor (snapped to tokens if ``snap``), or None."""

    def __init__(self, words: WordIndex) -> None:
        self._words = words
        self.anchor: int | None = None
        """Where the selection started; None: nothing is being selected."""
        self.snap = True
        self.range: Range | None = None
        """The selection as last computed by :meth:`update`."""

    def extend_from(self, cursor: int, *, snap: bool) -> None:
        """A move that extends: anchor at ``cursor`` unless a selection is under way."""
        if self.anchor is None:
            self.anchor = cursor
        self.snap = snap

    def begin(self, cursor: int) -> None:
        """Selection mode starts: anchor at ``cursor`` (snapped) unless one is under way."""
        if self.anchor is None:
            self.anchor = cursor
            self.snap = True

    def update(self, cursor: int) -> tuple[Range | None, Range | None] | None:
        """Recompute the range for ``cursor``: ``(previous, now)`` if it changed, else None."""
        selection: Range | None = None
        if self.anchor is not None and self.anchor != cursor:
            start, end = sorted((self.anchor, cursor))
            selection = self._words.snap(start, end) if self.snap else (start, end)
        previous = self.range
        if selection == previous:
            return None
        self.range = selection
        return previous, selection

    def parked(self, cursor: int) -> Range | None:
        """After a drag: ``(anchor, cursor)`` on the snapped edges, keeping the direction.

        So shift+arrows continue from the edges shown, not from where the pointer was.
        """
        if self.range is None or self.anchor is None:
            return None
        start, end = self.range
        return (start, end) if cursor >= self.anchor else (end, start)
