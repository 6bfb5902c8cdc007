"""Team mode in the app: what other programs commit reaches the screens without reopening.

:class:`LiveChanges` runs a :class:`~storage.live.ChangeFeed` (LISTEN/NOTIFY on
PostgreSQL, a ``PRAGMA data_version`` poll on SQLite) in a thread worker and
posts each batch of others' changes to the app as
:class:`~tui.messages.ExternalChange`; the app hands it to every screen on its
stack, and each screen decides what to read again (the library its counts, the
reader its article — never while this program still has writes to store).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.worker import Worker, get_current_worker

from storage.live import POLL_SECONDS, ChangeFeed
from tui.messages import ExternalChange

if TYPE_CHECKING:
    from tui.app import RedlineApp

WAIT_SECONDS = 0.5
"""How long one wait for changes blocks: how soon the worker notices it was cancelled."""


class LiveChanges:
    """The app's change feed and the worker that follows it."""

    def __init__(self, app: RedlineApp, poll_seconds: float = POLL_SECONDS) -> None:
        self.app = app
        database = app.database
        self.enabled = not (database.is_sqlite and database.path is None)
        """An in-memory SQLite database has no other programs to follow."""
        self.feed = ChangeFeed(
            database, ignore=[app.repository.session_id], poll_seconds=poll_seconds
        )
        self._worker: Worker[None] | None = None

    def ignore(self, session_id: str) -> None:
        """Another session of this program (the review screen's gold): its writes are known."""
        self.feed.ignore(session_id)

    def start(self) -> None:
        if not self.enabled or self._worker is not None:
            return
        self._worker = self.app.run_worker(
            self._follow, name="live changes", group="live", thread=True, exit_on_error=False
        )

    def _follow(self) -> None:
        """Thread worker: wait for others' changes until cancelled (the app exits)."""
        worker = get_current_worker()
        try:
            self.feed.start()
            while not worker.is_cancelled:
                changes = self.feed.wait(WAIT_SECONDS)
                if changes and not worker.is_cancelled:
                    self.app.post_message(ExternalChange(changes))
        finally:
            self.feed.close()
