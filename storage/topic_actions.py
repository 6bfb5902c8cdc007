"""Topics with their evidence, and the article state (mixed into Repository)."""

from __future__ import annotations

from sqlmodel import select

from storage.errors import StorageError
from storage.models import ARTICLE_STATES, ArticleState, Span, TopicAssignment, utcnow
from storage.span_actions import SpanActions


class TopicActions(SpanActions):
    """Topic and state methods of :class:`storage.repository.Repository`."""

    def assign_topic(self, article_id: int, topic: str, note: str | None = None) -> TopicAssignment:
        with self._write() as changes:
            session = changes.session
            self._article(session, article_id)
            assignment = self._ensure_topic(changes, article_id, topic)
            if note is not None:
                changes.update(assignment, note=note or None)
            self._event(changes, "assign_topic", article_id, topic)
            return assignment

    def add_evidence(
        self, article_id: int, topic: str, start: int, end: int, text: str | None = None
    ) -> Span:
        """Mark ``[start, end)`` as evidence for ``topic`` (assigning the topic if needed)."""
        return self.add_span(
            article_id, start, end, topic, layer="evidence", topic=topic, text=text
        )

    def unassign_topic(self, article_id: int, topic: str) -> None:
        """Remove a topic and its evidence spans."""
        with self._write() as changes:
            session = changes.session
            for span in session.exec(
                select(Span).where(
                    Span.article_id == article_id,
                    Span.annotator_id == self.annotator_id,
                    Span.layer == "evidence",
                    Span.topic == topic,
                )
            ).all():
                changes.delete(span)
            assignment = session.exec(
                select(TopicAssignment).where(
                    TopicAssignment.article_id == article_id,
                    TopicAssignment.annotator_id == self.annotator_id,
                    TopicAssignment.topic == topic,
                )
            ).first()
            if assignment is not None:
                changes.delete(assignment)
            self._event(changes, "unassign_topic", article_id, topic)

    # -- article state ------------------------------------------------------------

    def set_state(self, article_id: int, state: str, seconds: float = 0.0) -> ArticleState:
        if state not in ARTICLE_STATES:
            raise StorageError(f"unknown state {state!r} (one of {', '.join(ARTICLE_STATES)})")
        with self._write() as changes:
            session = changes.session
            self._article(session, article_id)
            current = session.get(ArticleState, (article_id, self.annotator_id))
            if current is None:
                current = ArticleState(
                    article_id=article_id,
                    annotator_id=self.annotator_id,
                    state=state,
                    seconds_spent=seconds,
                )
                changes.insert(current)
            else:
                changes.update(
                    current,
                    state=state,
                    seconds_spent=current.seconds_spent + seconds,
                    updated_at=utcnow(),
                )
            self._event(changes, "set_state", article_id, state, touch=False)
            return current
