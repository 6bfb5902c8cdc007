"""Review and adjudication: compare the annotators of one article and write a ``gold`` version.

:func:`compare` groups every annotator's accepted entity and figure spans into
*clusters* of overlapping spans (a sweep over offsets: spans that overlap,
directly or through another span, share a cluster). In each cluster every
annotator has a *version*: the set of their spans there, compared by layer,
offsets, label and — for figures — kind, value and unit. A cluster is
``agreed`` when every annotator has the same version, ``conflict`` when all
have something but it differs, ``only-one`` (some have nothing there)
otherwise. Topics are compared per key the same way.

The result is written by a :class:`~storage.repository.Repository` of the gold
annotator (``gold`` by default), so it has its own undo history and exports
like any annotator. Each take is one batch: one event, one undo step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from storage.db import Database
from storage.errors import StorageError
from storage.models import Annotator, Article, ArticleState, Figure, Span, TopicAssignment
from storage.repository import Repository

GOLD = "gold"
REVIEW_LAYERS = ("entity", "figure")

VersionKey = tuple[str, int, int, str, tuple[str, Decimal | None, str | None] | None]
"""(layer, start, end, label, (kind, value, unit) for figures)."""


@dataclass(frozen=True)
class SpanCopy:
    """What a take copies of an annotator's span into gold."""

    layer: str
    start: int
    end: int
    label: str
    entity_id: int | None
    note: str | None
    figure: dict[str, Any] | None

    @property
    def key(self) -> VersionKey:
        figure = None
        if self.figure is not None:
            figure = (self.figure["kind"], self.figure["value"], self.figure["unit"])
        return (self.layer, self.start, self.end, self.label, figure)


@dataclass
class Cluster:
    """Overlapping spans of every annotator in ``[start, end)``."""

    number: int
    start: int
    end: int
    versions: dict[str, list[SpanCopy]]
    gold: list[SpanCopy] = field(default_factory=list)

    def keys(self, name: str) -> frozenset[VersionKey]:
        return frozenset(span.key for span in self.versions.get(name, []))

    @property
    def status(self) -> str:
        versions = {self.keys(name) for name in self.versions}
        if len(versions) == 1:
            return "agreed"
        return "conflict" if all(self.versions.values()) else "only-one"

    @property
    def gold_keys(self) -> frozenset[VersionKey]:
        return frozenset(span.key for span in self.gold)

    def taken_from(self) -> list[str]:
        """The annotators whose version gold holds now (empty: gold holds none of them)."""
        return [name for name in self.versions if self.keys(name) == self.gold_keys]


@dataclass
class TopicChoice:
    key: str
    chosen_by: list[str]
    annotators: list[str]
    in_gold: bool

    @property
    def agreed(self) -> bool:
        return len(self.chosen_by) in (0, len(self.annotators))


@dataclass
class Comparison:
    article_id: int
    text: str
    title: str
    annotators: list[str]
    gold_name: str
    clusters: list[Cluster]
    topics: list[TopicChoice]
    gold_started: bool
    """Gold already has spans, topics or a state for this article (agreed parts were seeded)."""
    reviewed: bool

    @property
    def conflicts(self) -> list[Cluster]:
        return [cluster for cluster in self.clusters if cluster.status != "agreed"]

    @property
    def topic_conflicts(self) -> list[TopicChoice]:
        return [topic for topic in self.topics if not topic.agreed]


def reviewable_annotators(db: Database, article_id: int, gold: str = GOLD) -> list[str]:
    """Who marked the article done, by name (the gold annotator excluded)."""
    with db.reading() as session:
        names = session.exec(
            select(Annotator.name)
            .join(ArticleState, col(ArticleState.annotator_id) == col(Annotator.id))
            .where(ArticleState.article_id == article_id, ArticleState.state == "done")
            .order_by(col(Annotator.name))
        ).all()
    return [name for name in names if name != gold]


