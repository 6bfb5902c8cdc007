"""The library: every article with this annotator's state, search, sort and filter.

When articles are assigned (``redline assign``) the library opens on "my queue",
the annotator's assigned articles, with everyone's progress through their queue;
``a`` switches between the queue and all articles. Coming back from the reader
puts the cursor on the article the reader showed last.

The table (:class:`~tui.widgets.library_table.LibraryTable`) draws only the
rows on screen; it holds a page of about twice those rows
(:meth:`LibraryScreen.page_size`) and the next page is fetched when the cursor
or the scroll position nears its end. Workers post what they read as messages
(:mod:`tui.screens.library_data`).

Titles and sources are data: cells are ``Text`` of :func:`~tui.literal.visible_line`
(never markup, no control character reaches the terminal).
"""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import get_current_worker

from storage import queries
from storage.errors import StorageError
from storage.queries import ArticleRow, LibraryQuery
from storage.team import assignment
from tui.literal import visible
from tui.messages import ExternalChange
from tui.screens.library_data import (
    EMPTY_HELP,
    BarTexts,
    MoreLoaded,
    Page,
    PageLoaded,
    Shown,
    TotalCounted,
    count_when_painted,
    progress_line,
    same_matches,
    team_line,
)
from tui.services import redline_app, services
from tui.widgets.library_table import LibraryTable
from tui.widgets.search_input import SearchInput

MIN_PAGE = 40
"""Rows of the smallest page, whatever the terminal's height."""
MORE_MARGIN = 10
"""Rows before the end of the table at which the next page is fetched."""
STATES = (None, "todo", "in_progress", "done", "skipped")
SORTS: tuple[queries.SortKey, ...] = ("id", "title", "source", "published", "length", "state")
ECHO_HOLD = 0.05
"""Seconds a typed key's echo may wait for its rows, to paint with them in one frame
(:class:`~tui.widgets.search_input.SearchInput`); a slower query's rows follow it."""


