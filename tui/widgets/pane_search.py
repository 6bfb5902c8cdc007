"""Search matches in one article: where they are and which one comes next.

No widget code here: the reading pane keeps one :class:`SearchMatches`, asks it
where to move the cursor, and paints :attr:`SearchMatches.ranges` on its lines.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right


def _first(pair: tuple[int, int]) -> int:
    return pair[0]


class SearchMatches:
    """The ``[start, end)`` code-point ranges of a query's matches, in text order."""

    def __init__(self) -> None:
        self.ranges: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self.ranges)

    def find(self, text: str, query: str, *, ignore_case: bool) -> None:
        """Replace the matches with every (literal) occurrence of ``query`` in ``text``."""
        flags = re.IGNORECASE if ignore_case else 0
        self.ranges = (
            [(match.start(), match.end()) for match in re.finditer(re.escape(query), text, flags)]
            if query
            else []
        )

    def clear(self) -> None:
        self.ranges = []

    def first_from(self, offset: int) -> int | None:
        """Start of the first match at or after ``offset``, wrapping to the first; None if none."""
        if not self.ranges:
            return None
        index = bisect_left(self.ranges, offset, key=_first)
        return self.ranges[index % len(self.ranges)][0]

    def starting_at(self, offset: int) -> tuple[int, int] | None:
        """The match that starts at ``offset``, or None."""
        index = bisect_left(self.ranges, offset, key=_first)
        if index < len(self.ranges) and self.ranges[index][0] == offset:
            return self.ranges[index]
        return None

    def next_from(self, offset: int, *, backwards: bool) -> int | None:
        """Start of the match after ``offset`` (or before it), wrapping around; None if none."""
        if not self.ranges:
            return None
        if backwards:
            index = bisect_left(self.ranges, offset, key=_first) - 1
        else:
            index = bisect_right(self.ranges, offset, key=_first)
        return self.ranges[index % len(self.ranges)][0]
