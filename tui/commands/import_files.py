"""``redline import``: files, directories and globs into the database, with progress.

Every problem is one line naming the file (and line or task) and the import
goes on with the rest; the summary ("imported N, skipped M duplicates, failed
K") is always complete, and ``failed`` counts every file or record that did
not import, so the exit code can say so. Paths and reasons come from the user's
files: they are printed as plain text (never Rich markup) with control
characters made visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text
from sqlalchemy.exc import DataError

from storage.articles import add_articles
from storage.db import Database
from storage.errors import DatabaseError, StorageError
from storage.importers import ImportFileError, ParsedArticle, expand_paths, read_articles
from tui.literal import visible_line

READ_FAILURES = (OSError, UnicodeError, ValueError, RecursionError)
"""What reading a hostile file can raise beyond :class:`ImportFileError`: one file's failure."""


@dataclass
class ImportSummary:
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    article_ids: list[int] = field(default_factory=list)
    annotated: list[str] = field(default_factory=list)
    """One line per annotated file: records, spans added, already present.

    It names a user's file: print it as plain text (``tui.cli.say``), never as markup."""

    @property
    def line(self) -> str:
        return (
            f"imported {self.imported}, skipped {self.skipped} duplicate"
            f"{'' if self.skipped == 1 else 's'}, failed {self.failed}"
        )


def failure_line(problem: object) -> Text:
    """``✗ file: line 3: reason`` as plain text: never parsed as markup, controls visible."""
    line = Text("✗ ", style="red")
    line.append(visible_line(str(problem)))
    return line


def _read(path: Path) -> tuple[list[ParsedArticle], list[ImportFileError]]:
    articles: list[ParsedArticle] = []
    errors: list[ImportFileError] = []
    try:
        for item in read_articles(path):
            if isinstance(item, ImportFileError):
                errors.append(item)
            else:
                articles.append(item)
    except ImportFileError as exc:
        errors.append(exc)
    except READ_FAILURES as exc:
        errors.append(ImportFileError(path, str(exc) or type(exc).__name__))
    return articles, errors


def _detected(path: Path) -> str | None:
    """The annotated format of ``path``; None for plain articles or anything unreadable."""
    from storage.formats import detect_format

    try:
        return detect_format(path)
    except READ_FAILURES:
        return None  # the plain reader reports why the file cannot be read


@dataclass
class LabelOptions:
    """``--as``, ``--map`` and ``--add-labels`` of ``redline import``."""

    as_annotator: str | None = None
    """Store every record under this name instead of the annotator the file names."""
    label_map: dict[str, str] = field(default_factory=dict)
    add_labels_to: Path | None = None
    """The ``redline.toml`` that labels the schema lacks are added to (None: they fail)."""
    schema: object | None = None
    """The schema in force, updated when labels are added."""


def _import_annotated(
    database: Database,
    path: Path,
    fmt: str | None,
    annotator: str,
    labels: LabelOptions,
    summary: ImportSummary,
    console: Console,
) -> None:
    """An export of redline, Prodigy, doccano, Label Studio or brat: articles and spans."""
    from storage.formats import import_annotated

    adder = _adder(labels, console) if labels.add_labels_to is not None else None
    try:
        report = import_annotated(
            database, path, fmt, annotator=labels.as_annotator or annotator,
            schema=labels.schema, keep_annotators=labels.as_annotator is None,  # type: ignore[arg-type]
            label_map=labels.label_map, add_labels=adder,
        )  # fmt: skip
    except DatabaseError as exc:
        raise _DatabaseFailed(path, exc) from exc
    except ImportFileError as exc:
        console.print(failure_line(exc), highlight=False)
        summary.failed += 1
        return
    except (StorageError, *READ_FAILURES) as exc:
        console.print(failure_line(f"{path}: {exc}"), highlight=False)
        summary.failed += 1
        return
    for error in report.errors:
        console.print(failure_line(error), highlight=False)
    summary.failed += len(report.errors)
    summary.imported += report.articles_created
    summary.skipped += report.articles_existing
    summary.article_ids.extend(report.article_ids)
    summary.annotated.append(report.line)


