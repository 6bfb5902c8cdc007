"""Layout of article text in the reading pane: wrap table, offset mapping, span index.

Pure functions and small value classes, no Textual: the reading pane calls them,
and they are tested on their own. Every position that leaves this module is a
code-point offset into the article text; terminal cells (emoji and CJK take two,
combining marks none) exist only between here and the screen.

Layout rules: every ``"\\n"`` ends a visual line, so a blank line between
paragraphs (``"\\n\\n"``) renders as one empty visual line and a single newline is
a line break. Long lines wrap greedily at spaces (a word longer than the width
is cut). A visual line owns the contiguous range from its start to the next
line's start, including the space it broke at and its ``"\\n"``, so every offset
belongs to exactly one line.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, Protocol, TypeVar

from rich.cells import cell_len, get_character_cell_size

_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_ZWJ = "\u200d"
_VS16 = "\ufe0f"
REPLACEMENT = "\ufffd"

# Ranges scanned once for characters Rich measures as exactly one cell: news
# text (Latin, Greek, Cyrillic, typographic quotes and dashes, currency signs)
# then takes the fast path of one cell per code point.
_NARROW_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x52F),
    (0x1E00, 0x1FFF),
    (0x2010, 0x205E),
    (0x20A0, 0x20C0),
    (0x2100, 0x218B),
    (0x2190, 0x21FF),
)


@lru_cache(maxsize=1)
def _narrow_chars() -> frozenset[str]:
    return frozenset(
        char
        for low, high in _NARROW_RANGES
        for char in map(chr, range(low, high + 1))
        if get_character_cell_size(char) == 1
    )


def sanitize(text: str) -> str:
    """Replace control characters one for one, so the terminal shows them safely.

    A tab becomes one space and other control codes become U+FFFD; newlines stay.
    The length never changes, so offsets into the result are article offsets.
    """
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda match: " " if match.group() == "\t" else REPLACEMENT, text)


def cell_positions(line: str) -> list[int] | None:
    """Cell column of every code-point boundary of ``line`` (``len(line) + 1`` items).

    ``None`` means every character is one cell wide, i.e. column == index, which
    keeps plain lines free of per-character lists.
    """
    if _narrow_chars().issuperset(line):
        return None
    positions = [0]
    if _ZWJ not in line and _VS16 not in line:
        total = 0
        for char in line:
            total += get_character_cell_size(char)
            positions.append(total)
        return positions
    # Emoji sequences: measure prefixes exactly as Rich will when it renders.
    highest = 0
    for index in range(1, len(line) + 1):
        highest = max(highest, cell_len(line[:index]))
        positions.append(highest)
    return positions


def _fit(text: str, start: int, stop: int, width: int) -> int:
    """Index after the longest run from ``start`` (before ``stop``) fitting ``width`` cells.

    Always takes at least one character, so a glyph wider than the pane still
    makes progress.
    """
    narrow = _narrow_chars()
    chunk = text[start : min(stop, start + width)]
    if narrow.issuperset(chunk):
        index = start + len(chunk)
        total = len(chunk)
    else:
        index, total = start, 0
    while index < stop:
        size = get_character_cell_size(text[index])
        if total + size > width:
            break
        total += size
        index += 1
    return max(index, start + 1)


def _wrap_paragraph(text: str, start: int, stop: int, width: int, starts: list[int]) -> None:
    """Append the visual line starts of the paragraph ``text[start:stop]``."""
    starts.append(start)
    narrow = _narrow_chars()
    while True:
        if stop - start <= width and narrow.issuperset(text[start:stop]):
            return
        fit = _fit(text, start, stop, width)
        if fit >= stop:
            return
        if text[fit] == " ":
            brk = fit + 1  # the breaking space hangs in the right margin
        else:
            space = text.rfind(" ", start, fit)
            brk = space + 1 if space >= start else fit
        starts.append(brk)
        start = brk


@dataclass(frozen=True, eq=False)
class WrapTable:
    """Visual lines of one text at one width: line ``i`` is ``[starts[i], starts[i+1])``."""

    width: int
    starts: list[int]
    length: int

    def __len__(self) -> int:
        return len(self.starts)

    def line_range(self, row: int) -> tuple[int, int]:
        """``[start, end)`` of visual line ``row``, including its break space or newline."""
        end = self.starts[row + 1] if row + 1 < len(self.starts) else self.length
        return self.starts[row], end

    def row_of(self, offset: int) -> int:
        """The visual line holding ``offset`` (``len(text)`` is on the last line)."""
        return max(0, bisect_right(self.starts, offset) - 1)


def wrap_width(content_width: int, max_width: int) -> int:
    """Cells a line may fill: ``content_width`` less a margin column, capped by ``max_width``.

    ``max_width`` 0 means no cap; before the pane has a width, ``max_width`` (or 80) is used.
    """
    available = content_width - 1
    if available <= 0:
        available = max_width or 80
    if max_width > 0:
        available = min(available, max_width)
    return max(1, available)


def wrap(text: str, width: int) -> WrapTable:
    """Wrap ``text`` to ``width`` cells; O(lines) string operations for plain text."""
    width = max(1, width)
    starts: list[int] = []
    position = 0
    while True:
        newline = text.find("\n", position)
        stop = len(text) if newline == -1 else newline
        _wrap_paragraph(text, position, stop, width, starts)
        if newline == -1:
            return WrapTable(width, starts, len(text))
        position = newline + 1


def line_text(text: str, table: WrapTable, row: int) -> str:
    """What visual line ``row`` shows: its characters without the ending newline."""
    start, end = table.line_range(row)
    if end > start and text[end - 1] == "\n":
        end -= 1
    return text[start:end]


def last_offset(text: str, table: WrapTable, row: int) -> int:
    """The right-most offset the cursor may take on ``row``.

    On a line that ends a paragraph (or the text) that is the newline / end
    position; on a wrapped line it is the last character (the break space), so
    moving right from it continues on the next line.
    """
    start, end = table.line_range(row)
    if end == table.length or text[end - 1] == "\n":
        return start + len(line_text(text, table, row))
    return max(start, end - 1)


def offset_to_cell(text: str, table: WrapTable, offset: int) -> tuple[int, int]:
    """(row, column) of the cell showing ``offset``."""
    offset = max(0, min(offset, len(text)))
    row = table.row_of(offset)
    start = table.starts[row]
    shown = line_text(text, table, row)
    index = min(offset - start, len(shown))
    positions = cell_positions(shown)
    return row, index if positions is None else char_cells(positions, index)[0]


def char_cells(positions: list[int] | None, index: int) -> tuple[int, int]:
    """Cells ``[first, last)`` showing character ``index`` of a line.

    A zero-width character (a combining mark, a joiner inside an emoji sequence)
    is drawn in its base character's cells, so it answers with those. An index
    at the end of the line gets the one cell after the text.
    """
    if positions is None:
        return index, index + 1
    if index >= len(positions) - 1:
        return positions[-1], positions[-1] + 1
    base = index
    while base > 0 and positions[base + 1] == positions[base]:
        base -= 1
    return positions[base], max(positions[base + 1], positions[base] + 1)


def cell_to_offset(text: str, table: WrapTable, row: int, column: int) -> int:
    """The offset shown at (row, column); columns past the line end clamp to it."""
    row = max(0, min(row, len(table) - 1))
    start = table.starts[row]
    shown = line_text(text, table, row)
    positions = cell_positions(shown)
    column = max(0, column)
    index = column if positions is None else bisect_right(positions, column) - 1
    return min(start + index, last_offset(text, table, row))


def cell_range(
    positions: list[int] | None, shown_length: int, start: int, end: int
) -> tuple[int, int]:
    """Cells ``[first, last)`` covering characters ``[start, end)`` of a shown line."""
    start = max(0, min(start, shown_length))
    end = max(start, min(end, shown_length))
    if positions is None:
        return start, end
    return positions[start], positions[end]


class Ranged(Protocol):
    """Anything with code-point bounds ``[start, end)``."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


