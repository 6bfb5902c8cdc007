"""Which span a reader key acts on, and where a resize or a jump lands.

Pure functions over the pane's spans and the article text (no Textual), so
each rule is tested without an app: tests/tui/test_reader_targeting.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from storage.occurrences import find_occurrences
from tui import tokens
from tui.widgets.pane_model import PaneSpan

ALL_LAYERS = ("entity", "figure", "evidence")
TOKEN_WINDOW = 400
"""Characters tokenized on each side of a span when stepping its edges by a token."""

TokenBounds = Callable[[str, int], list[tuple[int, int]]]


def under_cursor(
    spans_here: Sequence[PaneSpan], layers: Sequence[str] = ALL_LAYERS
) -> PaneSpan | None:
    """The innermost span of ``layers`` among those at the cursor, accepted ones first.

    ``spans_here`` is :meth:`ReadingPane.spans_at` (innermost first).
    """
    candidates = [span for span in spans_here if span.layer in layers]
    candidates.sort(key=lambda span: span.status != "accepted")
    return candidates[0] if candidates else None


def matching_selection(
    spans_here: Sequence[PaneSpan], layer: str, selection: tuple[int, int]
) -> PaneSpan | None:
    """The ``layer`` span covering exactly ``selection`` (``spans_here``: spans at its start)."""
    return next(
        (
            span
            for span in spans_here
            if span.layer == layer and (span.start, span.end) == selection
        ),
        None,
    )


def is_a_span(spans_here: Sequence[PaneSpan], selection: tuple[int, int]) -> bool:
    """Whether some span covers exactly ``selection``: a resize key then resizes that span.

    (A click on a span selects it; any other selection is resized itself.)
    """
    return any((span.start, span.end) == selection for span in spans_here)


def suggestion(spans_here: Sequence[PaneSpan]) -> PaneSpan | None:
    """The first suggested span at the cursor."""
    return next((span for span in spans_here if span.status == "suggested"), None)


def jump_target(spans: Sequence[PaneSpan], cursor: int, forward: bool) -> PaneSpan | None:
    """The next (or previous) span start from ``cursor``: pending suggestions first, while any."""
    pending = [span for span in spans if span.status == "suggested"]
    candidates = pending or spans
    if forward:
        after = [span for span in candidates if span.start > cursor]
        return min(after, key=lambda span: span.start) if after else None
    before = [span for span in candidates if span.start < cursor]
    return max(before, key=lambda span: span.start) if before else None


def _token_bounds(text: str, base: int) -> list[tuple[int, int]]:
    return list(tokens.token_bounds(text, base=base))


def resized(
    text: str,
    start: int,
    end: int,
    edge: str,
    step: int,
    bounds: TokenBounds = _token_bounds,
) -> tuple[int, int] | None:
    """``[start, end)`` with its ``edge`` ("start" | "end") moved one token by ``step`` (±1).

    None when it cannot move that way (no token there, or the span would vanish).
    """
    low = max(0, start - TOKEN_WINDOW)
    tokens_near = bounds(text[low : end + TOKEN_WINDOW], low)
    if edge == "end":
        ends = [b for _, b in tokens_near]
        moved = [b for b in ends if b > end] if step > 0 else [b for b in ends if start < b < end]
        if not moved:
            return None
        return start, moved[0] if step > 0 else moved[-1]
    starts = [a for a, _ in tokens_near]
    moved = [a for a in starts if a < start] if step < 0 else [a for a in starts if start < a < end]
    if not moved:
        return None
    return (moved[-1] if step < 0 else moved[0]), end


def unlabelled_occurrences(
    text: str, phrase: str, entity_spans: Sequence[PaneSpan]
) -> list[tuple[int, int]]:
    """Other places ``phrase`` occurs that no entity span covers or overlaps."""
    taken = [(span.start, span.end) for span in entity_spans]
    return [
        (start, end)
        for start, end in find_occurrences(text, phrase)
        if not any(a < end and start < b for a, b in taken)
    ]
