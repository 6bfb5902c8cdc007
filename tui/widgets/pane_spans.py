"""The spans a reading pane draws: kept in reading order, by id, and indexed by offset.

No widget code here: the pane asks which spans touch a line or cover an
offset, and after a patch redraws the lines of the spans it reports as touched.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence

from tui.widgets import pane_layout as layout
from tui.widgets.pane_model import PaneSpan


def _order(span: PaneSpan) -> tuple[int, int]:
    return (span.start, -span.end)


class SpanStore:
    """One article's spans, with a ``revision`` that changes when they are replaced wholesale."""

    def __init__(self) -> None:
        self.ordered: list[PaneSpan] = []
        """In reading order (start, longest first)."""
        self._by_id: dict[int, PaneSpan] = {}
        self.index: layout.SpanIndex[PaneSpan] = layout.SpanIndex(())
        self.revision = 0
        """Part of every cached line's key, so a wholesale replace invalidates them all."""

    def install(self, spans: Sequence[PaneSpan]) -> None:
        """Replace every span."""
        self.index = layout.SpanIndex(spans)
        self.ordered = sorted(spans, key=_order)
        self._by_id = {span.id: span for span in spans}
        self.revision += 1

    def patch(self, removed: Iterable[int], added: Iterable[PaneSpan]) -> list[PaneSpan]:
        """Drop the spans ``removed`` (ids), add ``added``; return every span whose lines changed.

        Costs O(log n) per span, however many spans the article has.
        """
        touched: list[PaneSpan] = []
        for span_id in removed:
            span = self._by_id.pop(span_id, None)
            if span is not None:
                self.index.discard(span)
                index = bisect_left(self.ordered, _order(span), key=_order)
                while self.ordered[index] != span:
                    index += 1
                del self.ordered[index]
                touched.append(span)
        for span in added:
            old = self._by_id.pop(span.id, None)
            if old is not None:  # replaced without being listed as removed
                self.index.discard(old)
                self.ordered.remove(old)
                touched.append(old)
            self._by_id[span.id] = span
            self.index.add(span)
            insort(self.ordered, span, key=_order)
            touched.append(span)
        return touched