class LibraryScreen(Screen[None]):
    """Articles, progress, live search; ``enter`` opens the reader."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="library-open", priority=True, key_display="enter"),
        Binding("slash", "search", "Search", id="library-search"),
        Binding("escape", "clear_search", "Clear", id="library-clear", show=False),
        Binding("f", "cycle_filter", "Filter state", id="library-filter"),
        Binding("o", "cycle_sort", "Sort", id="library-sort"),
        Binding("O", "reverse_sort", "Reverse", id="library-reverse", show=False),
        Binding("a", "toggle_queue", "My queue / all", id="library-queue"),
        Binding("E", "entities", "Entities", id="library-entities"),
        Binding("q", "app.quit", "Quit", id="library-quit"),
    ]

    library_query: reactive[LibraryQuery] = reactive(
        LibraryQuery(limit=MIN_PAGE), init=False, repaint=False
    )
    """What the table shows: search text, state filter, sort and page size (``limit``);
    the rows of later pages are appended to the table (:meth:`load_more`). Not a
    repaint of the screen (every widget on it, each keystroke): the rows repaint."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[ArticleRow] = []
        self._total: int | None = 0
        """How many articles match (None: not counted yet)."""
        self._capped = False
        """The count stopped at COUNT_CAP: at least ``_total`` match."""
        self._progress: tuple[int, int] | None = None
        self._team: list[assignment.Progress] = []
        self._done = (0, 0)
        """(done, articles) shown: of the corpus, or of my queue."""
        self._first_load = True
        self._reader: Screen[None] | None = None
        """The reader opened from here: its article gets the cursor when it closes."""
        self._more = False
        """Whether the last page fetched was full (so more rows may follow)."""
        self._bar = BarTexts()
        self._fetching_more = False

    def compose(self) -> ComposeResult:
        # The first page is read while the widgets are built and laid out (its
        # rows wait in the message queue until the screen is mounted).
        self.set_reactive(
            LibraryScreen.library_query, replace(self.library_query, limit=self.page_size())
        )
        self.load()
        yield Header()
        with Horizontal(id="library-bar"):
            yield SearchInput(
                placeholder="search titles and text  (/)", id="library-search", hold=ECHO_HOLD
            )
            yield Static(id="library-progress")
        yield Static(id="library-team")
        yield LibraryTable(id="library-table")
        yield Static(EMPTY_HELP, id="library-empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(LibraryTable)
        table.focus()
        self.watch(table, "scroll_y", self._scrolled, init=False)
        self.watch(table, "cursor", self._cursor_moved, init=False)

    def page_size(self) -> int:
        """Rows fetched at once: about twice what the screen shows (never under ``MIN_PAGE``)."""
        return max(MIN_PAGE, 2 * self.app.size.height)

    def on_screen_resume(self) -> None:
        if self._first_load:
            return
        came_from = getattr(self._reader, "article_id", None)
        self._reader = None
        self.load(keep_cursor=True, come_back_to=came_from)

    @on(ExternalChange)
    def _external_change(self) -> None:
        """Others' progress changed the counts: read them again (under a reader: on return)."""
        if self.is_current and not self._first_load:
            self.load(keep_cursor=True)

    # -- loading ----------------------------------------------------------------

    def watch_library_query(self) -> None:
        # Search, filter and sort do not change how many articles are done.
        self.load(progress=False)

    @work(thread=True, exclusive=True, group="library-load")
    def load(
        self, keep_cursor: bool = False, progress: bool = True, come_back_to: int | None = None
    ) -> None:
        """Post the rows of ``library_query``, then (if the page is full) count them.

        The total needs a pass over every match (the whole corpus while
        searching), so it is counted only once the rows are painted, and not at
        all when a newer load (the next keystroke) has replaced this one.
        """
        app = services(self)
        worker = get_current_worker()
        query = self.library_query
        if keep_cursor:  # as many rows as were loaded, so the cursor's row is among them
            query = replace(query, limit=max(query.limit, len(self._rows)))
        try:
            if progress or self._progress is None:
                self._progress = queries.progress(app.database, app.annotator)
                self._team = assignment.progress(app.database)
            mine = next((p for p in self._team if p.annotator == app.annotator), None)
            if self._first_load and mine is not None and mine.assigned:
                query = replace(query, assigned=True)  # a queue of my own: start there
                self.app.call_from_thread(self.set_reactive, LibraryScreen.library_query, query)
            rows = queries.list_articles(app.database, app.annotator, query)
            more = len(rows) >= query.limit
            done, everything = self._progress
            if query.assigned and mine is not None:
                done, everything = mine.done, mine.assigned
            start_at = (
                queries.first_not_done(app.database, app.annotator) if self._first_load else None
            )
        except StorageError as exc:
            self.app.call_from_thread(self._error, exc)
            return
        if worker.is_cancelled:
            return
        start_at = come_back_to if come_back_to is not None else start_at
        loaded = PageLoaded(query, Page(rows, more, done, everything, start_at, keep_cursor))
        self.post_message(loaded)
        if not more:
            return
        try:  # the count waits for the rows' paint
            counted = count_when_painted(
                loaded,
                app.database,
                app.annotator,
                lambda: worker.is_cancelled or not self.is_attached,
            )
        except StorageError as exc:
            self.app.call_from_thread(self._error, exc)
            return
        if counted is not None and not worker.is_cancelled:
            self.post_message(counted)

    def _error(self, exc: StorageError) -> None:
        self.notify(visible(str(exc)), severity="error", markup=False)

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        """A load's rows: shown (the worker counts them once they are painted), unless
        the search changed since (typed on: the next load's rows follow)."""
        message.stop()
        if message.query.search == self.library_query.search or message.page.keep_cursor:
            self._show(message.page)
            self.query_one(LibraryTable).after_paint(message.painted.set)
            search = self.query_one("#library-search", SearchInput)
            if search.value == message.query.search:  # the rows of what the field shows
                search.release()
        else:
            message.painted.set()

    def _show(self, page: Page) -> None:
        rows = page.rows
        table = self.query_one(LibraryTable)
        current = self._current_id() if page.keep_cursor else None
        if page.start_at is not None and any(row.id == page.start_at for row in rows):
            current = page.start_at  # the article the reader came back from
        self._rows = rows
        self._more = False  # set below, once the cursor is placed (its move fetches more)
        self._total, self._capped = (None if page.more else len(rows)), False
        table.set_rows(rows)
        empty = page.everything == 0 and not self.library_query.assigned
        self.query_one("#library-empty").display = empty
        table.display = not empty
        self._done = (page.done, page.everything)
        self._show_progress()
        target = current if current is not None else page.start_at
        index = next((i for i, row in enumerate(rows) if row.id == target), None)
        if index is None:  # a new search, sort or filter starts at the top
            index = 0
            table.scroll_home(animate=False, immediate=True)
        table.cursor = index if rows else -1
        self._more, self._fetching_more = page.more, False
        self._first_load = False

    def _scrolled(self) -> None:
        """Scrolled (wheel, page down, cursor): the next page when the end comes into view."""
        table = self.query_one(LibraryTable)
        if round(table.scroll_y) + table.size.height >= len(self._rows) - MORE_MARGIN:
            self._fetch_more()

    def _fetch_more(self) -> None:
        if self._more and not self._fetching_more:
            self._fetching_more = True
            self.load_more(self.library_query, len(self._rows))

    @work(thread=True, exclusive=True, group="library-more")
    def load_more(self, query: LibraryQuery, offset: int) -> None:
        """The page of ``query`` after the ``offset`` rows shown, appended by :meth:`_append`."""
        app = services(self)
        try:
            rows = queries.list_articles(
                app.database, app.annotator, replace(query, offset=offset, limit=query.limit)
            )
        except StorageError as exc:
            self.app.call_from_thread(self._error, exc)
            return
        if not get_current_worker().is_cancelled:
            self.post_message(MoreLoaded(query, offset, rows))

    @on(MoreLoaded)
    def _append(self, message: MoreLoaded) -> None:
        """Add a fetched page below the rows, unless the table changed since it was asked for."""
        message.stop()
        query, offset, rows = message.query, message.offset, message.rows
        if query is not self.library_query or offset != len(self._rows):
            return
        self._fetching_more = False
        known = {row.id for row in self._rows}
        rows = [row for row in rows if row.id not in known]  # a row moved up by a write
        self._more = len(rows) >= query.limit
        self._rows = [*self._rows, *rows]
        self.query_one(LibraryTable).set_rows(self._rows)
        if not self._more:  # the last page: the rows are all there are
            self._total, self._capped = len(self._rows), False
        try:
            self._show_progress()
        except NoMatches:  # the page arrived as the app was closing the screen
            return

    @on(TotalCounted)
    def _show_total(self, message: TotalCounted) -> None:
        """The count of matches arrived after the rows (see ``load``), unless outdated."""
        message.stop()
        if not same_matches(message.query, self.library_query):
            return
        if message.capped and self._total is not None and not self._capped:
            return  # every row is loaded by now: their number is exact
        self._total, self._capped = message.total, message.capped
        try:
            self._show_progress()
        except NoMatches:  # the count arrived as the app was closing the screen
            return

    def _show_progress(self) -> None:
        done, everything = self._done
        shown = Shown(len(self._rows), self._total, self._capped)
        line = progress_line(done, everything, shown, self.library_query)
        self._bar.update(self.query_one("#library-progress", Static), line)
        team = self.query_one("#library-team", Static)
        team.display = bool(self._team)
        self._bar.update(team, team_line(self._team))

    def _current_id(self) -> int | None:
        row = self.query_one(LibraryTable).highlighted_row
        return row.id if row is not None else None

    # -- events -------------------------------------------------------------------

    @on(Input.Changed, "#library-search")
    def search_changed(self, event: Input.Changed) -> None:
        self.library_query = replace(self.library_query, search=event.value)

    @on(Input.Submitted, "#library-search")
    def search_submitted(self) -> None:
        self.query_one(LibraryTable).focus()

    @on(LibraryTable.RowSelected)
    def row_selected(self, event: LibraryTable.RowSelected) -> None:
        self._open(event.row.id)

    def _cursor_moved(self, cursor: int) -> None:
        if cursor >= len(self._rows) - MORE_MARGIN:
            self._fetch_more()

    @on(LibraryTable.HeaderSelected)
    def header_selected(self, event: LibraryTable.HeaderSelected) -> None:
        key = event.column_key
        if key in SORTS:
            same = self.library_query.sort == key
            self.library_query = replace(
                self.library_query,
                sort=key,
                descending=not self.library_query.descending if same else False,
            )

    # -- actions ------------------------------------------------------------------

    def _open(self, article_id: int) -> None:
        redline_app(self).open_reader(article_id, [row.id for row in self._rows])
        self._reader = self.app.screen if self.app.screen is not self else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``enter`` in the search field submits the search; elsewhere it opens."""
        if action == "open" and isinstance(self.focused, Input):
            return False
        return True

    def action_toggle_queue(self) -> None:
        """Between "my queue" (assigned articles) and all articles."""
        if not self._team and not self.library_query.assigned:
            self.notify("No articles are assigned: redline assign gives each annotator a queue")
            return
        self.library_query = replace(self.library_query, assigned=not self.library_query.assigned)

    def action_open(self) -> None:
        current = self._current_id()
        if current is not None:
            self._open(current)

    def action_search(self) -> None:
        self.query_one("#library-search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#library-search", Input)
        search.value = ""
        self.query_one(LibraryTable).focus()

    def action_cycle_filter(self) -> None:
        state = STATES[(STATES.index(self.library_query.state) + 1) % len(STATES)]
        self.library_query = replace(self.library_query, state=state)

    def action_cycle_sort(self) -> None:
        sort = SORTS[(SORTS.index(self.library_query.sort) + 1) % len(SORTS)]
        self.library_query = replace(self.library_query, sort=sort, descending=False)

    def action_reverse_sort(self) -> None:
        self.library_query = replace(
            self.library_query, descending=not self.library_query.descending
        )

    def action_entities(self) -> None:
        from tui.screens.entities import EntitiesScreen

        self.app.push_screen(EntitiesScreen())
