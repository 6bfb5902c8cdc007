"""Case 5, scale: a library of 100,000 articles and 2 million spans.

Measured in a child process (``python -m bench.case_scale --child DB``) so its
peak RSS is the app's alone:

- **first paint**: ``RedlineApp(...)`` → first paint of the library with rows
  (as in the start-up case); the first run in the process is reported as
  "cold", then the median of ``MIN_RUNS`` more;
- **peak RSS**: the process's peak resident memory right after the cold
  first paint (and again at the end, in the note): ``VmHWM`` on Linux, since
  ``ru_maxrss`` there starts at the parent's peak (see ``_rss_mb``);
- **search as you type**: with the search field focused, each typed
  character is timed from its ``Input.Changed`` message to the first paint
  after the library table has been refilled with the new result. Two words
  are typed: a common one and a rare reference code (one hit).

The database is built once with bulk inserts and cached in ``bench/out/``.
The targets are absolute, so there is no baseline column.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.widgets import Input

from bench import ROOT, db
from bench.common import MIN_RUNS, Row, median, percentile
from bench.data import ref_code

NAME = "scale"
FIRST_PAINT_S = 1.0
SEARCH_MS = 100.0
RSS_MB = 300.0
COMMON_WORD = "trade"


def _rss_mb() -> float:
    """Peak resident memory of this process image, in MiB.

    Linux keeps ``ru_maxrss`` across ``fork``/``exec``: a child starts with its
    parent's high-water mark (the bench runner's, after the other cases), so
    ``VmHWM`` from ``/proc/self/status`` (the peak of this image only) is used
    where it exists, and ``getrusage`` elsewhere.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def _search_times(database: Any, queries: list[str]) -> list[tuple[str, float]]:
    """Type each query one character at a time; seconds from Input.Changed to repaint."""
    from bench.apps import SIZE, redline_app, rows_painted
    from bench.probe import Probe, now
    from tui.screens.library import LibraryScreen

    probe = Probe()
    show = LibraryScreen._show

    def shown(screen: LibraryScreen, *args: Any) -> None:
        show(screen, *args)
        probe.marks.setdefault("shown", now())

    def on_paint(screen: Any, at: float) -> None:
        if "shown" in probe.marks:
            probe.finish("painted", at)

    results: list[tuple[str, float]] = []
    LibraryScreen._show = shown  # type: ignore[method-assign]
    try:
        with probe:
            app = redline_app(database)
            async with app.run_test(size=SIZE, message_hook=probe.message_hook) as pilot:
                probe.reset()
                probe.on_paint = lambda screen, at: rows_painted(screen) and probe.finish("r", at)
                await probe.wait()
                await pilot.press("slash")
                await pilot.pause()
                for query in queries:
                    for character in query:
                        probe.reset()
                        probe.on_paint = on_paint
                        await pilot.press(character)
                        await probe.wait(300)
                        changed = probe.messages[Input.Changed]
                        results.append((character, probe.marks["painted"] - changed))
                        await pilot.pause()
                    probe.reset()
                    probe.on_paint = on_paint
                    await pilot.press("escape")
                    await probe.wait(300)
                    await pilot.press("slash")
                    await pilot.pause()
    finally:
        LibraryScreen._show = show  # type: ignore[method-assign]
    return results


def child(path: str, runs: int) -> dict[str, Any]:
    """Everything measured inside the child process, as JSON-ready values."""
    from bench.apps import open_database, redline_app
    from bench.case_startup import _time_to_rows

    database = open_database(Path(path))
    cold = asyncio.run(_time_to_rows(lambda: redline_app(database)))
    rss_first = _rss_mb()
    warm = [asyncio.run(_time_to_rows(lambda: redline_app(database))) for _ in range(runs)]
    rare = ref_code(54_321)
    searches = asyncio.run(_search_times(database, [COMMON_WORD, rare]))
    return {
        "cold": cold,
        "warm": warm,
        "rss_first_mb": rss_first,
        "rss_end_mb": _rss_mb(),
        "search": searches,
        "rare": rare,
    }


def run(console: Console, quick: bool) -> list[Row]:
    articles, spans = (10_000, 200_000) if quick else (100_000, 2_000_000)
    name = db.OUT / f"v{db.DATA_VERSION}-scale-{articles}-{spans}.db"
    if not name.exists():
        console.print(f"[dim]building the {articles:,}-article database (cached)…[/]")
    started = time.perf_counter()
    path = db.scale_db(articles, spans)
    built = time.perf_counter() - started
    output = subprocess.run(
        [sys.executable, "-m", "bench.case_scale", "--child", str(path), "--runs", str(MIN_RUNS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode != 0:
        raise RuntimeError(f"scale child failed:\n{output.stderr[-4000:]}")
    result = json.loads(output.stdout.strip().splitlines()[-1])
    search_ms = [seconds * 1000 for _, seconds in result["search"]]
    size = f"{articles:,} articles, {spans:,} spans"
    typed = f"typed '{COMMON_WORD}' then '{result['rare']}'"
    return [
        Row(
            "scale",
            f"library first paint ({size})",
            median(result["warm"]),
            None,
            "s",
            target_value=FIRST_PAINT_S,
            runs=len(result["warm"]),
            note=f"cold (first in process) {result['cold']:.2f} s"
            + (f"; DB built in {built:.0f} s" if built > 1 else ""),
        ),
        Row(
            "scale",
            "search as you type, median per keystroke",
            median(search_ms),
            None,
            "ms",
            target_value=SEARCH_MS,
            runs=len(search_ms),
            note=f"p95 {percentile(search_ms, 95):.0f} ms, max {max(search_ms):.0f} ms; {typed}",
        ),
        Row(
            "scale",
            "peak RSS after first paint",
            result["rss_first_mb"],
            None,
            "MB",
            target_value=RSS_MB,
            runs=1,
            note=f"{result['rss_end_mb']:.0f} MB after the searches",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="scale case, child process")
    parser.add_argument("--child", required=True, help="database path")
    parser.add_argument("--runs", type=int, default=MIN_RUNS)
    args = parser.parse_args()
    print(json.dumps(child(args.child, args.runs)))


if __name__ == "__main__":
    main()
