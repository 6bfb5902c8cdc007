"""Draw :class:`~storage.insight.Chart` records with matplotlib (Agg): SVG and PNG.

The same chart always gives the same SVG bytes (fixed hash salt, no date in
the metadata), so reports and tests are reproducible. Text is drawn as paths,
so an SVG needs no font and no network to display. Labels are data: control
characters are replaced and ``$`` is escaped so matplotlib never reads a
label as mathtext. matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from storage.insight import Chart

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SERIES_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
                  "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FORMATS = ("svg", "png")


def plain(text: str, limit: int = 40) -> str:
    """A label matplotlib shows as written: one line, no controls, ``$`` not mathtext."""
    flat = _CONTROL.sub("\ufffd", text)
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat.replace("$", r"\$")


def figure(chart: Chart) -> Figure:
    """A matplotlib figure of ``chart`` (bars, grouped when there are several series)."""
    from matplotlib.figure import Figure

    rows = max(len(chart.categories), 1)
    height = max(3.0, 0.28 * rows + 1.4) if chart.horizontal else 3.6
    fig = Figure(figsize=(7.0, min(height, 12.0)), dpi=100)
    axes = fig.add_subplot()
    axes.set_title(plain(chart.title, 80), loc="left", fontsize=11)
    if chart.empty:
        axes.text(0.5, 0.5, "no data yet", ha="center", va="center", color="#777777")
        axes.set_axis_off()
        fig.tight_layout()
        return fig
    count = len(chart.series)
    width = 0.8 / count
    positions = list(range(len(chart.categories)))
    for number, (name, values) in enumerate(chart.series):
        offsets = [p - 0.4 + width * (number + 0.5) for p in positions]
        colour: str | list[str] = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        if count == 1 and chart.colours:
            colour = list(chart.colours)
        draw = axes.barh if chart.horizontal else axes.bar
        draw(offsets, values, width * 0.95, color=colour, label=plain(name),
             edgecolor="#333333", linewidth=0.4)  # fmt: skip
    names = [plain(category) for category in chart.categories]
    if chart.horizontal:
        axes.set_yticks(positions, names, fontsize=8)
        axes.invert_yaxis()
    else:
        rotate = len(names) > 6 or max(len(n) for n in names) > 8
        axes.set_xticks(positions, names, fontsize=8, rotation=45 if rotate else 0,
                        ha="right" if rotate else "center")  # fmt: skip
        step = max(1, len(names) // 20)
        for index, label in enumerate(axes.get_xticklabels()):
            label.set_visible(index % step == 0)
    from matplotlib.ticker import MaxNLocator

    value_axis = axes.xaxis if chart.horizontal else axes.yaxis
    value_axis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(plain(chart.x_label))
    axes.set_ylabel(plain(chart.y_label))
    axes.spines[["top", "right"]].set_visible(False)
    if count > 1:
        axes.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def render(chart: Chart, fmt: str = "svg") -> bytes:
    """The chart as SVG or PNG bytes (deterministic for SVG)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r} (svg or png)")
    import matplotlib

    fig = figure(chart)
    buffer = io.BytesIO()
    metadata: dict[str, None] = {"Software": None}
    if fmt == "svg":  # no date (reproducible) and no RDF block with its vocabulary URLs
        metadata = {"Date": None, "Creator": None, "Format": None, "Type": None}
    with matplotlib.rc_context({"svg.hashsalt": "redline", "svg.fonttype": "path"}):
        fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def inline_svg(chart: Chart) -> str:
    """The SVG element alone, for embedding in HTML: no XML declaration or doctype,
    and no namespace declarations (HTML's parser puts inline ``<svg>`` and
    ``xlink:href`` in their namespaces itself), so the page names no URL at all."""
    text = render(chart, "svg").decode("utf-8")
    element = text[text.index("<svg") :]
    head, rest = element.split(">", 1)
    return _NAMESPACES.sub("", head) + ">" + rest


def write_charts(charts: list[Chart], directory: Path) -> list[Path]:
    """Write ``name.png`` and ``name.svg`` of every chart into ``directory`` (created)."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for chart in charts:
        for fmt in FORMATS:
            path = directory / f"{chart.name}.{fmt}"
            path.write_bytes(render(chart, fmt))
            written.append(path)
    return written
