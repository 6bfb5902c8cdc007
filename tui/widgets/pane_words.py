"""Word (token) navigation over one article, tokenizing only where the user is.

Tokenizing a 1 MB article takes about a second, so nothing is tokenized on load:
each question ("which word is at this offset?", "where does the next word
end?") tokenizes the paragraph around the offset and caches it. Paragraphs are
the text between newlines; a pathological paragraph (a whole book on one line)
is cut into a window around the offset, at spaces so no token is split.
No widget code here: the reading pane asks, this answers in code-point offsets.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.cache import LRUCache

from tui import tokens

Bounds = list[tuple[int, int]]

WINDOW = 4096
"""Half-width of the window tokenized inside an over-long paragraph."""


class WordIndex:
    """Lazily tokenized view of one text, answering word questions by offset."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._cache: LRUCache[tuple[int, int], Bounds] = LRUCache(64)

    def _window(self, offset: int) -> tuple[int, int]:
        """``[start, end)`` of the paragraph holding ``offset`` (a newline ends its own)."""
        text = self._text
        start = text.rfind("\n", 0, offset) + 1
        end = text.find("\n", offset)
        if end == -1:
            end = len(text)
        if end - start > 2 * WINDOW:
            low, high = max(start, offset - WINDOW), min(end, offset + WINDOW)
            if low > start:
                space = text.find(" ", low, offset)
                low = low if space == -1 else space + 1
            if high < end:
                space = text.rfind(" ", offset, high)
                high = high if space == -1 else space
            start, end = low, high
        return start, end

    def bounds(self, offset: int) -> Bounds:
        """Token bounds of the paragraph (or window) holding ``offset``, in text offsets."""
        key = self._window(offset)
        cached = self._cache.get(key)
        if cached is None:
            start, end = key
            cached = tokens.token_bounds(self._text[start:end], base=start)
            self._cache.set(key, cached)
        return cached

    def _forward(self, offset: int, find: Callable[[Bounds], int | None]) -> int | None:
        """First answer of ``find`` walking paragraphs forward from ``offset``."""
        position = offset
        while True:
            found = find(self.bounds(position))
            if found is not None:
                return found
            _, end = self._window(position)
            if end >= len(self._text):
                return None
            position = end + 1

    def _backward(self, offset: int, find: Callable[[Bounds], int | None]) -> int | None:
        """First answer of ``find`` walking paragraphs backward from ``offset``."""
        position = offset
        while True:
            found = find(self.bounds(position))
            if found is not None:
                return found
            start, _ = self._window(position)
            if start <= 0:
                return None
            position = start - 1

    def word_at(self, offset: int) -> tuple[int, int] | None:
        """The token under ``offset``; ``None`` on whitespace or past the end."""
        if not 0 <= offset < len(self._text):
            return None
        return tokens.word_at(self.bounds(offset), offset)

    def next_start(self, offset: int) -> int:
        """Start of the next word after ``offset`` (the end of the text if none)."""
        found = self._forward(offset, lambda bounds: tokens.next_word(bounds, offset))
        return len(self._text) if found is None else found

    def previous_start(self, offset: int) -> int:
        """Start of the word before ``offset`` (0 if none)."""
        found = self._backward(offset, lambda bounds: tokens.prev_word(bounds, offset))
        return 0 if found is None else found

    def next_end(self, offset: int) -> int:
        """End of the first word ending after ``offset`` (the end of the text if none)."""
        found = self._forward(offset, lambda bounds: tokens.next_word_end(bounds, offset))
        return len(self._text) if found is None else found

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """``[start, end)`` grown to token edges and trimmed of whitespace; ``None`` if empty.

        Only the paragraphs holding the first and the last token are tokenized,
        however long the range.
        """
        if start >= end:
            return None
        candidates = set(self._first_window(start, end)) | set(self._last_window(start, end))
        snapped = tokens.snap(sorted(candidates), start, end)
        return snapped if snapped[0] < snapped[1] else None

    def _first_window(self, start: int, end: int) -> Bounds:
        """Bounds of the first paragraph from ``start`` with a token ending after it."""
        position = start
        while position < end:
            bounds = self.bounds(position)
            if bounds and bounds[-1][1] > start:
                return bounds
            position = self._window(position)[1] + 1
        return []

    def _last_window(self, start: int, end: int) -> Bounds:
        """Bounds of the last paragraph before ``end`` with a token starting before it."""
        position = end - 1
        while position >= start:
            bounds = self.bounds(position)
            if bounds and bounds[0][0] < end:
                return bounds
            position = self._window(position)[0] - 1
        return []
