"""What the library's workers read and post back, and the lines of text that show it.

The library (:mod:`tui.screens.library`) reads in thread workers and gets its
data as messages: :class:`PageLoaded` (the rows, then the screen paints them),
:class:`TotalCounted` (how many match, counted only after that paint) and
:class:`MoreLoaded` (the next page, on scroll). Each carries the
:class:`~storage.queries.LibraryQuery` it answers, so a screen whose query
changed since (the next keystroke) drops it.

A search's total is counted after the rows are painted, and at most up to
:data:`COUNT_CAP` matches: a count reads every match (PostgreSQL: every matching
row, a second at 100,000 articles for a common prefix), while the page it
follows stops after a page. A capped total reads "≥ 10,000".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from rich.cells import cell_len
from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from storage import queries
from storage.db import Database
from storage.queries import ArticleRow, LibraryQuery
from storage.team import assignment
from tui.literal import visible_line
from tui.states import state_name

COUNT_CAP = 10_000
"""A search counts its matches up to this many (then: "≥ 10,000")."""
COUNT_QUIET = 0.1
"""Seconds after its rows' paint a count waits for the next key (which cancels it):
typing on is not slowed by counts of prefixes it has already left."""
EMPTY_HELP = """\
[b]No articles yet.[/b]

Import some, then start redline again:

  redline import sample_articles/        [dim]# a directory, recursively[/dim]
  redline import 'news/**/*.html'        [dim]# a glob: .txt .md .html .jsonl[/dim]
  redline import corpus.jsonl            [dim]# one article per line[/dim]

or run [b]make run[/b] in a checkout to load the sample articles.
"""


def same_matches(one: LibraryQuery, other: LibraryQuery) -> bool:
    """Whether two queries find the same articles (in any order, any page): a count
    of one is the count of the other."""

    def key(query: LibraryQuery) -> LibraryQuery:
        return replace(query, sort="id", descending=False, offset=0, limit=0)

    return key(one) == key(other)


@dataclass(frozen=True)
class Page:
    """One page of rows as a load worker found it."""

    rows: list[ArticleRow]
    more: bool
    """Whether the page was full (so more rows may follow, and the total is not known)."""
    done: int
    everything: int
    """(done, articles) of the corpus, or of my queue."""
    start_at: int | None
    """The article to put the cursor on (first not done at start, the reader's on return)."""
    keep_cursor: bool


class PageLoaded(Message):
    """A load worker's rows for ``query``; ``painted`` is set once they are on screen."""

    def __init__(self, query: LibraryQuery, page: Page) -> None:
        super().__init__()
        self.query = query
        self.page = page
        self.painted = threading.Event()


class TotalCounted(Message):
    """How many articles match ``query`` (``capped``: at least ``total``)."""

    def __init__(self, query: LibraryQuery, total: int, capped: bool) -> None:
        super().__init__()
        self.query = query
        self.total = total
        self.capped = capped


class MoreLoaded(Message):
    """The page of ``query`` after its first ``offset`` rows."""

    def __init__(self, query: LibraryQuery, offset: int, rows: list[ArticleRow]) -> None:
        super().__init__()
        self.query = query
        self.offset = offset
        self.rows = rows


def count_when_painted(
    loaded: PageLoaded, database: Database, annotator: str, cancelled: Callable[[], bool]
) -> TotalCounted | None:
    """In a load worker: how many articles match ``loaded``'s query, counted once its rows
    are painted and :data:`COUNT_QUIET` has passed (a search: up to :data:`COUNT_CAP`);
    None when ``cancelled()`` first. Raises :class:`~storage.errors.StorageError`."""
    while not loaded.painted.wait(0.05):
        if cancelled():
            return None
    quiet = time.monotonic() + COUNT_QUIET
    while not cancelled():
        if time.monotonic() >= quiet:
            break
        time.sleep(0.02)
    if cancelled():
        return None
    query = loaded.query
    cap = COUNT_CAP if query.search.strip() else None
    total = queries.count_articles(
        database, annotator, query.search, query.state, query.assigned, at_most=cap
    )
    return TotalCounted(query, total, cap is not None and total >= cap)


class BarTexts:
    """What each Static of the library's bar shows.

    A Static is updated only when its content changes, and the screen laid out
    again only when its width changes: the progress line is sized to its text,
    and a layout repaints every widget (it was most of a search keystroke's paint).
    """

    def __init__(self) -> None:
        self._shown: dict[str, str | Text] = {}

    def update(self, static: Static, content: str | Text) -> None:
        key = static.id or str(id(static))
        before = self._shown.get(key)
        if before != content:
            self._shown[key] = content
            resized = before is None or cell_len(str(before)) != cell_len(str(content))
            static.update(content, layout=resized)


@dataclass(frozen=True)
class Shown:
    """What the progress line says about the rows: how many are loaded, of how many."""

    rows: int
    total: int | None
    """None: not counted yet."""
    capped: bool = False
    """The count stopped at :data:`COUNT_CAP`: there are at least ``total``."""


TOTAL_WIDTH = 9
"""Cells of the total in "showing 80 of …": padded, so while typing the line keeps its
width (its updates then need no layout of the screen, only its own repaint)."""


def progress_line(done: int, everything: int, shown: Shown, query: LibraryQuery) -> str:
    """The line beside the search field: done of all (or of my queue), filter, sort, rows."""
    if shown.total is None:
        rows = f" · showing {shown.rows} of {'…':<{TOTAL_WIDTH}}"
    elif shown.capped:
        rows = f" · showing {shown.rows} of {f'≥ {shown.total:,}':<{TOTAL_WIDTH}}"
    elif shown.total > shown.rows:
        rows = f" · showing {shown.rows} of {f'{shown.total:,}':<{TOTAL_WIDTH}}"
    else:
        rows = ""
    state = f" · {state_name(query.state)}" if query.state else ""
    scope = "my queue: " if query.assigned else ""
    return f"{scope}{done} of {everything} done{state} · sort: {query.sort}{rows}"


def team_line(team: list[assignment.Progress]) -> Text:
    """Everyone's progress through their queue (names are data: shown literally)."""
    return Text(
        "queues: "
        + " · ".join(
            visible_line(f"{p.annotator} {p.done}/{p.assigned} done")
            + (f" ({p.in_progress} in progress)" if p.in_progress else "")
            for p in team
        ),
        style="dim",
    )
