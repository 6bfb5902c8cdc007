"""Case 3, keystroke latency on the big article: label (1), relabel (2), undo (u).

Each cycle puts the cursor on an unlabelled word (untimed), then presses
``1`` (label it), ``2`` (relabel it), ``u`` (undo the relabel) and ``u`` (undo
the label), so the article ends every cycle as it began. Two clocks:

- **in-app**: from the key event's creation to the last paint it caused
  (:mod:`bench.probe`); also "handled", key → its action returned. This is
  the number the absolute 16 ms target applies to. Paints happen on Textual's
  60 fps timer, so up to one frame (16.7 ms) of "painted" is waiting for it.
- **Pilot**: wall time of ``await pilot.press(k); await pilot.pause()``,
  which includes Pilot's idle detection (~80 ms on its own here).

The baseline is a bare app whose bindings for the same keys update a
``Static`` (an action, like redline's), driven and timed the same way.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot

from bench import db
from bench.apps import SIZE, Echo, open_database, redline_app
from bench.case_open_article import reader_painted
from bench.common import Row, ms, percentile
from bench.probe import KeyTiming, Probe, key_timing
from tui.screens.reader import ReaderScreen
from tui.widgets.reading_pane import ReadingPane

NAME = "keystroke"
CYCLE = (("label", "1"), ("relabel", "2"), ("undo", "u"), ("undo", "u"))
TARGET_RATIO = 3.0
TARGET_MS = 16.0
MIN_CYCLES = 5
"""At least this many measured cycles (so ≥ 5 samples per key, 10 for undo)."""
WORD = re.compile(r"[a-z]{4,}")


def free_words(pane: ReadingPane, count: int) -> list[int]:
    """Offsets of ``count`` lower-case words no span touches, spread over the article."""
    text = pane.text
    found: list[int] = []
    step = max(1, len(text) // (count + 1))
    for anchor in range(step, len(text), step):
        for match in WORD.finditer(text, anchor, min(len(text), anchor + 5_000)):
            start, end = match.span()
            if not pane.spans_at(start) and not pane.spans_at(end - 1):
                found.append(start)
                break
        if len(found) == count:
            break
    return found


class Samples:
    """In-app and Pilot timings per action name."""

    def __init__(self) -> None:
        self.in_app: dict[str, list[KeyTiming]] = {}
        self.pilot: dict[str, list[float]] = {}

    def add(self, name: str, timing: KeyTiming, pilot_seconds: float) -> None:
        self.in_app.setdefault(name, []).append(timing)
        self.pilot.setdefault(name, []).append(pilot_seconds)

    def painted_ms(self, name: str) -> list[float]:
        return ms([timing.painted for timing in self.in_app[name]])

    def handled_ms(self, name: str) -> list[float]:
        return ms([timing.handled for timing in self.in_app[name]])


async def press(pilot: Pilot[Any], probe: Probe, key: str) -> tuple[KeyTiming, float]:
    probe.reset()
    started = time.perf_counter()
    await pilot.press(key)
    await pilot.pause()
    return key_timing(probe, key), time.perf_counter() - started


async def drive_redline(app: App[Any], cycles: int, warmup: int, budget: float) -> Samples:
    """Up to ``cycles`` measured cycles; after ``budget`` seconds, stop at ``MIN_CYCLES``."""
    samples = Samples()
    deadline = time.monotonic() + budget
    probe = Probe()
    with probe:
        async with app.run_test(
            size=SIZE, notifications=True, message_hook=probe.message_hook
        ) as pilot:
            probe.reset()
            probe.on_paint = lambda screen, at: reader_painted(screen) and probe.finish("open", at)
            await probe.wait()
            await pilot.pause()
            probe.on_paint = None
            screen = app.screen
            assert isinstance(screen, ReaderScreen)
            pane = screen.query_one(ReadingPane)
            offsets = free_words(pane, cycles + warmup)
            for index, offset in enumerate(offsets):
                if index >= warmup + MIN_CYCLES and time.monotonic() > deadline:
                    break
                pane.move_cursor(offset)
                await pilot.pause()
                for name, key in CYCLE:
                    timing, wall = await press(pilot, probe, key)
                    if index >= warmup:
                        samples.add(name, timing, wall)
    return samples


async def drive_bare(cycles: int, warmup: int) -> Samples:
    samples = Samples()
    probe = Probe()
    app = Echo()
    with probe:
        async with app.run_test(size=SIZE, message_hook=probe.message_hook) as pilot:
            await pilot.pause()
            for index in range(cycles + warmup):
                for name, key in CYCLE:
                    timing, wall = await press(pilot, probe, key)
                    if index >= warmup:
                        samples.add(name, timing, wall)
    return samples


def _p(values: Sequence[float], q: float) -> float:
    return percentile(values, q)


def run(console: Console, quick: bool) -> list[Row]:
    cycles, budget = (MIN_CYCLES, 30.0) if quick else (20, 60.0)
    database = open_database(db.big_article_db())
    app = redline_app(database, open_articles=[1])
    ours = asyncio.run(drive_redline(app, cycles, 1, budget))
    bare = asyncio.run(drive_bare(len(ours.in_app["label"]), 1))
    database.dispose()
    rows: list[Row] = []
    for name in ("label", "relabel", "undo"):
        painted, base_painted = ours.painted_ms(name), bare.painted_ms(name)
        handled, base_handled = ours.handled_ms(name), bare.handled_ms(name)
        rows.append(
            Row(
                "keystroke",
                f"{name}: in-app p95, key → painted",
                _p(painted, 95),
                _p(base_painted, 95),
                "ms",
                target_ratio=TARGET_RATIO,
                target_value=TARGET_MS,
                runs=len(painted),
                note=(
                    f"p50 {_p(painted, 50):.1f} vs {_p(base_painted, 50):.1f} ms; handled p95 "
                    f"{_p(handled, 95):.1f} vs {_p(base_handled, 95):.1f} ms; n={len(painted)}"
                ),
            )
        )
    for name in ("label", "relabel", "undo"):
        wall, base_wall = ms(ours.pilot[name]), ms(bare.pilot[name])
        rows.append(
            Row(
                "keystroke",
                f"{name}: Pilot press+pause p95",
                _p(wall, 95),
                _p(base_wall, 95),
                "ms",
                runs=len(wall),
                note=f"info; p50 {_p(wall, 50):.0f} vs {_p(base_wall, 50):.0f} ms",
            )
        )
    return rows
