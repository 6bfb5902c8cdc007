"""What every repository action shares: its session, its transaction, its one event.

An action runs inside :meth:`RepositoryBase._write`, which yields a
:class:`~storage.events.ChangeSet` in a transaction of its own — or, inside
:meth:`RepositoryBase.batch`, the batch's shared one, so several calls become
one event and one undo step. :meth:`RepositoryBase._event` appends the event
through :class:`~storage.events.EventLog`. Row changes reach
:func:`storage.capture.record` only after the transaction committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from storage import sessions
from storage.capture import record
from storage.db import Database, translate
from storage.errors import DatabaseError, NotFound, ReadOnly, StorageError
from storage.events import ChangeSet, EventLog
from storage.models import Annotator, AppSession, Article, ArticleState, Event, Span, utcnow


@dataclass
class _Batch:
    repository: RepositoryBase
    changes: ChangeSet
    article_id: int | None
    touch: bool = False


_active_batch: ContextVar[_Batch | None] = ContextVar("redline_batch", default=None)
"""The batch open in this thread/task: a worker's writes never join the UI's batch."""


@dataclass
class _Group:
    repository: RepositoryBase
    session: Session
    committed: list[ChangeSet]


_active_group: ContextVar[_Group | None] = ContextVar("redline_group", default=None)
"""The group of actions open in this thread/task (:meth:`RepositoryBase.grouped`)."""


class RepositoryBase:
    """Annotator, session and transaction plumbing of :class:`storage.repository.Repository`."""

    def __init__(
        self, db: Database, annotator: str, session_id: str | None = None, *, lazy: bool = False
    ) -> None:
        """``lazy``: no session row until the first write (the TUI), so a database role
        that may only read can still browse. The session's id is chosen now and its row
        stored with the first write; a new annotator is created at once, unless the role
        may not write: then ``annotator_id`` is 0 (nothing of theirs to read) and the
        first write tries again, failing with :class:`~storage.errors.ReadOnly`."""
        if not annotator.strip():
            raise StorageError("annotator name is empty")
        self.db = db
        self.annotator = annotator
        self._started = True
        """Whether the session's row is stored (lazy: once a write committed)."""
        if lazy and session_id is None:
            self.annotator_id: int = self._known_annotator() or self._new_annotator()
            self.session_id: str = sessions.new_id()
            self._started = False
            self._heartbeat_at = utcnow()
            return
        with db.transaction() as session:
            self.annotator_id = sessions.annotator_id(session, annotator)
            if session_id is None:
                session_id = sessions.start(session, self.annotator_id)
            else:
                known = session.get(AppSession, session_id)
                if known is None or known.annotator_id != self.annotator_id:
                    raise StorageError(f"no session {session_id} of annotator {annotator!r}")
        self.session_id = session_id
        """The program's session, stamped on every event it stores."""
        self._heartbeat_at = utcnow()

    def _known_annotator(self) -> int | None:
        with self.db.reading() as session:
            named = select(Annotator.id).where(Annotator.name == self.annotator)
            return session.exec(named).first()

    def _new_annotator(self) -> int:
        try:
            with self.db.transaction() as session:
                return sessions.annotator_id(session, self.annotator)
        except ReadOnly:
            return 0

    def _ensure_session(self, session: Session) -> None:
        """A lazy repository's first write stores its annotator and session rows with it.

        Checked again on every write until one committed (a failed first write rolls
        the rows back with it): one primary-key look-up.
        """
        if self._started:
            return
        # Again on each try: a failed first write rolled back an annotator it created.
        self.annotator_id = sessions.annotator_id(session, self.annotator)
        if session.get(AppSession, self.session_id) is None:
            sessions.start(session, self.annotator_id, self.session_id)

    # -- session ------------------------------------------------------------------

    def heartbeat(self) -> None:
        """Tell other programs this session still runs (call well within STALE_AFTER)."""
        if not self._started:
            return  # nothing stored yet: no row to keep alive
        with self.db.transaction() as session:
            sessions.heartbeat(session, self.session_id)
        self._heartbeat_at = utcnow()

    def end_session(self) -> None:
        """This program is done: a later session may undo its actions."""
        if not self._started:
            return
        with self.db.transaction() as session:
            sessions.end(session, self.session_id)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.end_session()
        except DatabaseError:
            # Never hide the block's own error, nor fail a command that succeeded, for
            # this: the session ends anyway once its process is gone or its heartbeat
            # is stale (storage.sessions).
            pass

    # -- one action = one transaction = one event ---------------------------------

    def _current_batch(self) -> _Batch | None:
        pending = _active_batch.get()
        return pending if pending is not None and pending.repository is self else None

    @contextmanager
    def batch(self, action: str, article_id: int | None, summary: str) -> Iterator[None]:
        """Run several repository calls as one action: one transaction, one event, one undo.

            >>> with repo.batch("annotate", article_id, "figure 'trillion'"):
            ...     repo.accept([span_id])
            ...     repo.set_figure(span_id, unit="USD")
            ...     repo.link_span(span_id, entity_id)

        Every call inside must act on ``article_id`` (or be corpus-wide); an
        error inside rolls everything back. Batches do not nest.
        """
        if _active_batch.get() is not None or _active_group.get() is not None:
            raise StorageError("repository batches do not nest")
        with self.db.transaction() as session:
            self._ensure_session(session)
            pending = _Batch(self, ChangeSet(session), article_id)
            token = _active_batch.set(pending)
            try:
                yield
            finally:
                _active_batch.reset(token)
            changes = pending.changes
            if changes.changes and article_id is not None and pending.touch:
                self._touch_state(changes, article_id)
            self._append(changes, action, article_id, summary)
        self._published(changes)

    @contextmanager
    def grouped(self) -> Iterator[None]:
        """Commit the actions run inside together: one transaction, still one event each.

        Each action runs in a SAVEPOINT of the group's transaction, so one that
        fails rolls back alone (its error is raised to the caller, who may go
        on) and the others commit with the group: ``redline suggest`` stores a
        batch of articles per commit instead of one. Undo still takes back one
        action at a time. Groups and batches do not nest.
        """
        if _active_group.get() is not None or _active_batch.get() is not None:
            raise StorageError("repository groups do not nest")
        with self.db.transaction() as session:
            self._ensure_session(session)
            group = _Group(self, session, [])
            token = _active_group.set(group)
            try:
                yield
            finally:
                _active_group.reset(token)
        for changes in group.committed:
            self._published(changes)

    @contextmanager
    def _write(self) -> Iterator[ChangeSet]:
        """The change set of one action: its own transaction, the open batch's, or a
        savepoint of the open group's."""
        pending = self._current_batch()
        if pending is not None:
            yield pending.changes
            return
        group = _active_group.get()
        if group is not None and group.repository is self:
            try:
                with group.session.begin_nested():
                    changes = ChangeSet(group.session)
                    yield changes
            except SQLAlchemyError as exc:  # as one line, like a transaction's own failure
                raise translate(exc, self.db.url, writing=True) from exc
            group.committed.append(changes)
            return
        with self.db.transaction() as session:
            self._ensure_session(session)
            changes = ChangeSet(session)
            yield changes
        self._published(changes)

    def _event(
        self,
        changes: ChangeSet,
        action: str,
        article_id: int | None,
        summary: str,
        *,
        touch: bool = True,
    ) -> None:
        """Store the action's event (inside a batch: leave it to the batch).

        ``touch`` marks the article in progress for the annotator: user actions
        do, ``set_state`` does not (it sets the state itself) and neither do
        suggestions (a machine pre-annotation is not the user's progress).
        """
        pending = self._current_batch()
        if pending is not None:
            if article_id is not None and article_id != pending.article_id:
                raise StorageError(
                    f"{action} acts on article {article_id} inside a batch for "
                    f"article {pending.article_id}"
                )
            pending.touch = pending.touch or touch
            return
        if changes.changes and article_id is not None and touch:
            self._touch_state(changes, article_id)
        self._append(changes, action, article_id, summary)

    def _append(
        self, changes: ChangeSet, action: str, article_id: int | None, summary: str
    ) -> None:
        if not changes.changes:
            return
        session = changes.session
        self._ensure_session(session)
        EventLog(session, self.annotator_id, self.session_id).append(
            changes.changes, article_id=article_id, action=action, summary=summary
        )
        changes.logged = True
        if utcnow() - self._heartbeat_at > sessions.HEARTBEAT_EVERY:
            sessions.heartbeat(session, self.session_id)
            self._heartbeat_at = utcnow()

    def _published(self, changes: ChangeSet) -> None:
        """After commit: hand the action's row changes to whoever captures them."""
        if changes.logged:
            self._started = True
            record(list(changes.changes))

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
        """The span to change, locked (PostgreSQL) so its before-image is the committed row."""
        span = session.get(Span, span_id, with_for_update=True)
        if span is None:
            raise NotFound(f"no span with id {span_id}")
        return span

    # -- undo / redo --------------------------------------------------------------

    def undo(self, article_id: int | None) -> Event | None:
        """Undo this annotator's latest action on ``article_id`` (None: corpus-wide actions).

        Only actions of this session or of sessions that ended are candidates:
        another program still running keeps its own undo stack.
        """
        return self._step(article_id, undo=True)

    def redo(self, article_id: int | None) -> Event | None:
        return self._step(article_id, undo=False)

    def _step(self, article_id: int | None, *, undo: bool) -> Event | None:
        if self._current_batch() is not None or _active_group.get() is not None:
            raise StorageError("undo and redo cannot run inside a batch")
        with self.db.transaction() as session:
            self._ensure_session(session)
            log = EventLog(session, self.annotator_id, self.session_id)
            stepped = log.step(article_id, undo=undo)
        self._started = True
        if stepped is None:
            return None
        event, changes = stepped
        record(changes)
        return event
