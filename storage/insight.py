"""The numbers behind the charts: progress, time, labels, spans, figures, topics.

:func:`collect` reads them in one transaction; :func:`charts` turns them into
:class:`Chart` records that both renderers draw the same way — matplotlib
files (:mod:`storage.charts`, ``redline stats --plot``, the HTML report) and
the terminal charts of the app's Stats screen. Nothing here draws.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import col, select

from storage.checks.base import unknown_annotator
from storage.db import Database
from storage.errors import StorageError
from storage.models import Annotator, Article, ArticleState, Figure, Span, TopicAssignment
from storage.schema import Schema

MAX_DAYS = 90
"""The progress chart shows at most the last this many days (from the latest done)."""
MINUTE_BINS = ((0, 1), (1, 2), (2, 5), (5, 10), (10, 20), (20, 30), (30, None))
SPAN_BINS = ((0, 0), (1, 4), (5, 9), (10, 19), (20, 49), (50, None))
TOP_TOPICS = 15


@dataclass
class Insight:
    """Corpus facts for one annotator, or every annotator (``annotator`` None)."""

    annotator: str | None
    articles: int = 0
    annotators: list[str] = field(default_factory=list)
    states: Counter[str] = field(default_factory=Counter)
    done_by_day: dict[str, Counter[dt.date]] = field(default_factory=dict)
    """Annotator → how many articles they marked done on each (UTC) day."""
    done_by_annotator: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    """Time spent on each article someone worked on (one value per article × annotator)."""
    labels: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(layer, label) → accepted entity and figure spans."""
    spans_per_article: list[int] = field(default_factory=list)
    """Accepted spans of each article that has any, or that someone worked on."""
    figure_kinds: Counter[str] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    """Topic → number of articles it is assigned to."""


@dataclass(frozen=True)
class Chart:
    """One chart as data: bars over ``categories``, one series per entry of ``series``."""

    name: str
    """File stem and widget id: ``progress``, ``labels``…"""
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    x_label: str = ""
    y_label: str = ""
    horizontal: bool = False
    colours: tuple[str, ...] = ()
    """One colour per category (label colours from the schema), for one-series charts."""

    @property
    def empty(self) -> bool:
        return not self.categories or not any(any(v) for _, v in self.series)


def collect(database: Database, annotator: str | None = None) -> Insight:
    """Read the facts behind every chart; ``annotator`` None means every annotator."""
    insight = Insight(annotator)
    with database.reading() as session:
        names = {a.id: a.name for a in session.exec(select(Annotator)).all()}
        ids = list(names)
        if annotator is not None:
            ids = [key for key, name in names.items() if name == annotator]
            if not ids:
                raise StorageError(unknown_annotator(annotator, names.values()))
        insight.articles = session.exec(select(func.count(Article.id))).one()
        states = session.exec(
            select(ArticleState).where(col(ArticleState.annotator_id).in_(ids))
        ).all()
        worked: set[int] = set()
        for state in states:
            who = names[state.annotator_id]
            insight.states[state.state] += 1
            if state.state != "todo":
                worked.add(state.article_id)
            if state.state == "done":
                day = _utc_day(state.updated_at)
                insight.done_by_day.setdefault(who, Counter())[day] += 1
                insight.done_by_annotator[who] += 1
            if state.seconds_spent > 0:
                insight.seconds.append(state.seconds_spent)
        if annotator is not None:
            insight.states["todo"] += insight.articles - sum(insight.states.values())
        insight.annotators = sorted({names[i] for i in ids if names[i] in insight.done_by_day}
                                    | ({annotator} if annotator else set()))
        accepted = select(Span.article_id, Span.layer, Span.label).where(
            Span.status == "accepted", col(Span.annotator_id).in_(ids)
        )
        per_article: Counter[int] = Counter()
        for article_id, layer, label in session.exec(accepted).all():
            per_article[article_id] += 1
            if layer in ("entity", "figure"):
                insight.labels[(layer, label)] += 1
        insight.spans_per_article = [per_article[a] for a in sorted(worked | set(per_article))]
        kinds = (
            select(Figure.kind, func.count())
            .join(Span, col(Span.id) == Figure.span_id)
            .where(Span.status == "accepted", col(Span.annotator_id).in_(ids))
            .group_by(Figure.kind)
        )
        insight.figure_kinds.update(dict(session.exec(kinds).all()))
        topics = (
            select(TopicAssignment.topic, func.count(func.distinct(TopicAssignment.article_id)))
            .where(TopicAssignment.status == "accepted", col(TopicAssignment.annotator_id).in_(ids))
            .group_by(TopicAssignment.topic)
        )
        insight.topics.update(dict(session.exec(topics).all()))
    return insight


