"""The import/export case's exports on SQLite (:mod:`bench.case_import_export`) and their
baselines, each reading the same batch database:

- **jsonl, the target's baseline**: the raw driver, ``sqlite3``, and a ``json.dumps``
  loop writing redline's own records (:mod:`bench.export_baseline`; the same bytes,
  checked and said in the note), since issue 16 asks export to be close to the raw
  engine;
- **jsonl, informative**: ``sqlite3`` and a ``json.dumps`` loop over smaller records
  (the article's columns and its spans), no target;
- **spacy, informative**: ``sqlite3`` and the ``DocBin`` built with spaCy alone.
"""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from bench import db
from bench.common import Row
from bench.export_baseline import dump_native
from bench.import_export_timing import (
    TARGET_EXPORT,
    Step,
    batches,
    cpu_note,
    row,
    timed_batches,
)

SAME_BYTES = "vs sqlite3 + json.dumps writing redline's bytes"
"""The JSONL target row's baseline, as its name says it (PostgreSQL: psycopg)."""
SMALLER = "vs json.dumps loop, smaller records"
"""The informative JSONL row's baseline."""


def base_export(database: Path, out: Path) -> None:
    """The informative baseline: read articles and spans with sqlite3, one ``json.dumps``
    of a smaller record per article."""
    connection = sqlite3.connect(database)
    try:
        dump_articles(connection, out)
    finally:
        connection.close()


def dump_articles(connection: Any, out: Path) -> None:
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
        for found in connection.execute(
            "SELECT id, sha256, title, source, published, text FROM article ORDER BY id"
        ):
            names = ("id", "sha256", "title", "source", "published", "text")
            record = dict(zip(names, found, strict=True))
            record["spans"] = spans.get(found[0], [])
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def same_records_export(database: Path, out: Path) -> None:
    """The target's baseline: sqlite3 and a ``json.dumps`` loop writing redline's own records."""
    connection = sqlite3.connect(database)
    try:
        dump_native(connection, out, db.ANNOTATOR, "?")
    finally:
        connection.close()


def same_bytes(ours: list[Path], theirs: list[Path]) -> str:
    """The note saying whether the target's baseline wrote redline's very bytes."""
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
        for found in connection.execute(
            'SELECT article_id, layer, label, start, "end" FROM span ORDER BY article_id, start'
        ):
            spans.setdefault(found[0], []).append(found[1:])
        docbin = DocBin(store_user_data=True)
        for article_id, text in connection.execute("SELECT id, text FROM article ORDER BY id"):
            doc = nlp.make_doc(text)
            layers: dict[str, list[Span]] = {"entity": [], "figure": []}
            for layer, label, start, end in spans.get(article_id, []):
                span = doc.char_span(start, end, label=label, alignment_mode="expand")
                if span is not None:
                    layers[layer].append(span)
            doc.ents = filter_spans(layers["entity"])
            doc.spans["figures"] = layers["figure"]
            docbin.add(doc)
        docbin.to_disk(out)
    finally:
        connection.close()


def export_rows(fmt: str, size: int, work: Path) -> list[Row]:
    """Export each batch database as ``fmt`` with redline and with the baseline(s)."""
    from storage.db import open_db
    from storage.export import export

    sources = [db.corpus_db(count, start) for start, count in batches(size)]
    opened = [open_db(str(path)) for path in sources]

    def ours(i: int) -> None:
        export(opened[i], fmt, work / f"{fmt}-{i}.out", annotator=db.ANNOTATOR, status="all")

    try:
        if fmt == "jsonl":
            return _jsonl_rows(size, sources, ours, work)
        mine, native = timed_batches(
            ours, lambda i: spacy_docbin(sources[i], work / f"docbin-{i}.spacy"), len(sources)
        )
        return [row(f"export {fmt}", size, mine, native, "vs spaCy DocBin alone", None)]
    finally:
        for database in opened:
            database.dispose()


def _jsonl_rows(size: int, sources: list[Path], ours: Step, work: Path) -> list[Row]:
    """The informative row (smaller records) and the target row (redline's own bytes).

    The informative loop runs first, as it always has: its exports also pay for the first
    connection of each batch database's engine, so the target's loop compares warm sides."""
    cpu: tuple[list[float], list[float]] = ([], [])
    mine, theirs = timed_batches(
        ours, lambda i: base_export(sources[i], work / f"base-{i}.jsonl"), len(sources), cpu
    )
    smaller = row("export jsonl", size, mine, theirs, SMALLER)
    smaller.note += "; " + cpu_note(cpu)
    cpu = ([], [])
    mine, same = timed_batches(
        ours, lambda i: same_records_export(sources[i], work / f"same-{i}.jsonl"), len(sources), cpu
    )
    target = row("export jsonl", size, mine, same, SAME_BYTES, TARGET_EXPORT)
    outputs = range(len(sources))
    target.note += (
        "; baseline: bench/export_baseline.py; "
        + cpu_note(cpu)
        + "; "
        + same_bytes(
            [work / f"jsonl-{i}.out" for i in outputs], [work / f"same-{i}.jsonl" for i in outputs]
        )
    )
    return [smaller, target]
