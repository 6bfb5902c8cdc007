"""The import/export case's timing (:mod:`bench.case_import_export`): the corpus cut into
batches, both sides run batch by batch in turn, and the summary rows they make."""

from __future__ import annotations

import time
from collections.abc import Callable

from bench.common import MIN_RUNS, Row, median

TARGET_PLAIN = 2.0
TARGET_ANNOTATED = 3.0
TARGET_EXPORT = 2.0
"""The JSONL export against the raw driver writing redline's own bytes
(:mod:`bench.export_baseline`): issue 16 asks export to be close to the raw engine."""

Step = Callable[[int], None]
"""Process batch ``index``; timed by the caller."""


def batches(total: int) -> list[tuple[int, int]]:
    """``(start, size)`` of the ``MIN_RUNS`` batches of a ``total``-article corpus."""
    size = total // MIN_RUNS
    return [(index * size, size) for index in range(MIN_RUNS)]


def timed_batches(
    ours: Step, baseline: Step, count: int, cpu: tuple[list[float], list[float]] | None = None
) -> tuple[list[float], list[float]]:
    """Seconds per batch for both sides, alternating so load changes hit both.

    ``cpu`` receives each side's process CPU seconds too: where both sides run in this
    process (SQLite), their ratio is the cost without the waits other processes cause."""
    mine: list[float] = []
    theirs: list[float] = []
    for index in range(count):
        for side, (step, times) in enumerate(((ours, mine), (baseline, theirs))):
            started, used = time.perf_counter(), time.process_time()
            step(index)
            times.append(time.perf_counter() - started)
            if cpu is not None:
                cpu[side].append(time.process_time() - used)
    return mine, theirs


def cpu_note(cpu: tuple[list[float], list[float]]) -> str:
    return f"CPU-time ratio {median(cpu[0]) / median(cpu[1]):.2f}x (medians, this process)"


def row(
    metric: str,
    total: int,
    ours: list[float],
    theirs: list[float],
    vs: str = "",
    target: float | None = None,
) -> Row:
    """The row of ``total`` articles timed in batches; ``info; `` starts its note when it
    has no target."""
    per = total // MIN_RUNS
    note = (
        f"{total:,} articles in {len(ours)} batches of {per:,}; totals "
        f"{sum(ours):.1f} s vs {sum(theirs):.1f} s"
    )
    return Row(
        "import/export",
        f"{metric}, per {per:,}-article batch" + (f" ({vs})" if vs else ""),
        median(ours),
        median(theirs),
        "s",
        target_ratio=target,
        runs=len(ours),
        note=note if target is not None else f"info; {note}",
    )
