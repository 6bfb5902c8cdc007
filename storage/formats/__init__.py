"""Importing annotated files: redline JSONL, Prodigy, doccano, Label Studio and brat.

``redline import`` routes a path here when :func:`detect_format` recognises it::

    fmt = detect_format(path)            # "jsonl", "prodigy", … or None
    if fmt is not None:
        report = import_annotated(db, path, fmt, annotator="ana", schema=config.schema)
        for error in report.errors:      # each names the file and line
            print(error)

Each record (a line, a task, a brat document) is read, checked against its
text and the label schema, and stored in its own transaction; a bad record
imports nothing and is reported, the good ones import. Spans are stored as
``origin="import"`` under ``annotator``; re-importing adds nothing new.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.db import Database
from storage.errors import DatabaseError, StorageError
from storage.formats.brat import read_brat
from storage.formats.doccano import read_doccano
from storage.formats.labelstudio import read_labelstudio
from storage.formats.native import read_native
from storage.formats.prodigy import read_prodigy
from storage.formats.record import AnnotatedRecord, SchemaLike, check
from storage.formats.store import store_record
from storage.importers import ImportFileError
from storage.text import OffsetError

Reader = Callable[[Path, SchemaLike | None], Iterator[AnnotatedRecord | ImportFileError]]
READERS: dict[str, Reader] = {
    "jsonl": read_native,
    "prodigy": read_prodigy,
    "doccano": read_doccano,
    "labelstudio": read_labelstudio,
    "brat": read_brat,
}
"""Annotated format name → reader (the names match ``redline export --format``)."""
ANNOTATED_FORMATS = tuple(READERS)
_SNIFF_LINES = 5


@dataclass
class ImportReport:
    """What one annotated import did, and every record it could not take."""

    path: str
    format: str
    records: int = 0
    articles_created: int = 0
    articles_existing: int = 0
    spans_added: int = 0
    spans_skipped: int = 0
    topics_added: int = 0
    ignored: int = 0
    """Annotations of kinds redline does not store (relations, events, other attributes)."""
    article_ids: list[int] = field(default_factory=list)
    errors: list[ImportFileError] = field(default_factory=list)

    @property
    def line(self) -> str:
        parts = [
            f"{self.path} ({self.format}): {self.records} record(s)",
            f"{self.articles_created} new article(s)",
            f"{self.spans_added} span(s) added",
            f"{self.spans_skipped} already present",
            f"{self.topics_added} topic(s)",
        ]
        if self.ignored:
            parts.append(f"{self.ignored} unsupported annotation(s) ignored")
        if self.errors:
            parts.append(f"{len(self.errors)} failed")
        return ", ".join(parts)


def detect_format(path: Path | str) -> str | None:
    """The annotated format of ``path``, or None when it holds plain articles (or is unknown).

    A directory with ``.ann`` files, an ``.ann`` file or a ``.txt`` with an
    ``.ann`` beside it is brat; ``.json`` is Label Studio; JSONL is told apart by
    the keys of its first records.
    """
    path = Path(path)
    if path.is_dir():
        return "brat" if any(path.rglob("*.ann")) else None
    suffix = path.suffix.lower()
    if suffix == ".ann" or (suffix == ".txt" and path.with_suffix(".ann").is_file()):
        return "brat"
    if suffix == ".json":
        return "labelstudio"
    if suffix != ".jsonl":
        return None
    try:
        with path.open("rb") as handle:
            sniffed = 0
            for raw in handle:
                if not raw.strip():
                    continue
                sniffed += 1
                found = _jsonl_kind(raw)
                if found is not None or sniffed >= _SNIFF_LINES:
                    return found if found != "plain" else None
    except OSError:
        return None
    return None


def _jsonl_kind(raw: bytes) -> str | None:
    """One JSONL line's format; "plain" for an article without annotations, None if unreadable."""
    try:
        value: Any = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(value, dict):
        return None
    if "redline" in value and isinstance(value["redline"], int):
        return "jsonl"
    if any(key in value for key in ("tokens", "answer", "accept", "_input_hash", "_task_hash")):
        return "prodigy"
    if isinstance(value.get("label"), list) or "cats" in value:
        return "doccano"
    entities = value.get("entities")
    if isinstance(entities, list) and entities and isinstance(entities[0], dict):
        return "doccano" if "start_offset" in entities[0] else "jsonl"
    if isinstance(value.get("figures"), list) or isinstance(value.get("topics"), list):
        return "jsonl"
    if isinstance(value.get("spans"), list):
        return "prodigy"
    return "plain"


def import_annotated(
    db: Database,
    path: Path | str,
    fmt: str | None = None,
    *,
    annotator: str,
    schema: SchemaLike | None = None,
    keep_annotators: bool = False,
) -> ImportReport:
    """Import every good record of an annotated file or brat directory.

    ``schema`` (default: the built-in one) is what labels and topics are
    checked against. With ``keep_annotators`` a record that names its annotator
    (redline's own exports do) is stored under that name instead of ``annotator``.
    """
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt is None:
        raise ImportFileError(
            path, f"not an annotated file redline can read ({', '.join(ANNOTATED_FORMATS)})"
        )
    if fmt not in READERS:
        raise ImportFileError(path, f"unknown annotated format {fmt!r} ({', '.join(READERS)})")
    if schema is None:
        from storage.schema import builtin_schema

        schema = builtin_schema()
    report = ImportReport(path=str(path), format=fmt)
    for item in READERS[fmt](path, schema):
        if isinstance(item, ImportFileError):
            report.errors.append(item)
            continue
        try:
            record = check(item, schema)
            who = record.annotator if keep_annotators and record.annotator else annotator
            stored = store_record(db, record, who)
        except ImportFileError as error:
            report.errors.append(error)
            continue
        except DatabaseError:
            raise
        except (OffsetError, StorageError) as error:
            report.errors.append(ImportFileError(item.path, str(error), item.line))
            continue
        report.records += 1
        report.ignored += record.ignored
        report.article_ids.append(stored.article_id)
        report.articles_created += stored.created
        report.articles_existing += not stored.created
        report.spans_added += stored.spans_added
        report.spans_skipped += stored.spans_skipped
        report.topics_added += stored.topics_added
    return report


__all__ = [
    "ANNOTATED_FORMATS",
    "READERS",
    "ImportReport",
    "detect_format",
    "import_annotated",
]
