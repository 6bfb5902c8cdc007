"""The reader: the article in a reading pane beside Entities, Topics and Figures.

Data takes one path. Opening an article paints its text at once and reads its
annotations in a worker (:class:`~tui.messages.ViewLoaded`). A key queues one
write with the app (:meth:`tui.app.RedlineApp.save`) and, where its effect is
predictable, draws it at once as pending (:mod:`tui.screens.reader.optimistic`);
once it is committed the screen receives :class:`~tui.messages.AnnotationSaved`
with the action's row changes and applies them to its :class:`ReaderModel`,
which says which widgets to give new rows; nothing is read back. Suggesters post
:class:`~tui.messages.SuggestionsAdded` the same way. The article is read
again in full only on open, after a refused action (a conflict) or when
another screen changed things (the entities screen).

Which span a key acts on is decided by the pure functions of
:mod:`tui.screens.reader.targeting`; the dialog keys (f, t, e, E) are
:mod:`tui.screens.reader.flows`. Opening an article (and reading it again) is
:mod:`~tui.screens.reader.opening`; queueing a write with its prediction is
:mod:`~tui.screens.reader.saving`; applying what is stored is
:mod:`~tui.screens.reader.live` (and :mod:`~tui.screens.reader.showing`, which
widgets get new rows); the threads that read and suggest are
:mod:`~tui.screens.reader.workers`; moving between articles is
:mod:`~tui.screens.reader.navigation`; the search bar is
:mod:`~tui.screens.reader.search_bar`. The screen keeps the layout, the
message handlers and one-line ``action_*`` methods.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from storage.models import Article
from tui.literal import visible_line
from tui.messages import (
    AnnotationRefused,
    AnnotationSaved,
    EntityNamesLoaded,
    ExternalChange,
    SuggestionsAdded,
    ViewLoaded,
)
from tui.screens.help import describe
from tui.screens.reader import (
    edits,
    flows,
    live,
    navigation,
    opening,
    review,
    saving,
    search_bar,
    selecting,
    targeting,
    workers,
)
from tui.screens.reader.bindings import READER_BINDINGS
from tui.screens.reader.history import History, Step
from tui.screens.reader.model import ArticleView, ReaderModel
from tui.screens.reader.optimistic import Optimistic, Predict
from tui.services import redline_app, services
from tui.widgets.entity_panel import EntityPanel
from tui.widgets.figure_panel import FigurePanel
from tui.widgets.find_bar import FindBar
from tui.widgets.pane_messages import CursorMoved
from tui.widgets.pane_model import PaneSpan
from tui.widgets.reading_pane import ReadingPane
from tui.widgets.status_bar import ArticleHeader, StatusBar
from tui.widgets.topic_panel import TopicPanel


class ReaderScreen(Screen[None]):
    """Read one article and annotate it at the keyboard."""

    BINDINGS = READER_BINDINGS

    def __init__(self, article_id: int, sequence: list[int] | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        self.sequence = list(sequence or [])
        self.article: Article | None = None
        self.model: ReaderModel | None = None
        """The article's annotations as shown (None until they are read)."""
        self.arrivals = live.Arrivals()
        """Change sets stored while the annotations are read, and whether a reread is owed."""
        self.optimistic = Optimistic()
        """Keys' effects drawn ahead of their commit."""
        self.history = History()
        """This reader's own undoable actions here: what ``u``/``U`` will take back."""
        self.opened_at = time.monotonic()
        """When the article opened: finishing it stores the seconds spent since."""
        self.find_origin = 0
        """Where the cursor was when the search bar opened: each keystroke searches from it."""
        self.phrase_choices: list[tuple[int, int]] = []
        """What the phrase key (space) offered last: pressed again, it steps through them."""
        self.decided: set[int] = set()
        """Suggestions decided whose write is not stored yet (the review stream skips them)."""
        self.stream_focus: int | None = None
        """The suggestion the review stream stopped on (``a``/``r`` act on it)."""
        self.warm_queued = False
        """A :func:`review.warm_next` waits for the frame being drawn."""

    def compose(self) -> ComposeResult:
        app = services(self)
        yield ArticleHeader(id="reader-header")
        with Horizontal(id="reader-body"):
            yield ReadingPane(id="reader-pane")
            with Vertical(id="reader-side"):
                yield EntityPanel(id="entity-panel")
                yield TopicPanel(id="topic-panel")
                yield FigurePanel(id="figure-panel")
        yield FindBar(id="find")
        yield StatusBar(app.config.schema, app.annotator, id="status-bar")
        yield Footer(compact=True)

    @property
    def pane(self) -> ReadingPane:
        return self.query_one(ReadingPane)

    @property
    def view(self) -> ArticleView | None:
        """What the widgets show now (None while the article's annotations load)."""
        return self.model.view() if self.model is not None else None

    def on_mount(self) -> None:
        self.pane.max_width = services(self).config.reader_max_width
        self.query_one("#find").display = False
        self.watch(self.app, "unsaved_count", self._show_save_state)
        self.watch(self.app, "save_state", self._show_save_state)
        self.watch(self.app, "training_status", self._show_training)
        self.open_article(self.article_id)
        self.pane.focus()
        workers.warm_up_tokens(self)

    def _show_save_state(self) -> None:
        app = redline_app(self)
        status = self.query_one(StatusBar)
        status.unsaved = app.unsaved_count
        status.save_state = app.save_state
        live.reload_if_outdated(self)

    def _show_training(self, line: str) -> None:
        self.query_one(StatusBar).training = line

    # -- loading ----------------------------------------------------------------------

    def open_article(self, article_id: int) -> None:
        """Show article ``article_id`` (see :func:`opening.open_article`)."""
        opening.open_article(self, article_id)

    def reload(self) -> None:
        """Read the article's annotations again in full (another screen changed them)."""
        opening.reload(self)

    @on(ExternalChange)
    def _external_change(self, event: ExternalChange) -> None:
        """Another program changed what this reader shows (its annotator's rows of the article)."""
        if event.changes.touches(self.article_id, services(self).annotator):
            self.arrivals.outdated = True
            self.history.clear()  # its actions may be the next undo's
            live.reload_if_outdated(self)

    @on(CursorMoved)
    def _cursor_moved(self) -> None:
        if not self.warm_queued:  # once per frame, after it is drawn
            self.warm_queued = True
            self.call_after_refresh(review.warm_next, self)

    @on(ViewLoaded)
    def _loaded(self, event: ViewLoaded) -> None:
        if event.article_id != self.article_id:
            return  # the reader moved on to another article meanwhile
        live.loaded(self, event.model)

    @on(AnnotationSaved)
    @on(SuggestionsAdded)
    def _stored(self, event: AnnotationSaved | SuggestionsAdded) -> None:
        """Show a stored action: only the widgets its row changes concern get new rows."""
        if event.article_id not in (self.article_id, None):
            return
        if isinstance(event, AnnotationSaved):
            live.stored(self, event.changes, event.tag)
        else:
            self.history.clear()  # a suggester's event may be the next undo's
            live.stored(self, event.changes, None)

    def name_entities(self, article_id: int, entity_ids: set[int]) -> None:
        """Look up the names of entities a new link points to (see :mod:`workers`)."""
        workers.name_entities(self, article_id, entity_ids)

    @on(EntityNamesLoaded)
    def _entities_named(self, event: EntityNamesLoaded) -> None:
        if self.model is not None and event.article_id == self.article_id:
            self.model.name_entities(event.names)
            self.query_one(EntityPanel).show(self.model.mentions())

    @on(AnnotationRefused)
    def _refused(self, event: AnnotationRefused) -> None:
        """An action that can never apply (a conflict): see :func:`live.refused`."""
        if event.article_id not in (self.article_id, None):
            return
        live.refused(self, event.tag)

    # -- storing --------------------------------------------------------------------

    def save(
        self,
        write: Callable[[], Any],
        description: str,
        then: Callable[[Any], None] | None = None,
        *,
        predict: Predict | None = None,
        step: Step | None = None,
    ) -> None:
        """Queue one write for this article; ``then(result)`` once it is committed here.

        ``predict`` draws it at once; ``step``: it is that undo or redo (see :func:`saving.save`).
        """
        saving.save(self, write, description, then, predict=predict, step=step)

    def refuse(self, message: str) -> None:
        redline_app(self).refuse(message)

    def say(self, notice: str) -> None:
        """A short notice in the status bar (a toast would lay out and repaint the screen)."""
        self.query_one(StatusBar).say(notice)

    def span_here(self, layer: str) -> PaneSpan | None:
        """The ``layer`` span matching the selection exactly, else the one under the cursor."""
        selection = self.pane.selection
        if selection is not None:
            spans = self.pane.spans_at(selection[0])
            return targeting.matching_selection(spans, layer, selection)
        return targeting.under_cursor(self.pane.spans_at(self.pane.cursor), (layer,))

    # -- keys that edit: see edits ---------------------------------------------------

    def action_label(self, hotkey: str) -> None:
        edits.label(self, hotkey)

    def action_resize(self, edge: str, step: int) -> None:
        selecting.resize(self, edge, step)

    def action_select_phrase(self) -> None:
        selecting.select_phrase(self)

    def action_remove(self) -> None:
        edits.remove(self)

    def action_undo(self) -> None:
        edits.step(self, undo=True)

    def action_redo(self) -> None:
        edits.step(self, undo=False)

    def action_accept(self) -> None:
        review.review(self, accept=True)

    def action_reject(self) -> None:
        review.review(self, accept=False)

    def action_accept_all(self) -> None:
        review.accept_all(self)

    @on(TopicPanel.TopicDecided)
    def _topic_decided(self, event: TopicPanel.TopicDecided) -> None:
        review.decide_topic(self, event.key, event.accept, event.status)

    def action_label_occurrences(self) -> None:
        edits.label_occurrences(self)

    def action_suggest_occurrences(self) -> None:
        found = edits.phrase_and_label(self)
        if found is not None:
            workers.suggest_in_corpus(self, *found)

    # -- dialogs: f, t, e, E (see flows) ------------------------------------------------

    @work(exclusive=True, group="dialog")
    async def action_figure_form(self) -> None:
        await flows.figure_form(self)

    @work(exclusive=True, group="dialog")
    async def action_topic_picker(self) -> None:
        await flows.topic_picker(self)

    @work(exclusive=True, group="dialog")
    async def action_entity_link(self) -> None:
        await flows.entity_link(self)

    def action_entities_screen(self) -> None:
        """All canonical entities (merge, rename); the article is read again on return."""
        from tui.screens.entities import EntitiesScreen

        self.app.push_screen(EntitiesScreen(), lambda _: self.reload())

    # -- panels, search, navigation ------------------------------------------------------

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
        self.query_one(StatusBar).mode = visible_line(f"{event.span.layer} {event.span.label}")

    def action_find(self) -> None:
        search_bar.open_bar(self)

    @on(Input.Changed, "#find")
    def find_changed(self, event: Input.Changed) -> None:
        search_bar.changed(self, event.value)

    @on(FindBar.Step)
    def find_step(self, event: FindBar.Step) -> None:
        self.pane.next_match(backwards=event.direction < 0)

    @on(Input.Submitted, "#find")
    def find_submitted(self) -> None:
        if selecting.search_submitted(self):
            self.close_find()

    def close_find(self) -> bool:
        """Close the search bar if it is open (see :func:`search_bar.close_bar`)."""
        return search_bar.close_bar(self)

    def action_escape(self) -> None:
        if not self.close_find():
            self.pane.clear_selection()

    def action_next_span(self) -> None:
        review.jump(self, True)

    def action_previous_span(self) -> None:
        review.jump(self, False)

    def action_step_article(self, delta: int) -> None:
        navigation.step(self, delta)

    def step_article(self, delta: int) -> None:
        self.action_step_article(delta)

    def finish_article(
        self, state: str, first: Callable[[], Any] | None = None, what: str = ""
    ) -> None:
        """Mark the article ``state`` and open the next (see :func:`navigation.finish`)."""
        navigation.finish(self, state, first, what)

    def action_done(self) -> None:
        review.done(self)

    def action_skip(self) -> None:
        self.finish_article("skipped")

    def action_back(self) -> None:
        if not self.close_find():
            self.app.pop_screen()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Reader actions for the command palette, from the same bindings."""
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                action = binding.action
                yield SystemCommand(
                    describe(self, binding),  # "Label 1: PERSON (Person)": found by "person"
                    f"key: {self.app.get_key_display(binding)}",
                    lambda action=action: self.run_action(action),
                )
