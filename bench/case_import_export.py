"""Case 4, import and export of generated articles (2-8 KB, ~20 spans each).

The corpus is cut into ``MIN_RUNS`` batches; each side processes every batch
in turn and each batch is one timed run, so the median is over batches and
the total is one pass over the whole corpus:

- **import, plain**: ``redline import batch.jsonl`` as the CLI runs it
  (``tui.commands.import_files.import_files``, output to a buffer, so no bar
  is drawn), each batch into the same growing database. Baseline: the stdlib
  ``sqlite3`` module reading the same file (``json.loads`` per line, sha256 of
  the text) and ``executemany`` into an article table, one transaction.
- **import, annotated**: redline's own JSONL with entities and figures through
  ``storage.formats.import_annotated``. Baseline: the same plus a span table.
- **export jsonl / spacy**: ``storage.export.export`` of a batch database
  (every article, ``status="all"``). Baseline: ``sqlite3`` reading the same
  rows and a plain ``json.dumps`` loop writing JSONL. For spaCy a second,
  informative baseline builds the ``DocBin`` with spaCy alone; for JSONL a second,
  informative one writes redline's own records with the driver and ``json.dumps``
  (:mod:`bench.export_baseline`: the same bytes, checked), so the ratio to the
  first also shows what the richer record itself costs.

Annotated import and spaCy export are far slower than the rest, so they run
on a tenth of the corpus (still ``MIN_RUNS`` batches); the note says so.

The SQLite baseline keeps the same full-text index redline keeps (the FTS5
table and triggers of the search migration): every imported article is indexed
on both sides. The same imports and the JSONL export then run on PostgreSQL
(databases created and dropped by the case; baseline: psycopg's
``executemany`` into the same tables with the same ``tsvector`` column and GIN
index, and a psycopg read for the export). Last, the peak memory (RSS) of an
export of 10,000 articles in every format, each in its own process, against
the 200 MB ceiling; the baseline column is the same process that only opens
the database.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import OUT, db
from bench.common import MIN_RUNS, Row, median
from bench.export_baseline import dump_native

NAME = "import_export"
TARGET_PLAIN = 2.0
TARGET_ANNOTATED = 3.0
TARGET_EXPORT = 2.0
MEMORY_CEILING_MB = 200.0
MEMORY_ARTICLES = 10_000
SEARCH = importlib.import_module("storage.migrations.versions.0003_search")
BASE_SCHEMA = """
CREATE TABLE article (id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE NOT NULL, title TEXT NOT NULL,
    text TEXT NOT NULL, source TEXT, published TEXT, length INTEGER, meta TEXT);
CREATE TABLE span (id INTEGER PRIMARY KEY, article_id INTEGER REFERENCES article(id),
    layer TEXT, label TEXT, start INTEGER, "end" INTEGER, text TEXT, status TEXT);
CREATE INDEX ix_span_article ON span (article_id, start);
"""

Step = Callable[[int], None]
"""Process batch ``index``; timed by the caller."""


def _batches(total: int) -> list[tuple[int, int]]:
    size = total // MIN_RUNS
    return [(index * size, size) for index in range(MIN_RUNS)]


def timed_batches(
    ours: Step, baseline: Step, batches: int, cpu: tuple[list[float], list[float]] | None = None
) -> tuple[list[float], list[float]]:
    """Seconds per batch for both sides, alternating so load changes hit both.

    ``cpu`` receives each side's process CPU seconds too: where both sides run in this
    process (SQLite), their ratio is the cost without the waits other processes cause."""
    mine: list[float] = []
    theirs: list[float] = []
    for index in range(batches):
        for side, (step, times) in enumerate(((ours, mine), (baseline, theirs))):
            started, used = time.perf_counter(), time.process_time()
            step(index)
            times.append(time.perf_counter() - started)
            if cpu is not None:
                cpu[side].append(time.process_time() - used)
    return mine, theirs


def cpu_note(cpu: tuple[list[float], list[float]]) -> str:
    return f"CPU-time ratio {median(cpu[0]) / median(cpu[1]):.2f}x (medians, this process)"


def _base_connection(path: Path) -> sqlite3.Connection:
    """The baseline's SQLite database: the tables above plus redline's full-text index."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.executescript(BASE_SCHEMA)
    for statement in SEARCH.SQLITE_UPGRADE:
        if "article_fts" in statement and "'rebuild'" not in statement:
            connection.execute(statement)
    return connection


