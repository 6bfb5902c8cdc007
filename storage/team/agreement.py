"""Agreement between annotators on entities, topics and figures (``redline agree``).

Every measure compares annotators over the articles they both marked done
(optionally only some articles). The result is the JSON document
``redline agree --json`` prints:

* ``entity``: span F1 with ``a`` as the reference — *exact* (same start, end
  and label: precision = matched / b's spans, recall = matched / a's spans)
  and *partial* (a span counts as found when the other annotator has an
  overlapping span of the same label: precision = share of b's spans that
  overlap one of a's, recall = share of a's that overlap one of b's), plus the
  exact F1 per label.
* ``topic``: one binary decision per (article, topic key) — keys of the schema
  plus any key an annotator assigned; Cohen's κ per pair, Krippendorff's α
  (nominal) over all annotators, missing where an annotator did not finish
  the article.
* ``figure``: of the figure spans both annotated at the same offsets, the share
  with equal kind, value and unit.

A measure that is undefined (no span on either side, every decision the same)
is ``null``; ``overall`` averages the defined pair values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from statistics import fmean
from typing import Any

from sqlmodel import col, select

from storage.agreement import SpanKey, done_articles, entity_spans
from storage.db import Database
from storage.errors import StorageError
from storage.models import Figure, Span, TopicAssignment
from storage.team.stats import cohen_kappa, krippendorff_alpha

LAYERS = ("entity", "figure", "topic")
FigureKey = tuple[int, int, int]
"""(article id, start, end)."""


@dataclass(frozen=True)
class Scope:
    """Who is compared with whom, on which finished articles."""

    annotators: list[str]
    ids: dict[str, int]
    done: dict[str, set[int]]
    pairs: list[tuple[str, str, set[int]]]

    @property
    def articles(self) -> set[int]:
        """Every article compared by at least one pair."""
        return set().union(*(shared for _a, _b, shared in self.pairs))


def scope(
    database: Database,
    annotators: Sequence[str] | None = None,
    articles: Iterable[int] | None = None,
    exclude: Iterable[str] = (),
) -> Scope:
    """Pairs of ``annotators`` (in the order given; default: everyone with a done
    article but ``exclude``, by name) that share at least one done article among
    ``articles``."""
    done, names = done_articles(database)
    ids = {name: key for key, name in names.items()}
    if annotators is None:
        chosen = sorted(set(done) - set(exclude))
    else:
        chosen = list(dict.fromkeys(annotators))
        unknown = [name for name in chosen if name not in ids]
        if unknown:
            known = ", ".join(sorted(ids)) or "nobody yet"
            raise StorageError(f"unknown annotator {unknown[0]!r} (annotators: {known})")
    wanted = None if articles is None else set(articles)
    finished = {
        name: done.get(name, set()) if wanted is None else done.get(name, set()) & wanted
        for name in chosen
    }
    pairs = [
        (a, b, finished[a] & finished[b])
        for a, b in combinations(chosen, 2)
        if finished[a] & finished[b]
    ]
    return Scope(chosen, ids, finished, pairs)


def _f1(found: int, reference: int, matched: int) -> float | None:
    total = found + reference
    return 2 * matched / total if total else None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _mean(values: Iterable[float | None]) -> float | None:
    defined = [value for value in values if value is not None]
    return fmean(defined) if defined else None


def _overlapping(span: SpanKey, others: dict[tuple[int, str], list[SpanKey]]) -> bool:
    article, start, end, label = span
    return any(
        other_start < end and start < other_end
        for _article, other_start, other_end, _label in others.get((article, label), [])
    )


def _by_article_label(spans: set[SpanKey]) -> dict[tuple[int, str], list[SpanKey]]:
    grouped: dict[tuple[int, str], list[SpanKey]] = defaultdict(list)
    for span in spans:
        grouped[(span[0], span[3])].append(span)
    return grouped


def entity_pair(a: str, b: str, shared: set[int], mine: set[SpanKey], theirs: set[SpanKey]) -> dict:
    """One pair's entry of the entity document (``mine`` is the reference)."""
    reference = {span for span in mine if span[0] in shared}
    found = {span for span in theirs if span[0] in shared}
    matched = len(reference & found)
    precision, recall = _ratio(matched, len(found)), _ratio(matched, len(reference))
    by_reference, by_found = _by_article_label(reference), _by_article_label(found)
    partial_precision = _ratio(sum(_overlapping(s, by_reference) for s in found), len(found))
    partial_recall = _ratio(sum(_overlapping(s, by_found) for s in reference), len(reference))
    if not reference and not found:
        partial = None
    elif not partial_precision or not partial_recall:
        partial = 0.0
    else:
        partial = 2 * partial_precision * partial_recall / (partial_precision + partial_recall)
    labels = sorted({span[3] for span in reference | found})
    by_label = {
        label: {
            "f1": _f1(
                sum(1 for s in found if s[3] == label),
                sum(1 for s in reference if s[3] == label),
                sum(1 for s in reference & found if s[3] == label),
            )
        }
        for label in labels
    }
    return {
        "a": a,
        "b": b,
        "articles": len(shared),
        "exact": {
            "precision": precision,
            "recall": recall,
            "f1": _f1(len(found), len(reference), matched),
        },
        "partial": {"f1": partial},
        "by_label": by_label,
    }


