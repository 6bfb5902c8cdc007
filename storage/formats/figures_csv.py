"""figures-csv: one row per figure with every attribute, for spreadsheets and pandas.

Columns are :data:`COLUMNS`: the article (id, title, sha256), the annotator,
the span (offsets, text, status, origin, score, note) and the figure
attributes; the subject entity is spread over ``subject``/``subject_type``/
``subject_kb_id``. Values are exact decimal strings. Written with :mod:`csv`
(quoted where needed, so span text with commas or line breaks is safe).
Entities and topics are not part of this table (noted in the report).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from storage.formats.writing.base import Options, TextWriter
from storage.formats.writing.records import ExportRecord
from storage.formats.writing.report import ExportReport

COLUMNS = (
    "article_id", "article_title", "article_sha256", "annotator", "start", "end", "text",
    "kind", "value", "value_max", "unit", "scale", "metric", "period", "subject",
    "subject_type", "subject_kb_id", "approximate", "bound", "change", "direction",
    "date_value", "status", "origin", "score", "note",
)  # fmt: skip


class FiguresCsvWriter(TextWriter):
    def __init__(self, target: Path, report: ExportReport, options: Options) -> None:
        super().__init__(target, report, options)
        self.csv = csv.writer(self.handle)
        self.csv.writerow(COLUMNS)
        self.left_out = 0

    def add(self, record: ExportRecord) -> None:
        self.left_out += len(record.entities) + len(record.evidence)
        for span in record.figures:
            figure: dict[str, Any] = span.figure or {}
            subject = figure.get("subject") or {}
            row = {
                "article_id": record.article.id,
                "article_title": record.article.title,
                "article_sha256": record.article.sha256,
                "annotator": record.annotator,
                "start": span.start,
                "end": span.end,
                "text": span.text,
                **{key: figure.get(key) for key in COLUMNS if key in figure and key != "subject"},
                "kind": figure.get("kind") or span.label,
                "subject": subject.get("name"),
                "subject_type": subject.get("type"),
                "subject_kb_id": subject.get("kb_id"),
                "status": span.status,
                "origin": span.origin,
                "score": span.score,
                "note": span.note,
            }
            self.csv.writerow(["" if row.get(name) is None else row[name] for name in COLUMNS])

    def close(self) -> None:
        super().close()
        if self.left_out:
            self.report.note(
                f"figures-csv holds figures only: {self.left_out} entity/evidence span(s) "
                "not exported"
            )
