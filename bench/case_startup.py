"""Case 1, start-up: app construction → first painted library screen with rows.

redline opens on a generated library (10,000 articles, ~20 spans each; the
screen shows its first page of 500) and is timed from ``RedlineApp(...)`` to
the first paint in which the library's ``DataTable`` has rows (rows arrive from
a worker thread). The baseline is a bare Textual app with one ``DataTable``
filled with the same 500 rows in ``on_mount``, timed the same way. Both run
headless at 120×40 in a warm process (one untimed warm-up run each).
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
    shown = queries.list_articles(database, db.ANNOTATOR, LibraryQuery(limit=500))
    cells = [table_cells(row) for row in shown]

    ours = repeat_async(lambda: _time_to_rows(lambda: redline_app(database)), MIN_RUNS)
    bare = repeat_async(lambda: _time_to_rows(lambda: BareTable(cells)), MIN_RUNS)
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
