"""doccano JSONL: ``text``, ``label`` ``[[start, end, LABEL]]``, ``cats``.

The sequence-labelling layout doccano imports and exports ("JSONL" with
``label``), plus ``cats`` for the topics (doccano's text-classification key).
Evidence spans are labelled ``Topic_<key>``. doccano keeps unknown keys as
metadata, so ``id``, ``title`` and a ``redline`` block (article metadata,
state, topic notes, figure attributes and entity links per span) ride along
and make the import lossless.

Reading: Reading doccano JSONL: ``text`` + ``label`` ``[[start, end, LABEL]]`` (+ ``cats``).

Reading accepts every doccano JSONL layout (see ``_triples``): sequence
labelling, text classification, intent detection (``entities`` triples +
``cats``) and relation extraction (``entities`` objects; its ``relations`` are
counted as ignored). Duplicate ``id`` values (per annotator, when redline's
block names one) are an error on the later line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from storage.formats.flat import ExtrasIndex, merge_topics
from storage.formats.record import (
    AnnotatedRecord,
    Fail,
    SchemaLike,
    apply_extras,
    offsets,
    read_json_records,
    span_from_extras,
)
from storage.formats.writing.base import (
    JsonLinesWriter,
    flat_label,
    record_extras,
    span_extras,
)
from storage.formats.writing.records import ExportRecord
from storage.importers import ImportFileError


class DoccanoWriter(JsonLinesWriter):
    def add(self, record: ExportRecord) -> None:
        spans = record.spans
        task = {
            "id": record.article.id,
            "text": record.article.text,
            "label": [[span.start, span.end, flat_label(span)] for span in spans],
            "cats": [topic.key for topic in record.topics],
            "title": record.article.title,
            "redline": {**record_extras(record), "spans": [span_extras(s) for s in spans]},
        }
        self.write_line(task)


def _identity(value: dict[str, Any]) -> tuple[Any, Any]:
    """(id, annotator) of a doccano line; redline's own block names the annotator."""
    block = value.get("redline")
    return value.get("id"), block.get("annotator") if isinstance(block, Mapping) else None


def read_doccano(
    path: Path, schema: SchemaLike | None
) -> Iterator[AnnotatedRecord | ImportFileError]:
    return read_json_records(path, schema, _identity, parse_doccano, "doccano")


def _triples(value: dict[str, Any], fail: Fail) -> tuple[list[tuple[Any, Any, Any]], list[str]]:
    """Span triples and classification labels, from any of doccano's JSONL layouts.

    Sequence labelling ``label: [[s, e, L]]``; text classification ``label: ["A",
    "B"]`` (topics); intent detection ``entities: [[s, e, L]]`` + ``cats``; relation
    extraction ``entities: [{"id", "start_offset", "end_offset", "label"}]`` +
    ``relations`` (counted as ignored by the caller).
    """
    labels = value.get("label")
    cats = value.get("cats") or []
    if not isinstance(cats, list):
        raise fail("'cats' must be a list of topic keys")
    if labels is not None and not isinstance(labels, list):
        raise fail("'label' must be a list")
    triples: list[tuple[Any, Any, Any]] = []
    if isinstance(labels, list) and labels and all(isinstance(x, str) for x in labels):
        return triples, [*cats, *labels]
    for item in labels or []:
        if not isinstance(item, list) or len(item) != 3:
            raise fail("each 'label' entry must be [start, end, LABEL]")
        triples.append((item[0], item[1], item[2]))
    entities = value.get("entities") or []
    if not isinstance(entities, list):
        raise fail("'entities' must be a list")
    for item in entities:
        if isinstance(item, list) and len(item) == 3:  # intent detection and slot filling
            triples.append((item[0], item[1], item[2]))
        elif isinstance(item, Mapping):  # relation extraction
            triples.append((item.get("start_offset"), item.get("end_offset"), item.get("label")))
        else:
            raise fail("each 'entities' entry must be [start, end, LABEL] or an object")
    return triples, cats


def parse_doccano(
    path: Path, number: int, value: dict[str, Any], schema: SchemaLike | None, fail: Fail
) -> AnnotatedRecord:
    text = value.get("text")
    if not isinstance(text, str):
        raise fail("'text' is required and must be a string")
    record = AnnotatedRecord(path=path, line=number, text=text)
    if isinstance(value.get("title"), str):
        record.title = value["title"]
    block = value.get("redline")
    apply_extras(record, block, fail)
    extras = ExtrasIndex(block, fail)
    triples, cats = _triples(value, fail)
    for raw_start, raw_end, label in triples:
        if not isinstance(label, str) or not label:
            raise fail("each span needs a string label")
        start = offsets(raw_start, "start", fail)
        end = offsets(raw_end, "end", fail)
        record.spans.append(
            span_from_extras(extras.take(start, end, label), start, end, label, schema, fail)
        )
    record.topics = merge_topics(cats, record.topics, fail)
    relations = value.get("relations") or []
    if not isinstance(relations, list):
        raise fail("'relations' must be a list")
    if relations:
        record.ignored["relation"] += len(relations)
    return record
