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
  informative baseline builds the ``DocBin`` with spaCy alone.

Annotated import and spaCy export are far slower than the rest, so they run
on a tenth of the corpus (still ``MIN_RUNS`` batches); the note says so.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import OUT, db
from bench.common import MIN_RUNS, Row, median

NAME = "import_export"
TARGET_RATIO = 2.5
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


def timed_batches(ours: Step, baseline: Step, batches: int) -> tuple[list[float], list[float]]:
    """Seconds per batch for both sides, alternating so load changes hit both."""
    mine: list[float] = []
    theirs: list[float] = []
    for index in range(batches):
        for step, times in ((ours, mine), (baseline, theirs)):
            started = time.perf_counter()
            step(index)
            times.append(time.perf_counter() - started)
    return mine, theirs


def _base_connection(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.executescript(BASE_SCHEMA)
    return connection


def base_import(connection: sqlite3.Connection, path: Path, with_spans: bool) -> None:
    """The baseline import: parse each line, hash the text, executemany in one transaction."""
    articles, spans = [], []
    next_id = (connection.execute("SELECT max(id) FROM article").fetchone()[0] or 0) + 1
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
    with connection:
        connection.executemany("INSERT INTO article VALUES (?, ?, ?, ?, ?, ?, ?, ?)", articles)
        connection.executemany(
            'INSERT INTO span (article_id, layer, label, start, "end", text, status) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            spans,
        )


def base_export(database: Path, out: Path) -> None:
    """The baseline export: read articles and spans with sqlite3, one ``json.dumps`` per article."""
    connection = sqlite3.connect(database)
    try:
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
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        connection.close()


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
    from storage.db import open_db
    from storage.formats import import_annotated
    from tui.commands.import_files import import_files

    blank_english()  # loaded before timing: both spaCy sides need it, and it takes a second
    total = 500 if quick else 10_000
    slow_total = total // 10
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="import-export-", dir=OUT))
    rows: list[Row] = []
    try:
        # -- plain import ----------------------------------------------------------
        batches = _batches(total)
        files = [db.corpus_jsonl(size, "plain", start) for start, size in batches]
        ours_db = open_db(str(work / "plain.db"))
        quiet = Console(file=io.StringIO())
        base = _base_connection(work / "plain-base.db")
        ours, theirs = timed_batches(
            lambda i: import_files(ours_db, [str(files[i])], console=quiet),
            lambda i: base_import(base, files[i], with_spans=False),
            len(files),
        )
        rows.append(_row("import, plain JSONL", total, ours, theirs))

        # -- annotated import ------------------------------------------------------
        slow = _batches(slow_total)
        native = [db.corpus_jsonl(size, "native", start) for start, size in slow]
        annotated_db = open_db(str(work / "annotated.db"))
        base_spans = _base_connection(work / "annotated-base.db")
        ours, theirs = timed_batches(
            lambda i: import_annotated(annotated_db, native[i], "jsonl", annotator=db.ANNOTATOR),
            lambda i: base_import(base_spans, native[i], with_spans=True),
            len(native),
        )
        rows.append(_row("import, annotated JSONL", slow_total, ours, theirs))

        rows += _export_rows("jsonl", total, work)
        rows += _export_rows("spacy", slow_total, work)
        ours_db.dispose()
        annotated_db.dispose()
        base.close()
        base_spans.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def _export_rows(fmt: str, size: int, work: Path) -> list[Row]:
    """Export each batch database as ``fmt`` with redline and with the baseline(s)."""
    from storage.db import open_db
    from storage.export import export

    sources = [db.corpus_db(count, start) for start, count in _batches(size)]
    opened = [open_db(str(path)) for path in sources]
    try:
        ours, theirs = timed_batches(
            lambda i: export(
                opened[i], fmt, work / f"{fmt}-{i}.out", annotator=db.ANNOTATOR, status="all"
            ),
            lambda i: base_export(sources[i], work / f"base-{i}.jsonl"),
            len(sources),
        )
        rows = [_row(f"export {fmt}", size, ours, theirs, "vs json.dumps loop")]
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


def _row(
    metric: str,
    total: int,
    ours: list[float],
    theirs: list[float],
    vs: str = "",
    target: float | None = TARGET_RATIO,
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