def base_import(connection: sqlite3.Connection, path: Path, with_spans: bool) -> None:
    """The baseline import: parse each line, hash the text, executemany in one transaction."""
    next_id = (connection.execute("SELECT max(id) FROM article").fetchone()[0] or 0) + 1
    articles, spans = base_rows(path, with_spans, next_id)
    with connection:
        connection.executemany("INSERT INTO article VALUES (?, ?, ?, ?, ?, ?, ?, ?)", articles)
        connection.executemany(
            'INSERT INTO span (article_id, layer, label, start, "end", text, status) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            spans,
        )


def base_rows(
    path: Path, with_spans: bool, next_id: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The article and span rows of a JSONL file: ``json.loads`` per line, sha256 of the text."""
    articles, spans = [], []
    with path.open("rb") as handle:
        for line in handle:
            record = json.loads(line)
            text = record["text"]
            articles.append(
                (next_id, hashlib.sha256(text.encode()).hexdigest(), record["title"], text,
                 record.get("source"), record.get("published"), len(text), "{}")
            )  # fmt: skip
            if with_spans:
                for layer, key in (("entity", "entities"), ("figure", "figures")):
                    spans.extend(
                        (next_id, layer, s["label"], s["start"], s["end"], s["text"], s["status"])
                        for s in record[key]
                    )
            next_id += 1
    return articles, spans


def base_export(database: Path, out: Path) -> None:
    """The baseline export: read articles and spans with sqlite3, one ``json.dumps`` per article."""
    connection = sqlite3.connect(database)
    try:
        _dump_articles(connection, out)
    finally:
        connection.close()


def _dump_articles(connection: Any, out: Path) -> None:
    """Articles with their spans as JSON lines, read through a DB-API ``connection.execute``.

    ``default=str`` is for PostgreSQL's dates (SQLite hands back text already).
    """
    spans: dict[int, list[dict[str, object]]] = {}
    for article_id, layer, label, start, end, text, status in connection.execute(
        'SELECT article_id, layer, label, start, "end", text, status FROM span '
        "ORDER BY article_id, start"
    ):
        spans.setdefault(article_id, []).append(
            {"layer": layer, "label": label, "start": start, "end": end, "text": text,
             "status": status}
        )  # fmt: skip
    with out.open("w", encoding="utf-8") as handle:
        for row in connection.execute(
            "SELECT id, sha256, title, source, published, text FROM article ORDER BY id"
        ):
            names = ("id", "sha256", "title", "source", "published", "text")
            record = dict(zip(names, row, strict=True))
            record["spans"] = spans.get(row[0], [])
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def same_records_export(database: Path, out: Path) -> None:
    """The second baseline: sqlite3 and a ``json.dumps`` loop writing redline's own records."""
    connection = sqlite3.connect(database)
    try:
        dump_native(connection, out, db.ANNOTATOR, "?")
    finally:
        connection.close()


def same_bytes(ours: list[Path], theirs: list[Path]) -> str:
    """The note saying whether the same-records baseline wrote redline's very bytes."""
    equal = all(a.read_bytes() == b.read_bytes() for a, b in zip(ours, theirs, strict=True))
    return "the loop wrote redline's bytes" if equal else "OUTPUT DIFFERS from redline's"


@lru_cache(maxsize=1)
def blank_english() -> Any:
    import spacy

    return spacy.blank("en")


def spacy_docbin(database: Path, out: Path) -> None:
    """spaCy alone: tokenise, set ``doc.ents`` and a figures span group, write a ``DocBin``."""
    from spacy.tokens import DocBin, Span
    from spacy.util import filter_spans

    nlp = blank_english()
    connection = sqlite3.connect(database)
    try:
        spans: dict[int, list[tuple[str, str, int, int]]] = {}
        for row in connection.execute(
            'SELECT article_id, layer, label, start, "end" FROM span ORDER BY article_id, start'
        ):
            spans.setdefault(row[0], []).append(row[1:])
        docbin = DocBin(store_user_data=True)
        for article_id, text in connection.execute("SELECT id, text FROM article ORDER BY id"):
            doc = nlp.make_doc(text)
            found: dict[str, list[Span]] = {"entity": [], "figure": []}
            for layer, label, start, end in spans.get(article_id, []):
                span = doc.char_span(start, end, label=label, alignment_mode="expand")
                if span is not None:
                    found[layer].append(span)
            doc.ents = filter_spans(found["entity"])
            doc.spans["figures"] = found["figure"]
            docbin.add(doc)
        docbin.to_disk(out)
    finally:
        connection.close()


def run(console: Console, quick: bool) -> list[Row]:
    blank_english()  # loaded before timing: both spaCy sides need it, and it takes a second
    total = 500 if quick else 10_000
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="import-export-", dir=OUT))
    try:
        rows = _sqlite_rows(total, work)
        for part in (
            lambda: _postgres_rows(console, total, work),
            lambda: memory_rows(300 if quick else MEMORY_ARTICLES, work),
        ):
            try:
                found = part()
            except Exception as error:  # reported; the rows measured so far still stand
                console.print(f"[red]part of the case failed: {type(error).__name__}: {error}[/]")
                continue
            rows += found
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def _sqlite_rows(total: int, work: Path) -> list[Row]:
    from storage.db import open_db
    from storage.formats import import_annotated
    from tui.commands.import_files import import_files

    slow_total = total // 10
    rows: list[Row] = []
    # -- plain import --------------------------------------------------------------
    files = [db.corpus_jsonl(size, "plain", start) for start, size in _batches(total)]
    ours_db = open_db(str(work / "plain.db"))
    quiet = Console(file=io.StringIO())
    base = _base_connection(work / "plain-base.db")
    ours, theirs = timed_batches(
        lambda i: import_files(ours_db, [str(files[i])], console=quiet),
        lambda i: base_import(base, files[i], with_spans=False),
        len(files),
    )
    rows.append(_row("import, plain JSONL", total, ours, theirs, target=TARGET_PLAIN))
    # -- annotated import ----------------------------------------------------------
    native = [db.corpus_jsonl(size, "native", start) for start, size in _batches(slow_total)]
    annotated_db = open_db(str(work / "annotated.db"))
    base_spans = _base_connection(work / "annotated-base.db")
    ours, theirs = timed_batches(
        lambda i: import_annotated(annotated_db, native[i], "jsonl", annotator=db.ANNOTATOR),
        lambda i: base_import(base_spans, native[i], with_spans=True),
        len(native),
    )
    rows.append(_row("import, annotated JSONL", slow_total, ours, theirs, target=TARGET_ANNOTATED))
    rows += _export_rows("jsonl", total, work)
    rows += _export_rows("spacy", slow_total, work)
    ours_db.dispose()
    annotated_db.dispose()
    base.close()
    base_spans.close()
    return rows


