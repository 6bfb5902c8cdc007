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


def _import_annotated(
    database: Database,
    path: Path,
    fmt: str | None,
    annotator: str,
    schema: object | None,
    summary: ImportSummary,
    console: Console,
) -> None:
    """An export of redline, Prodigy, doccano, Label Studio or brat: articles and spans."""
    from storage.formats import import_annotated

    try:
        report = import_annotated(database, path, fmt, annotator=annotator, schema=schema)  # type: ignore[arg-type]
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
) -> ImportSummary:
    """Import every article found; report each bad file by name and keep going.

    A path holding annotations (see ``storage.formats.detect_format``, or any
    path when ``fmt`` is given) is imported with its spans under ``annotator``;
    so is an annotated ``.jsonl`` found in a directory or by a glob. A database
    that fails stops the import there (the summary still counts what was done).
    """
    summary = ImportSummary()
    try:
        plain: list[str] = []
        for pattern in patterns:
            path = Path(pattern)
            annotated = fmt or _detected(path)
            if annotated:
                _import_annotated(database, path, annotated, annotator, schema, summary, console)
            else:
                plain.append(pattern)
        if plain:
            _import_plain(database, plain, annotator, schema, summary, console)
    except _DatabaseFailed as stop:
        console.print(failure_line(f"{stop.path}: {stop.error}"), highlight=False)
        console.print(Text("import stopped: the database cannot be written"), highlight=False)
        summary.failed += 1
    except KeyboardInterrupt:  # what is stored stays stored: say how much that is
        console.print(Text(f"import interrupted: {summary.line} so far"), highlight=False)
        raise
    return summary


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
    schema: object | None,
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
                    database, path, annotated, annotator, schema, summary, progress.console
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
