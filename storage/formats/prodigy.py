"""Prodigy JSONL: ``text``, ``tokens``, ``spans``, ``accept``, ``answer``, ``meta``.

One task per article, as Prodigy's ``db-in`` takes it: ``tokens`` are
``{"text", "start", "end", "id", "ws"}`` from ``spacy.blank("en")``; ``spans``
are ``{"start", "end", "label", "token_start", "token_end"}`` (``token_end``
inclusive, as in Prodigy) for every layer, evidence labelled ``Topic_<key>``;
``options`` lists the topic taxonomy and ``accept`` the assigned topics;
``answer`` is ``"accept"``. Character offsets are exact for every span; a span
whose edges fall inside a token gets the covering (expanded) token range and is
reported. A ``redline`` key keeps what Prodigy has no field for (figure
attributes, entity links, article metadata), so the import is lossless.

Reading: Reading Prodigy JSONL tasks (as ``prodigy db-out`` or redline's exporter writes them).

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
from storage.formats.tokens import MISALIGNED, expanded_range, make_doc, problem, token_range
from storage.formats.writing.base import (
    TextWriter,
    flat_label,
    json_line,
    record_extras,
    span_extras,
)
from storage.formats.writing.records import ExportRecord
from storage.importers import ImportFileError


class ProdigyWriter(TextWriter):
    def add(self, record: ExportRecord) -> None:
        doc = make_doc(record.article.text)
        tokens = [
            {"text": token.text, "start": token.idx, "end": token.idx + len(token),
             "id": token.i, "ws": bool(token.whitespace_)}
            for token in doc
        ]  # fmt: skip
        spans: list[dict[str, Any]] = []
        for span in record.spans:
            exact = token_range(doc, span)
            if exact is None:
                reason = f"{MISALIGNED}; token_start/token_end cover the expanded tokens"
                self.report.problems.append(problem(record, span, reason))
            token_start, token_end = exact or expanded_range(doc, span)
            spans.append(
                {"start": span.start, "end": span.end, "label": flat_label(span),
                 "token_start": token_start, "token_end": max(token_start, token_end - 1)}
            )  # fmt: skip
        assigned = [topic.key for topic in record.topics]
        options = list(dict.fromkeys([*self.options.topic_keys, *assigned]))
        article = record.article
        task: dict[str, Any] = {
            "text": article.text,
            "tokens": tokens,
            "spans": spans,
            "options": [{"id": key, "text": key} for key in options],
            "accept": assigned,
            "answer": "accept",
            "meta": {"id": article.id, "title": article.title, "source": article.source,
                     "annotator": record.annotator},
            "redline": {**record_extras(record),
                        "spans": [span_extras(span) for span in record.spans]},
        }  # fmt: skip
        self.handle.write(json_line(task))


def _identity(value: dict[str, Any]) -> tuple[Any, Any]:
    """(id, annotator) of a Prodigy task, from its meta."""
    meta = value.get("meta") if isinstance(value.get("meta"), Mapping) else {}
    return meta.get("id"), meta.get("annotator") or prodigy_annotator(value)


def prodigy_annotator(value: Mapping[str, Any]) -> str | None:
    """Who answered a task in Prodigy: ``_annotator_id``, else ``_session_id`` (as written)."""
    for key in ("_annotator_id", "_session_id"):
        found = value.get(key)
        if isinstance(found, str) and found:
            return found
    return None


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
    record.annotator = prodigy_annotator(value)
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
