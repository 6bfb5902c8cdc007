"""Span actions: add, remove, relabel, resize, annotate (mixed into Repository)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import select

from storage.errors import StorageError
from storage.events import ChangeSet
from storage.figure_actions import figure_values
from storage.models import SPAN_LAYERS, Figure, Span, TopicAssignment, utcnow
from storage.repository_base import RepositoryBase
from storage.text import check_span


class SpanActions(RepositoryBase):
    """Span methods of :class:`storage.repository.Repository`."""

    # -- spans --------------------------------------------------------------------

    def add_span(
        self,
        article_id: int,
        start: int,
        end: int,
        label: str,
        *,
        layer: str = "entity",
        text: str | None = None,
        status: str = "accepted",
        origin: str = "manual",
        score: float | None = None,
        topic: str | None = None,
        entity_id: int | None = None,
        note: str | None = None,
        figure: dict[str, Any] | None = None,
    ) -> Span:
        """Store a span; ``text`` (when given) must match the article slice exactly."""
        if layer not in SPAN_LAYERS:
            raise StorageError(f"unknown layer {layer!r} (one of {', '.join(SPAN_LAYERS)})")
        with self._write() as changes:
            session = changes.session
            covered = check_span(self._article(session, article_id).text, start, end, text)
            span = Span(
                article_id=article_id,
                annotator_id=self.annotator_id,
                layer=layer,
                label=label,
                start=start,
                end=end,
                text=covered,
                status=status,
                origin=origin,
                score=score,
                topic=topic,
                entity_id=entity_id,
                note=note,
            )
            changes.insert(span)
            if layer == "figure":
                changes.insert(Figure(span_id=span.id, **figure_values(label, figure)))
            if layer == "evidence" and topic is not None:
                self._ensure_topic(changes, article_id, topic)
            self._event(changes, "add_span", article_id, f"{label} {covered!r}")
            return span

    def add_spans(
        self, article_id: int, ranges: Sequence[tuple[int, int]], label: str, layer: str = "entity"
    ) -> list[Span]:
        """Label several ranges at once (e.g. every occurrence of a name): one action."""
        with self._write() as changes:
            session = changes.session
            text = self._article(session, article_id).text
            values = [
                {
                    "article_id": article_id,
                    "annotator_id": self.annotator_id,
                    "layer": layer,
                    "label": label,
                    "start": start,
                    "end": end,
                    "text": check_span(text, start, end),
                }
                for start, end in ranges
            ]
            spans = changes.insert_values(Span, values)
            self._event(changes, "add_spans", article_id, f"{label} ×{len(spans)}")
            return spans

    def remove_span(self, span_id: int) -> None:
        with self._write() as changes:
            session = changes.session
            span = self._span(session, span_id)
            figure = session.get(Figure, span_id)
            if figure is not None:
                changes.delete(figure)
            changes.delete(span)
            self._event(changes, "remove_span", span.article_id, f"{span.label} {span.text!r}")

    def relabel_span(self, span_id: int, label: str, *, accept: bool = False) -> Span:
        """Change a span's label (``accept`` also accepts a suggestion: one action)."""
        with self._write() as changes:
            session = changes.session
            span = self._span(session, span_id)
            old = span.label
            status = "accepted" if accept else span.status
            changes.update(span, label=label, status=status, updated_at=utcnow())
            figure = session.get(Figure, span_id)
            if figure is not None:
                changes.update(figure, kind=label)
            self._event(changes, "relabel_span", span.article_id, f"{old} → {label}")
            return span

    def resize_span(self, span_id: int, start: int, end: int) -> Span:
        with self._write() as changes:
            session = changes.session
            span = self._span(session, span_id)
            covered = check_span(self._article(session, span.article_id).text, start, end)
            changes.update(span, start=start, end=end, text=covered, updated_at=utcnow())
            self._event(changes, "resize_span", span.article_id, f"{span.label} {covered!r}")
            return span

    def set_note(self, span_id: int, note: str | None) -> Span:
        with self._write() as changes:
            session = changes.session
            span = self._span(session, span_id)
            changes.update(span, note=note or None, updated_at=utcnow())
            self._event(changes, "set_note", span.article_id, "note")
            return span

    def _ensure_topic(self, changes: ChangeSet, article_id: int, topic: str) -> TopicAssignment:
        """The annotator's assignment of ``topic`` to the article, added when missing.

        A suggested or rejected assignment becomes accepted: assigning a topic or
        marking evidence for it is the annotator's decision.
        """
        found = changes.session.exec(
            select(TopicAssignment).where(
                TopicAssignment.article_id == article_id,
                TopicAssignment.annotator_id == self.annotator_id,
                TopicAssignment.topic == topic,
            )
        ).first()
        if found is None:
            found = TopicAssignment(
                article_id=article_id, annotator_id=self.annotator_id, topic=topic
            )
            changes.insert(found)
        elif found.status != "accepted":
            changes.update(found, status="accepted")
        return found
