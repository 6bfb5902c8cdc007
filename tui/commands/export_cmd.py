"""``redline export``: the CLI over :func:`storage.export.export`, with a Rich progress bar.

``register(app)`` adds the command to the Typer app (``tui/cli.py`` calls it).
Nothing here imports Textual, and spaCy/pyarrow load only for the formats that
need them. Progress, problems and the summary go to stderr, so ``--out -``
leaves stdout to the data. Paths, annotator names and span text in those lines
are user data: they are printed literally, control characters made visible.
Ctrl-C stops the export with "export interrupted; PATH unchanged" and exit 130.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from storage.formats.registry import FORMATS, export_formats, help_lines
from tui.literal import visible_line

if TYPE_CHECKING:
    from storage.formats.writing.report import ExportReport

FORMAT_NAMES = export_formats()
"""What ``--format`` takes, from the registry (which imports no exporter)."""

LAYER_CHOICES = ("entity", "figure", "topic")
NOT_AS_STORED = "(the spans above are not in the output as stored; --strict makes this an error)"
INTERRUPTED_EXIT = 130
"""The shell's code for a command stopped by SIGINT (128 + 2)."""


def default_out(fmt: str) -> str:
    """Where an export goes without ``--out``: ``<format>-export<suffix>`` in the cwd."""
    return f"{fmt}-export{FORMATS[fmt].suffix}"


def parse_layers(value: str) -> tuple[str, ...]:
    layers = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    unknown = [layer for layer in layers if layer not in LAYER_CHOICES]
    if unknown or not layers:
        raise typer.BadParameter(
            f"unknown layer(s) {', '.join(unknown) or '(none)'}; use {','.join(LAYER_CHOICES)}",
            param_hint="--layer",
        )
    return layers


def say(console: Console, line: str) -> None:
    """Print one line of user data as it is: no markup, no control codes, never wrapped."""
    console.print(visible_line(line), markup=False, highlight=False, soft_wrap=True)


def print_problems(console: Console, report: ExportReport) -> None:
    for problem in report.problems:
        say(console, f"⚠ {problem}")
    for note in report.notes:
        say(console, f"note: {note}")


def run_export(
    context: Any,
    *,
    fmt: str,
    out: str | None,
    status: str,
    annotator: str | None,
    layers: tuple[str, ...],
    include_suggested: bool,
    strict: bool,
    console: Console,
    config: str | None = None,
    split: str | None = None,
    seed: int = 0,
    ents_include: str = "",
) -> ExportReport:
    """Run one export for the CLI; raises ``StorageError`` subclasses with one-line messages."""
    from storage.export import StrictExportError, export
    from storage.formats.writing.report import ExportError

    if fmt not in FORMAT_NAMES:
        raise ExportError(f"unknown format {fmt!r} (one of {', '.join(FORMAT_NAMES)})")
    from storage.formats.split import parse_split

    try:
        shares = parse_split(split) if split else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--split") from None
    included = tuple(part.strip() for part in ents_include.split(",") if part.strip())
    if set(included) - {"figures"}:
        raise typer.BadParameter("only 'figures' can join doc.ents", param_hint="--ents-include")
    target = out or (f"{fmt}-export" if shares else default_out(fmt))
    database = context.open_db()
    needs_schema = "topic" in layers or FORMATS[fmt].sidecar is not None
    schema = context.config().schema if needs_schema else None
    progress = Progress(
        TextColumn(f"exporting {fmt}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # a redirected stderr gets the lines, not a blank one
    )
    with progress:
        task = progress.add_task("export", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            report = export(
                database,
                fmt,
                target,
                annotator=annotator or context.annotator,
                status=status,
                layers=layers,
                include_suggested=include_suggested,
                strict=strict,
                progress=advance,
                schema=schema,
                config=config,
                split=shares,
                seed=seed,
                ents_include=included,
            )
        except StrictExportError as error:
            progress.stop()
            print_problems(console, error.report)
            raise
        except KeyboardInterrupt:
            # export() has removed its staging output: the target is as it was.
            progress.stop()
            where = "" if target == "-" else f"; {target} unchanged"
            say(console, f"export interrupted{where}")
            raise typer.Exit(INTERRUPTED_EXIT) from None
    print_problems(console, report)
    say(console, report.line)
    if report.problems:
        say(console, NOT_AS_STORED)
    return report


def export_help() -> str:
    """The command's help: a summary and one line per format, from the registry."""
    formats = "\n".join(f"  {line}" for line in help_lines())
    # "\b" keeps click from re-wrapping the format list into one paragraph.
    return f"Export annotations as a labelled dataset.\n\n\b\nFormats:\n{formats}"


def register(app: typer.Typer) -> None:
    """Add ``redline export`` to ``app`` (its callback sets ``ctx.obj`` to the CLI Context)."""

    @app.command("export", help=export_help())
    def export_command(
        ctx: typer.Context,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMAT_NAMES)}.")
        ],
        out: Annotated[
            str | None,
            typer.Option("--out", "-o", help="File or directory to write; '-' for stdout."),
        ] = None,
        status: Annotated[
            str, typer.Option("--status", help="Articles in this state (done|all|…).")
        ] = "done",
        annotator: Annotated[
            str | None,
            typer.Option("--annotator", help="Whose annotations: a name or 'all' (default: you)."),
        ] = None,
        layer: Annotated[
            str, typer.Option("--layer", help="Comma-separated: entity,figure,topic.")
        ] = ",".join(LAYER_CHOICES),
        include_suggested: Annotated[
            bool, typer.Option("--include-suggested", help="Also export pending suggestions.")
        ] = False,
        strict: Annotated[
            bool,
            typer.Option("--strict", help="Fail (and write nothing) if any span cannot be exact."),
        ] = False,
        config: Annotated[
            str | None,
            typer.Option(
                "--config",
                help="labelstudio: where to write the labelling config "
                "(default: labelstudio-config.xml beside the tasks).",
            ),
        ] = None,
        split: Annotated[
            str | None,
            typer.Option(
                "--split",
                help="By article, e.g. train=0.8,dev=0.2: --out is then "
                "a directory with one file per split.",
            ),
        ] = None,
        seed: Annotated[int, typer.Option("--seed", help="Shuffle seed for --split.")] = 0,
        ents_include: Annotated[
            str,
            typer.Option(
                "--ents-include",
                help="spacy: also put 'figures' in doc.ents where they overlap no entity.",
            ),
        ] = "",
    ) -> None:
        run_export(
            ctx.obj,
            fmt=fmt,
            out=out,
            status=status,
            annotator=annotator,
            layers=parse_layers(layer),
            include_suggested=include_suggested,
            strict=strict,
            console=Console(stderr=True, highlight=False),
            config=config,
            split=split,
            seed=seed,
            ents_include=ents_include,
        )
