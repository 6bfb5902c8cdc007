"""The reader: the article in a reading pane beside Entities, Topics and Figures.

Layout and data loading live here; the annotation key handlers are in
:class:`tui.screens.reader_actions.ReaderActions`. Each handler performs one
storage call through ``app.save`` (one transaction) and then redraws from the
database, so what the screen shows is always what is stored.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from storage import queries
from storage.errors import StorageError
from storage.models import Article
from tui import tokens
from tui.reader_view import ArticleView, build_view, patched_spans
from tui.screens.reader_actions import READER_BINDINGS, ReaderActions
from tui.screens.reader_annotate import ANNOTATE_BINDINGS, ReaderAnnotate
from tui.screens.reader_review import REVIEW_BINDINGS, ReaderReview
from tui.widgets.entity_panel import EntityPanel
from tui.widgets.figure_panel import FigurePanel
from tui.widgets.reading_pane import ReadingPane
from tui.widgets.status_bar import ArticleHeader, StatusBar
from tui.widgets.topic_panel import TopicPanel


class ReaderScreen(ReaderReview, ReaderActions, ReaderAnnotate, Screen[None]):
    """Read one article and annotate it at the keyboard."""

    BINDINGS = [
        *READER_BINDINGS,
        *ANNOTATE_BINDINGS,
        *REVIEW_BINDINGS,
        Binding("q", "back", "Library", id="reader-back"),
    ]

    PANEL_REFRESH_DELAY = 0.2
    """Seconds of quiet after an edit before the panels are read back (tests set 0)."""

    def __init__(self, article_id: int, sequence: list[int] | None = None) -> None:
        super().__init__()
        self._refresh_timer: Timer | None = None
        self.article_id = article_id
        self.sequence = list(sequence or [])
        self.article: Article | None = None
        self.view: ArticleView | None = None
        self._opened_at = time.monotonic()

    def compose(self) -> ComposeResult:
        app = self.app
        yield ArticleHeader(id="reader-header")
        with Horizontal(id="reader-body"):
            yield ReadingPane(id="reader-pane")
            with Vertical(id="reader-side"):
                yield EntityPanel(id="entity-panel")
                yield TopicPanel(id="topic-panel")
                yield FigurePanel(id="figure-panel")
        yield Input(placeholder="search in article — enter next, shift+enter previous", id="find")
        yield StatusBar(app.config.schema, app.annotator, id="status-bar")  # type: ignore[attr-defined]
        yield Footer(compact=True)

    @property
    def pane(self) -> ReadingPane:
        return self.query_one(ReadingPane)

    def on_mount(self) -> None:
        self.pane.max_width = self.app.config.reader_max_width  # type: ignore[attr-defined]
        self.query_one("#find").display = False
        self.watch(self.app, "save_state", self._show_save_state)
        self.open_article(self.article_id)
        self.pane.focus()
        # spaCy's tokenizer (for snapping) takes about a second to load: do it
        # off the event loop before the first selection needs it.
        self.run_worker(tokens.warm_up, thread=True, group="warm-up")

    def _show_save_state(self, state: str) -> None:
        self.query_one(StatusBar).save_state = state

    # -- loading --------------------------------------------------------------------

    def open_article(self, article_id: int) -> None:
        database = self.app.database  # type: ignore[attr-defined]
        try:
            article = queries.get_article(database, article_id)
        except StorageError as exc:
            self.notify(str(exc), severity="error")
            return
        if article is None:
            self.notify(f"No article with id {article_id}", severity="error")
            return
        self.article_id = article_id
        self.article = article
        if article_id not in self.sequence:
            self.sequence = queries.article_ids(database)
        self._opened_at = time.monotonic()
        # The text paints at once; highlights and panels follow from a worker,
        # so a big article with thousands of spans opens without a pause.
        self.pane.load(article.text, [], cursor=0)
        self._show(None)
        self._refresh_view(article_id)
        self.run_suggesters()

    def _fetch_view(self, article_id: int) -> ArticleView:
        """Read one article's annotations (any thread); raises ``StorageError``."""
        app = self.app
        database, annotator = app.database, app.annotator  # type: ignore[attr-defined]
        spans = queries.span_rows(database, article_id, annotator)
        figure_ids = [span.id for span in spans if span.layer == "figure"]
        figures = queries.figures_for(database, figure_ids)
        topics = queries.topics_for(database, article_id, annotator)
        linked = {span.entity_id for span in spans if span.entity_id is not None}
        entities = queries.entities_by_id(database, linked)
        return build_view(app.config.schema, spans, figures, topics, entities)  # type: ignore[attr-defined]

    def reload(self) -> None:
        """Show a change: the pane at once, the panels when the worker has read them back.

        The pane is patched from the repository's row changes (a few ms even
        with thousands of spans), so the next key is not held up; the panels
        and the header are then redrawn from the database in a worker.
        """
        self.pane.set_spans(
            patched_spans(
                self.pane.spans,
                self.app.repository.last_changes,  # type: ignore[attr-defined]
                self.article_id,
                self.app.repository.annotator_id,  # type: ignore[attr-defined]
                self.app.config.schema,  # type: ignore[attr-defined]
            )
        )
        # Panels and header follow once the keys pause, so a burst of edits on a
        # big article is not slowed by reading thousands of spans back each time.
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        article_id = self.article_id
        if self.PANEL_REFRESH_DELAY <= 0:
            self._refresh_view(article_id)
            return
        self._refresh_timer = self.set_timer(
            self.PANEL_REFRESH_DELAY, lambda: self._refresh_view(article_id)
        )

    @work(thread=True, exclusive=True, group="reader-view")
    def _refresh_view(self, article_id: int) -> None:
        try:
            view = self._fetch_view(article_id)
        except StorageError as exc:
            self.app.call_from_thread(
                self.notify, f"Cannot read annotations: {exc}", severity="error"
            )
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_refreshed, article_id, view)

    def _show_refreshed(self, article_id: int, view: ArticleView) -> None:
        # The reader may have moved on (another article) or closed meanwhile.
        if article_id == self.article_id and self.is_attached:
            self.pane.set_spans(view.pane_spans)
            self._show(view)

    def _show(self, view: ArticleView | None) -> None:
        """Fill the panels (``None``: empty them while an article's annotations load)."""
        self.view = view
        shown = view or ArticleView([], [], [], [])
        self.query_one(EntityPanel).show(shown.mentions)
        self.query_one(TopicPanel).show(shown.topics)
        self.query_one(FigurePanel).show(shown.figures)
        self._show_header()

    def _show_header(self) -> None:
        article = self.article
        if article is None:
            return
        app = self.app
        state = queries.article_state(app.database, self.article_id, app.annotator)  # type: ignore[attr-defined]
        position = (
            self.sequence.index(self.article_id) + 1 if self.article_id in self.sequence else 0
        )
        self.query_one(ArticleHeader).show(
            article.title,
            article.source,
            article.published.isoformat() if article.published else None,
            article.dateline,
            position,
            len(self.sequence),
            state,
        )

    # -- panels ---------------------------------------------------------------------

    @on(EntityPanel.MentionSelected)
    @on(TopicPanel.EvidenceSelected)
    @on(FigurePanel.FigureSelected)
    def jump_to_span(
        self,
        event: EntityPanel.MentionSelected
        | TopicPanel.EvidenceSelected
        | FigurePanel.FigureSelected,
    ) -> None:
        self.pane.move_cursor(event.start)
        self.pane.focus()

    @on(ReadingPane.SpanClicked)
    def span_clicked(self, event: ReadingPane.SpanClicked) -> None:
        self.query_one(StatusBar).mode = f"{event.span.layer} {event.span.label}"

    # -- search ---------------------------------------------------------------------

    def action_find(self) -> None:
        find = self.query_one("#find", Input)
        find.display = True
        # Focus now, not on the next idle: keys typed right after "/" (pasted,
        # or arriving in one burst over SSH) must land in the search field.
        self.set_focus(find)

    @on(Input.Changed, "#find")
    def find_changed(self, event: Input.Changed) -> None:
        count = self.pane.search(event.value) if event.value else 0
        if not event.value:
            self.pane.clear_search()
        self.query_one(StatusBar).mode = f"{count} matches" if event.value else ""

    @on(Input.Submitted, "#find")
    def find_next(self) -> None:
        self.pane.next_match()

    def close_find(self) -> bool:
        find = self.query_one("#find", Input)
        if not find.display:
            return False
        find.display = False
        find.value = ""
        self.pane.clear_search()
        self.query_one(StatusBar).mode = ""
        self.pane.focus()
        return True

    # -- navigation -----------------------------------------------------------------

    def step_article(self, delta: int) -> None:
        if self.article_id not in self.sequence:
            return
        index = self.sequence.index(self.article_id) + delta
        if 0 <= index < len(self.sequence):
            self.open_article(self.sequence[index])
        else:
            self.notify("No more articles this way.", timeout=2)

    def elapsed(self) -> float:
        now = time.monotonic()
        seconds, self._opened_at = now - self._opened_at, now
        return seconds

    def action_back(self) -> None:
        if not self.close_find():
            self.app.pop_screen()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Reader actions for the command palette, from the same bindings."""
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                action = binding.action
                yield SystemCommand(
                    binding.description,
                    f"key: {binding.key}",
                    lambda action=action: self.run_action(action),
                )
