"""Team mode in the app: what other programs commit reaches the screens without reopening.

:class:`LiveChanges` runs a :class:`~storage.live.ChangeFeed` (LISTEN/NOTIFY on
PostgreSQL, a ``PRAGMA data_version`` poll on SQLite) in a thread of its own and
posts each batch of others' changes to the app as
:class:`~tui.messages.ExternalChange`; the app hands it to every screen on its
stack, and each screen decides what to read again (the library its counts, the
reader its article — never while this program still has writes to store).

The thread is a plain daemon thread rather than a Textual worker: it runs as
long as the app, and a worker that never finishes would keep
``app.workers.wait_for_complete()`` ("every read and write is done") from ever
returning.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from storage.live import POLL_SECONDS, ChangeFeed
from tui.messages import ExternalChange

if TYPE_CHECKING:
    from tui.app import RedlineApp

WAIT_SECONDS = 0.5
"""How long one wait for changes blocks: how soon the thread notices the app stopped it."""


class LiveChanges:
    """The app's change feed and the thread that follows it."""

    def __init__(self, app: RedlineApp, poll_seconds: float = POLL_SECONDS) -> None:
        self.app = app
        database = app.database
        self.enabled = not (database.is_sqlite and database.path is None)
        """An in-memory SQLite database has no other programs to follow."""
        self.feed = ChangeFeed(
            database, ignore=[app.repository.session_id], poll_seconds=poll_seconds
        )
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def ignore(self, session_id: str) -> None:
        """Another session of this program (the review screen's gold): its writes are known."""
        self.feed.ignore(session_id)

    def start(self) -> None:
        if not self.enabled or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._follow, name="redline live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the thread and wait for it to close the feed's connection (SQLite: at once;
        PostgreSQL: within :data:`WAIT_SECONDS`), so nothing of it outlives the app: a
        SQLite connection closing after the app's could checkpoint the file it just
        vouched for (``Database.dispose``)."""
        self._stop.set()
        self.feed.interrupt()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2 * WAIT_SECONDS + 1)

    def _follow(self) -> None:
        """The thread: wait for others' changes until the app stops it."""
        try:
            self.feed.start()
            while not self._stop.is_set():
                changes = self.feed.wait(WAIT_SECONDS)
                if changes and not self._stop.is_set():
                    try:
                        self.app.post_message(ExternalChange(changes))
                    except RuntimeError:  # the app's event loop closed meanwhile
                        return
        finally:
            self.feed.close()
