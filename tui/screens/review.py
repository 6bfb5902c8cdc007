"""Review and adjudication of one article: every annotator side by side, and a gold version.

``redline review ARTICLE_ID`` opens it, so does "review article N" in the
command palette. Each annotator's column shows the article with their spans
drawn by agreement (green: everyone agrees; red: a conflict; yellow: only some
annotators have something there); the last column is gold. The table below
lists the conflicts — span clusters and topics — with each annotator's
version. Keys: ``1``–``9`` take that annotator's version of the highlighted
conflict, ``a`` then a digit takes all of one annotator, ``u``/``U`` undo and
redo gold's last take, ``r`` marks the article reviewed (gold's state
``done``). Opening seeds gold with what everyone agrees on.

Every write goes through :meth:`RedlineApp.save` with a
:class:`~storage.repository.Repository` of the gold annotator, so gold has its
own undo history. Text is data: shown through :func:`~tui.literal.visible`.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from storage.errors import StorageError
from storage.repository import Repository
from storage.team import adjudication
from storage.team.adjudication import Cluster, Comparison, SpanCopy, TopicChoice
from tui.commands_palette import highlighted
from tui.literal import literal, visible, visible_line
from tui.messages import ExternalChange

if TYPE_CHECKING:
    from storage.db import Database
    from storage.schema import Config
    from tui.app import RedlineApp

STATUS_STYLE = {
    "agreed": "black on green",
    "conflict": "white on red",
    "only-one": "black on yellow",
}
GOLD_STYLE = "black on cyan"
CURRENT = " bold underline"
Conflict = Cluster | TopicChoice


def describe_spans(text: str, spans: Sequence[SpanCopy]) -> str:
    """Spans as ``PERSON 'Macron'``; figures with value and unit; ``—`` for none."""
    parts = []
    for span in spans:
        part = f"{span.label} {text[span.start : span.end]!r}"
        if span.figure is not None:
            value, unit = span.figure.get("value"), span.figure.get("unit")
            part += f" = {value if value is not None else '?'}{f' {unit}' if unit else ''}"
        parts.append(part)
    return "; ".join(parts) or "—"


class ReviewScreen(Screen[None]):
    """Compare the annotators of one article and write the gold version."""

    DEFAULT_CSS = """
    ReviewScreen #review-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    ReviewScreen #review-columns { height: 1fr; }
    ReviewScreen .review-column { width: 1fr; border-right: vkey $panel-lighten-2; padding: 0 1; }
    ReviewScreen .review-name { text-style: bold; height: 1; }
    ReviewScreen #review-conflicts { height: 12; }
    """

    BINDINGS = [
        *(
            Binding(str(n), f"take({n})", f"Take {n}", id=f"review-take-{n}", show=n <= 2)
            for n in range(1, 10)
        ),
        Binding("a", "take_all", "Take all of…", id="review-take-all"),
        Binding("u", "undo", "Undo", id="review-undo"),
        Binding("U", "redo", "Redo", id="review-redo", show=False),
        Binding("r", "reviewed", "Mark reviewed", id="review-done"),
        Binding("q,escape", "back", "Back", id="review-back"),
    ]

    def __init__(self, article_id: int, gold: str | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        self.gold_name = gold or adjudication.GOLD
        self.comparison: Comparison | None = None
        self.conflicts: list[Conflict] = []
        self.decided: set[tuple[Any, ...]] = set()
        """Conflicts settled by taking a version with nothing in it (gold cannot show those)."""
        self.taking_all = False
        self._gold: Repository | None = None

    @property
    def redline(self) -> RedlineApp:
        return cast("RedlineApp", self.app)

    @property
    def gold(self) -> Repository:
        if self._gold is None:
            self._gold = Repository(self.redline.database, self.gold_name, lazy=True)
            self.redline.live.ignore(self._gold.session_id)  # its writes reload this screen
        return self._gold

    def compose(self) -> ComposeResult:
        yield Static(id="review-title")
        yield Horizontal(id="review-columns")
        yield DataTable(id="review-conflicts", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        try:
            comparison = adjudication.compare(
                self.redline.database, self.article_id, gold=self.gold_name
            )
        except StorageError as exc:
            self.redline.refuse(str(exc))
            self.dismiss()
            return
        if not comparison.gold_started:
            self._save(partial(adjudication.seed_agreed, self.gold, comparison), "take agreed")
        self.show(comparison)

    def on_unmount(self) -> None:
        if self._gold is not None:
            gold, self._gold = self._gold, None
            self.redline.save(gold.end_session, "end review session")

    # -- state --------------------------------------------------------------------

    @on(ExternalChange)
    def _external_change(self, event: ExternalChange) -> None:
        """An annotator changed this article elsewhere. While a take waits to be stored,
        its own reload (after the commit) shows the change as well."""
        touched = self.article_id in event.article_ids or None in event.article_ids
        if touched and not self.redline.writes_pending:
            self.reload()

    def reload(self, _result: object = None) -> None:
        if not self.is_attached:
            return
        try:
            comparison = adjudication.compare(
                self.redline.database, self.article_id, gold=self.gold_name
            )
        except StorageError as exc:
            self.redline.refuse(str(exc))
            return
        self.show(comparison)

    @staticmethod
    def identity(conflict: Conflict) -> tuple[Any, ...]:
        if isinstance(conflict, TopicChoice):
            return ("topic", conflict.key)
        return ("span", conflict.start, conflict.end)

    def resolved(self, conflict: Conflict) -> bool:
        if isinstance(conflict, TopicChoice):
            return conflict.in_gold or self.identity(conflict) in self.decided
        if not conflict.taken_from():
            return False
        return bool(conflict.gold) or self.identity(conflict) in self.decided

    @property
    def unresolved(self) -> int:
        return sum(1 for conflict in self.conflicts if not self.resolved(conflict))

    def current(self) -> Conflict | None:
        table = self.query_one(DataTable)
        if not self.conflicts or table.cursor_row is None:
            return None
        return self.conflicts[min(table.cursor_row, len(self.conflicts) - 1)]

    # -- drawing ------------------------------------------------------------------

    def show(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.conflicts = [*comparison.conflicts, *comparison.topic_conflicts]
        state = "reviewed" if comparison.reviewed else f"{self.unresolved} conflicts left"
        title = (
            f"Review · article {comparison.article_id}: {comparison.title} · "
            f"{', '.join(comparison.annotators)} → {comparison.gold_name} · {state}"
        )
        self.query_one("#review-title", Static).update(literal(visible_line(title)))
        self._draw_table()
        self._draw_columns()

    def _draw_table(self) -> None:
        comparison = self.comparison
        assert comparison is not None
        table = self.query_one(DataTable)
        row = table.cursor_row or 0
        table.clear(columns=True)
        table.add_column("", key="resolved", width=2)
        table.add_column("Where", key="where", width=26)
        for number, name in enumerate(comparison.annotators, 1):
            table.add_column(Text(visible_line(f"{number} {name}")), key=f"a{number}")
        table.add_column(Text(visible_line(comparison.gold_name)), key="gold")
        for conflict in self.conflicts:
            mark = Text("✓", "green") if self.resolved(conflict) else Text("•", "red")
            if isinstance(conflict, TopicChoice):
                where = f"topic {conflict.key}"
                cells = ["✓" if name in conflict.chosen_by else "✗" for name in conflict.annotators]
                gold = "✓" if conflict.in_gold else "✗"
            else:
                excerpt = comparison.text[conflict.start : conflict.end]
                where = f"{conflict.start}–{conflict.end} {excerpt}"
                text = comparison.text
                cells = [describe_spans(text, conflict.versions[n]) for n in comparison.annotators]
                gold = describe_spans(text, conflict.gold)
            table.add_row(
                mark,
                Text(visible_line(where)[:26]),
                *(Text(visible_line(cell)) for cell in cells),
                Text(visible_line(gold)),
            )
        if self.conflicts:
            table.move_cursor(row=min(row, len(self.conflicts) - 1))

    def _draw_columns(self) -> None:
        """One column per annotator and one for gold: mounted once, then updated in place
        (so they keep their layout and can scroll to the highlighted conflict)."""
        comparison = self.comparison
        assert comparison is not None
        current = self.current()
        names = [*comparison.annotators, comparison.gold_name]
        columns = self.query_one("#review-columns", Horizontal)
        bodies = list(columns.query(".review-text").results(Static))
        fresh = len(bodies) != len(names)
        if fresh:
            columns.remove_children()
        for number, name in enumerate(names, 1):
            body = Text(visible(comparison.text))
            is_gold = name == comparison.gold_name
            for cluster in comparison.clusters:
                spans = cluster.gold if is_gold else cluster.versions.get(name, [])
                style = GOLD_STYLE if is_gold else STATUS_STYLE[cluster.status]
                if cluster is current:
                    style += CURRENT
                for span in spans:
                    body.stylize(style, span.start, span.end)
            if not fresh:
                bodies[number - 1].update(body)
                continue
            heading = name if is_gold else f"{number} {name}"
            columns.mount(
                VerticalScroll(
                    Static(Text(visible_line(heading)), classes="review-name"),
                    Static(body, classes="review-text"),
                    classes="review-column",
                )
            )
        self.call_after_refresh(self._scroll_to_current)

    def _scroll_to_current(self) -> None:
        """Scroll every column so the highlighted conflict shows, a few lines from the top."""
        current, comparison = self.current(), self.comparison
        if not isinstance(current, Cluster) or comparison is None:
            return
        text = visible(comparison.text)
        for column in self.query(".review-column").results(VerticalScroll):
            width = column.scrollable_content_region.width
            if width <= 0:
                continue
            line_number, position = 0, 0
            for index, line in enumerate(Text(text).wrap(self.app.console, width)):
                found = text.find(line.plain, position) if line.plain else position
                found = position if found < 0 else found
                if found > current.start:
                    break
                line_number, position = index, found + len(line.plain)
            column.scroll_to(y=max(0, line_number + 1 - 3), animate=False)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        if self.comparison is not None:
            self._draw_columns()

    # -- actions ------------------------------------------------------------------

    def _save(self, write: Callable[[], object], description: str) -> None:
        self.redline.save(write, description, self.reload, article_id=self.article_id)

    def action_take(self, number: int) -> None:
        comparison = self.comparison
        if comparison is None:
            return
        if number > len(comparison.annotators):
            self.redline.refuse(f"there is no annotator {number}")
            return
        name = comparison.annotators[number - 1]
        if self.taking_all:
            self.taking_all = False
            for conflict in self.conflicts:
                self.decided.add(self.identity(conflict))
            self._save(
                partial(adjudication.take_all, self.gold, comparison, name), f"take all of {name}"
            )
            return
        conflict = self.current()
        if conflict is None:
            self.redline.refuse("no conflict to resolve")
            return
        self.decided.add(self.identity(conflict))
        if isinstance(conflict, TopicChoice):
            write = partial(adjudication.take_topic, self.gold, comparison, conflict, name)
        else:
            write = partial(adjudication.take, self.gold, comparison, conflict, name)
        self._save(write, f"take {name}'s version")

    def action_take_all(self) -> None:
        self.taking_all = True
        self.notify("Take all of which annotator? Press its number.", timeout=4)

    def action_undo(self) -> None:
        self.decided.clear()  # which takes an undo reverts is unknown here: ask again
        self._save(partial(self.gold.undo, self.article_id), "undo")

    def action_redo(self) -> None:
        self.decided.clear()
        self._save(partial(self.gold.redo, self.article_id), "redo")

    def action_reviewed(self) -> None:
        if self.comparison is None:
            return
        if self.unresolved:
            plural = "s" * (self.unresolved != 1)
            self.redline.refuse(f"{self.unresolved} conflict{plural} left: take a version first")
            return
        self._save(partial(self.gold.set_state, self.article_id, "done"), "mark reviewed")

    def action_back(self) -> None:
        self.dismiss()


class ReviewCommands(Provider):
    """ "review article N: title" for every article at least two annotators finished."""

    async def _commands(self) -> list[tuple[str, Callable[[], None]]]:
        app = cast("RedlineApp", self.app)
        rows = await asyncio.to_thread(adjudication.reviewable_articles, app.database)
        return [
            (
                f"review article {article_id}: {visible_line(title)}",
                partial(open_review, app, article_id),
            )
            for article_id, title in rows
        ]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback in await self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, highlighted(matcher, text), callback, text=text)

    async def discover(self) -> Hits:
        for text, callback in await self._commands():
            yield DiscoveryHit(literal(text), callback, text=text)


def open_review(app: App[Any], article_id: int, gold: str | None = None) -> None:
    app.push_screen(ReviewScreen(article_id, gold))


def review_app(
    database: Database, annotator: str, config: Config, article_id: int, gold: str | None = None
) -> RedlineApp:
    """The redline app opened on the review of ``article_id`` (``redline review``)."""
    from tui.app import RedlineApp

    class ReviewApp(RedlineApp):
        CSS_PATH = str(Path(inspect.getfile(RedlineApp)).parent / str(RedlineApp.CSS_PATH))

        def on_mount(self) -> None:
            # RedlineApp.on_mount runs too (Textual calls every class's handler): the
            # review goes on top of the library it pushes.
            self.call_later(open_review, self, article_id, gold)

    return ReviewApp(database=database, annotator=annotator, config=config)
