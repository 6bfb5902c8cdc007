"""Reading Prodigy JSONL tasks (as ``prodigy db-out`` or redline's exporter writes them).

``text`` and ``spans`` (``start``, ``end``, ``label``; ``text`` checked when
present) become spans, ``accept`` the topics. Character offsets are the truth;
token indices are ignored. Only tasks answered ``accept`` (or with no answer)
are imported; any other answer is reported for that line.
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
from storage.importers import ImportFileError


def _identity(value: dict[str, Any]) -> tuple[Any, Any]:
    """(id, annotator) of a Prodigy task, from its meta."""
    meta = value.get("meta") if isinstance(value.get("meta"), Mapping) else {}
    return meta.get("id"), meta.get("annotator")


def read_prodigy(
    path: Path, schema: SchemaLike | None
) -> Iterator[AnnotatedRecord | ImportFileError]:
    return read_json_records(path, schema, _identity, parse_prodigy, "prodigy")


def parse_prodigy(
    path: Path, number: int, value: dict[str, Any], schema: SchemaLike | None, fail: Fail
) -> AnnotatedRecord:
    answer = value.get("answer", "accept")
    if answer != "accept":
        raise fail(f"task answer is {answer!r}; only accepted tasks are imported")
    text = value.get("text")
    if not isinstance(text, str):
        raise fail("'text' is required and must be a string")
    record = AnnotatedRecord(path=path, line=number, text=text)
    meta = value.get("meta")
    if isinstance(meta, Mapping) and isinstance(meta.get("title"), str):
        record.title = meta["title"]
    block = value.get("redline")
    apply_extras(record, block, fail)
    extras = ExtrasIndex(block, fail)
    spans = value.get("spans") or []
    if not isinstance(spans, list):
        raise fail("'spans' must be a list")
    for span in spans:
        if not isinstance(span, Mapping):
            raise fail("each span must be an object")
        label = span.get("label")
        if not isinstance(label, str) or not label:
            raise fail("each span needs a 'label'")
        start = offsets(span.get("start"), "start", fail)
        end = offsets(span.get("end"), "end", fail)
        claimed = span.get("text")
        if claimed is not None and not isinstance(claimed, str):
            raise fail("span 'text' must be a string")
        record.spans.append(
            span_from_extras(extras.take(start, end, label), start, end, label, schema, fail,
                             text=claimed)
        )  # fmt: skip
    accept = value.get("accept") or []
    if not isinstance(accept, list):
        raise fail("'accept' must be a list of topic keys")
    record.topics = merge_topics(accept, record.topics, fail)
    return record
