"""Span boundaries: overlaps in the entity layer, sentences crossed, tokens cut,
and articles marked done while suggestions still wait."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator

from storage.checks.base import CheckData, Emit, Finding, quoted
from storage.models import Span
from storage.suggest.tokens import Token, tokenize

HYPHENS = frozenset("-‐‑–")
"""Inside a token these still separate words one may label apart ("EU-Kazakhstan")."""


def entity_overlap(data: CheckData, emit: Emit) -> Iterator[Finding]:
    """Two accepted entity spans of one annotator overlap (CoNLL, BIO and spaCy's
    ``doc.ents`` cannot carry that); placed on the later one."""
    groups: dict[tuple[int, int], list[Span]] = defaultdict(list)
    for span in data.accepted("entity"):
        groups[(span.article_id, span.annotator_id)].append(span)
    for spans in groups.values():
        spans.sort(key=lambda s: (s.start, s.end, s.id or 0))
        open_spans: list[Span] = []
        for span in spans:
            open_spans = [other for other in open_spans if other.end > span.start]
            for other in open_spans:
                message = (
                    f"{span.label} {quoted(span.text, 40)} overlaps "
                    f"{other.label} {quoted(other.text, 40)} at {other.start}-{other.end}"
                )
                yield emit(message, **data.span_place(span))
            open_spans.append(span)


def span_crosses_sentence(data: CheckData, emit: Emit) -> Iterator[Finding]:
    """An entity or figure runs from one sentence into the next (evidence may)."""
    for span in data.accepted("entity", "figure"):
        if span.end - span.start < 2:
            continue
        first = data.sentence_index(span.article_id, span.start)
        last = data.sentence_index(span.article_id, span.end - 1)
        if first != last:
            message = f"{span.label} {quoted(span.text, 40)} crosses a sentence boundary"
            yield emit(message, **data.span_place(span))


class _TokenIndex:
    """Where tokens start and end in one article, for "is this offset inside a word"."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = tokenize(text)
        self.starts = [token.start for token in self.tokens]

    def cuts(self, offset: int) -> bool:
        """True when ``offset`` falls strictly inside a token, not at a hyphen."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i < 0:
            return False
        token = self.tokens[i]
        if not token.start < offset < token.end:
            return False
        return self.text[offset - 1] not in HYPHENS and self.text[offset] not in HYPHENS


def span_inside_token(data: CheckData, emit: Emit) -> Iterator[Finding]:
    """A span starts or ends in the middle of a word (``Astan|a``, ``49|.7``)."""
    indexes: dict[int, _TokenIndex] = {}
    for span in data.accepted("entity", "figure", "evidence"):
        index = indexes.get(span.article_id)
        if index is None:
            index = indexes[span.article_id] = _TokenIndex(data.text(span.article_id))
        ends = (("starts", span.start), ("ends", span.end))
        edges = [name for name, offset in ends if index.cuts(offset)]
        if edges:
            where = " and ".join(edges)
            message = f"{span.label} {quoted(span.text, 40)} {where} inside a word"
            yield emit(message, **data.span_place(span))


def done_with_suggestions(data: CheckData, emit: Emit) -> Iterator[Finding]:
    """An article marked done while suggestions on it are neither accepted nor rejected."""
    pending: dict[tuple[int, int], list[Span]] = defaultdict(list)
    for span in data.spans:
        if span.status == "suggested":
            pending[(span.article_id, span.annotator_id)].append(span)
    for state in sorted(data.states, key=lambda s: (s.article_id, s.annotator_id)):
        waiting = pending.get((state.article_id, state.annotator_id))
        if state.state == "done" and waiting:
            first = min(waiting, key=lambda s: (s.start, s.end))
            count = len(waiting)
            message = f"marked done with {count} pending suggestion{'s' * (count > 1)}"
            yield emit(
                message,
                article_id=state.article_id,
                start=first.start,
                end=first.end,
                span_id=first.id,
                annotator=data.annotator(state),
            )
