"""What a quality check is, what it finds, and the corpus data every check reads.

A check is a plain function ``(CheckData) -> Iterable[Finding]``; the runner
(:mod:`storage.checks`) loads :class:`CheckData` once, in one read
transaction, so a dozen checks cost one pass over the database.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from storage.figures.sentences import split_sentences
from storage.models import Article, ArticleState, Entity, Figure, Span, TopicAssignment
from storage.schema import Schema

SEVERITIES = ("error", "warning", "info")
"""Most severe first; only errors make ``redline check`` exit non-zero."""


@dataclass(frozen=True)
class Finding:
    """One problem at one place: an article offset range, a span, or an entity."""

    check: str
    severity: str
    message: str
    article_id: int | None = None
    start: int | None = None
    end: int | None = None
    span_id: int | None = None
    annotator: str | None = None
    entity_id: int | None = None
    related_article_id: int | None = None
    """The other article of a pair (duplicates)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def place(self) -> str:
        """Where, for people: ``article 3 @120-131`` or ``entity 7``."""
        if self.article_id is None:
            return f"entity {self.entity_id}" if self.entity_id is not None else "corpus"
        where = f"article {self.article_id}"
        if self.start is not None:
            where += f" @{self.start}-{self.end}" if self.end is not None else f" @{self.start}"
        return where

    def sort_key(self) -> tuple[int, int, int, str, int]:
        return (
            SEVERITIES.index(self.severity),
            self.article_id if self.article_id is not None else 1 << 62,
            self.start if self.start is not None else -1,
            self.check,
            self.span_id or self.entity_id or 0,
        )


Emit = Callable[..., Finding]
"""``emit(message, **place)``: a finding of the running check."""


@dataclass(frozen=True)
class Check:
    """One check: a stable id (what ``[check] ignore`` names), a severity and a title."""

    id: str
    severity: str
    title: str
    run: Callable[[CheckData, Emit], Iterable[Finding]]
    """Yields findings made with the ``Emit`` it is given (this check's ``finding``)."""

    def finding(self, message: str, **place: Any) -> Finding:
        return Finding(self.id, self.severity, message, **place)


@dataclass
class CheckData:
    """The slice of the corpus the checks look at, loaded once.

    ``articles`` are the articles in scope; ``all_articles`` every article's
    id and text (the duplicate check compares against the whole corpus).
    Spans are accepted and suggested ones of the annotators in scope.
    """

    schema: Schema
    articles: dict[int, Article]
    all_texts: dict[int, str]
    spans: list[Span]
    figures: dict[int, Figure]
    topics: list[TopicAssignment]
    states: list[ArticleState]
    entities: dict[int, Entity]
    mentioned_entities: set[int]
    annotator_names: dict[int, str]
    corpus_wide: bool = True
    """False when ``--articles`` narrowed the run: corpus-level checks skip then."""
    _sentences: dict[int, list[tuple[int, int]]] = field(default_factory=dict, repr=False)
    _starts: dict[int, list[int]] = field(default_factory=dict, repr=False)

    def accepted(self, *layers: str) -> Iterable[Span]:
        return (s for s in self.spans if s.status == "accepted" and s.layer in layers)

    def text(self, article_id: int) -> str:
        return self.articles[article_id].text

    def sentences(self, article_id: int) -> list[tuple[int, int]]:
        """The article's sentence spans (storage/figures/sentences.py), computed once."""
        found = self._sentences.get(article_id)
        if found is None:
            found = self._sentences[article_id] = split_sentences(self.text(article_id))
        return found

    def sentence_index(self, article_id: int, offset: int) -> int:
        """Index of the last sentence starting at or before ``offset`` (-1: before the first)."""
        starts = self._starts.get(article_id)
        if starts is None:
            starts = self._starts[article_id] = [start for start, _ in self.sentences(article_id)]
        return bisect.bisect_right(starts, offset) - 1

    def annotator(self, span: Span | TopicAssignment | ArticleState) -> str:
        return self.annotator_names.get(span.annotator_id, str(span.annotator_id))

    def span_place(self, span: Span) -> dict[str, Any]:
        """The keyword arguments that place a finding on ``span``."""
        return {
            "article_id": span.article_id,
            "start": span.start,
            "end": span.end,
            "span_id": span.id,
            "annotator": self.annotator(span),
        }


def unknown_annotator(name: str, known: Iterable[str]) -> str:
    """The one-line error for a name nobody annotated under, listing who did."""
    names = ", ".join(sorted(known)) or "none yet"
    return f"no annotator named {name!r} (annotators: {names}; 'all' means every one)"


def quoted(text: str, limit: int = 60) -> str:
    """A span's text for a message, on one line and shortened."""
    flat = " ".join(text.split())
    return f"“{flat if len(flat) <= limit else flat[: limit - 1] + '…'}”"
