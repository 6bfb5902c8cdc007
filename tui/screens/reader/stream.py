"""The review stream: which pending suggestion comes next, and what "accept all" would do.

Pure functions over the pane's spans (no Textual, no SQL), tested without an
app in tests/tui/test_review_stream.py. The reader walks the article's
pending suggestions in reading order — by start, then innermost first, which
is the order ``a`` picks among spans covering the cursor — and wraps at the
end, saying so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from tui.screens.reader import targeting
from tui.widgets.pane_model import PaneSpan

LAYER_NAMES = {"entity": "entities", "figure": "figures", "evidence": "topic evidence"}


class Step(NamedTuple):
    """Where the stream goes: the span (None when nothing is left) and whether it wrapped."""

    span: PaneSpan | None
    wrapped: bool


def _order(span: PaneSpan) -> tuple[int, int, int]:
    return span.start, span.end, span.id


def pending(spans: Sequence[PaneSpan], skip: Collection[int] = ()) -> list[PaneSpan]:
    """The pending suggestions in stream order, leaving out ids in ``skip`` (already decided)."""
    found = [span for span in spans if span.status == "suggested" and span.id not in skip]
    return sorted(found, key=_order)


def next_pending(
    spans: Sequence[PaneSpan],
    after: PaneSpan | int,
    skip: Collection[int] = (),
    *,
    forward: bool = True,
) -> Step:
    """The pending suggestion after (or before) ``after``: a span just decided, or an offset.

    Past the last one it wraps to the first (``wrapped`` is True); ``span`` is
    None when no suggestion is pending.
    """
    stream = pending(spans, skip)
    if not stream:
        return Step(None, False)
    if isinstance(after, PaneSpan):
        key = _order(after)
        later = [s for s in stream if _order(s) > key] if forward else []
        earlier = [s for s in stream if _order(s) < key] if not forward else []
    else:
        later = [s for s in stream if s.start > after] if forward else []
        earlier = [s for s in stream if s.start < after] if not forward else []
    if forward:
        return Step(later[0], False) if later else Step(stream[0], True)
    return Step(earlier[-1], False) if earlier else Step(stream[-1], True)


def jump(spans: Sequence[PaneSpan], cursor: int, forward: bool) -> Step:
    """``n``/``N``: the next span start (pending suggestions first, while any), wrapping."""
    target = targeting.jump_target(spans, cursor, forward)
    if target is not None:
        return Step(target, False)
    edge = -1 if forward else max((span.end for span in spans), default=0) + 1
    target = targeting.jump_target(spans, edge, forward)
    if target is None or target.start == cursor:
        return Step(None, False)
    return Step(target, True)


# -- accept all -----------------------------------------------------------------------


@dataclass(frozen=True)
class Nesting:
    """Pending suggestions inside another pending suggestion of the same layer."""

    outer: tuple[PaneSpan, ...]
    inner: tuple[PaneSpan, ...]


def nesting(stream: Sequence[PaneSpan]) -> Nesting:
    """Which pending suggestions contain (outer) or sit inside (inner) another of their layer.

    Identical offsets are not nesting (one sentence is evidence for several topics).
    Evidence around an entity is not either: layers annotate different things.
    """
    outer: dict[int, PaneSpan] = {}
    inner: dict[int, PaneSpan] = {}
    by_layer: dict[str, list[PaneSpan]] = {}
    for span in stream:
        by_layer.setdefault(span.layer, []).append(span)
    for spans in by_layer.values():
        spans = sorted(spans, key=lambda s: (s.start, -s.end))
        open_spans: list[PaneSpan] = []
        for span in spans:
            open_spans = [o for o in open_spans if o.end > span.start]
            for other in open_spans:
                if other.end >= span.end and (other.start, other.end) != (span.start, span.end):
                    outer[other.id], inner[span.id] = other, span
            open_spans.append(span)
    both = set(outer) & set(inner)  # a middle span is inner to one and outer to another
    return Nesting(
        tuple(span for key, span in outer.items() if key not in both),
        tuple(inner.values()),
    )


def counts(stream: Sequence[PaneSpan]) -> str:
    """What accept-all covers, per label: "52 entities (GPE 20, ORG 12, …); 10 figures (…)"."""
    parts = []
    for layer in ("entity", "figure", "evidence"):
        labels = Counter(span.label for span in stream if span.layer == layer)
        if labels:
            total = sum(labels.values())
            detail = ", ".join(f"{label} {n}" for label, n in sorted(labels.items()))
            parts.append(f"{total} {LAYER_NAMES[layer]} ({detail})")
    return "; ".join(parts)


def decide_nested(
    stream: Sequence[PaneSpan], found: Nesting, keep: str
) -> tuple[list[int], list[int]]:
    """(ids to accept, ids to reject) when ``keep`` is "outer", "inner" or "both"."""
    if keep == "both":
        return [span.id for span in stream], []
    drop = {span.id for span in (found.inner if keep == "outer" else found.outer)}
    return [s.id for s in stream if s.id not in drop], [s.id for s in stream if s.id in drop]