def _export_rows(fmt: str, size: int, work: Path) -> list[Row]:
    """Export each batch database as ``fmt`` with redline and with the baseline(s)."""
    from storage.db import open_db
    from storage.export import export

    sources = [db.corpus_db(count, start) for start, count in _batches(size)]
    opened = [open_db(str(path)) for path in sources]
    try:
        cpu: tuple[list[float], list[float]] = ([], [])
        ours, theirs = timed_batches(
            lambda i: export(
                opened[i], fmt, work / f"{fmt}-{i}.out", annotator=db.ANNOTATOR, status="all"
            ),
            lambda i: base_export(sources[i], work / f"base-{i}.jsonl"),
            len(sources),
            cpu,
        )
        target = TARGET_EXPORT if fmt == "jsonl" else None
        rows = [_row(f"export {fmt}", size, ours, theirs, "vs json.dumps loop", target)]
        rows[0].note += "; " + cpu_note(cpu)
        if fmt == "jsonl":
            cpu = ([], [])
            ours, same = timed_batches(
                lambda i: export(
                    opened[i], fmt, work / f"{fmt}-{i}.out", annotator=db.ANNOTATOR, status="all"
                ),
                lambda i: same_records_export(sources[i], work / f"same-{i}.jsonl"),
                len(sources),
                cpu,
            )
            row = _row("export jsonl", size, ours, same, "vs json.dumps loop, same records")
            row.note += "; " + cpu_note(cpu)
            outputs = range(len(sources))
            row.note += "; " + same_bytes(
                [work / f"{fmt}-{i}.out" for i in outputs],
                [work / f"same-{i}.jsonl" for i in outputs],
            )
            rows.append(row)
        if fmt == "spacy":
            _, native = timed_batches(
                lambda i: None,
                lambda i: spacy_docbin(sources[i], work / f"docbin-{i}.spacy"),
                len(sources),
            )
            rows.append(_row("export spacy", size, ours, native, "vs spaCy DocBin alone", None))
        return rows
    finally:
        for database in opened:
            database.dispose()


