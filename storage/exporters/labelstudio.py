"""Label Studio JSON: a list of tasks with completed annotations.

Each task is ``{"data": {"text", "title", "redline"}, "annotations":
[{"result": [...]}]}``, matching a labelling config with
``<Labels name="label" toName="text">`` and ``<Choices name="topics"
toName="text" choice="multiple">``. Span results are type ``labels`` with
``value: {start, end, text, labels: [LABEL]}`` (evidence as ``Topic_<key>``);
each carries ``meta``: ``layer``, the figure attributes (``kind``, ``value``,
``unit``…), the linked ``entity``, and the span note as ``text: [note]`` (Label
Studio's region-note field). Topics are one ``choices`` result.
"""

from __future__ import annotations

import json
from typing import Any

from storage.exporters.base import TextWriter, flat_label, record_extras
from storage.exporters.records import ExportRecord, ExportSpan


def region_meta(span: ExportSpan) -> dict[str, Any]:
    meta: dict[str, Any] = {"layer": span.layer}
    if span.figure is not None:
        meta.update(span.figure)
    if span.entity is not None:
        meta["entity"] = span.entity.to_json()
    if span.note is not None:
        meta["text"] = [span.note]
    if span.status != "accepted":
        meta["status"] = span.status
    if span.score is not None:
        meta["score"] = span.score
    return meta


class LabelStudioWriter(TextWriter):
    count = 0

    def add(self, record: ExportRecord) -> None:
        results: list[dict[str, Any]] = []
        for number, span in enumerate(record.spans, 1):
            results.append(
                {
                    "id": f"s{number}",
                    "from_name": "label",
                    "to_name": "text",
                    "type": "labels",
                    "value": {"start": span.start, "end": span.end, "text": span.text,
                              "labels": [flat_label(span)]},
                    "meta": region_meta(span),
                }
            )  # fmt: skip
        if record.topics:
            results.append(
                {"id": "topics", "from_name": "topics", "to_name": "text", "type": "choices",
                 "value": {"choices": [topic.key for topic in record.topics]}}
            )  # fmt: skip
        task = {
            "data": {"text": record.article.text, "title": record.article.title,
                     "redline": record_extras(record)},
            "annotations": [{"result": results, "was_cancelled": False, "ground_truth": False}],
        }  # fmt: skip
        self.handle.write(
            ("[\n" if self.count == 0 else ",\n") + json.dumps(task, ensure_ascii=False)
        )
        self.count += 1

    def close(self) -> None:
        self.handle.write("[]\n" if self.count == 0 else "\n]\n")
        super().close()
