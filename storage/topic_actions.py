"""Topics with their evidence, and the article state (mixed into Repository)."""

from __future__ import annotations

from sqlmodel import Session, select

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

    def accept_topic(self, article_id: int, topic: str) -> TopicAssignment:
        """Accept a (suggested) topic with its suggested evidence: one action."""
        with self._write() as changes:
            session = changes.session
            self._article(session, article_id)
            assignment = self._ensure_topic(changes, article_id, topic)
            for span in self._evidence(session, article_id, topic, "suggested"):
                changes.update(span, status="accepted", updated_at=utcnow())
            self._event(changes, "accept_topic", article_id, topic)
            return assignment

    def reject_topic(self, article_id: int, topic: str) -> TopicAssignment:
        """Reject a topic for this article: its evidence is rejected and it is never suggested
        again here (``add_suggestions`` skips rejected topics)."""
        with self._write() as changes:
            session = changes.session
            self._article(session, article_id)
            assignment = self._ensure_topic(changes, article_id, topic)
            changes.update(assignment, status="rejected")
            for span in self._evidence(session, article_id, topic, None):
                if span.status != "rejected":
                    changes.update(span, status="rejected", updated_at=utcnow())
            self._event(changes, "reject_topic", article_id, topic)
            return assignment

    def _evidence(
        self, session: Session, article_id: int, topic: str, status: str | None
    ) -> list[Span]:
        statement = select(Span).where(
            Span.article_id == article_id,
            Span.annotator_id == self.annotator_id,
            Span.layer == "evidence",
            Span.topic == topic,
        )
        if status is not None:
            statement = statement.where(Span.status == status)
        return list(session.exec(statement).all())

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