def reviewable_articles(db: Database, gold: str = GOLD, limit: int = 200) -> list[tuple[int, str]]:
    """(id, title) of the articles at least two annotators (not gold) marked done, by id."""
    with db.reading() as session:
        rows = session.exec(
            select(Article.id, Article.title)
            .join(ArticleState, col(ArticleState.article_id) == col(Article.id))
            .join(Annotator, col(Annotator.id) == col(ArticleState.annotator_id))
            .where(ArticleState.state == "done", Annotator.name != gold)
            .group_by(col(Article.id), col(Article.title))
            .having(func.count() >= 2)
            .order_by(col(Article.id))
            .limit(limit)
        ).all()
    return [(article_id, title) for article_id, title in rows if article_id is not None]


def _spans(db: Database, article_id: int, names: Sequence[str]) -> dict[str, list[SpanCopy]]:
    found: dict[str, list[SpanCopy]] = {name: [] for name in names}
    with db.reading() as session:
        rows = session.exec(
            select(Annotator.name, Span, Figure)
            .join(Annotator, col(Annotator.id) == col(Span.annotator_id))
            .join(Figure, col(Figure.span_id) == col(Span.id), isouter=True)
            .where(
                Span.article_id == article_id,
                Span.status == "accepted",
                col(Span.layer).in_(REVIEW_LAYERS),
                col(Annotator.name).in_(list(names)),
            )
            .order_by(col(Span.start), col(Span.end), col(Span.id))
        ).all()
    for name, span, figure in rows:
        values = None
        if span.layer == "figure":
            values = figure.model_dump(exclude={"span_id"}) if figure is not None else {}
            values.setdefault("kind", span.label)
            values.setdefault("value", None)
            values.setdefault("unit", None)
        copy = SpanCopy(
            span.layer, span.start, span.end, span.label, span.entity_id, span.note, values
        )
        found[name].append(copy)
    return found


def _clusters(
    spans: dict[str, list[SpanCopy]], annotators: Sequence[str], gold: str
) -> list[Cluster]:
    every = sorted(
        ((span.start, span.end, name, span) for name, items in spans.items() for span in items),
        key=lambda item: (item[0], item[1]),
    )
    clusters: list[Cluster] = []
    for start, end, name, span in every:
        if clusters and start < clusters[-1].end:
            current = clusters[-1]
            current.end = max(current.end, end)
        else:
            current = Cluster(len(clusters) + 1, start, end, {who: [] for who in annotators})
            clusters.append(current)
        (current.gold if name == gold else current.versions[name]).append(span)
    return clusters


def compare(
    db: Database, article_id: int, annotators: Sequence[str] | None = None, gold: str = GOLD
) -> Comparison:
    """The article's annotators side by side (default: everyone who marked it done)."""
    with db.reading() as session:
        article = session.get(Article, article_id)
    if article is None or article.id is None:
        raise StorageError(f"no article {article_id}")
    if annotators is None:
        annotators = reviewable_annotators(db, article_id, gold)
    names = list(annotators)
    if len(names) < 2:
        raise StorageError(
            f"article {article_id} needs two annotators who marked it done to review "
            f"(has: {', '.join(names) or 'none'})"
        )
    spans = _spans(db, article_id, [*names, gold])
    with db.reading() as session:
        rows = session.exec(
            select(Annotator.name, TopicAssignment.topic)
            .join(Annotator, col(Annotator.id) == col(TopicAssignment.annotator_id))
            .where(
                TopicAssignment.article_id == article_id,
                TopicAssignment.status == "accepted",
                col(Annotator.name).in_([*names, gold]),
            )
        ).all()
        state = session.exec(
            select(ArticleState.state)
            .join(Annotator, col(Annotator.id) == col(ArticleState.annotator_id))
            .where(ArticleState.article_id == article_id, Annotator.name == gold)
        ).first()
    chosen: dict[str, list[str]] = {}
    for name, topic in rows:
        chosen.setdefault(topic, []).append(name)
    topics = [
        TopicChoice(key, [n for n in names if n in chosen[key]], names, gold in chosen[key])
        for key in sorted(chosen)
    ]
    started = bool(spans[gold]) or gold in {name for name, _ in rows} or state is not None
    clusters = _clusters(spans, names, gold)
    return Comparison(
        article_id,
        article.text,
        article.title,
        names,
        gold,
        clusters,
        topics,
        started,
        state == "done",
    )


