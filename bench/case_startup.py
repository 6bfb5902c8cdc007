"""Case 1, start-up: app construction → first painted library screen with rows.

redline opens on a generated library (10,000 articles, ~20 spans each; the
library holds its first page, twice the terminal's 40 lines: 80 rows) and is
timed from ``RedlineApp(...)`` to the first paint in which the library's table
has rows (rows arrive from a worker thread). The baseline is a bare Textual
app with one ``DataTable`` filled with the same rows in ``on_mount`` (it was
500 rows when the library held 500, in a ``DataTable``), timed the same way.
Both run headless at 120×40 in a warm process (one untimed warm-up run each),
their runs interleaved (redline, baseline, redline, …) so both see the same load.
"""

from __future__ import annotations

from rich.console import Console

from bench import db
from bench.apps import SIZE, BareTable, open_database, redline_app, rows_painted, table_cells
from bench.common import MIN_RUNS, Row, median, repeat_async
from bench.probe import Probe, now
from storage import queries
from storage.queries import LibraryQuery

NAME = "startup"
TARGET_RATIO = 1.5
PAGE = 2 * SIZE[1]
"""Rows the library holds at first paint: ``LibraryScreen.page_size`` at the bench's size."""


async def _time_to_rows(make_app) -> float:  # type: ignore[no-untyped-def]
    probe = Probe()
    probe.reset()
    probe.on_paint = lambda screen, at: rows_painted(screen) and probe.finish("rows", at)
    with probe:
        started = now()
        app = make_app()
        async with app.run_test(size=SIZE):
            await probe.wait()
    return probe.marks["rows"] - started


def run(console: Console, quick: bool) -> list[Row]:
    articles = 1_000 if quick else 10_000
    database = open_database(db.corpus_db(articles))
    shown = queries.list_articles(database, db.ANNOTATOR, LibraryQuery(limit=PAGE))
    cells = [table_cells(row) for row in shown]

    ours: list[float] = []
    bare: list[float] = []
    for _ in range(MIN_RUNS):  # interleaved, each with its own warm-up run the first time
        ours += repeat_async(lambda: _time_to_rows(lambda: redline_app(database)), 1, not ours)
        bare += repeat_async(lambda: _time_to_rows(lambda: BareTable(cells)), 1, not bare)
    database.dispose()
    return [
        Row(
            "startup",
            f"first library paint ({articles:,} articles, {len(cells)} rows shown)",
            median(ours),
            median(bare),
            "s",
            target_ratio=TARGET_RATIO,
            runs=len(ours),
        )
    ]
