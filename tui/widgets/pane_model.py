"""The reading pane's model types, shared by the pane, its input handling and the reader.

Kept apart from :mod:`tui.widgets.reading_pane` so that neither
:mod:`tui.widgets.pane_input` nor the reader's model import the widget.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PaneSpan:
    """A span as the pane draws it: offsets are code points into the article, ``[start, end)``."""

    id: int
    start: int
    end: int
    layer: str  # "entity" | "figure" | "evidence"
    label: str
    colour: str  # a Rich colour string from the schema, e.g. "#e5c07b"
    status: str = "accepted"  # "accepted" | "suggested"
    pending: bool = False
    """Drawn ahead of its write's commit (the reader's optimistic display)."""
