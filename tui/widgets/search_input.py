"""An ``Input`` for search-as-you-type: no screen layout per key, and the typed text
painted in the same frame as the results it asks for.

**No layout.** Textual's ``Input`` sets its ``virtual_size`` (the text's width
plus the cursor) on every change of its value, and ``Widget.virtual_size`` is a
reactive with ``layout=True``: each key laid the screen out again and
repainted every widget on it (header, footer, the library's table: about
8 ms of a search keystroke's 10 ms before the query could start, on the
development machine). A field sized by CSS (``width: 1fr; height: 3``) keeps
its size whatever it holds; it needs its scroll range updated, not a layout.
``Input`` itself still asks for a layout when its size is ``auto``
(``Input._watch_value``), and so does this one.

**One frame per key** (``hold``). A widget's repaint reaches the screen as a
message the widget posts when it is idle; the screen paints what has reached
it when *it* is idle, from a frame timer. Typing a key painted the field at
once (a frame of its own) and the results a few ms later, when the worker's
rows arrived, in a second frame; and Textual's frame timer (``Timer._run`` in
8.2.8, the newest on PyPI) schedules the frame after a paused spell between
one and two periods (17-33 ms at 60 fps) after the previous one, not within
one: the second frame came 17-33 ms after the first whatever the query took.
With ``hold`` set, a change of the value keeps the field's repaints back
until :meth:`release` (the owner has put the results on screen: both repaints
then reach the screen together and paint in one frame, right away) or until
``hold`` seconds have passed (a slow query never delays the typed text by
more). Keys typed meanwhile are handled as ever (the value, the cursor, the
``Changed`` messages); only their paint waits, coalesced into one.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.timer import Timer
from textual.widgets import Input


class SearchInput(Input):
    """A text field whose typing never lays out the screen, and whose repaint can wait
    for the results of what was typed (see the module)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    """As ``Widget.virtual_size`` (same storage), without the layout on change."""

    def __init__(self, *args: Any, hold: float = 0.0, **kwargs: Any) -> None:
        """``hold``: at most this many seconds a changed value's paint waits for
        :meth:`release` (0: never waits). Other arguments as ``Input``'s."""
        self._hold = hold
        self._held: Timer | None = None
        """The hold's time limit while the repaints are held."""
        self._held_regions: list[Region] = []
        self._held_layout = False
        self._held_repaint = False
        super().__init__(*args, **kwargs)

    @property
    def holding(self) -> bool:
        """Whether the field's repaints are being held (see :meth:`release`)."""
        return self._held is not None

    def _start_holding(self) -> None:
        if self._hold > 0 and self._held is None and self.is_mounted:
            self._held = self.set_timer(self._hold, self.release, name="search-input-hold")

    def on_key(self, event: events.Key) -> None:
        """A printable key will change the value: hold from here, before ``Input``'s
        key handler shows the cursor again (a repaint of its own, in the blink's off phase)."""
        if event.is_printable:
            self._start_holding()

    def validate_value(self, value: str) -> str:
        """Start holding the repaints when the value is about to change (a deleting
        key, a paste, the program), before ``Input``'s watcher asks for a repaint.
        The value is kept as it is."""
        if value != self.value:
            self._start_holding()
        return value

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> SearchInput:
        """As ``Widget.refresh``; while holding, remembered for :meth:`release`."""
        if self._held is None or recompose:
            super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
            return self
        self._held_regions.extend(regions)
        self._held_layout |= layout
        self._held_repaint |= repaint
        return self

    def release(self) -> None:
        """Let the held repaints through (nothing when not holding).

        Call it once whatever the value asks for is on screen (set, not yet
        painted): the field's repaint then joins theirs in the next frame.
        """
        if self._held is None:
            return
        self._held.stop()
        self._held = None
        regions, self._held_regions = self._held_regions, []
        layout, self._held_layout = self._held_layout, False
        repaint, self._held_repaint = self._held_repaint, False
        if regions or layout or repaint:
            super().refresh(*regions, repaint=repaint, layout=layout)

    def watch_virtual_size(self, size: Size) -> None:
        """What a layout would have done for this widget (``ScrollView._size_updated``):
        the scrollbars and the scroll offset follow the new width."""
        if self.styles.auto_dimensions:
            self.refresh(layout=True)
        else:
            self._scroll_update(size)
