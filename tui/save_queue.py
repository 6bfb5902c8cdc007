"""The app's queue of user actions waiting to be stored, in order.

Every write the user asks for (a label, an undo, a figure form…) is appended
here and stored by one writer at a time, oldest first. A write that fails for
a reason that may pass (the database is locked, read-only, unreachable) stays
at the head of the queue, and everything asked for after it waits behind it,
so the order the user acted in is the order stored. A write that can never
succeed (:class:`~storage.errors.Conflict`, :class:`~storage.errors.NotFound`,
an invalid span) is reported once and dropped: retrying it would only fail
again.

This module is plain Python (no Textual): :class:`tui.app.RedlineApp` runs
:func:`run_write` in a thread worker and feeds the outcome back on the event
loop.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storage.capture import Change, capture
from storage.errors import Conflict, NotFound, StorageError


@dataclass(eq=False)
class PendingWrite:
    """One user action to store: a repository call and what to do once it is committed."""

    run: Callable[[], Any]
    """The storage call (one transaction); runs in the writer thread."""
    description: str
    """What the user did, for messages ("label PERSON", "undo")."""
    article_id: int | None = None
    """The article it changes (None: corpus-wide, e.g. an entity merge)."""
    origin: Any = None
    """The screen that asked for it: it receives the :class:`~tui.messages.AnnotationSaved`."""
    on_saved: Callable[[Any], None] | None = None
    """Called on the event loop with the write's result, after the commit."""
    tag: Any = None
    """Handed back to ``origin`` with the outcome (the reader: which prediction it confirms)."""


@dataclass(frozen=True)
class WriteOutcome:
    """What happened to one write in the writer thread."""

    write: PendingWrite
    result: Any = None
    changes: list[Change] = field(default_factory=list)
    error: BaseException | None = None

    @property
    def permanent_failure(self) -> bool:
        """True when retrying cannot help: the write is dropped, not kept."""
        return self.error is not None and can_never_succeed(self.error)


def can_never_succeed(error: BaseException) -> bool:
    """Conflicts, missing rows and invalid input fail again on retry; database trouble may pass."""
    return isinstance(error, (Conflict, NotFound)) or not isinstance(error, StorageError)


def run_write(write: PendingWrite) -> WriteOutcome:
    """Store ``write`` (any thread) and collect its row changes; never raises."""
    try:
        with capture() as captured:
            result = write.run()
    except Exception as exc:  # reported to the user by the app, never a crash
        return WriteOutcome(write, error=exc)
    return WriteOutcome(write, result, list(captured.changes))


class SaveQueue:
    """Writes waiting to be stored, oldest first, and whether the head is failing."""

    def __init__(self) -> None:
        self._waiting: deque[PendingWrite] = deque()
        self.in_flight: PendingWrite | None = None
        """The write the writer thread is storing now (always the head)."""
        self.failure: str | None = None
        """Why the head failed last time (None: not failing)."""

    def __len__(self) -> int:
        return len(self._waiting)

    @property
    def blocked(self) -> bool:
        """The head failed and waits for a retry (ctrl+s, the timer or the next write)."""
        return self.failure is not None

    def add(self, write: PendingWrite) -> None:
        self._waiting.append(write)

    def start_next(self) -> PendingWrite | None:
        """The head, marked in flight; None while another write is in flight or nothing waits."""
        if self.in_flight is not None or not self._waiting:
            return None
        self.in_flight = self._waiting[0]
        return self.in_flight

    def finished(self, outcome: WriteOutcome) -> None:
        """Record the head's outcome: stored or dropped, it leaves; failing, it stays."""
        assert outcome.write is self.in_flight, "only the head is ever in flight"
        self.in_flight = None
        if outcome.error is None:
            self._waiting.popleft()
            self.failure = None
        elif outcome.permanent_failure:
            self._waiting.popleft()
        else:
            self.failure = str(outcome.error) or type(outcome.error).__name__

    def discard(self) -> list[PendingWrite]:
        """Drop every write not in flight (the user chose to quit without them)."""
        dropped = [write for write in self._waiting if write is not self.in_flight]
        self._waiting = deque(write for write in self._waiting if write is self.in_flight)
        return dropped
