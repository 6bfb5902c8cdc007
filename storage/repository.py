"""The annotation API shared by the TUI, the CLI and scripts.

Every public method is one transaction that appends one
:class:`~storage.models.Event`; undo and redo work per annotator and article
and are persisted, so they survive a restart.

    >>> repo = Repository(open_db("redline.db"), annotator="ana")
    >>> span = repo.add_span(article_id, 95, 108, "PERSON")
    >>> repo.undo(article_id)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from storage.capture import record
from storage.db import Database
from storage.entity_actions import EntityActions
from storage.errors import NotFound, StorageError
from storage.events import ChangeSet, apply_images
from storage.models import (
    ARTICLE_STATES,
    SPAN_LAYERS,
    Annotator,
    Article,
    ArticleState,
    Event,
    Figure,
    Span,
    TopicAssignment,
    utcnow,
)
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


def annotator_id(session: Session, name: str) -> int:
    """The id of annotator ``name``, created on first use."""
    found = session.exec(select(Annotator).where(Annotator.name == name)).first()
    if found is None:
        found = Annotator(name=name)
        session.add(found)
        session.flush()
    assert found.id is not None
    return found.id


class Repository(EntityActions):
    """Annotation actions of one annotator on one database."""

    def __init__(self, db: Database, annotator: str) -> None:
        if not annotator.strip():
            raise StorageError("annotator name is empty")
        self.db = db
        self.annotator = annotator
        with db.transaction() as session:
            self.annotator_id = annotator_id(session, annotator)
        self.last_changes: list[dict[str, Any]] = []
        """Row changes of the latest action, undo or redo, as ``{"table", "key",
        "before", "after"}`` with ``after`` the state now: lets a screen update
        what it shows without reading the whole article back."""

    # -- plumbing -----------------------------------------------------------------

    def _event(
        self,
        changes: ChangeSet,
        action: str,
        article_id: int | None,
        summary: str,
        *,
        touch: bool = True,
    ) -> None:
        """Store the action's event and drop the redo stack it invalidates.

        ``touch=False`` (set_state) leaves the article state alone: otherwise
        setting an article back to "todo" would be turned into "in_progress" in
        the same action, and leave an undo step that changes nothing.
        """
        if not changes.changes:
            self.last_changes = []
            return
        if article_id is not None and touch:
            self._touch_state(changes, article_id)
        session = changes.session
        stale = session.exec(
            select(Event).where(
                Event.annotator_id == self.annotator_id,
                Event.article_id == article_id,
                col(Event.undone).is_(True),
                col(Event.discarded).is_(False),
            )
        ).all()
        for event in stale:
            event.discarded = True
            session.add(event)
        session.add(
            Event(
                annotator_id=self.annotator_id,
                article_id=article_id,
                action=action,
                summary=summary,
                changes=list(changes.changes),
            )
        )
        self.last_changes = list(changes.changes)
        record(self.last_changes)

    def _touch_state(self, changes: ChangeSet, article_id: int) -> None:
        """An article someone annotates is at least in progress for them."""
        state = changes.session.get(ArticleState, (article_id, self.annotator_id))
        if state is None:
            changes.insert(
                ArticleState(
                    article_id=article_id, annotator_id=self.annotator_id, state="in_progress"
                )
            )
        elif state.state == "todo":
            changes.update(state, state="in_progress", updated_at=utcnow())

    def _article(self, session: Session, article_id: int) -> Article:
        article = session.get(Article, article_id)
        if article is None:
            raise NotFound(f"no article with id {article_id}")
        return article

    def _span(self, session: Session, span_id: int) -> Span:
        span = session.get(Span, span_id)
        if span is None:
            raise NotFound(f"no span with id {span_id}")
        return span

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
        with self.db.transaction() as session:
            changes = ChangeSet(session)
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
                changes.insert(Figure(span_id=span.id, **_figure_values(label, figure)))
            if layer == "evidence" and topic is not None:
                self._ensure_topic(changes, article_id, topic)
            self._event(changes, "add_span", article_id, f"{label} {covered!r}")
            return span

    def add_spans(
        self, article_id: int, ranges: Sequence[tuple[int, int]], label: str, layer: str = "entity"
    ) -> list[Span]:
        """Label several ranges at once (e.g. every occurrence of a name): one action."""
        with self.db.transaction() as session:
            changes = ChangeSet(session)
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
        with self.db.transaction() as session:
            changes = ChangeSet(session)
            span = self._span(session, span_id)
            figure = session.get(Figure, span_id)
            if figure is not None:
                changes.delete(figure)
            changes.delete(span)
            self._event(changes, "remove_span", span.article_id, f"{span.label} {span.text!r}")

    def relabel_span(self, span_id: int, label: str, *, accept: bool = False) -> Span:
        """Change a span's label (``accept`` also accepts a suggestion: one action)."""
        with self.db.transaction() as session:
            changes = ChangeSet(session)
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
        with self.db.transaction() as session:
            changes = ChangeSet(session)
            span = self._span(session, span_id)
            covered = check_span(self._article(session, span.article_id).text, start, end)
            changes.update(span, start=start, end=end, text=covered, updated_at=utcnow())
            self._event(changes, "resize_span", span.article_id, f"{span.label} {covered!r}")
            return span

    def set_note(self, span_id: int, note: str | None) -> Span:
        with self.db.transaction() as session:
            changes = ChangeSet(session)
            span = self._span(session, span_id)
            changes.update(span, note=note or None, updated_at=utcnow())
            self._event(changes, "set_note", span.article_id, "note")
            return span

    # -- figures ------------------------------------------------------------------

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
        with self.db.transaction() as session:
            changes = ChangeSet(session)
            span = self._span(session, span_id)
            if span.layer != "figure":
                raise StorageError(f"span {span_id} is a {span.layer} span, not a figure")
            figure = session.get(Figure, span_id)
            if figure is None:
                figure = Figure(span_id=span_id, **_figure_values(span.label, values))
                changes.insert(figure)
            else:
                changes.update(figure, **_figure_values(span.label, values, partial=True))
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

    # -- suggestions --------------------------------------------------------------

    def add_suggestions(self, article_id: int, suggestions: Iterable[SpanSuggestion]) -> list[Span]:
        """Store suggestions not yet seen for this article (one event).

        A suggestion is skipped when a span with the same layer and offsets
        already exists for this annotator in any status (so a rejected
        suggestion never comes back) — or an accepted span with the same offsets.
        The spans go in as one insert, then their figures as another.
        """
        with self.db.transaction() as session:
            changes = ChangeSet(session)
            article = self._article(session, article_id)
            seen = {
                (layer, start, end)
                for layer, start, end in session.exec(
                    select(Span.layer, Span.start, Span.end).where(
                        Span.article_id == article_id, Span.annotator_id == self.annotator_id
                    )
                )
            }
            values: list[dict[str, Any]] = []
            figures: list[dict[str, Any] | None] = []
            for suggestion in suggestions:
                key = (suggestion.layer, suggestion.start, suggestion.end)
                if key in seen:
                    continue
                seen.add(key)
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
                    }
                )
                figures.append(
                    _figure_values(suggestion.label, suggestion.figure)
                    if suggestion.layer == "figure"
                    else None
                )
            added = changes.insert_values(Span, values)
            changes.insert_values(
                Figure,
                [
                    {"span_id": span.id, **figure}
                    for span, figure in zip(added, figures, strict=True)
                    if figure is not None
                ],
            )
            if added:
                self._event(changes, "suggest", article_id, f"{len(added)} suggestions")
            return added

    def accept(self, span_ids: Sequence[int]) -> int:
        return self._set_status(span_ids, "accepted")

    def reject(self, span_ids: Sequence[int]) -> int:
        return self._set_status(span_ids, "rejected")

    def _set_status(self, span_ids: Sequence[int], status: str) -> int:
        with self.db.transaction() as session:
            changes = ChangeSet(session)
            article_ids: set[int] = set()
            for span_id in span_ids:
                span = self._span(session, span_id)
                article_ids.add(span.article_id)
                changes.update(span, status=status, updated_at=utcnow())
            if len(article_ids) > 1:
                raise StorageError("accept/reject works on the spans of one article at a time")
            article_id = next(iter(article_ids), None)
            verb = "accept" if status == "accepted" else "reject"
            self._event(changes, verb, article_id, f"{verb} {len(span_ids)}")
            return len(span_ids)

    # -- topics -------------------------------------------------------------------

    def _ensure_topic(self, changes: ChangeSet, article_id: int, topic: str) -> TopicAssignment:
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
        return found

    def assign_topic(self, article_id: int, topic: str, note: str | None = None) -> TopicAssignment:
        with self.db.transaction() as session:
            changes = ChangeSet(session)
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
        with self.db.transaction() as session:
            changes = ChangeSet(session)
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
        with self.db.transaction() as session:
            changes = ChangeSet(session)
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

    # -- undo / redo --------------------------------------------------------------

    def undo(self, article_id: int | None) -> Event | None:
        """Undo this annotator's latest action on ``article_id`` (None: corpus-wide actions)."""
        return self._step(article_id, undo=True)

    def redo(self, article_id: int | None) -> Event | None:
        return self._step(article_id, undo=False)

    def _step(self, article_id: int | None, *, undo: bool) -> Event | None:
        self.last_changes = []
        with self.db.transaction() as session:
            query = select(Event).where(
                Event.annotator_id == self.annotator_id,
                Event.article_id == article_id,
                col(Event.discarded).is_(False),
                col(Event.undone).is_(not undo),
            )
            order = col(Event.id).desc() if undo else col(Event.id).asc()
            event = session.exec(query.order_by(order).limit(1)).first()
            if event is None:
                return None
            apply_images(session, event.changes, undo=undo)
            event.undone = undo
            session.add(event)
            self.last_changes = (
                [
                    {**change, "before": change["after"], "after": change["before"]}
                    for change in reversed(event.changes)
                ]
                if undo
                else list(event.changes)
            )
            record(self.last_changes)
            return event


def _figure_values(
    kind: str, values: dict[str, Any] | None, *, partial: bool = False
) -> dict[str, Any]:
    values = dict(values or {})
    unknown = set(values) - FIGURE_FIELDS
    if unknown:
        raise StorageError(f"unknown figure attribute(s): {', '.join(sorted(unknown))}")
    if not partial:
        values.setdefault("kind", kind)
    return values
