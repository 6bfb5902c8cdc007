"""``redline report --out report.html``: one self-contained page to send to a project lead.

Corpus overview, per-annotator progress, the charts (inline SVG drawn by
:mod:`storage.charts`), entity agreement between annotators, the quality
findings and the label schema. No script, no stylesheet or image link, no URL
at all: the file opens offline anywhere. Every text from the database or the
schema passes through :func:`esc` (controls made visible, then
``html.escape``), never into the page raw.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from tui.literal import visible_line

if TYPE_CHECKING:  # the CLI registers this command on every run: keep its import light
    from storage.db import Database
    from storage.schema import Config

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em;
       color: #1d1d1f; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.findings td:nth-child(2), .findings td:nth-child(3) { white-space: nowrap; }
.meta { color: #666; } .cards { display: flex; flex-wrap: wrap; gap: 0.8em; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.5em 1em; min-width: 8em; }
.card b { display: block; font-size: 1.5em; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 0.25em 0.7em; text-align: left;
         vertical-align: top; }
th { background: #f5f5f7; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(30em, 1fr)); gap: 1em; }
.charts figure { margin: 0; } .charts svg { width: 100%; height: auto; }
.error { color: #b00020; font-weight: bold; } .warning { color: #a15c00; } .info { color: #0b5f8a; }
.swatch { display: inline-block; width: 1em; height: 1em; border: 1px solid #999;
          vertical-align: middle; }
"""


def esc(value: object) -> str:
    """Text for the page: one line, control characters made visible, HTML-escaped."""
    return html.escape(visible_line("" if value is None else str(value)), quote=True)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    numeric: Sequence[int] = (),
    css_class: str = "",
) -> str:
    """An HTML table; cells are escaped here (``Markup`` cells are pre-built HTML)."""
    head = "".join(f"<th>{esc(name)}</th>" for name in headers)
    body = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            content = cell.html if isinstance(cell, Markup) else esc(cell)
            cls = ' class="n"' if index in numeric else ""
            cells.append(f"<td{cls}>{content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class Markup:
    """A cell built from escaped parts (a colour swatch, a severity badge)."""

    def __init__(self, html_text: str) -> None:
        self.html = html_text


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def build_report(database: Database, config: Config, annotator: str | None = None) -> str:
    """The whole page as a string; ``annotator`` None reports on every annotator."""
    from storage import queries
    from storage.agreement import entity_agreement
    from storage.charts import inline_svg
    from storage.checks import run_checks
    from storage.insight import annotator_progress, charts, collect

    insight = collect(database, annotator)
    stats = queries.stats(database, annotator)
    progress = [p for p in annotator_progress(database) if annotator in (None, p.name)]
    agreement = entity_agreement(database) if annotator is None else []
    report = run_checks(database, config.schema, annotator=annotator, ignore=config.check_ignore)
    who = "all annotators" if annotator is None else annotator
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>redline report · {esc(database.short_label)}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>redline report</h1>",
        f'<p class="meta">{esc(database.short_label)} · {esc(who)} · generated '
        f"{esc(dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC'))}</p>",
        "<h2>Corpus</h2>",
        _cards([
            ("articles", stats.articles),
            ("done", stats.by_state.get("done", 0)),
            ("accepted spans", sum(stats.spans_by_label.values())),
            ("pending suggestions", stats.suggested),
            ("canonical entities", stats.entities),
            ("topics in use", len(stats.topics)),
        ]),
        "<h2>Progress per annotator</h2>",
        table(
            ("annotator", "done", "in progress", "skipped", "to do", "time spent"),
            [(p.name, p.count("done"), p.count("in_progress"), p.count("skipped"),
              p.count("todo"), _duration(p.seconds)) for p in progress],
            numeric=(1, 2, 3, 4, 5),
        ) if progress else "<p>No annotator has started yet.</p>",
        "<h2>Charts</h2>",
        '<div class="charts">',
        *(f"<figure>{inline_svg(chart)}</figure>" for chart in charts(insight, config.schema)),
        "</div>",
    ]  # fmt: skip
    if annotator is None:
        parts.append("<h2>Agreement (entity spans, exact match)</h2>")
        parts.append(_agreement(agreement))
    parts += ["<h2>Quality findings</h2>", _findings(report), "<h2>Label schema</h2>"]
    parts += [_schema(config), "</body></html>"]
    return "\n".join(parts) + "\n"


