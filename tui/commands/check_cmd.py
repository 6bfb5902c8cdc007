"""``redline check``: the dataset quality checks (:mod:`storage.checks`) on the command line.

``register(app)`` adds the command to the Typer app (``tui/cli.py`` calls it).
Human output is one line per finding; ``--json`` prints one JSON document for
CI. The exit code is 1 when any error-severity finding is left, else 0.
Nothing here imports Textual.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from tui.literal import visible_line

if TYPE_CHECKING:
    from storage.checks import CheckReport

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
MAX_RANGE = 1_000_000


def parse_ids(value: str | None) -> list[int] | None:
    """``"1,3-5"`` → ``[1, 3, 4, 5]``; None stays None (every article)."""
    if value is None:
        return None
    ids: list[int] = []
    for part in (piece.strip() for piece in value.split(",")):
        if not part:
            continue
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            problem = f"{part!r} is not an id or a range a-b"
            raise typer.BadParameter(problem, param_hint="--articles")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise typer.BadParameter(f"empty range {part!r}", param_hint="--articles")
        if last - first >= MAX_RANGE:
            problem = f"range {part!r} is longer than {MAX_RANGE:,} ids"
            raise typer.BadParameter(problem, param_hint="--articles")
        ids.extend(range(first, last + 1))
    if not ids:
        raise typer.BadParameter("no article ids given", param_hint="--articles")
    return sorted(set(ids))


def run_check(
    context: Any, *, articles: str | None, annotator: str | None
) -> CheckReport:
    """Run the checks for the CLI context; ``annotator`` "all" means every annotator."""
    from storage.checks import run_checks

    config = context.config()
    who = annotator or context.annotator
    return run_checks(
        context.open_db(),
        config.schema,
        annotator=None if who == "all" else who,
        article_ids=parse_ids(articles),
        ignore=config.check_ignore,
    )


def print_report(console: Console, report: CheckReport) -> None:
    """One line per finding: severity, check id, place, message (all shown literally)."""
    for finding in report.findings:
        line = Text()
        line.append(f"{finding.severity:<7}", SEVERITY_STYLE[finding.severity])
        line.append(f" {finding.check:<22} ", "bold")
        line.append(f"{finding.place:<22} ", "dim")
        line.append(visible_line(finding.message))
        if finding.annotator:
            line.append(f" [{visible_line(finding.annotator)}]", "dim")
        console.print(line, highlight=False)
    console.print(Text(summary(report)), highlight=False)


def summary(report: CheckReport) -> str:
    counts = report.counts
    found = ", ".join(
        f"{counts[severity]} {severity}{'s' * (counts[severity] != 1 and severity != 'info')}"
        for severity in ("error", "warning", "info")
    )
    ignored = f"; ignored: {', '.join(report.skipped)}" if report.skipped else ""
    plural = "s" * (report.articles != 1)
    return f"{found} · {report.articles} article{plural}, {len(report.ran)} checks{ignored}"


def register(app: typer.Typer) -> None:
    """Add ``redline check`` to ``app`` (its callback sets ``ctx.obj`` to the CLI Context)."""

    @app.command("check")
    def check_command(
        ctx: typer.Context,
        as_json: Annotated[
            bool, typer.Option("--json", help="One JSON document (for CI).")
        ] = False,
        articles: Annotated[
            str | None, typer.Option("--articles", help="Only these ids: 1,3-5 (default: all).")
        ] = None,
        annotator: Annotated[
            str | None,
            typer.Option("--annotator", help="Whose annotations: a name or 'all' (default: you)."),
        ] = None,
    ) -> None:
        """Check the dataset for inconsistent labels, incomplete figures, bad spans, duplicates."""
        report = run_check(ctx.obj, articles=articles, annotator=annotator)
        if as_json:
            sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
            sys.stdout.flush()
        else:
            print_report(Console(soft_wrap=True), report)
        if report.has_errors:
            raise typer.Exit(1)
