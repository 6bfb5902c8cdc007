"""Stats: progress and corpus charts in the terminal (textual-plotext), key ``S``.

The six charts of :func:`storage.insight.charts` — the same data ``redline
stats --plot`` and the HTML report draw with matplotlib. The numbers are read
in a thread worker; ``a`` switches between your work and every annotator's.
Labels are data: made visible (no control codes reach plotext's ANSI output).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot

from storage.errors import StorageError
from storage.insight import Chart, Insight, charts, collect
from tui.literal import visible_line

if TYPE_CHECKING:
    from tui.app import RedlineApp

CHART_NAMES = ("progress", "time", "labels", "spans", "figures", "topics")
MAX_LABEL = 14


class StatsScreen(Screen[None]):
    """Six charts in a grid, with the headline numbers above them."""

    DEFAULT_CSS = """
    StatsScreen #stats-summary {
        height: 1;
        padding: 0 1;
        background: $panel;
        text-style: bold;
    }
    StatsScreen #stats-grid {
        grid-size: 2 3;
        grid-gutter: 0 1;
        height: 1fr;
    }
    StatsScreen PlotextPlot {
        height: 1fr;
        min-height: 8;
    }
    """

    BINDINGS = [
        Binding("a", "toggle_scope", "You / everyone", id="stats-scope"),
        Binding("q,escape", "back", "Back", id="stats-back"),
    ]

    class Loaded(Message):
        """The worker read the numbers (``error`` set when it could not)."""

        def __init__(self, insight: Insight | None, error: str | None = None) -> None:
            super().__init__()
            self.insight = insight
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.everyone = False
        """Show every annotator's work (else only the app's annotator)."""

    @property
    def redline(self) -> RedlineApp:
        return cast("RedlineApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("Stats · reading…", id="stats-summary")
        with Grid(id="stats-grid"):
            for name in CHART_NAMES:
                yield PlotextPlot(id=f"chart-{name}")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    def action_toggle_scope(self) -> None:
        self.everyone = not self.everyone
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="stats")
    def load(self) -> None:
        app = self.redline
        try:
            insight = collect(app.database, None if self.everyone else app.annotator)
        except StorageError as exc:
            self.post_message(self.Loaded(None, str(exc)))
            return
        self.post_message(self.Loaded(insight))

    @on(Loaded)
    def show(self, event: Loaded) -> None:
        summary = self.query_one("#stats-summary", Static)
        if event.insight is None:
            summary.update(Text(visible_line(f"Stats · cannot read: {event.error}")))
            return
        insight = event.insight
        if insight.annotator is None:
            done = ", ".join(f"{who} {n}" for who, n in sorted(insight.done_by_annotator.items()))
            line = f"Stats · everyone · {insight.articles} articles · done: {done or 'none'}"
        else:
            done_count = insight.states["done"]
            line = f"Stats · {insight.annotator} · {done_count} of {insight.articles} articles done"
        line += f" · {sum(insight.labels.values())} spans · {len(insight.topics)} topics in use"
        summary.update(Text(visible_line(line)))
        for chart in charts(insight, self.redline.config.schema):
            draw(self.query_one(f"#chart-{chart.name}", PlotextPlot), chart)


def _short(text: str) -> str:
    flat = visible_line(text)
    return flat if len(flat) <= MAX_LABEL else flat[: MAX_LABEL - 1] + "…"


def draw(widget: PlotextPlot, chart: Chart) -> None:
    """Draw one chart into a plotext widget (bars; grouped bars for several series)."""
    plt = widget.plt
    plt.clear_figure()
    if chart.empty:
        plt.title(f"{chart.title} · no data yet")
        widget.refresh()
        return
    plt.title(chart.title)
    categories = [_short(category) for category in chart.categories]
    series = [list(values) for _, values in chart.series]
    if chart.horizontal:  # plotext stacks rows bottom-up: reverse so the first is on top
        categories.reverse()
        series = [values[::-1] for values in series]
    orientation = "horizontal" if chart.horizontal else "vertical"
    if len(series) == 1:
        plt.bar(categories, series[0], orientation=orientation, width=0.6)
    else:
        labels = [_short(name) for name, _ in chart.series]
        plt.multiple_bar(categories, series, labels=labels, orientation=orientation)
    ticks = _count_ticks(max(max(values) for values in series))
    (plt.xticks if chart.horizontal else plt.yticks)(ticks)
    if chart.x_label:
        plt.xlabel(chart.x_label)
    widget.refresh()


def _count_ticks(highest: float, most: int = 5) -> list[int]:
    """Whole-number ticks from 0 to ``highest`` (the charts count things)."""
    top = max(1, math.ceil(highest))
    step = max(1, math.ceil(top / most))
    return list(range(0, top + 1, step))