def _cards(items: Sequence[tuple[str, object]]) -> str:
    cards = "".join(
        f'<div class="card"><b>{esc(value)}</b>{esc(name)}</div>' for name, value in items
    )
    return f'<div class="cards">{cards}</div>'


def _agreement(pairs: Sequence[Any]) -> str:
    if not pairs:
        return "<p>Needs two annotators who both marked the same articles done.</p>"
    rows = [
        (p.first, p.second, p.articles, p.first_spans, p.second_spans, p.matched, _percent(p.f1))
        for p in pairs
    ]
    headers = ("annotator", "other", "shared done articles", "spans", "other's spans",
               "same start, end, label", "F1")  # fmt: skip
    note = "<p>Same start, end and label in the articles both marked done.</p>"
    return note + table(headers, rows, numeric=(2, 3, 4, 5, 6))


def _findings(report: Any) -> str:
    from storage.checks.base import SEVERITIES

    counts = report.counts
    summary = (
        f"<p>{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info "
        f"({len(report.ran)} checks"
        + (f"; ignored: {esc(', '.join(report.skipped))}" if report.skipped else "")
        + ").</p>"
    )
    if not report.findings:
        return summary + "<p>Nothing to fix.</p>"
    by_check = Counter((f.severity, f.check) for f in report.findings)
    overview = table(
        ("severity", "check", "findings"),
        [(_badge(severity), check, n) for (severity, check), n in sorted(
            by_check.items(), key=lambda item: (SEVERITIES.index(item[0][0]), item[0][1]))],
        numeric=(2,),
    )  # fmt: skip
    rows = [
        (_badge(f.severity), f.check, f.place, f.annotator or "", f.message)
        for f in report.findings
    ]
    details = table(("severity", "check", "place", "annotator", "problem"), rows, (), "findings")
    opened = " open" if len(rows) <= 50 else ""
    return (
        summary
        + overview
        + f"<details{opened}><summary>All {len(rows)} findings</summary>{details}</details>"
    )


def _badge(severity: str) -> Markup:
    return Markup(f'<span class="{esc(severity)}">{esc(severity)}</span>')


def _schema(config: Config) -> str:
    from storage.schema import schema_rows

    origin = str(config.source) if config.source else "built-in"
    rows = []
    for layer, key, title, colour, hotkey, parent, description in schema_rows(config.schema):
        label = config.schema.get(layer, key)
        patterns = ", ".join(label.patterns) if label is not None else ""
        swatch = Markup(f'<span class="swatch" style="background:{esc(colour)}"></span> {esc(key)}')
        rows.append((layer, swatch, title, hotkey, parent, description, patterns))
    headers = ("layer", "key", "title", "hotkey", "parent", "description", "patterns")
    return f'<p class="meta">{esc(origin)}</p>' + table(headers, rows)


def write_report(database: Database, config: Config, annotator: str | None, out: Path) -> Path:
    out.write_text(build_report(database, config, annotator), encoding="utf-8")
    return out


def register(app: typer.Typer) -> None:
    """Add ``redline report`` to ``app`` (its callback sets ``ctx.obj`` to the CLI Context)."""

    @app.command("report")
    def report_command(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")] = Path(
            "report.html"
        ),
        annotator: Annotated[
            str,
            typer.Option("--annotator", help="A name, or 'all' (default) for every annotator."),
        ] = "all",
    ) -> None:
        """Write one self-contained HTML report: progress, charts, agreement, findings, schema."""
        context = ctx.obj
        written = write_report(
            context.open_db(), context.config(), None if annotator == "all" else annotator, out
        )
        Console(soft_wrap=True).print(Text(visible_line(f"report written to {written}")))
