"""redline's own JSONL: lossless, one line per article and annotator.

Each line::

    {"redline": 1, "id", "sha256", "title", "source", "url", "published",
     "dateline", "lang", "meta", "text", "annotator", "state",
     "entities": [span…], "figures": [span + "figure": {attributes}…],
     "topics": [{"key", "status", "note", "evidence": [span…]}]}

where a span is ``{"start", "end", "text", "label", "status", "origin",
"score", "note", "entity": {"name", "type", "kb_id", "aliases"} | null}``.
:mod:`storage.formats.jsonl` reads it back.

Reading: Reading redline's own JSONL back (the lossless format :mod:`storage.formats.jsonl` writes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from storage.formats.record import (
    AnnotatedRecord,
    Fail,
    ImportedSpan,
    SchemaLike,
    offsets,
    parse_topics,
    read_json_records,
    set_article_fields,
    span_from_extras,
)
from storage.formats.writing.base import JsonLinesWriter
from storage.formats.writing.records import ExportRecord
from storage.formats.writing.rows import SpanRow
from storage.importers import ImportFileError

NATIVE_VERSION = 1


def _span_json(rows: list[SpanRow], entities: dict[int, Any]) -> list[dict[str, Any]]:
    """Spans without figure attributes (entities, evidence), straight from their rows.

    Rows are unpacked whole (a starred name builds a list per span); with no entity
    linked in the batch, no span looks one up."""
    if not entities:
        return [
            {"start": start, "end": end, "text": text, "label": label, "status": status,
             "origin": origin, "score": score, "note": note, "entity": None}
            for start, end, text, label, status, origin, score, note, _, _, _, _, _, _, _
            in rows
        ]  # fmt: skip
    return [
        {"start": start, "end": end, "text": text, "label": label, "status": status,
         "origin": origin, "score": score, "note": note, "entity": entities.get(entity_id)}
        for start, end, text, label, status, origin, score, note, entity_id, _, _, _, _, _, _
        in rows
    ]  # fmt: skip


def _figure_json(rows: list[SpanRow], entities: dict[int, Any]) -> list[dict[str, Any]]:
    return [
        {"start": start, "end": end, "text": text, "label": label, "status": status,
         "origin": origin, "score": score, "note": note, "entity": entities.get(entity_id),
         "figure": figure}
        for start, end, text, label, status, origin, score, note, entity_id, figure, _, _, _, _, _
        in rows
    ]  # fmt: skip


def record_json(record: ExportRecord) -> dict[str, Any]:
    """The native line of ``record``, built from its rows (no per-span objects)."""
    entities = record.linked.json
    article = record.article
    return {
        "redline": NATIVE_VERSION, "id": article.id, "sha256": article.sha256,
        "title": article.title, "source": article.source, "url": article.url,
        "published": article.published.isoformat() if article.published else None,
        "dateline": article.dateline, "lang": article.lang, "meta": article.meta,
        "text": article.text, "annotator": record.annotator, "state": record.state,
        "entities": _span_json(record.entity_rows, entities),
        "figures": _figure_json(record.figure_rows, entities),
        "topics": [
            {"key": key, "status": status, "note": note,
             "evidence": _span_json(evidence, entities)}
            for key, (status, note, evidence) in record.topic_rows.items()
        ],
    }  # fmt: skip


class JsonlWriter(JsonLinesWriter):
    def add(self, record: ExportRecord) -> None:
        self.write_line(record_json(record))


Result = AnnotatedRecord | ImportFileError


def _identity(value: dict[str, Any]) -> tuple[Any, Any]:
    return value.get("id"), value.get("annotator")


def read_native(path: Path, schema: SchemaLike | None) -> Iterator[Result]:
    return read_json_records(path, schema, _identity, parse_native, "jsonl")


def _span(value: Any, layer: str, schema: SchemaLike | None, fail: Fail) -> ImportedSpan:
    if not isinstance(value, Mapping):
        raise fail(f"each {layer} span must be an object")
    label = value.get("label")
    if not isinstance(label, str) or not label:
        raise fail(f"a {layer} span needs a 'label'")
    text = value.get("text")
    if text is not None and not isinstance(text, str):
        raise fail("span 'text' must be a string")
    start = offsets(value.get("start"), "start", fail)
    end = offsets(value.get("end"), "end", fail)
    keys = ("status", "origin", "score", "note", "entity", "figure")
    extras = {key: value.get(key) for key in keys if value.get(key) is not None}
    extras["layer"] = layer
    return span_from_extras(extras, start, end, label, schema, fail, text=text)


def parse_native(
    path: Path, number: int, value: dict[str, Any], schema: SchemaLike | None, fail: Fail
) -> AnnotatedRecord:
    text = value.get("text")
    if not isinstance(text, str):
        raise fail("'text' is required and must be a string")
    record = AnnotatedRecord(path=path, line=number, text=text)
    set_article_fields(record, value, fail)
    for name in ("annotator", "state"):
        if value.get(name) is not None and not isinstance(value.get(name), str):
            raise fail(f"{name!r} must be a string")
    record.annotator, record.state = value.get("annotator"), value.get("state")
    for name, layer in (("entities", "entity"), ("figures", "figure")):
        spans = value.get(name) or []
        if not isinstance(spans, list):
            raise fail(f"{name!r} must be a list")
        record.spans.extend(_span(span, layer, schema, fail) for span in spans)
    topics = value.get("topics") or []
    record.topics = parse_topics(topics, fail)
    for topic_value, topic in zip(topics, record.topics, strict=True):
        evidence = topic_value.get("evidence") if isinstance(topic_value, Mapping) else None
        if not isinstance(evidence or [], list):
            raise fail("topic 'evidence' must be a list")
        for item in evidence or []:
            span = _span(item, "evidence", schema, fail)
            span.topic = topic.key
            record.spans.append(span)
    return record