# -- PostgreSQL ----------------------------------------------------------------------

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
    """:func:`base_import` on PostgreSQL: psycopg's executemany, one transaction."""
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
    """:func:`base_export` reading redline's PostgreSQL tables with psycopg."""
    connection = _psycopg(url)
    try:
        _dump_articles(connection, out)
    finally:
        connection.close()


def pg_same_records_export(url: str, out: Path) -> None:
    """:func:`same_records_export` on PostgreSQL, with psycopg."""
    connection = _psycopg(url)
    try:
        dump_native(connection, out, db.ANNOTATOR, "%s")
    finally:
        connection.close()


def _postgres_rows(console: Console, total: int, work: Path) -> list[Row]:
    """The imports and the JSONL export again, on PostgreSQL; none when no server answers."""
    from storage.db import open_db
    from storage.export import export
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
        files = [db.corpus_jsonl(size, "plain", start) for start, size in _batches(total)]
        ours_db, base = open_db(plain_url), _psycopg(base_url)
        ours, theirs = timed_batches(
            lambda i: import_files(ours_db, [str(files[i])], console=quiet),
            lambda i: pg_base_import(base, files[i], with_spans=False),
            len(files),
        )
        rows.append(_row("PostgreSQL: import, plain JSONL", total, ours, theirs,
                         target=TARGET_PLAIN))  # fmt: skip
        slow = total // 10
        native = [db.corpus_jsonl(size, "native", start) for start, size in _batches(slow)]
        annotated_db, base_spans = open_db(annotated_url), _psycopg(spans_url)
        ours, theirs = timed_batches(
            lambda i: import_annotated(annotated_db, native[i], "jsonl", annotator=db.ANNOTATOR),
            lambda i: pg_base_import(base_spans, native[i], with_spans=True),
            len(native),
        )
        rows.append(_row("PostgreSQL: import, annotated JSONL", slow, ours, theirs,
                         target=TARGET_ANNOTATED))  # fmt: skip
        # The plain database now holds the whole corpus (without spans); the annotated one
        # a tenth with spans: export that one, MIN_RUNS times.
        ours, theirs = timed_batches(
            lambda i: export(annotated_db, "jsonl", work / f"pg-{i}.jsonl",
                             annotator=db.ANNOTATOR, status="all"),
            lambda i: pg_base_export(annotated_url, work / f"pg-base-{i}.jsonl"),
            MIN_RUNS,
        )  # fmt: skip
        per = slow // MIN_RUNS
        row = _row("PostgreSQL: export jsonl", slow * MIN_RUNS, ours, theirs,
                   "vs json.dumps loop", TARGET_EXPORT)  # fmt: skip
        row.metric = f"PostgreSQL: export jsonl, {slow:,} articles (vs json.dumps loop)"
        row.note = f"{MIN_RUNS} runs over the {slow:,} annotated articles ({per:,} per batch above)"
        rows.append(row)
        ours, same = timed_batches(
            lambda i: export(annotated_db, "jsonl", work / f"pg-{i}.jsonl",
                             annotator=db.ANNOTATOR, status="all"),
            lambda i: pg_same_records_export(annotated_url, work / f"pg-same-{i}.jsonl"),
            MIN_RUNS,
        )  # fmt: skip
        row = _row("PostgreSQL: export jsonl", slow * MIN_RUNS, ours, same)
        row.metric = (
            f"PostgreSQL: export jsonl, {slow:,} articles (vs json.dumps loop, same records)"
        )
        outputs = range(MIN_RUNS)
        row.note = f"info; {MIN_RUNS} runs; " + same_bytes(
            [work / f"pg-{i}.jsonl" for i in outputs],
            [work / f"pg-same-{i}.jsonl" for i in outputs],
        )
        rows.append(row)
        for database in (ours_db, annotated_db):
            database.dispose()
        base.close()
        base_spans.close()
    finally:
        for context in reversed(stack):
            context.__exit__(None, None, None)
    return rows


