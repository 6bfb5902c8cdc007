"""The import/export case on PostgreSQL (:mod:`bench.case_import_export`): the imports and
the JSONL export again, in databases created and dropped by the case.

The baselines are the SQLite ones with psycopg: ``executemany`` into the same tables with
redline's ``tsvector`` column and GIN index; for the export, psycopg and a ``json.dumps``
loop writing redline's own records (the target's, :mod:`bench.export_baseline`) and over
smaller records (informative).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import db
from bench.common import MIN_RUNS, Row
from bench.export_baseline import dump_native
from bench.import_export_export import SMALLER, dump_articles, same_bytes
from bench.import_export_import import SEARCH, base_rows
from bench.import_export_timing import (
    TARGET_ANNOTATED,
    TARGET_EXPORT,
    TARGET_PLAIN,
    batches,
    row,
    timed_batches,
)

SAME_BYTES = "vs psycopg + json.dumps writing redline's bytes"
"""The JSONL target row's baseline on PostgreSQL, as its name says it."""
PG_BASE_SCHEMA = (
    "CREATE TABLE article (id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE NOT NULL, "
    "title TEXT NOT NULL, text TEXT NOT NULL, source TEXT, published TEXT, length INTEGER, "
    "meta TEXT)",
    "CREATE TABLE span (id SERIAL PRIMARY KEY, article_id INTEGER REFERENCES article(id), "
    'layer TEXT, label TEXT, start INTEGER, "end" INTEGER, text TEXT, status TEXT)',
    "CREATE INDEX ix_span_article ON span (article_id, start)",
    *SEARCH.POSTGRES_UPGRADE,
)
"""The baseline's tables on PostgreSQL, with redline's ``tsvector`` column and GIN index."""


@contextmanager
def postgres_database(tag: str) -> Iterator[str]:
    """An empty PostgreSQL database for the block (``REDLINE_BENCH_PG``), dropped after."""
    from sqlalchemy import create_engine, text

    admin = create_engine(os.environ.get("REDLINE_BENCH_PG", db.PG_ADMIN_URL),
                          isolation_level="AUTOCOMMIT")  # fmt: skip
    name = f"redline_bench_ie_{tag}_{os.getpid()}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin.url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _psycopg(url: str) -> Any:
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def pg_base_import(connection: Any, path: Path, with_spans: bool) -> None:
    """The SQLite baseline import on PostgreSQL: psycopg's executemany, one transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM article")
        articles, spans = base_rows(path, with_spans, cursor.fetchone()[0] + 1)
        cursor.executemany(
            "INSERT INTO article (id, sha256, title, text, source, published, length, meta) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            articles,
        )
        cursor.executemany(
            'INSERT INTO span (article_id, layer, label, start, "end", text, status) '
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            spans,
        )
    connection.commit()


def pg_base_export(url: str, out: Path) -> None:
    """The informative export baseline (smaller records) reading redline's PostgreSQL
    tables with psycopg."""
    connection = _psycopg(url)
    try:
        dump_articles(connection, out)
    finally:
        connection.close()


def pg_same_records_export(url: str, out: Path) -> None:
    """The target's export baseline on PostgreSQL: psycopg writing redline's own records."""
    connection = _psycopg(url)
    try:
        dump_native(connection, out, db.ANNOTATOR, "%s")
    finally:
        connection.close()


def postgres_rows(console: Console, total: int, work: Path) -> list[Row]:
    """The imports and the JSONL export again, on PostgreSQL; none when no server answers."""
    from storage.db import open_db
    from storage.formats import import_annotated
    from tui.commands.import_files import import_files

    try:
        stack = [postgres_database(tag) for tag in ("plain", "base", "annotated", "spans")]
        urls = [context.__enter__() for context in stack]
    except Exception as error:  # no server: the SQLite rows still stand
        console.print(f"[yellow]PostgreSQL skipped: {type(error).__name__}: {error}[/]")
        return []
    plain_url, base_url, annotated_url, spans_url = urls
    rows: list[Row] = []
    try:
        for url in (base_url, spans_url):
            with _psycopg(url) as connection:
                for statement in PG_BASE_SCHEMA:
                    connection.execute(statement)
        quiet = Console(file=io.StringIO())
        files = [db.corpus_jsonl(size, "plain", start) for start, size in batches(total)]
        ours_db, base = open_db(plain_url), _psycopg(base_url)
        ours, theirs = timed_batches(
            lambda i: import_files(ours_db, [str(files[i])], console=quiet),
            lambda i: pg_base_import(base, files[i], with_spans=False),
            len(files),
        )
        rows.append(row("PostgreSQL: import, plain JSONL", total, ours, theirs,
                        target=TARGET_PLAIN))  # fmt: skip
        slow = total // 10
        native = [db.corpus_jsonl(size, "native", start) for start, size in batches(slow)]
        annotated_db, base_spans = open_db(annotated_url), _psycopg(spans_url)
        ours, theirs = timed_batches(
            lambda i: import_annotated(annotated_db, native[i], "jsonl", annotator=db.ANNOTATOR),
            lambda i: pg_base_import(base_spans, native[i], with_spans=True),
            len(native),
        )
        rows.append(row("PostgreSQL: import, annotated JSONL", slow, ours, theirs,
                        target=TARGET_ANNOTATED))  # fmt: skip
        rows += _export_rows(annotated_db, annotated_url, slow, work)
        for database in (ours_db, annotated_db):
            database.dispose()
        base.close()
        base_spans.close()
    finally:
        for context in reversed(stack):
            context.__exit__(None, None, None)
    return rows


def _export_rows(annotated_db: Any, url: str, slow: int, work: Path) -> list[Row]:
    """The JSONL export of the annotated database, ``MIN_RUNS`` times against each baseline
    (the informative one first, as on SQLite).

    The plain database holds the whole corpus (without spans) by now; the annotated one a
    tenth, with spans: that one is exported."""
    from storage.export import export

    def ours(i: int) -> None:
        export(annotated_db, "jsonl", work / f"pg-{i}.jsonl", annotator=db.ANNOTATOR,
               status="all")  # fmt: skip

    per = slow // MIN_RUNS
    mine, theirs = timed_batches(
        ours, lambda i: pg_base_export(url, work / f"pg-base-{i}.jsonl"), MIN_RUNS
    )
    smaller = row("PostgreSQL: export jsonl", slow * MIN_RUNS, mine, theirs, SMALLER)
    smaller.metric = f"PostgreSQL: export jsonl, {slow:,} articles ({SMALLER})"
    smaller.note = f"info; {MIN_RUNS} runs over the {slow:,} annotated articles"
    mine, same = timed_batches(
        ours, lambda i: pg_same_records_export(url, work / f"pg-same-{i}.jsonl"), MIN_RUNS
    )
    target = row("PostgreSQL: export jsonl", slow * MIN_RUNS, mine, same, SAME_BYTES,
                 TARGET_EXPORT)  # fmt: skip
    target.metric = f"PostgreSQL: export jsonl, {slow:,} articles ({SAME_BYTES})"
    outputs = range(MIN_RUNS)
    target.note = (
        f"{MIN_RUNS} runs over the {slow:,} annotated articles ({per:,} per batch above); "
        "baseline: bench/export_baseline.py; "
        + same_bytes(
            [work / f"pg-{i}.jsonl" for i in outputs],
            [work / f"pg-same-{i}.jsonl" for i in outputs],
        )
    )
    return [smaller, target]
