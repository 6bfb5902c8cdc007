"""The review stream's pure rules: next pending suggestion, wrapping, nesting, counts."""

from __future__ import annotations

from tui.screens.reader import stream
from tui.widgets.pane_model import PaneSpan


def _span(
    id: int,
    start: int,
    end: int,
    status: str = "suggested",
    layer: str = "entity",
    label: str = "GPE",
) -> PaneSpan:
    return PaneSpan(id, start, end, layer, label, "#ffffff", status)


SPANS = [
    _span(1, 0, 6),
    _span(2, 8, 18, status="accepted"),
    _span(3, 20, 28, layer="figure", label="DATE"),
    _span(4, 30, 90, layer="evidence", label="trade"),
    _span(5, 30, 90, layer="evidence", label="diplomacy"),
    _span(6, 40, 50, label="ORG"),
]


def test_next_pending_follows_reading_order_and_skips_decided() -> None:
    assert stream.next_pending(SPANS, SPANS[0]) == (SPANS[2], False)
    # one sentence evidence for two topics: both are visited, then what is inside it
    assert stream.next_pending(SPANS, SPANS[3]).span is SPANS[4]
    assert stream.next_pending(SPANS, SPANS[4]).span is SPANS[5]
    assert stream.next_pending(SPANS, SPANS[2], skip={4, 5}).span is SPANS[5]


def test_next_pending_wraps_at_the_end_and_says_none_when_all_are_decided() -> None:
    assert stream.next_pending(SPANS, SPANS[5]) == (SPANS[0], True)
    assert stream.next_pending(SPANS, SPANS[5], skip={1, 6}) == (SPANS[2], True)
    assert stream.next_pending(SPANS, SPANS[0], skip={1, 3, 4, 5, 6}) == (None, False)
    assert stream.next_pending([], 0) == (None, False)
    assert stream.next_pending(SPANS, 35) == (SPANS[5], False)  # an offset, not a span
    assert stream.next_pending(SPANS, 10, forward=False) == (SPANS[0], False)
    assert stream.next_pending(SPANS, 0, forward=False) == (SPANS[5], True)


def test_jump_wraps_both_ways() -> None:
    accepted = [_span(1, 0, 6, "accepted"), _span(2, 10, 16, "accepted")]
    assert stream.jump(accepted, 0, True) == (accepted[1], False)
    assert stream.jump(accepted, 10, True) == (accepted[0], True)
    assert stream.jump(accepted, 0, False) == (accepted[1], True)
    assert stream.jump(accepted[:1], 0, True) == (None, False)  # the only span is here
    assert stream.jump([], 0, True) == (None, False)


def test_nesting_is_within_a_layer_and_not_identical_offsets() -> None:
    outer, inner = _span(1, 0, 22), _span(2, 12, 22)
    found = stream.nesting([outer, inner, *SPANS[3:5]])
    assert found.outer == (outer,) and found.inner == (inner,)
    assert stream.nesting(SPANS) == stream.Nesting((), ())  # evidence around an entity: no
    accept, reject = stream.decide_nested([outer, inner], found, "outer")
    assert (accept, reject) == ([1], [2])
    assert stream.decide_nested([outer, inner], found, "inner") == ([2], [1])
    assert stream.decide_nested([outer, inner], found, "both") == ([1, 2], [])


def test_counts_per_layer_and_label() -> None:
    pending = stream.pending(SPANS)
    assert stream.counts(pending) == (
        "2 entities (GPE 1, ORG 1); 1 figures (DATE 1); 2 topic evidence (diplomacy 1, trade 1)"
    )
