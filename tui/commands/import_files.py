"""``redline import``: files, directories and globs into the database, with progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from storage.articles import add_articles
from storage.db import Database
from storage.errors import StorageError
from storage.importers import ImportFileError, ParsedArticle, expand_paths, read_articles


@dataclass
class ImportSummary:
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    article_ids: list[int] = field(default_factory=list)
    annotated: list[str] = field(default_factory=list)
    """One line per annotated file: records, spans added, already present."""

    @property
    def line(self) -> str:
        return (
            f"imported {self.imported}, skipped {self.skipped} duplicate"
            f"{'' if self.skipped == 1 else 's'}, failed {self.failed}"
        )


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
    except (OSError, UnicodeError, ValueError) as exc:
        errors.append(ImportFileError(path, str(exc) or type(exc).__name__))
    return articles, errors


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
    except ImportFileError as exc:
        console.print(f"✗ {exc}", highlight=False, markup=False)
        summary.failed += 1
        return
    for error in report.errors:
        console.print(f"✗ {error}", highlight=False, markup=False)
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
    path when ``fmt`` is given) is imported with its spans under ``annotator``.
    """
    from storage.formats import detect_format

    summary = ImportSummary()
    plain: list[str] = []
    for pattern in patterns:
        path = Path(pattern)
        annotated = fmt or (detect_format(path) if path.exists() else None)
        if annotated:
            _import_annotated(database, path, annotated, annotator, schema, summary, console)
        else:
            plain.append(pattern)
    if not plain:
        return summary
    paths, missing = expand_paths(plain)
    for error in missing:
        console.print(f"[red]✗[/] {error}", highlight=False, markup=True)
        summary.failed += 1
    progress = Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[name]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not paths,
    )
    with progress:
        task = progress.add_task("import", total=len(paths), name="")
        for path in paths:
            progress.update(task, name=path.name)
            articles, errors = _read(path)
            for error in errors:
                progress.console.print(f"✗ {error}", highlight=False, markup=False)
                summary.failed += 1
            try:
                results = add_articles(database, articles)
            except StorageError as exc:
                progress.console.print(f"✗ {path}: {exc}", highlight=False, markup=False)
                summary.failed += 1
                results = []
            for result in results:
                summary.article_ids.append(result.article_id)
                if result.created:
                    summary.imported += 1
                else:
                    summary.skipped += 1
            progress.advance(task)
    return summary
