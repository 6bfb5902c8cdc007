"""Case 5, scale: a library of 100,000 articles and 2 million spans, on SQLite and PostgreSQL,
and search over 1,000,000 articles.

Measured in a child process (``python -m bench.case_scale --child DB``) so its
peak RSS is the app's alone:

- **first paint**: ``RedlineApp(...)`` → first paint of the library with rows
  (as in the start-up case); the first run in the process is reported as
  "cold", then the median of ``MIN_RUNS`` more;
- **peak RSS**: the process's peak resident memory right after the cold
  first paint (and again at the end, in the note): ``VmHWM`` on Linux, since
  ``ru_maxrss`` there starts at the parent's peak (see ``bench.scale_app.rss_mb``);
- **search as you type**: with the search field focused, each typed
  character is timed from its key event to the first paint after the
  library table has been refilled with the new result (the in-app probe,
  ``bench/probe.py``); the worker's ``list_articles`` call (the query) and
  ``LibraryScreen._show`` (the table refill) are timed inside it. Two words
  are typed (each ``TYPINGS`` times): a common one and a rare reference code
  (one hit). The target is
  the 95th percentile; the baseline, in the same process, is a bare Textual
  app whose ``Input`` echoes each key into a ``Static`` (what a keystroke
  costs Textual itself on this machine, right now).

Search is also timed without the app, per keystroke (each prefix of the typed
words): the library's page query, then its count as the library makes it (up
to ``tui.screens.library_data.COUNT_CAP`` matches, after the rows are
painted). The baseline is the search before the full-text index, a ``LIKE``
scan of titles and texts, run on the same database in the same run, so the
ratio is index/scan.

The PostgreSQL library is built in a database created for the case and
dropped after it (``REDLINE_BENCH_PG``: the server's admin URL). The
1,000,000-article library (5 million spans, about 5 GB) is built on first use
and cached in the user's cache directory (``bench.db.huge_folder``): only when
``REDLINE_BENCH_MILLION=1`` asks for the build, or when it is already there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from typing import Any

from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from bench import ROOT, db
from bench.common import MIN_RUNS, Row, median, percentile
from bench.data import ref_code
from bench.scale_app import echo_times, rss_mb, search_times
from bench.scale_queries import PAGE, query_times

NAME = "scale"
FIRST_PAINT_S = 1.0
KEYSTROKE_MS = 30.0
"""p95 per keystroke at 100,000 articles: query and table refill (issue 16)."""
HUGE_KEYSTROKE_MS = 100.0
"""p95 per keystroke at 1,000,000 articles (issue 16)."""
RSS_MB = 300.0
COMMON_WORD = "trade"
TYPINGS = 3
"""Times each word is typed: a p95 of 30 keystrokes, not the slowest of 10."""
HUGE = (1_000_000, 5_000_000)
HUGE_RARE = 654_321
"""The article whose reference code is the rare word typed at 1,000,000 articles."""


def child(location: str, runs: int, rare_at: int = 54_321, like: bool = True) -> dict[str, Any]:
    """Everything measured inside the child process, as JSON-ready values (``rare_at``: the
    article whose reference code is the rare word; ``like``: time the LIKE baseline too)."""
    from bench.apps import redline_app
    from bench.case_startup import _time_to_rows
    from storage.db import open_db

    started = time.perf_counter()
    database = open_db(location)
    opened = time.perf_counter() - started
    cold = asyncio.run(_time_to_rows(lambda: redline_app(database)))
    rss_first = rss_mb()
    warm = [asyncio.run(_time_to_rows(lambda: redline_app(database))) for _ in range(runs)]
    rare = ref_code(rare_at)
    typed = [COMMON_WORD, rare] * TYPINGS
    searches = asyncio.run(search_times(database, typed))
    echo = asyncio.run(echo_times(typed))
    return {
        "open": opened,
        "cold": cold,
        "warm": warm,
        "rss_first_mb": rss_first,
        "rss_end_mb": rss_mb(),
        "search": searches,
        "echo": echo,
        "rare": rare,
        "queries": query_times(
            database, [COMMON_WORD, rare], baseline=like, like_every=1 if database.is_sqlite else 3
        ),
    }


def _run_child(location: str, *options: str) -> dict[str, Any]:
    command = ["-m", "bench.case_scale", "--child", location, "--runs", str(MIN_RUNS), *options]
    output = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode != 0:
        raise RuntimeError(f"scale child failed:\n{output.stderr[-4000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def _ms(values: list[float]) -> list[float]:
    return [value * 1000 for value in values]


def _rows(
    backend: str, size: str, result: dict[str, Any], built: float, keystroke: float = KEYSTROKE_MS
) -> list[Row]:
    """The rows of one library (one backend) of the given size (``keystroke``: the target of
    a keystroke's p95 there)."""
    total = _ms([key["total"] for key in result["search"]])
    echo = _ms(result["echo"])
    query = _ms([key["query"] for key in result["search"]])
    refill = _ms([key["refill"] for key in result["search"]])
    page, count, like = (_ms(result["queries"][name]) for name in ("page", "count", "like"))
    typed = f"typed '{COMMON_WORD}' then '{result['rare']}', {TYPINGS} times"
    return [
        Row(
            "scale",
            f"{backend}: library first paint ({size})",
            median(result["warm"]),
            None,
            "s",
            target_value=FIRST_PAINT_S,
            runs=len(result["warm"]),
            note=f"cold (first in process) {result['cold']:.2f} s; open_db {result['open']:.2f} s"
            + (f"; DB built in {built:.0f} s" if built > 1 else ""),
        ),
        Row(
            "scale",
            f"{backend}: search as you type, p95 key → paint (query + refill) vs Input echo",
            percentile(total, 95),
            percentile(echo, 95),
            "ms",
            target_value=keystroke,
            runs=len(total),
            note=f"median {median(total):.0f} ms; in it p95 query {percentile(query, 95):.0f} ms, "
            f"refill {percentile(refill, 95):.0f} ms ({PAGE} rows); {typed}",
        ),
        Row(
            "scale",
            f"{backend}: search page + count per keystroke, p95"
            + (" (vs LIKE scan)" if like else ""),
            percentile([p + c for p, c in zip(page, count, strict=True)], 95),
            percentile(like, 95) if like else None,
            "ms",
            runs=len(page),
            note=f"page p95 {percentile(page, 95):.0f} ms, "
            f"count p95 {percentile(count, 95):.0f} ms (the count follows the paint)",
        ),
        Row(
            "scale",
            f"{backend}: peak RSS after first paint",
            result["rss_first_mb"],
            None,
            "MB",
            target_value=RSS_MB,
            runs=1,
            note=f"{result['rss_end_mb']:.0f} MB after the searches",
        ),
    ]


def _huge_rows(console: Console) -> list[Row]:
    """Search over the million-article library, when it is cached or its build is asked for."""
    articles, spans = HUGE
    folder = db.huge_folder()
    path = folder / f"v{db.DATA_VERSION}-scale-{articles}-{spans}.db"
    backend = f"sqlite, {articles:,} articles"
    metric = f"{backend}: search as you type, p95 key → paint (query + refill) vs Input echo"
    if not path.exists() and os.environ.get("REDLINE_BENCH_MILLION") != "1":
        note = f"not built: REDLINE_BENCH_MILLION=1 builds it once into {folder} (~5 GB)"
        return [Row("scale", metric, None, None, "ms", target_value=HUGE_KEYSTROKE_MS, note=note)]
    if not path.exists():
        console.print(f"[dim]building the {articles:,}-article database (cached in {folder})…[/]")
    started = time.perf_counter()
    location = str(db.scale_db(articles, spans, folder))
    built = time.perf_counter() - started
    result = _run_child(location, "--rare-at", str(HUGE_RARE), "--no-like")
    size = f"{articles:,} articles, {spans:,} spans"
    return _rows(backend, size, result, built, keystroke=HUGE_KEYSTROKE_MS)


def run(console: Console, quick: bool) -> list[Row]:
    articles, spans = (10_000, 200_000) if quick else (100_000, 2_000_000)
    size = f"{articles:,} articles, {spans:,} spans"
    name = db.OUT / f"v{db.DATA_VERSION}-scale-{articles}-{spans}.db"
    if not name.exists():
        console.print(f"[dim]building the {articles:,}-article database (cached)…[/]")
    started = time.perf_counter()
    path = db.scale_db(articles, spans)
    built = time.perf_counter() - started
    rows = _rows("sqlite", size, _run_child(str(path)), built)
    console.print(f"[dim]building the {articles:,}-article PostgreSQL database…[/]")
    try:
        started = time.perf_counter()
        with db.postgres_scale(articles, spans) as url:
            built = time.perf_counter() - started
            postgres = _rows("postgresql", size, _run_child(url), built)
    except (SQLAlchemyError, RuntimeError) as exc:  # no server: the SQLite rows still count
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        postgres = [Row("scale", "postgresql: (not run)", None, None, "ms", note=reason[:120])]
    side_by_side = [row for pair in zip(rows, postgres, strict=False) for row in pair]
    side_by_side += rows[len(postgres) :] if len(postgres) < len(rows) else []
    if not quick:
        side_by_side += _huge_rows(console)
    return side_by_side


def main() -> None:
    parser = argparse.ArgumentParser(description="scale case, child process")
    parser.add_argument("--child", required=True, help="database path or URL")
    parser.add_argument("--runs", type=int, default=MIN_RUNS)
    parser.add_argument("--rare-at", type=int, default=54_321, help="article of the rare word")
    parser.add_argument("--no-like", action="store_true", help="no LIKE baseline (too slow)")
    args = parser.parse_args()
    print(json.dumps(child(args.child, args.runs, args.rare_at, not args.no_like)))


if __name__ == "__main__":
    main()
