"""Timing helpers shared by the cases: repeated runs, percentiles, ratios, the summary table.

Every case reports :class:`Row` values: redline's number, the baseline's number
measured in the same run, and the ratio ``redline / baseline`` expressed as a
slowdown (for a rate such as articles per second, ``baseline / redline``), so
"2.0×" always means "redline costs twice what the baseline costs".
"""

from __future__ import annotations

import asyncio
import gc
import math
import statistics
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

MIN_RUNS = 5
"""Every reported time is the median (or a percentile) of at least this many runs."""


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation, like ``numpy.percentile``."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def repeat_async(
    measure: Callable[[], Awaitable[float]], runs: int = MIN_RUNS, warmup: int = 1
) -> list[float]:
    """Run an async measurement ``warmup + runs`` times; it returns its own elapsed seconds.

    Used for Textual apps, where the measurement needs hooks inside the app and
    the start and end points are not the call boundaries.
    """
    results = []
    for index in range(warmup + max(runs, 1)):
        gc.collect()
        elapsed = asyncio.run(measure())
        if index >= warmup:
            results.append(elapsed)
    return results


@dataclass
class Row:
    """One line of the summary: redline vs the baseline on one metric."""

    case: str
    metric: str
    ours: float | None
    baseline: float | None
    unit: str
    """"s", "ms", "MB" or a rate such as "art/s"; rates are higher-is-better."""
    target_ratio: float | None = None
    target_value: float | None = None
    """An absolute target in ``unit`` (an upper bound, or a lower bound for rates)."""
    note: str = ""
    runs: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def higher_is_better(self) -> bool:
        return self.unit.endswith("/s")

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.baseline is None or self.ours <= 0 or self.baseline <= 0:
            return None
        return self.baseline / self.ours if self.higher_is_better else self.ours / self.baseline

    @property
    def met(self) -> bool | None:
        """Whether every target given is met; None when there is no target or no number."""
        checks: list[bool] = []
        if self.target_ratio is not None:
            if self.ratio is None:
                return None
            checks.append(self.ratio <= self.target_ratio)
        if self.target_value is not None:
            if self.ours is None:
                return None
            if self.higher_is_better:
                checks.append(self.ours >= self.target_value)
            else:
                checks.append(self.ours <= self.target_value)
        return all(checks) if checks else None

    @property
    def target(self) -> str:
        parts = []
        if self.target_ratio is not None:
            parts.append(f"≤ {self.target_ratio:g}×")
        if self.target_value is not None:
            bound = "≥" if self.higher_is_better else "≤"
            parts.append(f"{bound} {format_value(self.target_value, self.unit)}")
        return ", ".join(parts) or "—"


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:,.0f} {unit}"


def format_ratio(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.2f}×"


def format_met(met: bool | None) -> str:
    return {True: "[green]yes[/]", False: "[red]no[/]", None: "[dim]n/a[/]"}[met]


def summary_table(rows: Sequence[Row], title: str = "redline benchmarks") -> Table:
    """Every row of every case: ours, baseline, ratio, target and whether it is met."""
    table = Table(title=title, title_justify="left", show_lines=False)
    for header, justify in (
        ("case", "left"),
        ("metric", "left"),
        ("redline", "right"),
        ("baseline", "right"),
        ("ratio", "right"),
        ("target", "left"),
        ("met", "center"),
        ("note", "left"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(
            row.case,
            row.metric,
            format_value(row.ours, row.unit),
            format_value(row.baseline, row.unit),
            format_ratio(row.ratio),
            row.target,
            format_met(row.met),
            row.note,
        )
    return table


def markdown_table(rows: Sequence[Row]) -> str:
    """The summary as a Markdown table, for the README."""
    lines = [
        "| case | metric | redline | baseline | ratio | target | met |",
        "|---|---|---:|---:|---:|---|:-:|",
    ]
    for row in rows:
        met = {True: "yes", False: "**no**", None: "n/a"}[row.met]
        lines.append(
            f"| {row.case} | {row.metric} | {format_value(row.ours, row.unit)} | "
            f"{format_value(row.baseline, row.unit)} | {format_ratio(row.ratio)} | "
            f"{row.target} | {met} |"
        )
    return "\n".join(lines)


def print_rows(console: Console, rows: Sequence[Row]) -> None:
    """One line per row as a case finishes, so a long run shows progress."""
    for row in rows:
        console.print(
            f"  {row.metric}: redline {format_value(row.ours, row.unit)}, "
            f"baseline {format_value(row.baseline, row.unit)}, "
            f"ratio {format_ratio(row.ratio)} (target {row.target}) {format_met(row.met)}"
            + (f" [dim]{row.note}[/]" if row.note else ""),
            highlight=False,
        )


def ms(seconds: Sequence[float]) -> list[float]:
    return [value * 1000 for value in seconds]
