"""The reader's search field: an ``Input`` whose ``↓``/``↑`` step through the matches.

Typing, ``enter`` and ``escape`` are handled by the reader
(:mod:`tui.screens.reader.selecting`); this widget only says "next" or
"previous" with :class:`FindBar.Step`, so the field keeps the focus while the
cursor moves from match to match.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

PLACEHOLDER = "search in article — ↓↑ next/previous · enter select · esc close"


class FindBar(Input):
    """Search-as-you-type field of the reader."""

    BINDINGS = [
        Binding("down", "step(1)", "Next match", id="find-next", show=False),
        Binding("up", "step(-1)", "Previous match", id="find-previous", show=False),
    ]

    class Step(Message):
        """Move to the next (``+1``) or previous (``-1``) match."""

        def __init__(self, direction: int) -> None:
            super().__init__()
            self.direction = direction

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDER, id=id)

    def action_step(self, direction: int) -> None:
        self.post_message(self.Step(direction))
