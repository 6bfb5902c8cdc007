"""Importing annotated files: every format of :mod:`storage.formats.registry` with a reader.

``redline import`` routes a path here when :func:`detect_format` recognises it::

    fmt = detect_format(path)            # "jsonl", "prodigy", … or None
    if fmt is not None:
        report = import_annotated(db, path, fmt, annotator="ana", schema=config.schema)
        for error in report.errors:      # each names the file and line
            print(error)

Each record (a line, a task, a brat document) is read, checked against its
text and the label schema, and stored with up to :data:`BATCH_RECORDS` others
in one transaction (:func:`storage.formats.store.store_batch`); a bad record
imports nothing and is reported with its file and line, the good ones import. Spans are stored as
``origin="import"`` under ``annotator``; re-importing adds nothing new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from storage.db import Database
from storage.errors import StorageError
from storage.formats.labels import LabelKey, apply_map, describe, unknown_labels
from storage.formats.record import AnnotatedRecord, SchemaLike, check, ignored_text
from storage.formats.registry import FORMATS, import_formats
from storage.formats.sniff import detect_format
from storage.formats.store import store_batch
from storage.importers import ImportFileError
from storage.text import OffsetError

Reader = Callable[[Path, SchemaLike | None], Iterator[AnnotatedRecord | ImportFileError]]
AddLabels = Callable[[Counter[LabelKey]], SchemaLike]
ANNOTATED_FORMATS = import_formats()
"""The formats ``redline import`` reads (the names match ``redline export --format``)."""
BATCH_RECORDS = 250
"""Records stored per transaction (each in its own SAVEPOINT when one is refused)."""
KEEP_READ_CHARS = 32_000_000
"""Article text the label pass keeps for the import pass; past it the file is read again."""


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
    ignored: Counter[str] = field(default_factory=Counter)
    """Annotations of kinds redline does not store, per kind ("relation", "event", …)."""
    skipped: int = 0
    """Records the file itself marks as not annotated (Prodigy ``reject``/``ignore`` answers)."""
    labels_added: list[LabelKey] = field(default_factory=list)
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
        if self.skipped:
            parts.append(f"{self.skipped} rejected or ignored task(s) skipped")
        if self.ignored:
            parts.append(f"ignored: {ignored_text(self.ignored)}")
        if self.errors:
            parts.append(f"{len(self.errors)} failed")
        return ", ".join(parts)


def import_annotated(
    db: Database,
    path: Path | str,
    fmt: str | None = None,
    *,
    annotator: str,
    schema: SchemaLike | None = None,
    keep_annotators: bool = True,
    label_map: Mapping[str, str] | None = None,
    add_labels: AddLabels | None = None,
) -> ImportReport:
    """Import every good record of an annotated file or brat directory.

    ``schema`` (default: the built-in one) is what labels and topics are
    checked against. A record that names its annotator (redline's JSONL and
    its other exports, Label Studio's ``completed_by``, Prodigy's
    ``_annotator_id``) is stored under that name, so two annotators' records
    of one article stay two; ``annotator`` is for records that name nobody.
    ``keep_annotators=False`` (``redline import --as NAME``) stores every
    record under ``annotator``.

    Labels are renamed by ``label_map`` as records are read. Labels the schema
    still lacks are counted before anything is stored: with ``add_labels`` they
    are handed to it (it returns the schema to use, which has them), without it
    the file fails with one :class:`UnknownLabelsError` naming them with counts.
    """
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt is None:
        raise ImportFileError(
            path, f"not an annotated file redline can read ({', '.join(ANNOTATED_FORMATS)})"
        )
    if fmt not in ANNOTATED_FORMATS:
        raise ImportFileError(
            path, f"unknown annotated format {fmt!r} ({', '.join(ANNOTATED_FORMATS)})"
        )
    if schema is None:
        from storage.schema import builtin_schema

        schema = builtin_schema()
    report = ImportReport(path=str(path), format=fmt)
    reader: Reader = FORMATS[fmt].load_reader()
    mapping = dict(label_map or {})
    unknown, read = _unknown_labels(reader(path, schema), mapping, schema)
    if unknown:
        if add_labels is None:
            raise UnknownLabelsError(path, unknown)
        schema = add_labels(unknown)
        report.labels_added = sorted(unknown)
        read = None  # read again: the schema the records are read with changed
    items = _each(reader(path, schema)) if read is None else iter(read)
    batch: list[tuple[AnnotatedRecord | ImportFileError, str | None]] = []
    for item in items:
        if isinstance(item, AnnotatedRecord) and item.skipped:
            report.skipped += 1  # a task the annotator rejected or ignored: not an annotation
            continue
        batch.append(_checked(item, mapping, schema, annotator, keep_annotators, read is None))
        if len(batch) >= BATCH_RECORDS:
            _store(db, batch, report)
            batch = []
    _store(db, batch, report)
    return report


def _checked(
    item: AnnotatedRecord | ImportFileError,
    mapping: Mapping[str, str],
    schema: SchemaLike,
    annotator: str,
    keep_annotators: bool,
    map_labels: bool,
) -> tuple[AnnotatedRecord | ImportFileError, str | None]:
    """The record checked and whose it is, or why it fails (file and line)."""
    if isinstance(item, ImportFileError):
        return item, None
    try:
        if map_labels:
            apply_map(item, mapping, schema)
        record = check(item, schema)
    except ImportFileError as error:
        return error, None
    except (OffsetError, StorageError) as error:
        return ImportFileError(item.path, str(error), item.line, task=item.task), None
    return record, record.annotator if keep_annotators and record.annotator else annotator


def _store(
    db: Database,
    batch: list[tuple[AnnotatedRecord | ImportFileError, str | None]],
    report: ImportReport,
) -> None:
    """Store a batch's good records in one transaction; count and report all, in file order."""
    good = [(item, who) for item, who in batch if isinstance(item, AnnotatedRecord) and who]
    stored = iter(store_batch(db, good) if good else [])
    for item, _ in batch:
        outcome = next(stored) if isinstance(item, AnnotatedRecord) else item
        if isinstance(outcome, ImportFileError):
            report.errors.append(outcome)
            continue
        assert isinstance(item, AnnotatedRecord)
        report.records += 1
        report.ignored.update(item.ignored)
        report.article_ids.append(outcome.article_id)
        report.articles_created += outcome.created
        report.articles_existing += not outcome.created
        report.spans_added += outcome.spans_added
        report.spans_skipped += outcome.spans_skipped
        report.topics_added += outcome.topics_added


