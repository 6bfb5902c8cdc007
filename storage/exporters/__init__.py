"""Labelled-dataset exporters: one module per format, all fed the same records.

:data:`FORMATS` maps the ``--format`` name to its :class:`FormatSpec`; the
public entry point is :func:`storage.export.export`, which picks the records,
drives a writer and puts the result in place atomically. spaCy and pyarrow are
imported inside the writers that need them, never at import time.
"""

from __future__ import annotations

from storage.exporters.base import FormatSpec, Options, Writer
from storage.exporters.brat import BratWriter
from storage.exporters.conll import ConllWriter
from storage.exporters.doccano import DoccanoWriter
from storage.exporters.figures_csv import FiguresCsvWriter
from storage.exporters.labelstudio import LabelStudioWriter
from storage.exporters.native import JsonlWriter
from storage.exporters.parquet import ParquetWriter
from storage.exporters.prodigy import ProdigyWriter
from storage.exporters.records import ExportRecord, ExportSpan, ExportTopic, Selection
from storage.exporters.report import ExportError, ExportProblem, ExportReport
from storage.exporters.spacy_docbin import DocBinWriter

_ALL = ("entity", "figure", "topic")
FORMATS: dict[str, FormatSpec] = {
    spec.name: spec
    for spec in (
        FormatSpec("jsonl", ".jsonl", "stream", JsonlWriter, "redline's own, lossless JSONL", _ALL),
        FormatSpec("spacy", ".spacy", "file", DocBinWriter, "spaCy DocBin for spacy train", _ALL),
        FormatSpec("conll", ".conll", "stream", ConllWriter, "IOB2 token-per-line (seqeval)",
                   ("entity", "figure")),
        FormatSpec("brat", "", "directory", BratWriter, "brat standoff .txt/.ann directory", _ALL),
        FormatSpec("prodigy", ".jsonl", "stream", ProdigyWriter, "Prodigy tasks JSONL", _ALL),
        FormatSpec("doccano", ".jsonl", "stream", DoccanoWriter, "doccano sequence-labelling JSONL",
                   _ALL),
        FormatSpec("labelstudio", ".json", "stream", LabelStudioWriter, "Label Studio JSON tasks",
                   _ALL),
        FormatSpec("figures-csv", ".csv", "stream", FiguresCsvWriter, "one CSV row per figure",
                   ("figure",)),
        FormatSpec("parquet", ".parquet", "file", ParquetWriter, "Parquet (Hugging Face datasets)",
                   _ALL),
    )
}  # fmt: skip

__all__ = [
    "FORMATS",
    "ExportError",
    "ExportProblem",
    "ExportRecord",
    "ExportReport",
    "ExportSpan",
    "ExportTopic",
    "FormatSpec",
    "Options",
    "Selection",
    "Writer",
]
