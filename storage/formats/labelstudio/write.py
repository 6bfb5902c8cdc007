"""Label Studio JSON: a list of tasks, one per article, one annotation per annotator.

Each task is ``{"id": article id, "data": {"text", "title", "redline"},
"annotations": [{"id", "completed_by", "result": [...]}, …]}``, matching a
labelling config with ``<Labels name="label" toName="text">`` and ``<Choices
name="topics" toName="text" choice="multiple">``. Every annotator who
annotated the article gets their own annotation, so Label Studio compares them
(its agreement view); ``completed_by`` numbers the annotators of the file
1, 2, … in order of appearance, and ``data.redline.annotators`` maps each
number to the annotator's name, state and topic notes (``data`` survives a
trip through Label Studio unchanged). A task with one annotator also carries
``data.redline.annotator``/``state``/``topics`` as before.

Span results are type ``labels`` with ``value: {start, end, text, labels:
[LABEL]}`` (evidence as ``Topic_<key>``); each carries ``meta``: ``layer``, the
figure attributes (``kind``, ``value``, ``unit``…), the linked ``entity``, and
the span note as ``text: [note]`` (Label Studio's region-note field). Topics
are one ``choices`` result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storage.formats.codec import EVIDENCE_PREFIX
from storage.formats.labelstudio.config import (
    EVIDENCE_CONTROL,
    SPAN_CONTROL,
    TEXT_OBJECT,
    TOPIC_CONTROL,
    labelling_config,
)
from storage.formats.writing.base import Options, TextWriter, flat_label, record_extras
from storage.formats.writing.records import ExportRecord, ExportSpan
from storage.formats.writing.report import ExportReport


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
    meta["origin"] = span.origin
    return meta


def results(record: ExportRecord) -> list[dict[str, Any]]:
    """One annotator's spans and topics as Label Studio results (ids unique in the task).

    Entity and figure spans come first, in the ``label`` control: converters that
    read one ``Labels`` control take the first one they meet. Evidence follows
    in ``evidence``, topics last in ``topics``.
    """
    found: list[dict[str, Any]] = []
    ordered = sorted(record.spans, key=lambda span: span.layer == "evidence")
    for number, span in enumerate(ordered, 1):
        control = EVIDENCE_CONTROL if span.layer == "evidence" else SPAN_CONTROL
        found.append(
            {
                "id": f"s{number}",
                "from_name": control,
                "to_name": TEXT_OBJECT,
                "type": "labels",
                "value": {"start": span.start, "end": span.end, "text": span.text,
                          "labels": [flat_label(span)]},
                "meta": region_meta(span),
            }
        )  # fmt: skip
    if record.topics:
        found.append(
            {"id": "topics", "from_name": TOPIC_CONTROL, "to_name": TEXT_OBJECT,
             "type": "choices", "value": {"choices": [topic.key for topic in record.topics]}}
        )  # fmt: skip
    return found


class LabelStudioWriter(TextWriter):
    """Collects the records of one article (they arrive article by article) into one task."""

    def __init__(self, target: Path, report: ExportReport, options: Options) -> None:
        super().__init__(target, report, options)
        self.count = 0
        self.pending: list[ExportRecord] = []
        self.numbers: dict[str, int] = {}
        """``completed_by`` of each annotator: 1, 2, … in order of appearance."""
        self.annotations = 0
        self.span_labels: list[str] = list(options.span_labels)
        self.evidence_labels = [f"{EVIDENCE_PREFIX}{key}" for key in options.topic_keys]
        self.topics: list[str] = list(options.topic_keys)

    def add(self, record: ExportRecord) -> None:
        for span in record.spans:
            labels = self.evidence_labels if span.layer == "evidence" else self.span_labels
            labels.append(flat_label(span))
        self.topics.extend(topic.key for topic in record.topics)
        if self.pending and self.pending[0].article.id != record.article.id:
            self._flush()
        self.pending.append(record)

    def _flush(self) -> None:
        if not self.pending:
            return
        first = self.pending[0]
        extras = record_extras(first)
        annotations, annotators = [], []
        for record in self.pending:
            if record.annotator is None:
                continue
            number = self.numbers.setdefault(record.annotator, len(self.numbers) + 1)
            self.annotations += 1
            annotations.append({"id": self.annotations, "completed_by": number,
                                "result": results(record), "was_cancelled": False,
                                "ground_truth": False})  # fmt: skip
            annotators.append({"completed_by": number, **_annotator_extras(record)})
        redline: dict[str, Any] = {"article": extras["article"], "annotators": annotators}
        if len(annotations) <= 1:
            redline.update({key: extras[key] for key in ("annotator", "state", "topics")})
        task = {
            "id": first.article.id,
            "data": {"text": first.article.text, "title": first.article.title,
                     "redline": redline},
            "annotations": annotations,
        }  # fmt: skip
        self.handle.write(
            ("[\n" if self.count == 0 else ",\n") + json.dumps(task, ensure_ascii=False)
        )
        self.count += 1
        self.pending.clear()

    def close(self) -> None:
        self._flush()
        self.handle.write("[]\n" if self.count == 0 else "\n]\n")
        super().close()
        if self.options.sidecar is not None:
            config = labelling_config(self.span_labels, self.evidence_labels, self.topics)
            self.options.sidecar.write_text(config)
            self.report.note(f"labelling config for these tasks: {self.options.sidecar.final}")

    def discard(self) -> None:
        self.pending.clear()
        super().close()


def _annotator_extras(record: ExportRecord) -> dict[str, Any]:
    extras = record_extras(record)
    return {key: extras[key] for key in ("annotator", "state", "topics")}
