"""Gazetteer: find known names in text with one Aho-Corasick automaton.

A gazetteer proposes entities already accepted elsewhere in the corpus and
those listed in a user file. Every surface form goes into a single
``ahocorasick.Automaton`` (C, linear in the text), so 50,000 entries cost one
pass over the article, not one regular expression per entry.

Matching policy
---------------
- **Whole words**: the characters just before and after a match must be
  non-alphanumeric (or the text edge); ``Kazakhstan`` does not match inside
  ``Kazakhstani`` but does inside ``pro-Kazakhstan`` or ``Kazakhstan's``.
- **Case-aware**: the entry's exact form always matches. Three variants are
  added, each only when no entry has that exact form already:
  1. the ALL-CAPS form of an entry that has lower-case letters
     (``Astana`` -> ``ASTANA``, datelines and headlines);
  2. the sentence-initial form of an all-lower-case entry
     (``bitcoin`` -> ``Bitcoin``);
  3. the Title-case form of a one-word all-caps entry of four or more letters
     (``NATO`` -> ``Nato``). Shorter acronyms get none (``US`` never
     matches ``Us``, ``WHO`` never ``Who``).
  Variant hits score lower (``VARIANT_SCORE``) than exact ones (``EXACT_SCORE``).
- **Longest match wins** when matches overlap; among equals, the leftmost.
- When two entries share a surface form, the first one given wins.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path

import ahocorasick

from storage.suggest.suggestion import Suggestion
from storage.text import normalise

EXACT_SCORE = 0.9
VARIANT_SCORE = 0.7


class GazetteerFileError(ValueError):
    """A user gazetteer file has a line redline cannot read: ``<path>:<line>: <problem>``."""


@dataclass(frozen=True)
class GazetteerEntry:
    """One surface form of a known entity."""

    text: str
    label: str
    kb_id: str | None = None
    entity_name: str | None = None
    """Canonical name; defaults to ``text`` in the suggestions."""


def case_variants(surface: str) -> list[str]:
    """The extra forms that also match ``surface`` (see the module's matching policy)."""
    variants: list[str] = []
    if any(ch.islower() for ch in surface):
        upper = surface.upper()
        if upper != surface:
            variants.append(upper)
        if surface == surface.lower():
            variants.append(surface[0].upper() + surface[1:])
    elif surface.isalpha() and len(surface) >= 4:
        variants.append(surface[0] + surface[1:].lower())
    return [v for v in variants if v != surface]


_START = attrgetter("start")


def _suggestion(values: dict[str, object]) -> Suggestion:
    """A ``Suggestion`` from all its field values, in declaration order, without the
    frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field was 40% of
    ``find``'s time at 80 names an article); equality, hash and repr read the fields."""
    suggestion = object.__new__(Suggestion)
    suggestion.__dict__.update(values)
    return suggestion


class Gazetteer:
    """Whole-word, case-aware, longest-match lookup of many names at once."""

    def __init__(self, entries: Iterable[GazetteerEntry], *, origin: str = "gazetteer") -> None:
        self._entries: list[GazetteerEntry] = []
        self._origin = origin
        self._automaton = ahocorasick.Automaton()
        exact: dict[str, int] = {}
        for entry in entries:
            surface = normalise(entry.text).strip()
            if not surface or surface in exact:
                continue
            exact[surface] = len(self._entries)
            # ``replace`` copies a frozen dataclass slowly; most entries are already clean
            self._entries.append(entry if entry.text == surface else replace(entry, text=surface))
        for surface, index in exact.items():
            self._automaton.add_word(surface, (len(surface), index, True))
        for surface, index in exact.items():
            for variant in case_variants(surface):
                if variant not in exact and variant not in self._automaton:
                    self._automaton.add_word(variant, (len(variant), index, False))
        if len(self._automaton):
            self._automaton.make_automaton()

    def __len__(self) -> int:
        """Number of distinct entries (surface forms), variants not counted."""
        return len(self._entries)

    def __iter__(self) -> Iterator[GazetteerEntry]:
        return iter(self._entries)

    def find(self, text: str) -> list[Suggestion]:
        """All whole-word matches in ``text``, overlaps resolved longest-first, by start."""
        if not len(self._automaton) or not text:
            return []
        size = len(text)
        matches: list[tuple[int, int, int, int, bool]] = []
        for last, (length, index, is_exact) in self._automaton.iter(text):
            start, end = last + 1 - length, last + 1
            # whole words: no letter or digit right before or after the match
            if (start == 0 or not text[start - 1].isalnum()) and (
                end == size or not text[end].isalnum()
            ):
                matches.append((start - end, start, end, index, is_exact))
        # longest first, then leftmost: a span has one automaton key, so no two ties
        matches.sort()
        taken = bytearray(size)
        found: list[Suggestion] = []
        for _, start, end, index, is_exact in matches:
            if 1 in taken[start:end]:
                continue
            taken[start:end] = b"\x01" * (end - start)
            entry = self._entries[index]
            found.append(
                _suggestion(
                    {
                        "start": start,
                        "end": end,
                        "text": text[start:end],
                        "layer": "entity",
                        "label": entry.label,
                        "origin": self._origin,
                        "score": EXACT_SCORE if is_exact else VARIANT_SCORE,
                        "kb_id": entry.kb_id,
                        "entity_name": entry.entity_name or entry.text,
                    }
                )
            )
        found.sort(key=_START)
        return found

    @classmethod
    def from_file(cls, path: Path) -> Gazetteer:
        """Load a user gazetteer: JSONL (``.jsonl``/``.json``, or a first line starting
        with ``{``) or TSV (``text<TAB>label[<TAB>kb_id]``, ``#`` comments)."""
        return cls(read_entries(Path(path)))


def read_entries(path: Path) -> list[GazetteerEntry]:
    """Parse a gazetteer file; any bad line raises ``GazetteerFileError`` naming it."""
    try:
        raw = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise GazetteerFileError(f"{path}: cannot read the file ({error})") from error
    lines = normalise(raw).split("\n")
    if path.suffix.lower() in {".jsonl", ".json", ".ndjson"} or _first_content(lines).startswith(
        "{"
    ):
        return list(_parse_jsonl(path, lines))
    return list(_parse_tsv(path, lines))


def _first_content(lines: list[str]) -> str:
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped
    return ""


def _check_label(path: Path, number: int, label: str) -> str:
    label = label.strip()
    if not label:
        raise GazetteerFileError(f"{path}:{number}: the label is empty")
    if label.split() != [label]:  # whitespace inside (the label is stripped and not empty)
        raise GazetteerFileError(f"{path}:{number}: the label {label!r} contains whitespace")
    return label


def _parse_tsv(path: Path, lines: list[str]) -> Iterator[GazetteerEntry]:
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) not in (2, 3):
            raise GazetteerFileError(
                f"{path}:{number}: expected text<TAB>label[<TAB>kb_id], found {len(fields)} "
                f"tab-separated field(s)"
            )
        text = fields[0].strip()
        if not text:
            raise GazetteerFileError(f"{path}:{number}: the text is empty")
        label = _check_label(path, number, fields[1])
        kb_id = fields[2].strip() if len(fields) == 3 else ""
        yield GazetteerEntry(text=text, label=label, kb_id=kb_id or None)


def _parse_jsonl(path: Path, lines: list[str]) -> Iterator[GazetteerEntry]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise GazetteerFileError(f"{path}:{number}: invalid JSON ({error.msg})") from error
        if not isinstance(record, dict):
            raise GazetteerFileError(f"{path}:{number}: expected a JSON object")
        for key in ("text", "label"):
            if not isinstance(record.get(key), str):
                raise GazetteerFileError(f"{path}:{number}: {key!r} must be a string")
        text = record["text"].strip()
        if not text:
            raise GazetteerFileError(f"{path}:{number}: the text is empty")
        label = _check_label(path, number, record["label"])
        optional: dict[str, str | None] = {}
        for key in ("kb_id", "entity_name"):
            value = record.get(key)
            if value is not None and not isinstance(value, str):
                raise GazetteerFileError(f"{path}:{number}: {key!r} must be a string or null")
            optional[key] = value or None
        yield GazetteerEntry(text=text, label=label, **optional)