RangedT = TypeVar("RangedT", bound=Ranged)


def _reading_order(span: Ranged) -> tuple[int, int]:
    """By start, longest first: the order the pane keeps its spans in."""
    return (span.start, -span.end)


class SpanIndex(Generic[RangedT]):
    """Spans sorted by start, found by ``bisect`` rather than a scan per line.

    Short spans (the vast majority) sit in one sorted list searched within a
    window of the longest short span; the few long ones (whole-paragraph
    evidence, say) live in a small side list checked directly. Looking up the
    spans touching a line is then O(log n + hits) whatever the overlap.
    """

    LONG = 2048

    def __init__(self, spans: Iterable[RangedT]) -> None:
        ordered = sorted(spans, key=lambda span: (span.start, -span.end))
        self._short = [span for span in ordered if span.end - span.start <= self.LONG]
        self._long = [span for span in ordered if span.end - span.start > self.LONG]
        self._starts = [span.start for span in self._short]
        self._reach = max((span.end - span.start for span in self._short), default=0)

    def __len__(self) -> int:
        return len(self._short) + len(self._long)

    def add(self, span: RangedT) -> None:
        """Insert one span where it sorts (an edit), without rebuilding the index."""
        key = _reading_order(span)
        if span.end - span.start > self.LONG:
            insort(self._long, span, key=_reading_order)
            return
        index = bisect_right(self._short, key, key=_reading_order)
        self._short.insert(index, span)
        self._starts.insert(index, span.start)
        self._reach = max(self._reach, span.end - span.start)

    def discard(self, span: RangedT) -> None:
        """Remove one span (equal by value); the reach may stay wider, which is safe."""
        spans = self._long if span.end - span.start > self.LONG else self._short
        key = _reading_order(span)
        index = bisect_left(spans, key, key=_reading_order)
        while index < len(spans) and _reading_order(spans[index]) == key:
            if spans[index] == span:
                del spans[index]
                if spans is self._short:
                    del self._starts[index]
                return
            index += 1

    def touching(self, start: int, end: int) -> list[RangedT]:
        """Spans overlapping ``[start, end)``, by start then longest first."""
        low = bisect_right(self._starts, start - self._reach)
        high = bisect_left(self._starts, end)
        found = [span for span in self._short[low:high] if span.end > start]
        if self._long:
            found.extend(span for span in self._long if span.start < end and span.end > start)
            found.sort(key=lambda span: (span.start, -span.end))
        return found

    def covering(self, offset: int) -> list[RangedT]:
        """Spans containing ``offset``, innermost (shortest) first."""
        found = self.touching(offset, offset + 1)
        found.sort(key=lambda span: (span.end - span.start, -span.start))
        return found


def match_ranges(matches: Sequence[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """Non-overlapping sorted ``matches`` that overlap ``[start, end)``."""
    low = bisect_right(matches, start, key=lambda match: match[1])
    high = bisect_left(matches, end, key=lambda match: match[0])
    return list(matches[low:high])