def entity_agreement(team: Scope, database: Database) -> dict[str, Any]:
    spans = entity_spans(database, [team.ids[name] for name in team.annotators], team.articles)
    pairs = [
        entity_pair(a, b, shared, spans[team.ids[a]], spans[team.ids[b]])
        for a, b, shared in team.pairs
    ]
    return {
        "layer": "entity",
        "articles": len(team.articles),
        "pairs": pairs,
        "overall": {
            "exact_f1": _mean(pair["exact"]["f1"] for pair in pairs),
            "partial_f1": _mean(pair["partial"]["f1"] for pair in pairs),
        },
    }


def _topics(database: Database, team: Scope) -> dict[str, set[tuple[int, str]]]:
    """Accepted (article, topic) of each annotator on the compared articles."""
    chosen = {team.ids[name]: name for name in team.annotators}
    found: dict[str, set[tuple[int, str]]] = defaultdict(set)
    if not team.articles:
        return found
    with database.reading() as session:
        rows = session.exec(
            select(
                TopicAssignment.annotator_id, TopicAssignment.article_id, TopicAssignment.topic
            ).where(
                TopicAssignment.status == "accepted",
                col(TopicAssignment.annotator_id).in_(sorted(chosen)),
                col(TopicAssignment.article_id).in_(sorted(team.articles)),
            )
        ).all()
    for annotator_id, article_id, topic in rows:
        found[chosen[annotator_id]].add((article_id, topic))
    return found


def topic_agreement(team: Scope, database: Database, keys: Iterable[str] = ()) -> dict[str, Any]:
    assigned = _topics(database, team)
    used = {topic for decisions in assigned.values() for _article, topic in decisions}
    topics = sorted(set(keys) | used)
    pairs = []
    for a, b, shared in team.pairs:
        items = [(article, topic) for article in sorted(shared) for topic in topics]
        kappa = cohen_kappa(
            [int(item in assigned[a]) for item in items],
            [int(item in assigned[b]) for item in items],
        )
        pairs.append({"a": a, "b": b, "articles": len(shared), "kappa": kappa})
    units = [
        [
            int((article, topic) in assigned[name]) if article in team.done[name] else None
            for name in team.annotators
        ]
        for article in sorted(team.articles)
        for topic in topics
    ]
    return {
        "layer": "topic",
        "articles": len(team.articles),
        "pairs": pairs,
        "overall": {"alpha": krippendorff_alpha(units)},
    }


def _figures(
    database: Database, team: Scope
) -> dict[str, dict[FigureKey, tuple[str, Decimal | None, str | None]]]:
    """Each annotator's accepted figures by offsets: (kind, value, unit)."""
    chosen = {team.ids[name]: name for name in team.annotators}
    found: dict[str, dict[FigureKey, tuple[str, Decimal | None, str | None]]] = defaultdict(dict)
    if not team.articles:
        return found
    with database.reading() as session:
        rows = session.exec(
            select(
                Span.annotator_id,
                Span.article_id,
                Span.start,
                Span.end,
                Figure.kind,
                Figure.value,
                Figure.unit,
            )
            .join(Figure, col(Figure.span_id) == col(Span.id))
            .where(
                Span.layer == "figure",
                Span.status == "accepted",
                col(Span.annotator_id).in_(sorted(chosen)),
                col(Span.article_id).in_(sorted(team.articles)),
            )
            .order_by(col(Span.id))
        ).all()
    for annotator_id, article_id, start, end, kind, value, unit in rows:
        found[chosen[annotator_id]].setdefault((article_id, start, end), (kind, value, unit))
    return found


def figure_agreement(team: Scope, database: Database) -> dict[str, Any]:
    figures = _figures(database, team)
    pairs = []
    for a, b, shared in team.pairs:
        common = [key for key in figures[a] if key[0] in shared and key in figures[b]]
        equal = sum(1 for key in common if figures[a][key] == figures[b][key])
        pairs.append(
            {
                "a": a,
                "b": b,
                "articles": len(shared),
                "compared": len(common),
                "value_agreement": _ratio(equal, len(common)),
            }
        )
    return {
        "layer": "figure",
        "articles": len(team.articles),
        "pairs": pairs,
        "overall": {"value_agreement": _mean(pair["value_agreement"] for pair in pairs)},
    }


def agreement(
    database: Database,
    layer: str = "entity",
    annotators: Sequence[str] | None = None,
    articles: Iterable[int] | None = None,
    topic_keys: Iterable[str] = (),
    exclude: Iterable[str] = ("gold",),
) -> dict[str, Any]:
    """The agreement document of one layer (see the module docstring for its shape).

    Without ``annotators``, everyone who finished an article is compared except
    ``exclude`` (the adjudicated gold version is not an annotator).
    """
    if layer not in LAYERS:
        raise StorageError(f"unknown layer {layer!r} (one of {', '.join(LAYERS)})")
    team = scope(database, annotators, articles, exclude)
    if layer == "entity":
        return entity_agreement(team, database)
    if layer == "topic":
        return topic_agreement(team, database, topic_keys)
    return figure_agreement(team, database)
