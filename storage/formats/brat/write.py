"""brat standoff: a directory of ``<name>.txt`` + ``<name>.ann`` (+ ``annotation.conf``).

``<name>`` is the article id (``<id>.<annotator>`` when several annotators are
exported). In the ``.ann``:

* ``T`` — every span; entity and figure spans by label, evidence as
  ``Topic_<key>``. A span containing line breaks is written as fragments split
  at them (``T1\\tORG 0 5;6 12\\tEuropean Union``), as brat requires; a span
  that starts or ends with a line break cannot be written and is reported.
* ``A`` — figure flags: ``Approximate``, ``Change`` and the valued
  ``Bound`` (lower/upper) and ``Direction`` (up/down).
* ``N`` — a knowledge-base link: ``N1\\tReference T1 Wikidata:Q123\\tKaja Kallas``
  (a ``Q…`` kb id is Wikidata; ``db:id`` is written as is).
* ``#`` — ``AnnotatorNotes`` with what else a span carries, as
  ``key=value; key=value`` (:func:`storage.formats.codec.encode_note`):
  figure ``value``, ``value_max``, ``unit``, ``scale``, ``metric``, ``period``,
  ``date_value``, ``subject_*``; entity ``entity``/``entity_type``/``kb_id``/
  ``aliases`` (a JSON list); the span ``note``, ``status`` and ``score``.

brat has no document-level annotation, so ``<name>.json`` beside each pair keeps
the article metadata, annotator, state and topic assignments (with notes).
``annotation.conf`` declares the types and attributes used, ``visual.conf``
their labels, and ``tools.conf`` the normalisation resources, so brat opens a
Wikidata ``N`` link on its page.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from storage.formats.brat.vocabulary import (
    FLAG_ATTRIBUTES,
    NORMALIZATION_URLS,
    VALUED_ATTRIBUTES,
    WIKIDATA,
)
from storage.formats.codec import LINE_BREAKS, encode_note
from storage.formats.tokens import problem
from storage.formats.writing.base import Options, Writer, flat_label, record_extras
from storage.formats.writing.records import ExportRecord, ExportSpan
from storage.formats.writing.report import ExportReport

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")
_QID = re.compile(r"Q[0-9]+")
_EID = re.compile(r"\S+")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """``[start, end)`` split at line breaks; None when an edge is a line break."""
    if text[start] in LINE_BREAKS or text[end - 1] in LINE_BREAKS:
        return None
    parts: list[tuple[int, int]] = []
    begin = start
    for index in range(start, end):
        if text[index] in LINE_BREAKS:
            if begin < index:
                parts.append((begin, index))
            begin = index + 1
    parts.append((begin, end))
    return parts


def file_stem(record: ExportRecord, multi_annotator: bool) -> str:
    stem = str(record.article.id)
    if multi_annotator and record.annotator:
        safe = _SAFE_NAME.sub("_", record.annotator)
        if safe != record.annotator:
            safe += "-" + hashlib.sha1(record.annotator.encode()).hexdigest()[:6]
        stem += f".{safe}"
    return stem


def reference(kb_id: str) -> str | None:
    """A brat normalisation ``RID:EID`` for a kb id, or None when it cannot be one."""
    if not _EID.fullmatch(kb_id):
        return None
    if _QID.fullmatch(kb_id):
        return f"{WIKIDATA}:{kb_id}"
    rid, sep, eid = kb_id.partition(":")
    return kb_id if sep and rid and eid else None


def note_pairs(span: ExportSpan) -> dict[str, str]:
    pairs: dict[str, str] = {}
    figure = span.figure or {}
    for name in ("value", "value_max", "unit", "metric", "period", "date_value"):
        if figure.get(name) is not None:
            pairs[name] = str(figure[name])
    if figure and figure.get("scale", 1) != 1:
        pairs["scale"] = str(figure["scale"])
    if figure.get("kind") not in (None, span.label):
        pairs["kind"] = str(figure["kind"])
    subject = figure.get("subject")
    if subject:
        pairs["subject"] = subject["name"]
        pairs["subject_type"] = subject["type"]
        if subject.get("kb_id"):
            pairs["subject_kb_id"] = subject["kb_id"]
        if subject.get("aliases"):
            pairs["subject_aliases"] = json.dumps(subject["aliases"], ensure_ascii=False)
    if span.entity is not None:
        pairs["entity"] = span.entity.name
        pairs["entity_type"] = span.entity.type
        if span.entity.kb_id:
            pairs["kb_id"] = span.entity.kb_id
        if span.entity.aliases:
            pairs["aliases"] = json.dumps(list(span.entity.aliases), ensure_ascii=False)
    if span.note is not None:
        pairs["note"] = span.note
    if span.status != "accepted":
        pairs["status"] = span.status
    if span.score is not None:
        pairs["score"] = repr(span.score)
    return pairs


class BratWriter(Writer):
    def __init__(self, target: Path, report: ExportReport, options: Options) -> None:
        super().__init__(target, report, options)
        target.mkdir(parents=True, exist_ok=False)
        self.types: set[str] = set()
        self.figure_types: set[str] = set()
        self.flags: dict[str, set[str]] = {name: set() for name in FLAG_ATTRIBUTES}
        self.values: dict[str, dict[str, set[str]]] = {name: {} for name in VALUED_ATTRIBUTES}
        self.resources: set[str] = set()
        """The normalisation resources the ``N`` lines name (``Wikidata``…)."""

    def add(self, record: ExportRecord) -> None:
        stem = file_stem(record, self.options.multi_annotator)
        text = record.article.text
        (self.target / f"{stem}.txt").write_text(text, encoding="utf-8", newline="")
        lines: list[str] = []
        counters = {"T": 0, "A": 0, "N": 0, "#": 0}

        def next_id(kind: str) -> str:
            counters[kind] += 1
            return f"{kind}{counters[kind]}"

        for span in record.spans:
            parts = fragments(text, span.start, span.end)
            if parts is None:
                reason = "starts or ends with a line break, which brat cannot carry"
                self.report.problems.append(problem(record, span, reason))
                continue
            label = flat_label(span)
            self.types.add(label)
            tid = next_id("T")
            offsets = ";".join(f"{start} {end}" for start, end in parts)
            covered = " ".join(text[start:end] for start, end in parts)
            lines.append(f"{tid}\t{label} {offsets}\t{covered}")
            lines.extend(self._attributes(span, label, tid, next_id))
            if span.entity is not None and span.entity.kb_id:
                ref = reference(span.entity.kb_id)
                if ref is not None:
                    self.resources.add(ref.partition(":")[0])
                    name = span.entity.name.replace("\t", " ").replace("\n", " ")
                    lines.append(f"{next_id('N')}\tReference {tid} {ref}\t{name}")
            pairs = note_pairs(span)
            if pairs:
                lines.append(f"{next_id('#')}\tAnnotatorNotes {tid}\t{encode_note(pairs)}")
        ann = "".join(line + "\n" for line in lines)
        (self.target / f"{stem}.ann").write_text(ann, encoding="utf-8", newline="")
        side = json.dumps(record_extras(record), ensure_ascii=False, indent=1)
        (self.target / f"{stem}.json").write_text(side + "\n", encoding="utf-8", newline="")

    def _attributes(self, span: ExportSpan, label: str, tid: str, next_id: Any) -> list[str]:
        figure = span.figure
        if span.layer != "figure" or not figure:
            return []
        self.figure_types.add(label)
        lines: list[str] = []
        for name, key in FLAG_ATTRIBUTES.items():
            if figure.get(key):
                self.flags[name].add(label)
                lines.append(f"{next_id('A')}\t{name} {tid}")
        for name, key in VALUED_ATTRIBUTES.items():
            value = figure.get(key)
            if value:
                self.values[name].setdefault(label, set()).add(value)
                lines.append(f"{next_id('A')}\t{name} {tid} {value}")
        return lines

    def close(self) -> None:
        """Write ``annotation.conf`` declaring every type and attribute used."""
        lines = ["[entities]", *sorted(self.types), "", "[relations]",
                 "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "",
                 "[events]", "", "[attributes]"]  # fmt: skip
        for name, labels in self.flags.items():
            if labels:
                lines.append(f"{name}\tArg:{'|'.join(sorted(labels))}")
        for name, by_label in self.values.items():
            if by_label:
                values = sorted(set().union(*by_label.values()))
                lines.append(f"{name}\tArg:{'|'.join(sorted(by_label))}, Value:{'|'.join(values)}")
        conf = "\n".join(lines) + "\n"
        (self.target / "annotation.conf").write_text(conf, encoding="utf-8", newline="")
        self._write("visual.conf", visual_conf(sorted(self.types)))
        self._write("tools.conf", tools_conf(sorted(self.resources)))

    def _write(self, name: str, text: str) -> None:
        (self.target / name).write_text(text, encoding="utf-8", newline="")


def visual_conf(types: list[str]) -> str:
    """brat's ``visual.conf``: each type's label and brat's default drawing."""
    lines = ["[labels]", *types, "", "[drawing]",
             "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
             "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
             "ATTRIBUTE_DEFAULT\tglyph:*"]  # fmt: skip
    return "\n".join(lines) + "\n"


def tools_conf(resources: list[str]) -> str:
    """brat's ``tools.conf``: the normalisation resources, so ``N`` links open (Wikidata)."""
    lines = ["[options]", "Tokens\ttokenizer:whitespace", "Sentences\tsplitter:newline", "",
             "[normalization]"]  # fmt: skip
    for resource in resources:
        if resource in NORMALIZATION_URLS:
            lines.append(f"{resource}\t{NORMALIZATION_URLS[resource]}")
    return "\n".join(lines) + "\n"
