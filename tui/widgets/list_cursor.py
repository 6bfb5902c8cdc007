"""Where a :class:`~tui.widgets.virtual_list.VirtualList`'s cursor goes, and what to repaint.

The list's rows are a sequence; some are disabled (group headings) and the
cursor never rests on them. These functions take the rows and the list's
``enabled`` / ``key`` predicates, so they are tested without an app.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

RowT = TypeVar("RowT")


def next_enabled(
    rows: Sequence[RowT], enabled: Callable[[RowT], bool], index: int, step: int
) -> int:
    """The first enabled row after ``index`` going by ``step``, or -1."""
    index += step
    while 0 <= index < len(rows):
        if enabled(rows[index]):
            return index
        index += step
    return -1


def nearest_enabled(rows: Sequence[RowT], enabled: Callable[[RowT], bool], index: int) -> int:
    """``index`` if enabled, else the next enabled row below it, else above it (-1: none)."""
    if 0 <= index < len(rows) and enabled(rows[index]):
        return index
    below = next_enabled(rows, enabled, index, 1)
    return below if below >= 0 else next_enabled(rows, enabled, index, -1)


def page_target(rows: Sequence[RowT], enabled: Callable[[RowT], bool], cursor: int, by: int) -> int:
    """Where page up/down (``by`` rows, negative: up) puts the cursor: an enabled row, or -1."""
    if not rows:
        return -1
    start = max(0, min(max(cursor, 0) + by, len(rows) - 1))
    direction = 1 if by > 0 else -1
    target = start if enabled(rows[start]) else next_enabled(rows, enabled, start, direction)
    return target if target >= 0 else next_enabled(rows, enabled, start, -direction)


def run_start(rows: Sequence[RowT], enabled: Callable[[RowT], bool], index: int) -> int:
    """The first of the disabled rows (headings) directly above ``index``, else ``index``."""
    while index > 0 and not enabled(rows[index - 1]):
        index -= 1
    return index


def find(
    rows: Sequence[RowT],
    key_of: Callable[[RowT], Hashable],
    key: Hashable,
    near: int,
    within: tuple[int, int] | None = None,
) -> int:
    """Index of the row with ``key`` (looked for at ``near`` ± 1 first), or -1.

    After one keystroke the item is almost always where it was, or one row
    away (a row added or removed above it). ``within`` limits the full search
    to ``[start, stop)`` (the rows a splice replaced).
    """
    for index in (near, near + 1, near - 1):
        if 0 <= index < len(rows) and key_of(rows[index]) == key:
            return index
    start, stop = within if within is not None else (0, len(rows))
    return next((i for i in range(start, stop) if key_of(rows[i]) == key), -1)


def after_splice(
    rows: Sequence[RowT],
    enabled: Callable[[RowT], bool],
    key_of: Callable[[RowT], Hashable],
    cursor: int,
    old_key: Hashable,
    splice: tuple[int, int, int],
) -> int:
    """The cursor's index once rows ``[start, old_stop)`` became ``[start, new_stop)``.

    Above the splice it stays, below it moves by the rows added or removed;
    inside it follows its item, or (the item is gone) stays at the same place.
    """
    start, old_stop, new_stop = splice
    if cursor < 0:
        return next_enabled(rows, enabled, -1, 1)
    if cursor < start:
        return cursor
    if cursor >= old_stop:
        return cursor + new_stop - old_stop
    found = find(rows, key_of, old_key, cursor, (start, new_stop))
    if found >= 0 or not rows:
        return found
    return nearest_enabled(rows, enabled, min(cursor, len(rows) - 1))


def lines_to_redraw(splice: tuple[int, int, int], top: int, bottom: int) -> tuple[int, int]:
    """``(first row, count)`` to repaint in the view ``[top, bottom)`` after ``splice``.

    The rows it replaced; if it changed the row count, every row below shifted too.
    """
    start, old_stop, new_stop = splice
    stop = bottom if new_stop != old_stop else min(new_stop, bottom)
    first = max(start, top)
    return first, max(0, stop - first)
