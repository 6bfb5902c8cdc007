"""doccano JSONL: ``text``, ``label`` ``[[start, end, LABEL]]``, ``cats``.

The sequence-labelling layout doccano imports and exports ("JSONL" with
``label``), plus ``cats`` for the topics (doccano's text-classification key).
Evidence spans are labelled ``Topic_<key>``. doccano keeps unknown keys as
metadata, so ``id``, ``title`` and a ``redline`` block (article metadata,
state, topic notes, figure attributes and entity links per span) ride along
and make the import lossless.
"""

from __future__ import annotations

from storage.exporters.base import TextWriter, flat_label, json_line, record_extras, span_extras
from storage.exporters.records import ExportRecord


class DoccanoWriter(TextWriter):
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
        self.handle.write(json_line(task))
