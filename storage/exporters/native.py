"""redline's own JSONL: lossless, one line per article and annotator.

Each line::

    {"redline": 1, "id", "sha256", "title", "source", "url", "published",
     "dateline", "lang", "meta", "text", "annotator", "state",
     "entities": [span…], "figures": [span + "figure": {attributes}…],
     "topics": [{"key", "status", "note", "evidence": [span…]}]}

where a span is ``{"start", "end", "text", "label", "status", "origin",
"score", "note", "entity": {"name", "type", "kb_id", "aliases"} | null}``.
:mod:`storage.formats.native` reads it back.
"""

from __future__ import annotations

from typing import Any

from storage.exporters.base import TextWriter, json_line
from storage.exporters.records import ExportRecord, ExportSpan

NATIVE_VERSION = 1


def span_json(span: ExportSpan) -> dict[str, Any]:
    value: dict[str, Any] = {
        "start": span.start,
        "end": span.end,
        "text": span.text,
        "label": span.label,
        "status": span.status,
        "origin": span.origin,
        "score": span.score,
        "note": span.note,
        "entity": span.entity.to_json() if span.entity else None,
    }
    if span.figure is not None:
        value["figure"] = span.figure
    return value


def record_json(record: ExportRecord) -> dict[str, Any]:
    value: dict[str, Any] = {"redline": NATIVE_VERSION, **record.article_json()}
    value["text"] = record.article.text
    value["annotator"] = record.annotator
    value["state"] = record.state
    value["entities"] = [span_json(span) for span in record.entities]
    value["figures"] = [span_json(span) for span in record.figures]
    value["topics"] = [
        {
            "key": topic.key,
            "status": topic.status,
            "note": topic.note,
            "evidence": [span_json(span) for span in topic.evidence],
        }
        for topic in record.topics
    ]
    return value


class JsonlWriter(TextWriter):
    def add(self, record: ExportRecord) -> None:
        self.handle.write(json_line(record_json(record)))
