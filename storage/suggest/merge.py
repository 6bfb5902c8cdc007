"""Merge the proposals of every suggester into one set with no duplicates or overlaps.

Per layer, proposals are taken best first and a proposal is dropped when it
overlaps one already taken or an annotation of the article (accepted,
suggested or rejected: a rejected span never comes back, nor does anything
overlapping it). "Best" is the higher score; on equal scores the gazetteer
(built from what annotators accepted) wins over the trained model, which wins
over the rules; then the longer span, then the earlier one. Evidence spans
only exclude evidence of the same topic. The result is in reading order.

A :class:`GapSuggestion` (a trained model's entity span under the gap policy
``redline train`` chose, ``storage.train.gaps``) never competes on score: it is
kept only where no other proposal of its layer overlaps it (kept or not, so the
rules' own overlaps do not open gaps) and nothing already there does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from storage.repository import SpanSuggestion

ORIGIN_RANK = {"gazetteer": 0, "model": 1, "rule": 2}
"""Tie-break between equal scores: lower wins."""


@dataclass(frozen=True)
class GapSuggestion(SpanSuggestion):
    """A proposal that may only fill a gap the other proposals leave (stored like any other)."""


class Annotated(Protocol):
    """What the merge reads of an existing span (``storage.models.Span`` fits)."""

    layer: str
    label: str
    start: int
    end: int
    status: str


def _best_first(suggestion: SpanSuggestion) -> tuple[float, int, int, int]:
    return (
        -(suggestion.score or 0.0),
        ORIGIN_RANK.get(suggestion.origin, len(ORIGIN_RANK)),
        suggestion.start - suggestion.end,
        suggestion.start,
    )


def _group(layer: str, label: str) -> str:
    """Spans that must not overlap: one group per layer, per topic for evidence
    (one sentence may support several topics)."""
    return f"evidence:{label}" if layer == "evidence" else layer


def merge_suggestions(
    proposals: Iterable[SpanSuggestion], existing: Sequence[Annotated] = ()
) -> list[SpanSuggestion]:
    """The proposals to store: best first per layer, none overlapping another or ``existing``."""
    taken: dict[str, list[tuple[int, int]]] = {}
    for span in existing:
        if span.status in ("accepted", "suggested", "rejected"):
            taken.setdefault(_group(span.layer, span.label), []).append((span.start, span.end))
    proposals = list(proposals)
    gaps = [p for p in proposals if isinstance(p, GapSuggestion)]
    blockers: dict[str, list[tuple[int, int]]] = {}
    if gaps:
        for proposal in proposals:
            if not isinstance(proposal, GapSuggestion):
                group = _group(proposal.layer, proposal.label)
                blockers.setdefault(group, []).append((proposal.start, proposal.end))
    kept: list[SpanSuggestion] = []
    others = [p for p in proposals if not isinstance(p, GapSuggestion)]
    for suggestion in [*sorted(others, key=_best_first), *sorted(gaps, key=_best_first)]:
        group = _group(suggestion.layer, suggestion.label)
        ranges = taken.setdefault(group, [])
        if isinstance(suggestion, GapSuggestion):
            ranges = [*ranges, *blockers.get(group, ())]
        if any(start < suggestion.end and suggestion.start < end for start, end in ranges):
            continue
        taken[group].append((suggestion.start, suggestion.end))
        kept.append(suggestion)
    return sorted(kept, key=lambda s: (s.start, s.end, s.layer))
