"""The import/export case's imports on SQLite (:mod:`bench.case_import_export`) and the
baseline they are measured against, the stdlib ``sqlite3`` module: ``json.loads`` per
line, sha256 of the text and ``executemany`` into an article table (plus a span table for
annotated files), one transaction, with the same full-text index redline keeps (the FTS5
table and triggers of the search migration)."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import db
from bench.common import Row
from bench.import_export_timing import TARGET_ANNOTATED, TARGET_PLAIN, batches, row, timed_batches

SEARCH = importlib.import_module("storage.migrations.versions.0003_search")
BASE_SCHEMA = """
CREATE TABLE article (id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE NOT NULL, title TEXT NOT NULL,
    text TEXT NOT NULL, source TEXT, published TEXT, length INTEGER, meta TEXT);
CREATE TABLE span (id INTEGER PRIMARY KEY, article_id INTEGER REFERENCES article(id),
    layer TEXT, label TEXT, start INTEGER, "end" INTEGER, text TEXT, status TEXT);
CREATE INDEX ix_span_article ON span (article_id, start);
"""


def base_connection(path: Path) -> sqlite3.Connection:
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


def import_rows(total: int, work: Path) -> list[Row]:
    """Plain import of ``total`` articles and annotated import of a tenth, on SQLite."""
    from storage.db import open_db
    from storage.formats import import_annotated
    from tui.commands.import_files import import_files

    slow_total = total // 10
    rows: list[Row] = []
    # -- plain import --------------------------------------------------------------
    files = [db.corpus_jsonl(size, "plain", start) for start, size in batches(total)]
    ours_db = open_db(str(work / "plain.db"))
    quiet = Console(file=io.StringIO())
    base = base_connection(work / "plain-base.db")
    ours, theirs = timed_batches(
        lambda i: import_files(ours_db, [str(files[i])], console=quiet),
        lambda i: base_import(base, files[i], with_spans=False),
        len(files),
    )
    rows.append(row("import, plain JSONL", total, ours, theirs, target=TARGET_PLAIN))
    # -- annotated import ----------------------------------------------------------
    native = [db.corpus_jsonl(size, "native", start) for start, size in batches(slow_total)]
    annotated_db = open_db(str(work / "annotated.db"))
    base_spans = base_connection(work / "annotated-base.db")
    ours, theirs = timed_batches(
        lambda i: import_annotated(annotated_db, native[i], "jsonl", annotator=db.ANNOTATOR),
        lambda i: base_import(base_spans, native[i], with_spans=True),
        len(native),
    )
    rows.append(row("import, annotated JSONL", slow_total, ours, theirs, target=TARGET_ANNOTATED))
    ours_db.dispose()
    annotated_db.dispose()
    base.close()
    base_spans.close()
    return rows
