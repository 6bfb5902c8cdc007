"""The redline Textual application: services, screens, the save queue and the palette.

The app owns the services (database, repository, schema, settings; see
:mod:`tui.services`); screens own layout and the handlers between their
widgets; widgets never query the database. Every write goes through
:meth:`RedlineApp.save`: it joins the :class:`~tui.save_queue.SaveQueue` and
is stored by a thread worker, one write at a time and in order, so a locked
database never freezes the screen. Only after the commit does the screen that
asked receive :class:`~tui.messages.AnnotationSaved` with the write's row
changes, and only then does the status bar say "saved".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from storage.db import Database
from storage.errors import StorageError
from storage.repository import Repository
from storage.schema import Config
from tui import interpreter, training
from tui.commands_palette import ArticleCommands, CommandsByWord, export_commands
from tui.literal import visible, visible_line
from tui.live import LiveChanges
from tui.messages import AnnotationRefused, AnnotationSaved, ExternalChange
from tui.save_queue import PendingWrite, SaveQueue, WriteOutcome, run_write
from tui.screens.review import ReviewCommands
from tui.services import Services
from tui.unsaved_dialog import QuitAnswer, UnsavedDialog

if TYPE_CHECKING:
    from storage.train.loop import TrainOptions

T = TypeVar("T")


class RedlineApp(App[None]):
    """Read news articles and annotate entities, topics and figures."""

    TITLE = "redline"
    CSS_PATH = "styles/app.tcss"
    COMMANDS = {CommandsByWord, ArticleCommands, ReviewCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app-quit", show=False),
        Binding("question_mark", "help", "Help", id="app-help"),
        Binding("ctrl+s", "retry_save", "Retry save", id="app-retry", show=False),
        Binding("P", "problems", "Problems", id="app-problems", show=False),
        Binding("S", "stats", "Stats", id="app-stats", show=False),
        Binding("T", "train", "Train model", id="app-train", show=False),
    ]

    RETRY_SECONDS = 3.0
    """While a write is failing, try it again this often (and on ctrl+s, and before a new one)."""
    HEARTBEAT_SECONDS = 20.0
    """How often this session tells other programs it still runs (see storage.sessions)."""

    save_state: reactive[str] = reactive("saved", repaint=False)
    """'saved' (nothing waits), 'saving' (a write is being stored) or 'unsaved' (failing).
    Not drawn by the app: the status bar watching it repaints (an app reactive that
    repaints redraws the whole screen, twice per key)."""
    unsaved_count: reactive[int] = reactive(0, repaint=False)
    """How many actions are not stored yet (shown in the reader's status bar)."""
    training_status: reactive[str] = reactive("", repaint=False)
    """The training worker's progress line ("" when not training; see tui.training); only
    the status bar that watches it repaints."""

    class WriteFinished(Message):
        """The writer thread is done with one write (posted to the app)."""

        def __init__(self, outcome: WriteOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    def __init__(
        self,
        database: Database,
        annotator: str,
        config: Config,
        open_articles: list[int] | None = None,
    ) -> None:
        super().__init__()
        # Lazy: the session row is stored with the first write, so a database role
        # that may only read can still open the app and browse.
        repository = Repository(database, annotator, lazy=True)
        self.services = Services(database, repository, config, annotator)
        self.read_only = database.write_denied()
        """Why this program cannot store anything (a read-only role), or None."""
        self.open_articles = open_articles or []
        self._saves = SaveQueue()
        self._failing_since_saved = False
        self._quit_when_saved = False
        self.train_base: TrainOptions | None = None
        """Training options before the output folder is set (None: ``redline train``'s)."""
        self.sub_title = f"{visible_line(annotator)} · {visible_line(database.short_label)}"
        if self.read_only:
            self.sub_title += " · read-only"
        self.live = LiveChanges(self, config.poll_seconds)
        """Other programs' changes (team mode), handed to the screens as ExternalChange."""
        self._interpreter: interpreter.Settings | None = None

    @property
    def database(self) -> Database:
        return self.services.database

    @property
    def repository(self) -> Repository:
        return self.services.repository

    @property
    def config(self) -> Config:
        return self.services.config

    @property
    def annotator(self) -> str:
        return self.services.annotator

    def on_mount(self) -> None:
        # Process-wide: the GIL switch interval and a frozen GC (see tui.interpreter).
        self._interpreter = interpreter.tune()
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        if self.read_only:
            self.notify(visible(self.read_only), severity="warning", timeout=10, markup=False)
        self.set_interval(self.RETRY_SECONDS, self._retry_tick, name="save-retry")
        self.set_interval(self.HEARTBEAT_SECONDS, self._heartbeat, name="session-heartbeat")
        self.live.start()
        from tui.screens.library import LibraryScreen

        self.push_screen(LibraryScreen())
        if self.open_articles:
            self.open_reader(self.open_articles[0], self.open_articles)

    def open_reader(self, article_id: int, sequence: list[int] | None = None) -> None:
        """Open an article in the reader, with ``sequence`` for previous/next."""
        from tui.screens.reader import ReaderScreen

        self.push_screen(ReaderScreen(article_id, sequence))

    # -- this program's session -------------------------------------------------

    def _heartbeat(self) -> None:
        self.run_worker(
            self._beat, name="heartbeat", group="heartbeat", thread=True, exit_on_error=False
        )

    def _beat(self) -> None:
        """Writer-independent thread: a locked database must not hold up the screen."""
        try:
            self.repository.heartbeat()
        except StorageError:
            pass  # a missed beat only lets the session look ended sooner; writes beat too

    def on_unmount(self) -> None:
        """The session ends with the app: a later redline may undo what this one did."""
        self.live.stop()
        try:
            self.repository.end_session()
        except StorageError:
            pass  # it will count as ended once its heartbeat is stale
        if self._interpreter is not None:
            interpreter.restore(self._interpreter)
            self._interpreter = None

    @on(ExternalChange)
    def _external_change(self, message: ExternalChange) -> None:
        """Every screen on the stack hears of others' changes (the library under a reader too)."""
        for screen in self.screen_stack:
            screen.post_message(ExternalChange(message.changes))

    # -- saving ---------------------------------------------------------------

    def save(
        self,
        write: Callable[[], T],
        description: str,
        on_saved: Callable[[T], None] | None = None,
        *,
        article_id: int | None = None,
        tag: Any = None,
    ) -> None:
        """Queue one write (one transaction) behind any not stored yet, and store it.

        ``write`` runs in the writer thread. Once it is committed, the screen
        that asked (the current one) receives :class:`AnnotationSaved` with
        its row changes and ``on_saved`` is called with its result, both on
        the event loop. If it fails it stays queued (retried on a timer, on
        ctrl+s and before the next write), unless it can never succeed: then
        it is reported once and dropped. ``tag`` comes back with the outcome's
        message.

        The writer starts after the next paint: the frame showing the key's
        (optimistic) effect is drawn before the writer thread competes for the GIL.
        """
        self._saves.add(PendingWrite(write, description, article_id, self.screen, on_saved, tag))
        self._show_save_state()
        if not self.call_after_refresh(self._store_next):
            self._store_next()

    def _store_next(self) -> None:
        write = self._saves.start_next()
        if write is not None:
            self.run_worker(
                partial(self._store, write),
                name=f"save: {write.description}",
                group="writer",
                thread=True,
                exit_on_error=False,
            )
        self._show_save_state()

    def _store(self, write: PendingWrite) -> None:
        """Writer thread: store one write and post its outcome back to the event loop."""
        self.post_message(self.WriteFinished(run_write(write)))

    @on(WriteFinished)
    def _write_finished(self, message: WriteFinished) -> None:
        outcome = message.outcome
        write = outcome.write
        self._saves.finished(outcome)
        origin = write.origin
        live = origin is None or getattr(origin, "is_attached", False)
        if outcome.error is None:
            if live and origin is not None:
                saved = AnnotationSaved(
                    write.article_id, outcome.changes, write.description, outcome.result, write.tag
                )
                origin.post_message(saved)
            if live and write.on_saved is not None:
                write.on_saved(outcome.result)
            self._store_next()
        elif outcome.permanent_failure:
            if live and origin is not None:
                reason = str(outcome.error)
                refused = AnnotationRefused(write.article_id, write.description, reason, write.tag)
                origin.post_message(refused)
            self.notify(
                f"Not saved ({visible(write.description)}): {visible(str(outcome.error))}",
                title="Cannot apply",
                severity="error",
                timeout=8,
                markup=False,
            )
            self._store_next()
        else:
            if not self._failing_since_saved:
                self.notify(
                    f"Not saved ({visible(write.description)}): {visible(str(outcome.error))}. "
                    f"Kept with every later action; retrying every {self.RETRY_SECONDS:g} s, "
                    "ctrl+s retries now.",
                    title="Database problem",
                    severity="error",
                    timeout=8,
                    markup=False,
                )
            self._failing_since_saved = True
            self._quit_when_saved = False
            self._show_save_state()
            return
        if not self._saves and self._failing_since_saved:
            self._failing_since_saved = False
            self.notify("Saved every action that was waiting.", timeout=3)
        if not self._saves and self._quit_when_saved:
            self.exit()

    def _show_save_state(self) -> None:
        self.unsaved_count = len(self._saves)
        if not self._saves:
            self.save_state = "saved"
        elif self._saves.blocked:
            self.save_state = "unsaved"
        else:
            self.save_state = "saving"

    def _retry_tick(self) -> None:
        if self._saves.blocked:
            self._store_next()

    @property
    def writes_pending(self) -> bool:
        """Whether an action of this program is not stored yet (queued, in flight or failing)."""
        return bool(self._saves)

    async def writes_settled(self) -> None:
        """Wait until no write is in flight or about to start (tests, benchmarks; never the UI).

        A queue that is failing (blocked) waits for a retry, not for this.
        """
        while self._saves.in_flight is not None or (self._saves and not self._saves.blocked):
            if self._saves.in_flight is None:
                self._store_next()  # the paint it waited for may never come (app closing)
            await asyncio.sleep(0.002)

    def refuse(self, message: str) -> None:
        """An action that cannot apply here (nothing under the cursor, a bad span…)."""
        self.notify(visible(message), severity="warning", timeout=3, markup=False)

    def action_retry_save(self) -> None:
        if not self._saves:
            self.notify("Nothing to retry: everything is saved.", timeout=2)
            return
        waiting = len(self._saves)
        self.notify(f"Retrying {waiting} unsaved action{'s' if waiting != 1 else ''}…", timeout=2)
        self._store_next()

    # -- quitting -------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit, but never silently drop actions that are not stored yet."""
        if not self._saves:
            self.exit()
        elif not self._saves.blocked:
            self._quit_when_saved = True  # a write is being stored: quit once it is
        else:
            self.push_screen(
                UnsavedDialog(len(self._saves), self._saves.failure), self._quit_answered
            )

    def _quit_answered(self, answer: QuitAnswer | None) -> None:
        if answer == "discard":
            self._saves.discard()
            self.exit()
        elif answer == "retry":
            self._quit_when_saved = True
            self._store_next()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_problems(self) -> None:
        """The dataset quality findings (``redline check``); enter jumps to one."""
        from tui.screens.problems import ProblemsScreen

        if not isinstance(self.screen, ProblemsScreen):
            self.push_screen(ProblemsScreen())

    def action_stats(self) -> None:
        """Progress and corpus charts."""
        from tui.screens.stats import StatsScreen

        if not isinstance(self.screen, StatsScreen):
            self.push_screen(StatsScreen())

    # -- retraining the suggestion model (tui.training) -----------------------------------

    def action_train(self) -> None:
        """Retrain the suggestion model in the background (``Train model``, ``T``)."""
        if training.running(self):
            self.notify(f"Already {self.training_status or 'training'}", timeout=3, markup=False)
        else:
            training.start(self, self.train_base)

    def article_done(self) -> None:
        """An article was marked done: retrain in the background when ``[train] every`` is due."""
        if self.config.train_every > 0 and not training.running(self):
            training.start(self, self.train_base, every=self.config.train_every)

    @on(training.TrainingProgress)
    def _training_progress(self, message: training.TrainingProgress) -> None:
        self.training_status = message.line

    @on(training.TrainingFinished)
    def _training_finished(self, message: training.TrainingFinished) -> None:
        self.training_status = ""
        self.notify(
            visible(message.notice),
            title="Model trained" if message.saved else "Model not trained",
            severity="information" if message.saved else "warning",
            timeout=10,
            markup=False,
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Train model",
            "Retrain the suggestion model on accepted annotations, in the background (key: T)",
            self.action_train,
        )
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            yield from commands()
        yield from export_commands(self, screen)
