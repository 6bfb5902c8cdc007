"""The redline Textual application: services, screens and the command palette.

The app owns the services (database, repository, schema, settings); screens
own layout and the handlers between their widgets; widgets never query the
database. Every write goes through :meth:`RedlineApp.save`, one transaction
per user action, committed before the screen shows it as saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from storage.db import Database
from storage.errors import StorageError
from storage.repository import Repository
from storage.schema import Config
from tui.commands_palette import ArticleCommands

T = TypeVar("T")
PendingSave = tuple[Callable[[], object], str, Callable[[object], None] | None]
"""A write that failed: kept so ``ctrl+s`` can retry it."""


class RedlineApp(App[None]):
    """Read news articles and annotate entities, topics and figures."""

    TITLE = "redline"
    CSS_PATH = "styles/app.tcss"
    COMMANDS = App.COMMANDS | {ArticleCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app-quit", show=False),
        Binding("question_mark", "help", "Help", id="app-help"),
        Binding("ctrl+s", "retry_save", "Retry save", id="app-retry", show=False),
        Binding("P", "problems", "Problems", id="app-problems", show=False),
        Binding("S", "stats", "Stats", id="app-stats", show=False),
    ]

    save_state: reactive[str] = reactive("saved")
    """'saved', 'saving' or 'unsaved: <reason>' — shown in the reader's status bar."""

    def __init__(
        self,
        database: Database,
        annotator: str,
        config: Config,
        open_articles: list[int] | None = None,
    ) -> None:
        super().__init__()
        self.database = database
        self.annotator = annotator
        self.config = config
        self.repository = Repository(database, annotator)
        self.open_articles = open_articles or []
        self._pending: tuple[Callable[[], object], str, Callable[[object], None] | None] | None = (
            None
        )
        self.sub_title = f"{annotator} · {database.short_label}"

    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        from tui.screens.library import LibraryScreen

        self.push_screen(LibraryScreen())
        if self.open_articles:
            self.open_reader(self.open_articles[0], self.open_articles)

    def open_reader(self, article_id: int, sequence: list[int] | None = None) -> None:
        """Open an article in the reader, with ``sequence`` for previous/next."""
        from tui.screens.reader import ReaderScreen

        self.push_screen(ReaderScreen(article_id, sequence))

    # -- saving ---------------------------------------------------------------

    def save(
        self,
        write: Callable[[], T],
        description: str,
        on_saved: Callable[[T], None] | None = None,
    ) -> T | None:
        """Run one write (one transaction). On failure keep it for ``ctrl+s`` retry.

        Returns the write's result, or None when it failed; the failure is
        shown as a notification and in the status bar, never as a crash.
        """
        self.save_state = "saving"
        try:
            result = write()
        except StorageError as exc:
            self._pending = (write, description, on_saved)  # type: ignore[assignment]
            self.save_state = f"unsaved: {description}"
            self.notify(
                f"Not saved ({description}): {exc}. Press ctrl+s to retry.",
                title="Database problem",
                severity="error",
                timeout=8,
            )
            return None
        self._pending = None
        self.save_state = "saved"
        if on_saved is not None:
            on_saved(result)
        return result

    def refuse(self, message: str) -> None:
        """An action that cannot apply here (nothing under the cursor, a bad span…)."""
        self.notify(message, severity="warning", timeout=3)

    def action_retry_save(self) -> None:
        if self._pending is None:
            self.notify("Nothing to retry: everything is saved.", timeout=2)
            return
        write, description, on_saved = self._pending
        self.save(write, description, on_saved)
        if self._pending is None:
            self.notify(f"Saved: {description}", timeout=2)
            reload = getattr(self.screen, "reload", None)
            if callable(reload):
                reload()

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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            yield from commands()