def _utc_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()


def _binned(values: list[float], bins: tuple[tuple[int, int | None], ...], exact: bool) -> tuple[
    tuple[str, ...], tuple[float, ...]
]:
    """Counts per bin; ``exact`` bins are inclusive integer ranges, else [low, high)."""
    names, counts = [], []
    for low, high in bins:
        if high is None:
            names.append(f"{low}+")
            counts.append(sum(1 for v in values if v >= low))
        elif exact:
            names.append(str(low) if low == high else f"{low}–{high}")
            counts.append(sum(1 for v in values if low <= v <= high))
        else:
            names.append(f"{low}–{high}")
            counts.append(sum(1 for v in values if low <= v < high))
    return tuple(names), tuple(float(c) for c in counts)


def progress_chart(insight: Insight) -> Chart:
    days = sorted({day for counts in insight.done_by_day.values() for day in counts})
    categories: list[dt.date] = []
    if days:
        first = max(days[0], days[-1] - dt.timedelta(days=MAX_DAYS - 1))
        categories = [first + dt.timedelta(days=n) for n in range((days[-1] - first).days + 1)]
    series = tuple(
        (who, tuple(float(insight.done_by_day.get(who, Counter())[day]) for day in categories))
        for who in insight.annotators
    )
    return Chart(
        "progress",
        "Articles done per day",
        tuple(day.isoformat() for day in categories),
        series,
        x_label="day (UTC)",
        y_label="articles",
    )


def charts(insight: Insight, schema: Schema | None = None) -> list[Chart]:
    """The six charts, in display order."""
    minutes, minute_counts = _binned([s / 60 for s in insight.seconds], MINUTE_BINS, False)
    span_bins, span_counts = _binned(
        [float(n) for n in insight.spans_per_article], SPAN_BINS, True
    )
    label_keys = sorted(insight.labels, key=lambda key: (key[0] != "entity", key[1]))
    colours: tuple[str, ...] = ()
    if schema is not None:
        found = [schema.get(layer, label) for layer, label in label_keys]
        if all(found):
            colours = tuple(label.colour for label in found if label is not None)
    topics = sorted(insight.topics.items(), key=lambda item: (-item[1], item[0]))[:TOP_TOPICS]
    kinds = sorted(insight.figure_kinds.items())
    return [
        progress_chart(insight),
        Chart("time", "Minutes spent per article", minutes, (("articles", minute_counts),),
              x_label="minutes", y_label="articles"),
        Chart("labels", "Accepted spans per label", tuple(label for _, label in label_keys),
              (("spans", tuple(float(insight.labels[key]) for key in label_keys)),),
              x_label="spans", horizontal=True, colours=colours),
        Chart("spans", "Spans per article", span_bins, (("articles", span_counts),),
              x_label="accepted spans", y_label="articles"),
        Chart("figures", "Figure kinds", tuple(kind for kind, _ in kinds),
              (("figures", tuple(float(n) for _, n in kinds)),), y_label="figures"),
        Chart("topics", "Topic coverage", tuple(topic for topic, _ in topics),
              (("articles", tuple(float(n) for _, n in topics)),),
              x_label="articles", horizontal=True),
    ]  # fmt: skip


@dataclass(frozen=True)
class AnnotatorProgress:
    """One annotator's article states and time spent, for the report."""

    name: str
    states: dict[str, int]
    seconds: float

    def count(self, state: str) -> int:
        return self.states.get(state, 0)


def annotator_progress(database: Database) -> list[AnnotatorProgress]:
    """Every annotator who has touched an article; ``todo`` includes untouched articles."""
    with database.reading() as session:
        total = session.exec(select(func.count(Article.id))).one()
        rows = session.exec(
            select(
                Annotator.name,
                ArticleState.state,
                func.count(),
                func.coalesce(func.sum(ArticleState.seconds_spent), 0.0),
            )
            .join(ArticleState, col(ArticleState.annotator_id) == Annotator.id)
            .group_by(Annotator.name, ArticleState.state)
        ).all()
    states: dict[str, Counter[str]] = {}
    seconds: Counter[str] = Counter()
    for name, state, count, spent in rows:
        states.setdefault(name, Counter())[state] += count
        seconds[name] += float(spent)
    result = []
    for name in sorted(states):
        counts = states[name]
        counts["todo"] += total - sum(counts.values())
        result.append(AnnotatorProgress(name, dict(counts), seconds[name]))
    return result
