"""Which rows an action changed, handed to whoever ran it (never shared state).

A screen that wants to show a write's effect without reading the article back
runs the write inside :func:`capture`; every event stored by that thread
meanwhile adds its row changes, with ``after`` the state now (undo passes its
inverted images). Context variables are per thread, so a worker's writes
never land in the UI thread's capture.

    >>> with capture() as captured:
    ...     repo.add_span(article_id, 95, 108, "PERSON")
    >>> captured.changes  # [{"table": "span", "key": {...}, "before": None, "after": {...}}, ...]
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

Change = dict[str, Any]
"""``{"table", "key", "before", "after"}``: one row's images around an action."""


@dataclass
class Captured:
    """The row changes of the actions run inside one :func:`capture` block, in order."""

    changes: list[Change] = field(default_factory=list)


_current: ContextVar[Captured | None] = ContextVar("redline_capture", default=None)


@contextmanager
def capture() -> Iterator[Captured]:
    """Collect the row changes of the writes this thread makes inside the block."""
    captured = Captured()
    token = _current.set(captured)
    try:
        yield captured
    finally:
        _current.reset(token)


def record(changes: list[Change]) -> None:
    """Called by the storage layer for each stored action (a no-op outside :func:`capture`)."""
    captured = _current.get()
    if captured is not None:
        captured.changes.extend(changes)
