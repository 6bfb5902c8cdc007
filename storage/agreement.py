"""Inter-annotator agreement on entity spans (exact match), for reports and team mode.

Two annotators agree on a span when both accepted one with the same start, end
and label, in an article both marked done. F1 is symmetric:
``2 × matched / (spans of one + spans of the other)``; precision and recall
read the first annotator as the reference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from sqlmodel import col, select

from storage.db import Database
from storage.models import Annotator, ArticleState, Span

SpanKey = tuple[int, int, int, str]
"""(article id, start, end, label)."""


@dataclass(frozen=True)
class PairAgreement:
    """Exact entity-span agreement of two annotators over the articles both finished."""

    first: str
    second: str
    articles: int
    first_spans: int
    second_spans: int
    matched: int

    @property
    def f1(self) -> float | None:
        """None when neither annotated an entity in the shared articles (nothing to compare)."""
        total = self.first_spans + self.second_spans
        return 2 * self.matched / total if total else None

    @property
    def precision(self) -> float | None:
        return self.matched / self.second_spans if self.second_spans else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.first_spans if self.first_spans else None


def done_articles(database: Database) -> tuple[dict[str, set[int]], dict[int, str]]:
    """Which articles each annotator (by name) marked done, and every annotator's name by id."""
    with database.reading() as session:
        names = {a.id: a.name for a in session.exec(select(Annotator)).all() if a.id is not None}
        done: dict[str, set[int]] = defaultdict(set)
        rows = session.exec(
            select(ArticleState.annotator_id, ArticleState.article_id).where(
                ArticleState.state == "done"
            )
        ).all()
        for annotator_id, article_id in rows:
            done[names[annotator_id]].add(article_id)
    return done, names


def entity_spans(database: Database, annotator_ids: list[int], articles: set[int]) -> dict[
    int, set[SpanKey]
]:
    """The accepted entity spans of each annotator (by id) in ``articles``."""
    found: dict[int, set[SpanKey]] = defaultdict(set)
    if not articles or not annotator_ids:
        return found
    with database.reading() as session:
        rows = session.exec(
            select(Span.annotator_id, Span.article_id, Span.start, Span.end, Span.label).where(
                Span.layer == "entity",
                Span.status == "accepted",
                col(Span.annotator_id).in_(annotator_ids),
                col(Span.article_id).in_(sorted(articles)),
            )
        ).all()
    for annotator_id, article_id, start, end, label in rows:
        found[annotator_id].add((article_id, start, end, label))
    return found


def entity_agreement(
    database: Database, annotators: Sequence[str] | None = None
) -> list[PairAgreement]:
    """Every pair of ``annotators`` (default: all with done articles) that share a done
    article, in name order."""
    done, names = done_articles(database)
    chosen = sorted(annotators if annotators is not None else done)
    ids = {name: key for key, name in names.items()}
    pairs = [(a, b) for a, b in combinations(chosen, 2) if done.get(a, set()) & done.get(b, set())]
    shared = set().union(*(done[a] & done[b] for a, b in pairs)) if pairs else set()
    spans = entity_spans(database, [ids[name] for name in chosen if name in ids], shared)
    result: list[PairAgreement] = []
    for first, second in pairs:
        articles = done[first] & done[second]
        mine = {key for key in spans[ids[first]] if key[0] in articles}
        theirs = {key for key in spans[ids[second]] if key[0] in articles}
        result.append(
            PairAgreement(first, second, len(articles), len(mine), len(theirs), len(mine & theirs))
        )
    return result
