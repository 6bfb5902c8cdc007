"""Token boundaries for snapping selections to word edges.

Selections in the reading pane snap to the same tokens the exporters use, so a
span drawn at the keyboard never starts or ends in the middle of a token that
CoNLL or spaCy would later see whole. spaCy's rule-based English tokenizer
(``spacy.blank("en")``) is loaded lazily and cached: importing spaCy costs about
a second, which the app must not pay at start-up.

All helpers work on *bounds*: a sorted list of non-overlapping ``(start, end)``
code-point pairs, whitespace excluded, as returned by :func:`token_bounds`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokenizer import Tokenizer

Bounds = Sequence[tuple[int, int]]

def _start(bound: tuple[int, int]) -> int:
    return bound[0]


def _end(bound: tuple[int, int]) -> int:
    return bound[1]


def tokenizer() -> Tokenizer:
    """The shared English tokenizer, created on first use (thread-safe): the exporters' own."""
    from storage.formats.tokens import tokenizer as shared

    return shared()


def warm_up() -> None:
    """Load the tokenizer now (call from a worker thread to hide the cost)."""
    tokenizer()


def token_bounds(text: str, base: int = 0) -> list[tuple[int, int]]:
    """The ``[start, end)`` code-point bounds of the non-space tokens of ``text``.

    ``base`` is added to every offset, so a paragraph cut out of an article can
    be tokenized on its own and still yield article offsets.
    """
    doc = tokenizer()(text)
    return [
        (base + token.idx, base + token.idx + len(token.text))
        for token in doc
        if not token.is_space
    ]


def snap(bounds: Bounds, start: int, end: int) -> tuple[int, int]:
    """Grow ``[start, end)`` to the edges of the tokens it touches.

    Leading and trailing whitespace is dropped. When the range touches no token
    (it is empty or all whitespace) the empty range ``(start, start)`` comes back,
    so callers can treat "no selection" uniformly.
    """
    if start >= end:
        return (start, start)
    first = bisect_right(bounds, start, key=_end)
    last = bisect_left(bounds, end, key=_start)
    if first >= last:
        return (start, start)
    return (bounds[first][0], bounds[last - 1][1])


def word_at(bounds: Bounds, offset: int) -> tuple[int, int] | None:
    """The token covering ``offset``, or ``None`` on whitespace."""
    index = bisect_right(bounds, offset, key=_start) - 1
    if index >= 0 and bounds[index][0] <= offset < bounds[index][1]:
        return bounds[index]
    return None


def next_word(bounds: Bounds, offset: int) -> int | None:
    """Start of the first token that starts after ``offset`` (``None`` if none)."""
    index = bisect_right(bounds, offset, key=_start)
    return bounds[index][0] if index < len(bounds) else None


def prev_word(bounds: Bounds, offset: int) -> int | None:
    """Start of the last token that starts before ``offset`` (``None`` if none)."""
    index = bisect_left(bounds, offset, key=_start) - 1
    return bounds[index][0] if index >= 0 else None


def next_word_end(bounds: Bounds, offset: int) -> int | None:
    """End of the first token that ends after ``offset`` (extending a selection rightwards)."""
    index = bisect_right(bounds, offset, key=_end)
    return bounds[index][1] if index < len(bounds) else None
