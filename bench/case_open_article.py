"""Case 2, open a big article: a 1 MB article with 5,000 spans, open → first paint in the reader.

redline: the app is running on the library; the clock starts at
``app.open_reader(id)`` (what ``enter`` on a row calls) and stops at the first
paint of the reader screen (the article is read from the database, wrapped,
its spans indexed and the panels filled before that). "Settled" is the last
paint before the app goes idle. The baseline pushes a screen holding Textual's
``TextArea(read_only=True)`` with the same text and no highlights, timed the
same way. Each side: one untimed warm-up, then ``MIN_RUNS`` opens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.app import App
from textual.screen import Screen
from textual.widgets import TextArea

from bench import data, db
from bench.apps import SIZE, BareScreens, TextScreen, open_database, redline_app, rows_painted
from bench.common import MIN_RUNS, Row, median
from bench.probe import Probe, now
from tui.screens.reader import ReaderScreen
from tui.widgets.reading_pane import ReadingPane

NAME = "open"
TARGET_RATIO = 1.0


def reader_painted(screen: Screen[Any]) -> bool:
    return isinstance(screen, ReaderScreen) and bool(screen.query_one(ReadingPane).text)


def text_area_painted(screen: Screen[Any]) -> bool:
    return isinstance(screen, TextScreen) and bool(screen.query_one(TextArea).text)


async def time_opens(
    app: App[Any],
    open_screen: Callable[[], None],
    painted: Callable[[Screen[Any]], bool],
    runs: int,
    ready: Callable[[Screen[Any]], bool] | None = None,
) -> tuple[list[float], list[float]]:
    """(first paint, settled) seconds for ``runs`` opens, after one warm-up open."""
    probe = Probe()
    firsts: list[float] = []
    settled: list[float] = []
    with probe:
        async with app.run_test(size=SIZE) as pilot:
            if ready is not None:
                probe.reset()
                probe.on_paint = lambda screen, at: ready(screen) and probe.finish("ready", at)
                await probe.wait()
            await pilot.pause()
            for index in range(runs + 1):
                probe.reset()
                probe.on_paint = lambda screen, at: painted(screen) and probe.finish("open", at)
                started = now()
                open_screen()
                await probe.wait()
                await pilot.pause()
                if index:
                    firsts.append(probe.marks["open"] - started)
                    settled.append(max(probe.paints) - started)
                app.pop_screen()
                await pilot.pause()
    return firsts, settled


def run(console: Console, quick: bool) -> list[Row]:
    database = open_database(db.big_article_db())
    text = data.big_article().text
    app = redline_app(database)
    ours, ours_settled = asyncio.run(
        time_opens(app, lambda: app.open_reader(1, [1]), reader_painted, MIN_RUNS, rows_painted)
    )
    bare = BareScreens()
    base, base_settled = asyncio.run(
        time_opens(bare, lambda: bare.push_screen(TextScreen(text)), text_area_painted, MIN_RUNS)
    )
    database.dispose()
    spans = len(data.big_article().spans)
    return [
        Row(
            "open article",
            f"first paint, {len(text) / 1e6:.1f} MB, {spans:,} spans",
            median(ours),
            median(base),
            "s",
            target_ratio=TARGET_RATIO,
            runs=len(ours),
        ),
        Row(
            "open article",
            "settled (last paint before idle)",
            median(ours_settled),
            median(base_settled),
            "s",
            runs=len(ours_settled),
            note="info",
        ),
    ]