# -- memory ----------------------------------------------------------------------------

MEASURE = """
import sys
from storage.db import open_db
database = open_db(sys.argv[1])
if sys.argv[2] != "-":
    from storage.export import export
    export(database, sys.argv[2], sys.argv[3], annotator="all", status="all")
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""
"""Prints the process's peak RSS in kB: ``VmHWM``, this process's own high-water mark
(``ru_maxrss`` would report the parent's peak too: Linux keeps it across ``exec``)."""


def peak_rss_mb(database: Path, fmt: str, out: Path) -> float:
    """Peak RSS of a fresh process exporting ``database`` as ``fmt`` (``-``: only opening it)."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(database), fmt, str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(result.stdout.strip().splitlines()[-1]) / 1024


def memory_rows(articles: int, work: Path) -> list[Row]:
    """Peak RSS of an export of ``articles`` articles, per format, against the ceiling."""
    from storage.formats.registry import FORMATS, export_formats

    source = db.corpus_db(articles)
    floor = peak_rss_mb(source, "-", work / "none")
    rows = []
    for fmt in export_formats():
        started = time.perf_counter()
        peak = peak_rss_mb(source, fmt, work / f"memory-{fmt}{FORMATS[fmt].suffix}")
        rows.append(Row(
            "import/export", f"export {fmt}, peak RSS of {articles:,} articles (vs opening only)",
            peak, floor, "MB", target_value=MEMORY_CEILING_MB, runs=1,
            note=f"one process per format; took {time.perf_counter() - started:.0f} s",
        ))  # fmt: skip
        shutil.rmtree(work / f"memory-{fmt}{FORMATS[fmt].suffix}", ignore_errors=True)
    return rows


def _row(
    metric: str,
    total: int,
    ours: list[float],
    theirs: list[float],
    vs: str = "",
    target: float | None = None,
) -> Row:
    per = total // MIN_RUNS
    note = (
        f"{total:,} articles in {len(ours)} batches of {per:,}; totals "
        f"{sum(ours):.1f} s vs {sum(theirs):.1f} s"
    )
    return Row(
        "import/export",
        f"{metric}, per {per:,}-article batch" + (f" ({vs})" if vs else ""),
        median(ours),
        median(theirs),
        "s",
        target_ratio=target,
        runs=len(ours),
        note=note if target is not None else f"info; {note}",
    )