class UnknownLabelsError(ImportFileError):
    """The file uses labels the schema does not have; nothing was imported."""

    def __init__(self, path: Path, counts: Counter[LabelKey]) -> None:
        super().__init__(
            path,
            f"labels not in the schema: {describe(counts)}; rename them with "
            "--map FROM=TO,… or add them with --add-labels (nothing imported)",
        )
        self.counts = counts


def _unknown_labels(
    items: Iterator[AnnotatedRecord | ImportFileError],
    mapping: Mapping[str, str],
    schema: SchemaLike,
) -> tuple[Counter[LabelKey], list[AnnotatedRecord | ImportFileError] | None]:
    """Every label the file's good records use that the schema lacks, with its count.

    Also the items read (labels mapped), so the import need not parse the file
    twice; None when they hold more than :data:`KEEP_READ_CHARS` of text (a big
    file is read again instead of held in memory).
    """
    counts: Counter[LabelKey] = Counter()
    kept: list[AnnotatedRecord | ImportFileError] | None = []
    size = 0
    for item in _each(items):
        if isinstance(item, AnnotatedRecord) and not item.skipped:
            apply_map(item, mapping, schema)
            counts.update(unknown_labels(item, schema))
            size += len(item.text)
        if kept is not None:
            kept.append(item)
            if size > KEEP_READ_CHARS:
                kept = None
    return counts, kept


def _each(
    items: Iterator[AnnotatedRecord | ImportFileError],
) -> Iterator[AnnotatedRecord | ImportFileError]:
    """A reader's items; one that gives up with an error ends with that error as its last item.

    Readers yield their errors, but a file-level failure (unreadable, binary)
    may be raised from inside the generator; the records stored before it
    still count in the report.
    """
    try:
        yield from items
    except ImportFileError as error:
        yield error


__all__ = [
    "ANNOTATED_FORMATS",
    "ImportReport",
    "UnknownLabelsError",
    "detect_format",
    "import_annotated",
]
