"""Reading brat standoff: ``<name>.ann`` beside ``<name>.txt`` (and redline's ``<name>.json``).

The whole standoff grammar is read. ``T`` text-bound annotations become spans
(fragments joined by ``;`` are one span when only line breaks separate them, as
redline writes spans across lines). ``A``/``M`` attributes on a figure
(``Approximate``, ``Change``, ``Bound``, ``Direction``:
:mod:`storage.formats.brat.vocabulary`) become its attributes, ``N``
normalisations entity links (``Wikidata:Q…`` → kb id ``Q…``), ``#``
``AnnotatorNotes`` redline's ``key=value; …`` notes or else the span's note.
What redline cannot represent — ``R`` relations, ``E`` events (with their
trigger ``T``), ``*`` equivalences, truly discontinuous ``T``, other
attributes, and ``A``/``M``/``N``/``#`` on any of those — is counted per kind in
``record.ignored`` ("ignored: 3 relations, 2 events"), never a failure. A
malformed line, a duplicate id or a reference to an id the file does not
define fails that document, naming the ``.ann`` file and line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from storage.formats.brat.vocabulary import (
    FIGURE_NOTE_KEYS,
    FLAG_ATTRIBUTES,
    NOTE_KEYS,
    VALUED_ATTRIBUTES,
    WIKIDATA,
)
from storage.formats.codec import LINE_BREAKS, EntityRef, decode_note
from storage.formats.record import (
    MALFORMED,
    AnnotatedRecord,
    SchemaLike,
    apply_extras,
    classify,
    failer,
    span_from_extras,
)
from storage.importers import ImportFileError
from storage.importers.files import iter_tree
from storage.importers.parsed import JSONLimitError, decode_utf8, load_json, read_bytes

_T = re.compile(r"^(T\d+)\t(\S+) (\d{1,15} \d{1,15}(?:;\d{1,15} \d{1,15})*)\t(.*)$")
_R = re.compile(r"^(R\d+)\t(\S+) (\S+:\S+) (\S+:\S+)\s*$")
_E = re.compile(r"^(E\d+)\t(\S+):(T\d+)((?: \S+:\S+)*)\s*$")
_A = re.compile(r"^([AM]\d+)\t(\S+) (\S+)(?: (\S+))?\s*$")
_N = re.compile(r"^(N\d+)\t(\S+) (\S+) ([^\s:]+):(\S+)(?:\t(.*))?$")
_NOTE = re.compile(r"^(#\d*)\t(\S+) (\S+)(?:\t(.*))?$")
_EQUIV = re.compile(r"^\*\t(\S+)((?: \S+)+)\s*$")
_SHARED_IDS = ("#", "*")
"""Ids brat allows more than once in a file (``*`` lines have no id of their own)."""


@dataclass
class _TextBound:
    line: int
    label: str
    start: int
    end: int
    figure: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    reference: EntityRef | None = None


def ann_files(path: Path) -> list[Path | ImportFileError]:
    """The ``.ann`` files a path names: itself, its ``.txt``'s partner, or a directory's.

    A directory's unreadable subdirectories and ``.ann`` names that are not
    regular files come back as errors, in walk order (see ``iter_tree``).
    """
    if path.is_dir():
        return sorted(iter_tree(path, lambda name: name.endswith(".ann")), key=_order)
    return [path.with_suffix(".ann")]


def _order(item: Path | ImportFileError) -> str:
    return str(item if isinstance(item, Path) else item.path)


def read_brat(path: Path, schema: SchemaLike | None) -> Iterator[AnnotatedRecord | ImportFileError]:
    files = ann_files(path)
    if not any(isinstance(item, Path) for item in files):
        yield ImportFileError(path, "no .ann files (not a brat directory)")
    for ann in files:
        if isinstance(ann, ImportFileError):
            yield ann
            continue
        try:
            yield parse_document(ann, schema)
        except ImportFileError as error:
            yield error
        except MALFORMED as error:
            yield ImportFileError(ann, f"malformed document ({type(error).__name__}: {error})")


def parse_document(ann: Path, schema: SchemaLike | None) -> AnnotatedRecord:
    txt = ann.with_suffix(".txt")
    if not os.path.lexists(txt):
        raise ImportFileError(ann, f"no text file {txt.name} beside it")
    text = decode_utf8(txt, read_bytes(txt))
    record = AnnotatedRecord(path=ann, line=None, text=text)
    side = ann.with_suffix(".json")
    if os.path.lexists(side):
        try:
            block = load_json(decode_utf8(side, read_bytes(side)))
        except json.JSONDecodeError as error:
            raise ImportFileError(side, f"invalid JSON ({error.msg})", error.lineno) from None
        except JSONLimitError as error:
            raise ImportFileError(side, error.reason) from None
        apply_extras(record, block, failer(side, None))
    content = _ann_text(ann)
    bounds: dict[str, _TextBound] = {}
    ids: dict[str, int] = {}
    triggers: set[str] = set()
    later: list[tuple[int, re.Match[str], str]] = []
    for number, line in enumerate(content.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        fail = failer(ann, number)
        ident = line.split("\t", 1)[0]
        if ident in ids and ident not in _SHARED_IDS:
            raise fail(f"duplicate id {ident} (first at line {ids[ident]})")
        ids[ident] = number
        if match := _T.match(line):
            bound = _text_bound(text, match, number, fail)
            if bound is None:
                record.ignored["discontinuous span"] += 1
            else:
                bounds[match[1]] = bound
        elif match := _E.match(line):
            triggers.add(match[3])  # the trigger's T line is part of the event
            record.ignored["event"] += 1
        elif _R.match(line):
            record.ignored["relation"] += 1
        elif _EQUIV.match(line):
            record.ignored["equivalence"] += 1
        elif match := _A.match(line):
            later.append((number, match, "attribute"))
        elif match := _N.match(line):
            later.append((number, match, "normalization"))
        elif match := _NOTE.match(line):
            later.append((number, match, "note"))
        else:
            raise fail(f"not a brat standoff line: {line[:60]!r}")
    for number, match, kind in later:  # annotations of annotations: their targets are all known
        fail = failer(ann, number)
        if match[3] not in ids:
            raise fail(f"refers to {match[3]}, which is not defined in this file")
        bound = bounds.get(match[3]) if match[3] not in triggers else None
        if bound is None:  # on an event, a relation or an ignored span
            record.ignored[kind] += 1
        elif kind == "attribute":
            _attribute(bound, match, record, fail)
        elif kind == "normalization":
            bound.reference = _reference(bound, match)
        elif match[2] == "AnnotatorNotes":
            _note(bound, match[4] or "", fail)
        else:
            record.ignored[kind] += 1
    for ident, bound in bounds.items():
        if ident in triggers:
            continue
        fail = failer(ann, bound.line)
        extras = dict(bound.extras)
        layer, _, _ = classify(bound.label, schema)
        if bound.figure:
            extras["figure"] = bound.figure
        if bound.reference is not None and "entity" not in extras:
            extras["entity"] = bound.reference.to_json()
        if layer == "figure" and "figure" not in extras:
            extras["figure"] = {}
        span = span_from_extras(extras, bound.start, bound.end, bound.label, schema, fail)
        span.line = bound.line
        record.spans.append(span)
    return record


def _ann_text(ann: Path) -> str:
    """The ``.ann`` file's text; an empty one is a document without annotations."""
    try:
        return decode_utf8(ann, read_bytes(ann))
    except ImportFileError as error:
        if error.reason == "empty file":
            return ""
        raise


