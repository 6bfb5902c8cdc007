"""The shape every export format has: a writer fed one record at a time.

A writer writes to a path it is given — always a temporary file or directory
that :func:`storage.formats.exporting.export` renames into place only when the export
succeeded — so formats never deal with atomicity, stdout or strict mode.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from storage.formats.codec import EVIDENCE_PREFIX
from storage.formats.writing.records import ExportRecord, ExportSpan
from storage.formats.writing.report import ExportReport


@dataclass(frozen=True)
class Sidecar:
    """A companion file a format writes beside its output (Label Studio's labelling config).

    The writer writes ``staged``; the export moves it to ``final`` together with
    the output, so a failed export leaves the old companion file as it was.
    """

    final: Path
    staged: Path

    def write_text(self, text: str) -> None:
        self.staged.write_text(text, encoding="utf-8", newline="")


@dataclass(frozen=True)
class Options:
    """What a writer needs beyond the records."""

    topic_keys: tuple[str, ...] = ()
    """Every topic of the taxonomy in force (spaCy ``doc.cats`` lists them all)."""
    layers: tuple[str, ...] = ("entity", "figure", "topic")
    multi_annotator: bool = False
    """Records from several annotators: file names and ids must say whose they are."""
    span_labels: tuple[str, ...] = ()
    """The entity and figure labels of the schema in force (a labelling config lists them)."""
    sidecar: Sidecar | None = None
    split_of: Mapping[int, str] = field(default_factory=dict)
    """Article id → split name, for a format that holds its splits itself (``hf``)."""
    ents_include: tuple[str, ...] = ()
    """Other span groups a token format puts in its one entity layer (spaCy: ``figures``)."""


class Writer(ABC):
    """Receives records in order, then ``close()``; problems go to ``report``."""

    def __init__(self, target: Path, report: ExportReport, options: Options) -> None:
        self.target = target
        self.report = report
        self.options = options

    @abstractmethod
    def add(self, record: ExportRecord) -> None: ...

    def close(self) -> None:  # noqa: B027 - most writers have nothing to finish
        """Finish the output (write a footer, flush a buffer)."""

    def discard(self) -> None:
        """Release what the writer holds after a failed or interrupted export (output unused).

        By default the same as :meth:`close`; a writer whose ``close`` does real
        work (serialising a whole corpus) overrides it to skip that work.
        """
        self.close()


class TextWriter(Writer):
    """A writer producing one UTF-8 text file, opened without newline translation."""

    def __init__(self, target: Path, report: ExportReport, options: Options) -> None:
        super().__init__(target, report, options)
        self.handle: IO[str] = target.open("w", encoding="utf-8", newline="")

    def close(self) -> None:
        self.handle.close()


_LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)
"""``json.dumps(value, ensure_ascii=False)``'s output, from one encoder built once.

Records are trees of fresh values (no cycle to look for): the circularity check kept a
table of every list and dict written."""


def json_line(value: Any) -> bytes:
    """Compact UTF-8 JSON on one line, safe for readers that split on any Unicode line break."""
    line = _ENCODER.encode(value)
    if not line.isascii():  # constant time for a str; the breaks are all outside ASCII
        for char, escaped in _LINE_BREAKS.items():
            if char in line:  # half what replace costs on a line without it
                line = line.replace(char, escaped)
    return (line + "\n").encode()


class JsonLinesWriter(Writer):
    """A writer of one JSON value per line (UTF-8, written in large blocks)."""

    BUFFER = 1 << 20

    def __init__(self, target: Path, report: ExportReport, options: Options) -> None:
        super().__init__(target, report, options)
        self.handle: IO[bytes] = target.open("wb", buffering=self.BUFFER)

    def write_line(self, value: Any) -> None:
        self.handle.write(json_line(value))

    def close(self) -> None:
        self.handle.close()


def flat_label(span: ExportSpan) -> str:
    """The label in a single flat namespace: evidence becomes ``Topic_<key>``."""
    if span.layer == "evidence":
        return f"{EVIDENCE_PREFIX}{span.topic or span.label}"
    return span.label


def span_extras(span: ExportSpan) -> dict[str, Any]:
    """What a flat ``[start, end, label]`` loses, keyed to find its span again on import."""
    extras: dict[str, Any] = {
        "start": span.start,
        "end": span.end,
        "label": flat_label(span),
        "layer": span.layer,
    }
    if span.status != "accepted":
        extras["status"] = span.status
    extras["origin"] = span.origin
    for name in ("score", "note"):
        if getattr(span, name) is not None:
            extras[name] = getattr(span, name)
    if span.entity is not None:
        extras["entity"] = span.entity.to_json()
    if span.figure is not None:
        extras["figure"] = span.figure
    return extras


def record_extras(record: ExportRecord) -> dict[str, Any]:
    """Article metadata, annotator, state and topic notes: the record-level ``redline`` block."""
    return {
        "article": record.article_json(),
        "annotator": record.annotator,
        "state": record.state,
        "topics": [
            {"key": topic.key, "status": topic.status, "note": topic.note}
            for topic in record.topics
        ],
    }