# -- writing gold ---------------------------------------------------------------------


def _gold_span_ids(repo: Repository, article_id: int, start: int, end: int) -> list[int]:
    with repo.db.reading() as session:
        return list(
            session.exec(
                select(Span.id).where(
                    Span.article_id == article_id,
                    Span.annotator_id == repo.annotator_id,
                    col(Span.layer).in_(REVIEW_LAYERS),
                    col(Span.start) < end,
                    col(Span.end) > start,
                )
            ).all()
        )


def _put(repo: Repository, article_id: int, cluster: Cluster, version: Iterable[SpanCopy]) -> None:
    """Inside a batch: gold's spans in the cluster become ``version``."""
    for span_id in _gold_span_ids(repo, article_id, cluster.start, cluster.end):
        repo.remove_span(span_id)
    for span in version:
        figure = None
        if span.figure is not None:
            figure = {key: value for key, value in span.figure.items() if key != "kind"}
        repo.add_span(
            article_id,
            span.start,
            span.end,
            span.label,
            layer=span.layer,
            entity_id=span.entity_id,
            note=span.note,
            figure=figure,
        )


def _set_topic(repo: Repository, article_id: int, key: str, assigned: bool) -> None:
    if assigned:
        repo.assign_topic(article_id, key)
    else:
        repo.unassign_topic(article_id, key)


def seed_agreed(repo: Repository, comparison: Comparison) -> bool:
    """Copy what every annotator agrees on into gold, once (False: gold had started)."""
    if comparison.gold_started:
        return False
    article_id = comparison.article_id
    agreed = [cluster for cluster in comparison.clusters if cluster.status == "agreed"]
    topics = [topic for topic in comparison.topics if topic.agreed and topic.chosen_by]
    with repo.batch("adjudicate", article_id, "take what every annotator agrees on"):
        for cluster in agreed:
            _put(repo, article_id, cluster, cluster.versions[comparison.annotators[0]])
        for topic in topics:
            repo.assign_topic(article_id, topic.key)
        repo.set_state(article_id, "in_progress")
    return True


def take(repo: Repository, comparison: Comparison, cluster: Cluster, name: str) -> None:
    """Gold takes ``name``'s version of one conflict (one undo step)."""
    with repo.batch("adjudicate", comparison.article_id, f"take {name}'s version"):
        _put(repo, comparison.article_id, cluster, cluster.versions[name])


def take_topic(repo: Repository, comparison: Comparison, topic: TopicChoice, name: str) -> None:
    with repo.batch("adjudicate", comparison.article_id, f"topic {topic.key}: {name}'s choice"):
        _set_topic(repo, comparison.article_id, topic.key, name in topic.chosen_by)


def take_all(repo: Repository, comparison: Comparison, name: str) -> None:
    """Gold takes ``name``'s version of every conflict and topic (one undo step)."""
    with repo.batch("adjudicate", comparison.article_id, f"take all of {name}"):
        for cluster in comparison.conflicts:
            _put(repo, comparison.article_id, cluster, cluster.versions[name])
        for topic in comparison.topic_conflicts:
            _set_topic(repo, comparison.article_id, topic.key, name in topic.chosen_by)


def mark_reviewed(repo: Repository, comparison: Comparison, unresolved: int) -> None:
    """Gold's article becomes ``done`` (refused while conflicts are unresolved)."""
    if unresolved:
        plural = "s" * (unresolved != 1)
        raise StorageError(f"{unresolved} conflict{plural} left: take a version of each first")
    repo.set_state(comparison.article_id, "done")