def _text_bound(text: str, match: re.Match[str], number: int, fail: Any) -> _TextBound | None:
    """The span a ``T`` line marks; None when its fragments lie apart (not split at line breaks)."""
    pieces = [tuple(map(int, part.split())) for part in match[3].split(";")]
    for start, end in pieces:
        if not 0 <= start < end <= len(text):
            raise fail(
                f"{match[1]} offsets {start} {end} are outside the text (length {len(text)})"
            )
    covered = " ".join(text[start:end] for start, end in pieces)
    if covered != match[4]:
        raise fail(f"{match[1]} text {match[4]!r} does not match the .txt ({covered!r})")
    for (_, end), (start, _) in pairwise(pieces):
        gap = text[end:start]
        if start < end:
            raise fail(f"{match[1]} fragments overlap or are out of order")
        if not gap or any(char not in LINE_BREAKS for char in gap):
            return None  # truly discontinuous: redline stores contiguous spans only
    return _TextBound(number, match[2], pieces[0][0], pieces[-1][1])


def _attribute(bound: _TextBound, match: re.Match[str], record: AnnotatedRecord,
               fail: Any) -> None:  # fmt: skip
    name, value = match[2], match[4]
    if name in FLAG_ATTRIBUTES:
        bound.figure[FLAG_ATTRIBUTES[name]] = True
    elif name in VALUED_ATTRIBUTES:
        if value is None:
            raise fail(f"attribute {name} needs a value")
        bound.figure[VALUED_ATTRIBUTES[name]] = value
    else:
        record.ignored["attribute"] += 1


def _reference(bound: _TextBound, match: re.Match[str]) -> EntityRef:
    rid, eid = match[4], match[5]
    kb_id = eid if rid == WIKIDATA else f"{rid}:{eid}"
    return EntityRef(name=match[6] or kb_id, type=bound.label, kb_id=kb_id)


def _note(bound: _TextBound, text: str, fail: Any) -> None:
    """redline's ``key=value`` note, or else free text kept as the span's note."""
    try:
        pairs = decode_note(text, fail)
    except ImportFileError:
        pairs = {}
    if not pairs or set(pairs) - NOTE_KEYS:
        bound.extras["note"] = text
        return
    for key in FIGURE_NOTE_KEYS:
        if key in pairs:
            bound.figure[key] = pairs[key]
    if "subject" in pairs:
        bound.figure["subject"] = _entity(pairs, "subject", "subject_type", "subject_kb_id",
                                          "subject_aliases", fail)  # fmt: skip
    if "entity" in pairs:
        bound.extras["entity"] = _entity(pairs, "entity", "entity_type", "kb_id", "aliases", fail)
    for key in ("note", "status"):
        if key in pairs:
            bound.extras[key] = pairs[key]
    if "score" in pairs:
        try:
            bound.extras["score"] = float(pairs["score"])
        except ValueError:
            raise fail(f"note score {pairs['score']!r} is not a number") from None


def _entity(pairs: dict[str, str], name: str, kind: str, kb_id: str, aliases: str,
            fail: Any) -> dict[str, Any]:  # fmt: skip
    try:
        alias_list = json.loads(pairs[aliases]) if aliases in pairs else []
    except json.JSONDecodeError:
        raise fail(f"note {aliases} is not a JSON list") from None
    return {"name": pairs[name], "type": pairs.get(kind, ""), "kb_id": pairs.get(kb_id),
            "aliases": alias_list}  # fmt: skip
