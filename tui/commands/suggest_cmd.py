"""``redline suggest``: pre-annotate a corpus with a progress bar."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from storage import queries
from storage.db import Database
from storage.errors import StorageError
from storage.repository import Repository
from storage.suggestions import SuggestOptions, SuggestReport, suggest_corpus
from tui.literal import visible_line


def run_suggest(
    database: Database,
    annotator: str,
    article_ids: list[int] | None,
    options: SuggestOptions,
    console: Console,
    jobs: int = 1,
) -> SuggestReport:
    """Suggest for ``article_ids`` (None: every article) with ``jobs`` worker processes;
    errors are one line."""
    from storage.suggest import model_available

    if options.model and not model_available(options.model):
        raise StorageError(
            f"spaCy pipeline {options.model!r} is not installed (pip install it or pass a path)"
        )
    ids = article_ids if article_ids is not None else queries.article_ids(database)
    missing = [i for i in ids if queries.get_article(database, i) is None]
    if missing:
        raise StorageError(f"no article with id {', '.join(map(str, missing))}")
    if jobs < 1:
        raise StorageError(f"--jobs must be at least 1, not {jobs}")
    with Repository(database, annotator) as repository:
        report = _suggest_all(database, repository, ids, options, console, jobs)
    for failure in report.failed:
        console.print(Text(visible_line(f"redline: error: {failure.line}")), soft_wrap=True)
    return report


def _suggest_all(
    database: Database,
    repository: Repository,
    ids: list[int],
    options: SuggestOptions,
    console: Console,
    jobs: int,
) -> SuggestReport:
    from concurrent.futures.process import BrokenProcessPool

    from storage.suggest import GazetteerFileError, ModelNotFound

    progress = Progress(
        TextColumn("suggesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[added]} added"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # no bar (nor its blank line) in a log or a pipe
    )
    added = 0
    with progress:
        task = progress.add_task("suggest", total=len(ids), added=0)

        def advance(_article_id: int, count: int) -> None:
            nonlocal added
            added += count
            progress.update(task, advance=1, added=added)

        try:
            return suggest_corpus(database, repository, ids, options, advance, jobs=jobs)
        except (GazetteerFileError, ModelNotFound) as exc:
            raise StorageError(str(exc)) from exc
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
            raise StorageError(
                f"a suggest worker process stopped unexpectedly ({exc}); "
                "what was stored before stays, run again or use --jobs 1"
            ) from exc


def summary(report: SuggestReport) -> str:
    origins = ", ".join(f"{origin} {count}" for origin, count in sorted(report.by_origin.items()))
    failed = f"; {len(report.failed)} articles failed" if report.failed else ""
    return (
        f"suggested {report.added} spans in {report.articles} articles"
        + (f" ({origins})" if origins else "")
        + failed
    )


def gazetteer_path(value: Path | None) -> Path | None:
    if value is not None and not value.is_file():
        raise StorageError(f"{value}: no such gazetteer file")
    return value