def import_files(
    database: Database,
    patterns: list[str],
    *,
    console: Console,
    annotator: str = "",
    fmt: str | None = None,
    schema: object | None = None,
    labels: LabelOptions | None = None,
) -> ImportSummary:
    """Import every article found; report each bad file by name and keep going.

    A path holding annotations (see ``storage.formats.detect_format``, or any
    path when ``fmt`` is given) is imported with its spans under ``annotator``;
    so is an annotated ``.jsonl`` found in a directory or by a glob. A database
    that fails stops the import there (the summary still counts what was done).
    """
    summary = ImportSummary()
    labels = labels or LabelOptions()
    if labels.schema is None:
        labels.schema = schema
    try:
        plain: list[str] = []
        for pattern in patterns:
            path = Path(pattern)
            annotated = fmt or _detected(path)
            if annotated:
                _import_annotated(database, path, annotated, annotator, labels, summary, console)
            else:
                plain.append(pattern)
        if plain:
            _import_plain(database, plain, annotator, labels, summary, console)
    except _DatabaseFailed as stop:
        console.print(failure_line(f"{stop.path}: {stop.error}"), highlight=False)
        console.print(Text("import stopped: the database cannot be written"), highlight=False)
        summary.failed += 1
    except KeyboardInterrupt:  # what is stored stays stored: say how much that is
        console.print(Text(f"import interrupted: {summary.line} so far"), highlight=False)
        raise
    return summary


def label_options(
    context: object, as_annotator: str | None, label_map: str | None, add_labels: bool
) -> LabelOptions:
    """``LabelOptions`` from the command line; a bad ``--map`` is a ``typer.BadParameter``.

    ``--add-labels`` writes to the ``--schema`` file when one is given, else to the
    ``redline.toml`` next to the SQLite database (the working directory's for PostgreSQL).
    """
    import typer

    from storage.formats.labels import parse_map

    try:
        mapping = parse_map(label_map or "")
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--map") from None
    target = None
    if add_labels:
        schema_path = getattr(context, "schema_path", None)
        location = str(getattr(context, "db_location", ""))
        if schema_path is not None:
            target = Path(schema_path)
        elif "://" in location:
            target = Path("redline.toml")
        else:
            target = Path(location).absolute().parent / "redline.toml"
    config = context.config()  # type: ignore[attr-defined]
    return LabelOptions(as_annotator=as_annotator or None, label_map=mapping,
                        add_labels_to=target, schema=config.schema)  # fmt: skip


def _adder(labels: LabelOptions, console: Console):  # type: ignore[no-untyped-def]
    """The ``add_labels`` callback: append the labels to the TOML, say so, use the new schema."""
    from storage.formats.labels import add_to_toml, invalid_keys, write_text_durably
    from storage.schema import SchemaError, load_config

    target = labels.add_labels_to
    assert target is not None

    def add(counts):  # type: ignore[no-untyped-def]
        wanted = sorted(counts)
        bad = invalid_keys(wanted)
        if bad:
            names = ", ".join(f"{layer} {key!r}" for layer, key in bad)
            raise ImportFileError(target, f"cannot add {names}: not a valid key (use --map)")
        old = target.read_text("utf-8") if target.exists() else None
        add_to_toml(target, wanted)
        try:
            labels.schema = load_config(target).schema
        except SchemaError as error:
            if old is None:
                target.unlink()
            else:
                write_text_durably(target, old)
            raise ImportFileError(target, f"labels not added: {error}") from None
        added = ", ".join(f"{layer} {key}" for layer, key in wanted)
        console.print(Text(visible_line(f"added {len(wanted)} label(s) to {target}: {added}")))
        return labels.schema

    return add


class _DatabaseFailed(Exception):
    """The database refused a write: the files after ``path`` are not tried."""

    def __init__(self, path: Path, error: DatabaseError) -> None:
        super().__init__(path, error)
        self.path = path
        self.error = error


def _import_plain(
    database: Database,
    patterns: list[str],
    annotator: str,
    labels: LabelOptions,
    summary: ImportSummary,
    console: Console,
) -> None:
    """Files, directories and globs of articles (an annotated file among them goes its way)."""
    paths, problems = expand_paths(patterns)
    for error in problems:
        console.print(failure_line(error), highlight=False)
        summary.failed += 1
    progress = Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[name]}", markup=False),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not paths,
    )
    with progress:
        task = progress.add_task("import", total=len(paths), name="")
        for path in paths:
            progress.update(task, name=visible_line(path.name))
            annotated = _detected(path) if path.suffix.lower() in (".jsonl", ".txt") else None
            if annotated:
                _import_annotated(
                    database, path, annotated, annotator, labels, summary, progress.console
                )
                progress.advance(task)
                continue
            articles, errors = _read(path)
            for error in errors:
                progress.console.print(failure_line(error), highlight=False)
                summary.failed += 1
            try:
                results = add_articles(database, articles)
            except DatabaseError as exc:
                if not isinstance(exc.__cause__, DataError):
                    raise _DatabaseFailed(path, exc) from exc
                progress.console.print(failure_line(f"{path}: {exc}"), highlight=False)
                summary.failed += 1  # a value this database cannot hold: this file only
                results = []
            except StorageError as exc:
                progress.console.print(failure_line(f"{path}: {exc}"), highlight=False)
                summary.failed += 1
                results = []
            for result in results:
                summary.article_ids.append(result.article_id)
                if result.created:
                    summary.imported += 1
                else:
                    summary.skipped += 1
            progress.advance(task)
