"""The change log behind undo, redo and the audit trail.

Each user action is one :class:`~storage.models.Event` whose ``changes`` hold
row images: ``{"table", "key", "before", "after"}`` where an image is the
row as JSON (``None`` when the row did not exist). Undo writes the ``before``
images back in reverse order, redo the ``after`` images in order. Before
either, the current rows must still equal the images they replace (or already
equal the images they write), so an undo never silently overwrites someone
else's later change, and no row may be
deleted while another still refers to it (nor restored pointing at a row that
is gone): both are a :class:`~storage.errors.Conflict` naming the rows.

:class:`EventLog` is the one writer of events (the repository and the
importer both append through it) and the one reader of the undo/redo stacks.
The images come from :mod:`storage.row_images` (recorded by
:class:`~storage.change_set.ChangeSet`); writing them back, with the conflict
checks, is :mod:`storage.replay`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import ColumnElement, insert, or_, true, update
from sqlmodel import Session, col, select

from storage import live, sessions
from storage.change_set import ChangeSet
from storage.models import Event, utcnow
from storage.replay import LOCK_CHUNK, apply_images
from storage.row_ids import new_ids
from storage.row_images import TRACKED, VOLATILE, Change, image

__all__ = [
    "TRACKED",
    "VOLATILE",
    "Action",
    "Change",
    "ChangeSet",
    "EventLog",
    "apply_images",
    "image",
    "new_ids",
]
"""Re-exported: the repository, the importer and tests take these from here."""


class Action(NamedTuple):
    """One action for :meth:`EventLog.append_many` (the arguments of :meth:`EventLog.append`)."""

    changes: Sequence[Change]
    article_id: int | None
    action: str
    summary: str
    discard_redo: bool = True


class EventLog:
    """Appends the actions of one annotator (and session) and walks their undo stacks.

    A session sees — may undo or redo — its own events and those of sessions
    that are no longer live (:mod:`storage.sessions`); ``session_id=None``
    (the importer) sees only those of ended sessions and legacy events.
    """

    def __init__(self, session: Session, annotator_id: int, session_id: str | None) -> None:
        self.session = session
        self.annotator_id = annotator_id
        self.session_id = session_id

    def _visible(self) -> ColumnElement[bool]:
        others = sessions.live_others(self.session, self.annotator_id, self.session_id)
        if not others:
            return true()
        return or_(col(Event.session_id).is_(None), col(Event.session_id).not_in(others))

    def _scope(self, article_id: int | None) -> list[ColumnElement[bool]]:
        return [
            Event.annotator_id == self.annotator_id,  # type: ignore[list-item]
            Event.article_id == article_id,  # type: ignore[list-item]
            col(Event.discarded).is_(False),
            self._visible(),
        ]

    def append(
        self,
        changes: Sequence[Change],
        *,
        article_id: int | None,
        action: str,
        summary: str,
        discard_redo: bool = True,
    ) -> Event:
        """Store one action; a new action ends the redo stack of its (annotator, article).

        ``discard_redo=False`` skips that look-up when nothing can be undone
        there yet (an article created in the same transaction).
        """
        if discard_redo:
            stale = self.session.exec(
                select(Event).where(*self._scope(article_id), col(Event.undone).is_(True))
            ).all()
            for event in stale:
                event.discarded = True
                self.session.add(event)
        event = Event(
            annotator_id=self.annotator_id,
            session_id=self.session_id,
            article_id=article_id,
            action=action,
            summary=summary,
            changes=list(changes),
        )
        # Before the event joins the session: the statement then flushes nothing (a
        # refused flush inside it leaves psycopg's pipeline to complain on stderr).
        live.announce(
            self.session,
            article_id=article_id,
            annotator_id=self.annotator_id,
            session_id=self.session_id,
        )
        self.session.add(event)
        return event

    def append_many(self, actions: Sequence[Action]) -> None:
        """Store several actions as :meth:`append` would, in one INSERT (an import's batch).

        The redo stacks they end are discarded with one UPDATE, not a look-up per action.
        """
        stale = sorted({a.article_id for a in actions if a.discard_redo and a.article_id})
        for begin in range(0, len(stale), LOCK_CHUNK):
            self.session.execute(
                update(Event)
                .where(
                    Event.annotator_id == self.annotator_id,  # type: ignore[arg-type]
                    col(Event.article_id).in_(stale[begin : begin + LOCK_CHUNK]),
                    col(Event.discarded).is_(False),
                    col(Event.undone).is_(True),
                    self._visible(),
                )
                .values(discarded=True)
                .execution_options(synchronize_session=False)
            )
        if not actions:
            return
        now = utcnow()
        rows = [
            {
                "annotator_id": self.annotator_id,
                "session_id": self.session_id,
                "article_id": action.article_id,
                "action": action.action,
                "summary": action.summary,
                "changes": list(action.changes),
                "undone": False,
                "discarded": False,
                "at": now,
            }
            for action in actions
        ]
        self.session.execute(insert(Event.__table__), rows)  # type: ignore[arg-type]
        for action in actions:
            live.announce(
                self.session,
                article_id=action.article_id,
                annotator_id=self.annotator_id,
                session_id=self.session_id,
            )

    def step(self, article_id: int | None, *, undo: bool) -> tuple[Event, list[Change]] | None:
        """Undo (or redo) the latest (earliest undone) visible action of ``article_id``.

        The event row is locked (``FOR UPDATE``; SQLite's write lock already
        serialises writers), so two programs undoing at once never take back the
        same action twice: the second waits, then sees it undone and picks the
        next. Returns the event and its row changes as they now stand (undo:
        inverted, ``after`` = state now).
        """
        order = col(Event.id).desc() if undo else col(Event.id).asc()
        event = self.session.exec(
            select(Event)
            .where(*self._scope(article_id), col(Event.undone).is_(not undo))
            .order_by(order)
            .limit(1)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if event is None:
            return None
        apply_images(self.session, event.changes, undo=undo)  # flushes its writes
        live.announce(
            self.session,
            article_id=article_id,
            annotator_id=self.annotator_id,
            session_id=self.session_id,
        )
        event.undone = undo
        self.session.add(event)
        if undo:
            return event, [
                {**change, "before": change["after"], "after": change["before"]}
                for change in reversed(event.changes)
            ]
        return event, list(event.changes)
