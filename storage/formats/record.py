"""One annotated record as read from any format, and the checks every record passes.

Readers turn their format into :class:`AnnotatedRecord` values; everything
after that (text normalisation, offset and label checks, storing) is shared,
so a malformed span is rejected the same way whatever file it came from. Every
check raises :class:`~storage.importers.ImportFileError` naming the file and
line, and a record that fails any check imports nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from storage.formats.codec import (
    EVIDENCE_PREFIX,
    EntityRef,
    parse_figure,
    parse_published,
)
from storage.importers import ImportFileError
from storage.models import ARTICLE_STATES, FIGURE_KINDS, SPAN_ORIGINS, SPAN_STATUSES
from storage.text import normalise

Fail = Callable[[str], ImportFileError]


class SchemaLike(Protocol):
    """What the checks need from :class:`storage.schema.Schema`."""

    def get(self, layer: str, key: str) -> Any: ...


@dataclass
class ImportedSpan:
    layer: str
    label: str
    start: int
    end: int
    text: str | None = None
    """The span text as the file claims it; checked against the article slice."""
    status: str = "accepted"
    origin: str = "import"
    """How the span was made where it came from (redline's JSONL says; other files: ``import``)."""
    score: float | None = None
    note: str | None = None
    topic: str | None = None
    entity: EntityRef | None = None
    figure: dict[str, Any] | None = None
    subject: EntityRef | None = None
    line: int | None = None
    """Where the span is written, when that is not the record's own line (brat)."""

    @property
    def key(self) -> tuple[str, int, int, str]:
        """What makes a span a duplicate on re-import (with the annotator)."""
        return (self.layer, self.start, self.end, self.label)


@dataclass
class ImportedTopic:
    key: str
    status: str = "accepted"
    note: str | None = None


@dataclass
class AnnotatedRecord:
    path: Path
    line: int | None
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    dateline: str | None = None
    lang: str = "en"
    meta: dict[str, Any] = field(default_factory=dict)
    sha256: str | None = None
    """The identity the file claims; a mismatch with the text is an error."""
    annotator: str | None = None
    state: str | None = None
    spans: list[ImportedSpan] = field(default_factory=list)
    topics: list[ImportedTopic] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    """Annotations of kinds redline does not store, by kind (``relation``, ``event``…)."""
    skipped: int = 0
    """1 when the file marks the record as not annotated (a rejected Prodigy task)."""
    task: int | None = None
    """The record's 1-based index in a JSON array (Label Studio): what its errors name."""

    def fail(self, reason: str) -> ImportFileError:
        return ImportFileError(self.path, reason, self.line, task=self.task)


def ignored_text(counts: Counter[str]) -> str:
    """``3 relations, 2 events``: what was not imported, by kind, most first."""
    return ", ".join(
        f"{count} {kind}{'' if count == 1 else 's'}" for kind, count in counts.most_common()
    )


def failer(path: Path, line: int | None, task: int | None = None) -> Fail:
    return lambda reason: ImportFileError(path, reason, line, task=task)


SCALAR_ID = (str, int)
"""What a record or result id may be: anything else (a list, an object) cannot be compared."""


def record_id(value: Any, name: str, fail: Fail) -> Any:
    """``value`` when it is a usable id (or None); else the record fails."""
    if value is None or (isinstance(value, SCALAR_ID) and not isinstance(value, bool)):
        return value
    raise fail(f"{name!r} must be a string or an integer")


MALFORMED = (TypeError, AttributeError, KeyError, IndexError)
"""What a structure the checks did not foresee can raise while a record is parsed: that
record fails ("malformed record"), the rest of the file still imports."""


def classify(label: str, schema: SchemaLike | None) -> tuple[str, str, str | None]:
    """A flat label → (layer, stored label, topic): ``Topic_x`` is evidence for x."""
    if label.startswith(EVIDENCE_PREFIX) and len(label) > len(EVIDENCE_PREFIX):
        topic = label[len(EVIDENCE_PREFIX) :]
        return "evidence", topic, topic
    if schema is not None:
        if schema.get("figure", label) is not None:
            return "figure", label, None
        if schema.get("entity", label) is not None:
            return "entity", label, None
    return ("figure" if label in FIGURE_KINDS else "entity"), label, None


def span_from_extras(
    extras: Mapping[str, Any] | None,
    start: int,
    end: int,
    label: str,
    schema: SchemaLike | None,
    fail: Fail,
    text: str | None = None,
) -> ImportedSpan:
    """A span from a flat ``(start, end, label)`` plus redline's optional extras block."""
    layer, stored, topic = classify(label, schema)
    extras = extras or {}
    given_layer = extras.get("layer")
    if given_layer is not None:
        if given_layer not in ("entity", "figure", "evidence"):
            raise fail(f"unknown layer {given_layer!r}")
        if given_layer != "evidence" and layer == "evidence":
            stored, topic = label, None
        layer = given_layer
    status = extras.get("status", "accepted")
    if status not in SPAN_STATUSES:
        raise fail(f"unknown span status {status!r}")
    origin = extras.get("origin", "import")
    if origin not in SPAN_ORIGINS:
        raise fail(f"unknown span origin {origin!r}")
    score = extras.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
        raise fail("span 'score' must be a number")
    note = extras.get("note")
    if note is not None and not isinstance(note, str):
        raise fail("span 'note' must be a string")
    span = ImportedSpan(layer, stored, start, end, text=text, status=status, origin=origin,
                        score=score, note=note, topic=topic)  # fmt: skip
    span.entity = EntityRef.from_json(extras.get("entity"), fail)
    figure = extras.get("figure")
    if figure is not None and not isinstance(figure, Mapping):
        raise fail("span 'figure' must be an object")
    if layer == "figure":
        span.figure, span.subject = parse_figure(figure or {}, stored, fail)
    elif figure:
        raise fail(f"a {layer} span cannot carry figure attributes")
    return span


def offsets(value: Any, name: str, fail: Fail) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(f"{name!r} must be an integer offset")
    return value


def apply_extras(record: AnnotatedRecord, block: Any, fail: Fail) -> None:
    """Read the record-level ``redline`` block (article metadata, state, topic notes)."""
    if block is None:
        return
    if not isinstance(block, Mapping):
        raise fail("'redline' must be an object")
    article = block.get("article") or {}
    if not isinstance(article, Mapping):
        raise fail("'redline.article' must be an object")
    set_article_fields(record, article, fail)
    for name in ("annotator", "state"):
        value = block.get(name)
        if value is not None and not isinstance(value, str):
            raise fail(f"'redline.{name}' must be a string")
    record.annotator = block.get("annotator") or record.annotator
    record.state = block.get("state") or record.state
    topics = block.get("topics")
    if topics is not None:
        record.topics = parse_topics(topics, fail)


def set_article_fields(record: AnnotatedRecord, values: Mapping[str, Any], fail: Fail) -> None:
    for name in ("title", "source", "url", "dateline", "lang", "sha256"):
        value = values.get(name)
        if value is not None and not isinstance(value, str):
            raise fail(f"{name!r} must be a string")
        if value is not None:
            setattr(record, name, value)
    if values.get("published") is not None:
        record.published = parse_published(values.get("published"), fail)
    meta = values.get("meta")
    if meta is not None:
        if not isinstance(meta, dict):
            raise fail("'meta' must be an object")
        record.meta = dict(meta)


def parse_topics(value: Any, fail: Fail) -> list[ImportedTopic]:
    if not isinstance(value, list):
        raise fail("'topics' must be a list")
    topics: list[ImportedTopic] = []
    for item in value:
        if isinstance(item, str):
            topics.append(ImportedTopic(item))
            continue
        if not isinstance(item, Mapping) or not isinstance(item.get("key"), str):
            raise fail("each topic needs a string 'key'")
        status = item.get("status") or "accepted"
        note = item.get("note")
        if status not in SPAN_STATUSES:
            raise fail(f"unknown topic status {status!r}")
        if note is not None and not isinstance(note, str):
            raise fail("topic 'note' must be a string")
        topics.append(ImportedTopic(item["key"], status, note))
    return topics


def check(record: AnnotatedRecord, schema: SchemaLike | None) -> AnnotatedRecord:
    """Normalise the text (moving offsets with it) and validate every span and label."""
    if record.state is not None and record.state not in ARTICLE_STATES:
        raise record.fail(f"unknown article state {record.state!r}")
    record = _normalised(record)
    if not record.text.strip():
        raise record.fail("'text' is empty")
    length = len(record.text)
    for span in record.spans:
        where = f"span [{span.start}, {span.end}) {span.label}"
        fail = failer(record.path, span.line or record.line, record.task)
        if not 0 <= span.start < span.end <= length:
            raise fail(f"{where} is outside the text (length {length})")
        covered = record.text[span.start : span.end]
        if span.text is not None and span.text != covered:
            raise fail(f"{where}: text {span.text!r} does not match the article ({covered!r})")
        span.text = covered
        _check_label(fail, span.layer, span.topic or span.label, schema)
    seen: set[str] = set()
    for topic in record.topics:
        _check_label(record.fail, "topic", topic.key, schema)
        if topic.key in seen:
            raise record.fail(f"topic {topic.key!r} is listed twice")
        seen.add(topic.key)
    return record


def _check_label(fail: Fail, layer: str, key: str, schema: SchemaLike | None) -> None:
    layer = "topic" if layer == "evidence" else layer
    if schema is not None and schema.get(layer, key) is None:
        raise fail(f"unknown {layer} label {key!r} (not in the label schema)")


def _normalised(record: AnnotatedRecord) -> AnnotatedRecord:
    """Offsets in a file index the file's text; redline stores the normalised text.

    When normalisation changes the text (CRLF, BOM, decomposed accents), each
    offset moves to the length of the normalised prefix, and the span must
    still cover the normalised form of what it covered.
    """
    text = normalise(record.text)
    if text == record.text:
        return record
    raw = record.text
    moved: list[ImportedSpan] = []
    for span in record.spans:
        fail = failer(record.path, span.line or record.line, record.task)
        if not 0 <= span.start < span.end <= len(raw):
            raise fail(
                f"span [{span.start}, {span.end}) {span.label} is outside the text "
                f"(length {len(raw)})"
            )
        start, end = len(normalise(raw[: span.start])), len(normalise(raw[: span.end]))
        claimed = span.text if span.text is not None else raw[span.start : span.end]
        if start >= end or normalise(claimed) != text[start:end]:
            raise fail(
                f"span [{span.start}, {span.end}) {span.label} does not survive text "
                "normalisation (it splits a line break or a combining sequence)"
            )
        moved.append(replace(span, start=start, end=end, text=text[start:end]))
    return replace(record, text=text, spans=moved)


RecordParser = Callable[[Path, int, dict[str, Any], "SchemaLike | None", Fail], AnnotatedRecord]
RecordIdentity = Callable[[dict[str, Any]], tuple[Any, Any]]


def read_json_records(
    path: Path,
    schema: SchemaLike | None,
    identity: RecordIdentity,
    parse: RecordParser,
    kind: str,
) -> Iterator[AnnotatedRecord | ImportFileError]:
    """Every record of a JSON Lines export, or the error for its line.

    ``identity`` gives a record's (id, annotator): the same pair twice in one
    file is a duplicate and fails on its second line. ``parse`` turns one
    line's object into a record. A line written in another format than
    ``kind`` (see :func:`storage.formats.sniff.record_kind`) fails: read as
    ``kind`` its annotations would be silently dropped.
    """
    from storage.formats.jsonlines import json_lines
    from storage.formats.sniff import record_kind

    seen: dict[tuple[Any, Any], int] = {}
    for item in json_lines(path):
        if isinstance(item, ImportFileError):
            yield item
            continue
        number, value = item
        fail = failer(path, number)
        try:
            found = record_kind(value)
            if found not in ("plain", kind):
                raise fail(f"a {found} record in a file read as {kind} (one format per file)")
            record_key, who = identity(value)
            key = (record_id(record_key, "id", fail), who if isinstance(who, str) else None)
            if key[0] is not None and key in seen:
                raise fail(f"duplicate id {key[0]!r} (first at line {seen[key]})")
            seen.setdefault(key, number)
            yield parse(path, number, value, schema, fail)
        except ImportFileError as error:
            yield error
        except MALFORMED as error:
            yield fail(f"malformed record ({type(error).__name__}: {error})")
