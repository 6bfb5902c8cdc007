"""The ``redline`` command line (Typer).

Only the TUI commands import Textual; ``redline --help``, ``import``,
``export`` and friends stay light. Every expected failure is one line on
stderr and a non-zero exit code — never a traceback.
"""

from __future__ import annotations

import getpass
import logging
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from storage.errors import StorageError
from tui.literal import visible

app = typer.Typer(
    name="redline",
    help="Read news articles and annotate entities, topics and figures.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _register_export() -> None:
    from tui.commands.export_cmd import register

    register(app)


def _register_insight() -> None:
    from tui.commands.check_cmd import register as register_check
    from tui.commands.report_html import register as register_report

    register_check(app)
    register_report(app)


def _register_serve() -> None:
    from tui.commands.serve_cmd import register

    register(app)


def _register_team() -> None:
    from tui.commands.team_cmd import register

    register(app)


def _register_train() -> None:
    from tui.commands.train_cmd import register

    register(app)


out = Console(soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def say(console: Console, message: str) -> None:
    """Print one message literally: paths, titles and errors are data, never markup or
    terminal control codes."""
    console.print(Text(visible(message)), highlight=False)


class Failed(Exception):
    """A command failed in a way already explained to the user; exit with ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def default_annotator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "annotator"


class Context:
    """Global options shared by every command."""

    def __init__(self, db: str, annotator: str, schema: Path | None) -> None:
        self.db_location = db
        self.annotator = annotator
        self.schema_path = schema
        self._db = None
        self._config = None

    def open_db(self, *, migrate: bool = True, create: bool = False):  # type: ignore[no-untyped-def]
        """The database, opened once. Only ``import`` (and ``open`` with files) and
        ``db upgrade`` pass ``create=True``: every other command, the TUI included,
        refuses a missing or empty database with "no database at PATH; run
        `redline import` to create one" rather than leave a new empty file behind."""
        from storage.db import open_db

        if self._db is None:
            self._db = open_db(self.db_location, migrate=migrate, create=create)
        return self._db

    def config(self):  # type: ignore[no-untyped-def]
        from storage.schema import load_config

        if self._config is None:
            self._config = load_config(self.schema_path)
        return self._config


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"redline {version('redline')}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: Annotated[
        str,
        typer.Option("--db", envvar="REDLINE_DB", help="SQLite path or postgresql:// URL."),
    ] = "redline.db",
    annotator: Annotated[
        str | None,
        typer.Option(
            "--annotator", envvar="REDLINE_ANNOTATOR", help="Who is annotating (default: OS user)."
        ),
    ] = None,
    schema: Annotated[
        Path | None,
        typer.Option("--schema", envvar="REDLINE_SCHEMA", help="A redline.toml to use."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Open the library screen when no command is given."""
    ctx.obj = Context(db, annotator or default_annotator(), schema)
    if ctx.invoked_subcommand is None:
        run_tui(ctx.obj)


def run_tui(context: Context, article_ids: list[int] | None = None) -> None:
    database = context.open_db()
    config = context.config()
    from tui.app import RedlineApp

    RedlineApp(
        database=database,
        annotator=context.annotator,
        config=config,
        open_articles=article_ids,
    ).run()


@app.command("open")
def open_command(
    ctx: typer.Context,
    targets: Annotated[list[str], typer.Argument(help="Article ids or files to import and open.")],
) -> None:
    """Open articles by id, or import files and open them."""
    context: Context = ctx.obj
    ids: list[int] = []
    paths: list[str] = []
    for target in targets:
        (ids if target.isdigit() else paths).append(int(target) if target.isdigit() else target)
    database = context.open_db(create=bool(paths))
    if paths:
        from tui.commands.import_files import import_files

        summary = import_files(database, paths, console=err, annotator=context.annotator)
        if summary.failed:
            raise Failed(summary.line)
        ids.extend(summary.article_ids)
    from storage.queries import get_article

    for article_id in ids:
        if get_article(database, article_id) is None:
            raise Failed(f"no article with id {article_id}")
    run_tui(context, ids)


@app.command("import")
def import_command(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Files, directories or globs.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Read as an annotated export: jsonl, prodigy, doccano, labelstudio, brat "
            "(detected when omitted).",
        ),
    ] = None,
    as_annotator: Annotated[
        str | None,
        typer.Option("--as", help="Store every record under this annotator (default: the "
                     "file's own annotators, else you)."),
    ] = None,
    label_map: Annotated[
        str | None,
        typer.Option("--map", help="Rename labels: PER=PERSON,ORGANIZATION=ORG."),
    ] = None,
    add_labels: Annotated[
        bool,
        typer.Option("--add-labels", help="Add labels the schema lacks to redline.toml "
                     "(the --schema file, else the one next to the database)."),
    ] = False,
) -> None:
    """Import articles (.txt .md .html .jsonl) or annotated exports into the database."""
    from tui.commands.import_files import import_files, label_options

    context: Context = ctx.obj
    labels = label_options(context, as_annotator, label_map, add_labels)
    summary = import_files(
        context.open_db(create=True),
        paths,
        console=err,
        annotator=context.annotator,
        fmt=fmt,
        labels=labels,
    )
    for line in summary.annotated:
        say(out, line)
    say(out, summary.line)
    if summary.failed:
        raise typer.Exit(1)


@app.command("list")
def list_command(
    ctx: typer.Context,
    search: Annotated[str, typer.Option("--search", "-s", help="Filter by title/text.")] = "",
    state: Annotated[
        str | None, typer.Option("--state", help="todo|in_progress|done|skipped")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n")] = 100,
    sort: Annotated[
        str, typer.Option("--sort", help="id, or useful: least certain model suggestions first.")
    ] = "id",
) -> None:
    """A table of articles with this annotator's state and counts."""
    from tui.commands.report import print_articles

    rows = None
    if sort == "useful":
        from tui.commands.train_cmd import useful_rows

        context: Context = ctx.obj
        database, config = context.open_db(), context.config()
        rows = useful_rows(database, context.annotator, config, search, state, limit)
    elif sort != "id":
        raise Failed(f"--sort: unknown order {sort!r} (id, useful)")
    print_articles(out, ctx.obj.open_db(), ctx.obj.annotator, search, state, limit, rows)


@app.command("stats")
def stats_command(
    ctx: typer.Context,
    everyone: Annotated[bool, typer.Option("--all", help="Count every annotator.")] = False,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the charts as PNG and SVG files into this directory."),
    ] = None,
) -> None:
    """Counts per state, label, topic and figure kind (or, with --plot, charts of them)."""
    from tui.commands.report import print_stats

    context: Context = ctx.obj
    who = None if everyone else context.annotator
    if plot is not None:
        from tui.commands.stats_plot import plot_stats

        plot_stats(out, context.open_db(), who, context.config().schema, plot)
        return
    print_stats(out, context.open_db(), who)


@app.command("schema")
def schema_command(ctx: typer.Context) -> None:
    """Print the label schema in force (built-in or redline.toml)."""
    from tui.commands.report import print_schema

    print_schema(out, ctx.obj.config())


@app.command("suggest")
def suggest_command(
    ctx: typer.Context,
    ids: Annotated[list[int] | None, typer.Argument(help="Article ids (default: --all).")] = None,
    all_articles: Annotated[bool, typer.Option("--all", help="Every article.")] = False,
    model: Annotated[
        str | None, typer.Option("--model", help="An installed spaCy pipeline (name or path).")
    ] = None,
    gazetteer: Annotated[
        Path | None, typer.Option("--gazetteer", help="TSV or JSONL: text, label, kb_id.")
    ] = None,
    no_rules: Annotated[
        bool, typer.Option("--no-rules", help="Skip the built-in entity rules.")
    ] = False,
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Skip figure rules.")] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", help="Worker processes (default: the CPU count)."),
    ] = None,
) -> None:
    """Pre-annotate articles: figures, gazetteer entities, rules, an optional model."""
    from storage.suggestions import SuggestOptions
    from tui.commands.suggest_cmd import gazetteer_path, run_suggest, summary

    if ids and all_articles:
        raise Failed("give article ids or --all, not both")
    context: Context = ctx.obj
    options = SuggestOptions.from_config(
        context.config(),
        figures=not no_figures,
        entity_rules=not no_rules,
        gazetteer_file=gazetteer_path(gazetteer),
        model=model,
    )
    from storage.suggest.parallel import default_jobs

    workers = default_jobs() if jobs is None else jobs
    report = run_suggest(context.open_db(), context.annotator, ids or None, options, err, workers)
    say(out, summary(report))
    if report.failed:  # each failed article was reported on stderr; the rest were stored
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    stamp: Annotated[
        bool,
        typer.Option(
            "--stamp",
            help="Record this redline's revision on redline tables that lost it (nothing else).",
        ),
    ] = False,
) -> None:
    """Create or migrate the database schema to this redline's revision."""
    database = ctx.obj.open_db(migrate=False, create=True)
    before, after = database.migrate(stamp=stamp)
    if before == after:
        say(out, f"{database.label} is up to date (revision {after})")
    else:
        say(out, f"{database.label} upgraded from {before or 'empty'} to {after}")


_register_export()
_register_insight()
_register_serve()
_register_team()
_register_train()


def main() -> None:
    """Console-script entry point: run the CLI and turn known errors into one line."""
    from storage.importers import ImportFileError
    from storage.schema import SchemaError

    # psycopg logs clean-up noise ("error ignored terminating <Pipeline>") through
    # logging's last-resort stderr handler after a refused write; the refusal
    # itself is already reported as one line, so that second line is dropped.
    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    try:
        code = app(standalone_mode=False)
    except (StorageError, SchemaError, ImportFileError, Failed) as exc:
        say(err, f"redline: error: {exc}")
        raise SystemExit(getattr(exc, "code", 1)) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        err.print("redline: aborted")
        raise SystemExit(130) from None
    except KeyboardInterrupt:
        err.print("redline: interrupted")
        raise SystemExit(130) from None
    except OSError as exc:
        say(err, f"redline: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        raise SystemExit(1) from None
    except Exception as exc:
        # Usage errors (unknown option, bad value) are the ClickExceptions of
        # the click Typer vendors: they know how to show themselves.
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()
            raise SystemExit(exit_code) from None
        raise
    if isinstance(code, int) and code:
        raise SystemExit(code)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
