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
from tui.literal import visible_line
from tui.messages import AnnotationSaved, SuggestionsAdded, ViewLoaded
from tui.reader_view import ArticleView, build_view, patched_spans, state_after
from tui.screens.reader_actions import READER_BINDINGS, ReaderActions
from tui.screens.reader_annotate import ANNOTATE_BINDINGS, ReaderAnnotate
from tui.screens.reader_review import REVIEW_BINDINGS, ReaderReview
from tui.services import redline_app, services
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
        self._state = "todo"
        """The annotator's state of the article, from the last read or change set."""
        self.view: ArticleView | None = None
        self._opened_at = time.monotonic()

    def compose(self) -> ComposeResult:
        app = services(self)
        yield ArticleHeader(id="reader-header")
        with Horizontal(id="reader-body"):
            yield ReadingPane(id="reader-pane")
            with Vertical(id="reader-side"):
                yield EntityPanel(id="entity-panel")
                yield TopicPanel(id="topic-panel")
                yield FigurePanel(id="figure-panel")
        yield Input(placeholder="search in article — enter next, shift+enter previous", id="find")
        yield StatusBar(app.config.schema, app.annotator, id="status-bar")
        yield Footer(compact=True)

    @property
    def pane(self) -> ReadingPane:
        return self.query_one(ReadingPane)

    def on_mount(self) -> None:
        self.pane.max_width = services(self).config.reader_max_width
        self.query_one("#find").display = False
        self.watch(self.app, "unsaved_count", self._show_save_state)
        self.watch(self.app, "save_state", self._show_save_state)
        self.open_article(self.article_id)
        self.pane.focus()
        # spaCy's tokenizer (for snapping) takes about a second to load: do it
        # off the event loop before the first selection needs it.
        self.run_worker(tokens.warm_up, thread=True, group="warm-up")

    def _show_save_state(self) -> None:
        app = redline_app(self)
        status = self.query_one(StatusBar)
        status.unsaved = app.unsaved_count
        status.save_state = app.save_state

    # -- loading --------------------------------------------------------------------

    def open_article(self, article_id: int) -> None:
        database = services(self).database
        try:
            article = queries.get_article(database, article_id)
        except StorageError as exc:
            self.notify(visible_line(str(exc)), severity="error", markup=False)
            return
        if article is None:
            self.notify(f"No article with id {article_id}", severity="error", markup=False)
            return
        self.article_id = article_id
        self.article = article
        if article_id not in self.sequence:
            self.sequence = queries.article_ids(database)
        self._opened_at = time.monotonic()
        self._state = "todo"
        # The text paints at once; highlights and panels follow from a worker,
        # so a big article with thousands of spans opens without a pause.
        self.pane.load(article.text, [], cursor=0)
        self._show(None)
        self._refresh_view(article_id)
        self.run_suggesters()

    def _fetch_view(self, article_id: int) -> tuple[ArticleView, str]:
        """Read one article's annotations and state (any thread); raises ``StorageError``."""
        app = services(self)
        database, annotator = app.database, app.annotator
        spans = queries.span_rows(database, article_id, annotator)
        figure_ids = [span.id for span in spans if span.layer == "figure"]
        figures = queries.figures_for(database, figure_ids)
        topics = queries.topics_for(database, article_id, annotator)
        linked = {span.entity_id for span in spans if span.entity_id is not None}
        entities = queries.entities_by_id(database, linked)
        state = queries.article_state(database, article_id, annotator)
        return build_view(app.config.schema, spans, figures, topics, entities), state

    def reload(self) -> None:
        """Read the whole article's annotations again (after a conflict, or another screen)."""
        self._refresh_view(self.article_id)

    @on(AnnotationSaved)
    @on(SuggestionsAdded)
    def _changes_stored(self, event: AnnotationSaved | SuggestionsAdded) -> None:
        """Show a stored change: the pane at once from its row changes, the panels next.

        The pane is patched from the action's own change set (a few ms even
        with thousands of spans), so the next key is not held up.
        """
        if event.article_id not in (self.article_id, None):
            return  # stored for an article this screen has moved away from
        app = services(self)
        self.pane.set_spans(
            patched_spans(
                self.pane.spans,
                event.changes,
                self.article_id,
                app.repository.annotator_id,
                app.config.schema,
            )
        )
        state = state_after(event.changes, self.article_id, app.repository.annotator_id)
        if state is not None:
            self._state = state
            self._show_header()
        # Panels follow once the keys pause, so a burst of edits on a big
        # article is not slowed by reading thousands of spans back each time.
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
            view, state = self._fetch_view(article_id)
        except StorageError as exc:
            self.notify(
                visible_line(f"Cannot read annotations: {exc}"), severity="error", markup=False
            )
            return
        if not get_current_worker().is_cancelled:
            self.post_message(ViewLoaded(article_id, view, state))

    @on(ViewLoaded)
    def _view_loaded(self, event: ViewLoaded) -> None:
        # The reader may have moved on (another article) meanwhile.
        if event.article_id == self.article_id:
            self.pane.set_spans(event.view.pane_spans)
            self._state = event.state
            self._show(event.view)

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
            self._state,
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
