"""Figure attributes, suggestions and their review (mixed into Repository)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlmodel import Session, select

from storage.errors import StorageError
from storage.events import ChangeSet
from storage.models import Figure, Span, TopicAssignment, utcnow
from storage.repository_base import RepositoryBase
from storage.text import check_span

FIGURE_FIELDS = frozenset(Figure.model_fields) - {"span_id"}


@dataclass(frozen=True)
class SpanSuggestion:
    """A proposed span from a suggester, before it is stored."""

    start: int
    end: int
    label: str
    layer: str = "entity"
    origin: str = "rule"
    score: float | None = None
    figure: dict[str, Any] | None = None
    entity_id: int | None = None


class StoredSpan(NamedTuple):
    """A span as :meth:`FigureActions.add_suggestions` stored it: the row's values, read-only.

    Building a detached ``Span`` (SQLModel and SQLAlchemy instrumentation) for
    each of thousands of suggestions cost twice the insert itself.
    """

    id: int
    article_id: int
    annotator_id: int
    layer: str
    label: str
    start: int
    end: int
    text: str
    status: str
    origin: str
    score: float | None
    entity_id: int | None
    topic: str | None
    note: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class FigureActions(RepositoryBase):
    """Figure and suggestion methods of :class:`storage.repository.Repository`."""

    def set_figure(
        self,
        span_id: int,
        *,
        accept: bool = False,
        note: str | object | None = ...,
        **values: Any,
    ) -> Figure:
        """Set figure attributes (value, unit, metric, period, …) of a figure span.

        ``accept`` also accepts a suggested span and ``note`` sets the span's
        note, in the same action, so one undo takes the whole edit back.
        """
        unknown = set(values) - FIGURE_FIELDS
        if unknown:
            raise StorageError(f"unknown figure attribute(s): {', '.join(sorted(unknown))}")
        with self._write() as changes:
            session = changes.session
            span = self._span(session, span_id)
            if span.layer != "figure":
                raise StorageError(f"span {span_id} is a {span.layer} span, not a figure")
            figure = session.get(Figure, span_id)
            if figure is None:
                figure = Figure(span_id=span_id, **figure_values(span.label, values))
                changes.insert(figure)
            else:
                changes.update(figure, **figure_values(span.label, values, partial=True))
            span_values: dict[str, Any] = {}
            if "kind" in values and values["kind"] != span.label:
                span_values["label"] = values["kind"]
            if accept and span.status != "accepted":
                span_values["status"] = "accepted"
            if note is not ...:
                span_values["note"] = note or None
            if span_values:
                changes.update(span, **span_values, updated_at=utcnow())
            self._event(changes, "set_figure", span.article_id, f"figure {span.text!r}")
            return figure

    def add_suggestions(
        self, article_id: int, suggestions: Iterable[SpanSuggestion]
    ) -> list[StoredSpan]:
        """Store suggestions not yet seen for this article (one event).

        A suggestion is skipped when a span with the same layer and offsets
        already exists for this annotator in any status (so a rejected
        suggestion never comes back) — or an accepted span with the same offsets.
        The spans go in as one Core executemany, then their figures as another
        (:meth:`~storage.change_set.ChangeSet.insert_rows`: no ORM row loaded back);
        the spans returned are the values stored (:class:`StoredSpan`).
        Evidence suggestions (layer ``evidence``, label = topic) also add a
        ``suggested`` topic assignment, and are skipped for a topic the
        annotator rejected on this article (``reject_topic``).
        """
        with self._write() as changes:
            session = changes.session
            article = self._article(session, article_id)
            seen = {
                (layer, start, end, topic if layer == "evidence" else None)
                for layer, start, end, topic in session.exec(
                    select(Span.layer, Span.start, Span.end, Span.topic).where(
                        Span.article_id == article_id, Span.annotator_id == self.annotator_id
                    )
                )
            }
            topics = self._topic_statuses(session, article_id)
            values: list[dict[str, Any]] = []
            figures: list[dict[str, Any] | None] = []
            for suggestion in suggestions:
                topic = suggestion.label if suggestion.layer == "evidence" else None
                key = (suggestion.layer, suggestion.start, suggestion.end, topic)
                if key in seen or topics.get(topic or "") == "rejected":
                    continue
                seen.add(key)
                if topic is not None and topic not in topics:
                    topics[topic] = "suggested"
                    changes.insert(
                        TopicAssignment(
                            article_id=article_id,
                            annotator_id=self.annotator_id,
                            topic=topic,
                            status="suggested",
                        )
                    )
                covered = check_span(article.text, suggestion.start, suggestion.end)
                values.append(
                    {
                        "article_id": article_id,
                        "annotator_id": self.annotator_id,
                        "layer": suggestion.layer,
                        "label": suggestion.label,
                        "start": suggestion.start,
                        "end": suggestion.end,
                        "text": covered,
                        "status": "suggested",
                        "origin": suggestion.origin,
                        "score": suggestion.score,
                        "entity_id": suggestion.entity_id,
                        "topic": topic,
                    }
                )
                figures.append(
                    figure_values(suggestion.label, suggestion.figure)
                    if suggestion.layer == "figure"
                    else None
                )
            rows = changes.insert_rows(Span, values)
            changes.insert_rows(
                Figure,
                [
                    {**figure, "span_id": row["id"]}
                    for row, figure in zip(rows, figures, strict=True)
                    if figure is not None
                ],
            )
            added = [StoredSpan(**row) for row in rows]
            if added:
                summary = f"{len(added)} suggestions"
                self._event(changes, "suggest", article_id, summary, touch=False)
            return added

    def _topic_statuses(self, session: Session, article_id: int) -> dict[str, str]:
        """The annotator's topic assignments of an article: topic -> status."""
        return dict(
            session.exec(
                select(TopicAssignment.topic, TopicAssignment.status).where(
                    TopicAssignment.article_id == article_id,
                    TopicAssignment.annotator_id == self.annotator_id,
                )
            ).all()
        )

    def _accept_topic_row(self, changes: ChangeSet, article_id: int, topic: str) -> None:
        """Accepting evidence accepts its topic (a suggested or rejected assignment, or none)."""
        found = changes.session.exec(
            select(TopicAssignment).where(
                TopicAssignment.article_id == article_id,
                TopicAssignment.annotator_id == self.annotator_id,
                TopicAssignment.topic == topic,
            )
        ).first()
        if found is None:
            changes.insert(
                TopicAssignment(article_id=article_id, annotator_id=self.annotator_id, topic=topic)
            )
        elif found.status != "accepted":
            changes.update(found, status="accepted")

    def accept(self, span_ids: Sequence[int]) -> int:
        return self._set_status(span_ids, "accepted")

    def reject(self, span_ids: Sequence[int]) -> int:
        return self._set_status(span_ids, "rejected")

    def _set_status(self, span_ids: Sequence[int], status: str) -> int:
        with self._write() as changes:
            session = changes.session
            article_ids: set[int] = set()
            for span_id in span_ids:
                span = self._span(session, span_id)
                article_ids.add(span.article_id)
                changes.update(span, status=status, updated_at=utcnow())
                if status == "accepted" and span.layer == "evidence" and span.topic:
                    self._accept_topic_row(changes, span.article_id, span.topic)
            if len(article_ids) > 1:
                raise StorageError("accept/reject works on the spans of one article at a time")
            article_id = next(iter(article_ids), None)
            verb = "accept" if status == "accepted" else "reject"
            self._event(changes, verb, article_id, f"{verb} {len(span_ids)}")
            return len(span_ids)


def figure_values(
    kind: str, values: dict[str, Any] | None, *, partial: bool = False
) -> dict[str, Any]:
    values = dict(values or {})
    unknown = set(values) - FIGURE_FIELDS
    if unknown:
        raise StorageError(f"unknown figure attribute(s): {', '.join(sorted(unknown))}")
    if not partial:
        values.setdefault("kind", kind)
    return values
