"""Case 4, import and export of generated articles (2-8 KB, ~20 spans each).

The corpus is cut into ``MIN_RUNS`` batches; each side processes every batch
in turn and each batch is one timed run, so the median is over batches and
the total is one pass over the whole corpus (:mod:`bench.import_export_timing`):

- **import, plain**: ``redline import batch.jsonl`` as the CLI runs it
  (``tui.commands.import_files.import_files``, output to a buffer, so no bar
  is drawn), each batch into the same growing database. Baseline: the stdlib
  ``sqlite3`` module reading the same file (``json.loads`` per line, sha256 of
  the text) and ``executemany`` into an article table, one transaction
  (:mod:`bench.import_export_import`).
- **import, annotated**: redline's own JSONL with entities and figures through
  ``storage.formats.import_annotated``. Baseline: the same plus a span table.
- **export jsonl**: ``storage.export.export`` of a batch database (every
  article, ``status="all"``; :mod:`bench.import_export_export`). The target's
  baseline is the raw driver, ``sqlite3``, and a ``json.dumps`` loop writing
  redline's own records (:mod:`bench.export_baseline`: the same bytes, checked
  and said in the note), since issue 16 asks export to be close to the raw
  engine. A second, informative baseline, without target, is a ``json.dumps``
  loop over smaller records (the article's columns and its spans).
- **export spacy**: the same; the informative baseline builds the ``DocBin``
  with spaCy alone.

Annotated import and spaCy export are far slower than the rest, so they run
on a tenth of the corpus (still ``MIN_RUNS`` batches); the note says so.

The SQLite baseline keeps the same full-text index redline keeps (the FTS5
table and triggers of the search migration): every imported article is indexed
on both sides. The same imports and the JSONL export then run on PostgreSQL
(:mod:`bench.import_export_pg`; databases created and dropped by the case;
baseline: psycopg's ``executemany`` into the same tables with the same
``tsvector`` column and GIN index, and psycopg reads for the two export
baselines). Last, the peak memory (RSS) of an export of 10,000 articles in
every format, each in its own process, against the 200 MB ceiling; the baseline
column is the same process that only opens the database.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from bench import OUT, db
from bench.common import Row
from bench.import_export_export import blank_english, export_rows
from bench.import_export_import import import_rows
from bench.import_export_pg import postgres_rows

NAME = "import_export"
MEMORY_CEILING_MB = 200.0
MEMORY_ARTICLES = 10_000


def run(console: Console, quick: bool) -> list[Row]:
    blank_english()  # loaded before timing: both spaCy sides need it, and it takes a second
    total = 500 if quick else 10_000
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="import-export-", dir=OUT))
    try:
        rows = import_rows(total, work)
        rows += export_rows("jsonl", total, work)
        rows += export_rows("spacy", total // 10, work)
        for part in (
            lambda: postgres_rows(console, total, work),
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
