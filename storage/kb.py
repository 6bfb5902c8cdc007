"""An offline knowledge base the entity picker searches: names, aliases, types, ids.

A KB file is JSON lines or TSV. JSONL: one object a line with ``name``,
``type`` and ``id`` (e.g. a Wikidata QID) and optional ``aliases`` (a list of
strings). TSV: ``name<TAB>aliases<TAB>type<TAB>id`` with aliases separated by
``|``; a first line ``name	aliases	type	id`` is a header. Blank lines and
lines starting with ``#`` are skipped. A bad line fails the whole file with
``file:line: reason`` (:class:`KBFileError`), never a partial KB.

redline ships ``storage/suggest/data/kb.jsonl`` (CC0, written for redline):
countries, capitals and major international organisations with their
Wikidata QIDs. ``[kb] file = "..."`` in ``redline.toml`` replaces it.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from storage.errors import StorageError

if TYPE_CHECKING:
    from storage.schema import Config

SHIPPED_KB = Path(__file__).resolve().parent / "suggest" / "data" / "kb.jsonl"
MAX_FILE_BYTES = 50_000_000


class KBFileError(StorageError):
    """A knowledge-base file that cannot be read; ``str()`` is ``file:line: reason``."""


@dataclass(frozen=True)
class KBEntry:
    name: str
    type: str
    id: str
    aliases: tuple[str, ...] = ()


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching ("Türkiye" ~ "turkiye")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def read_kb(path: Path) -> list[KBEntry]:
    """Every entry of a JSONL or TSV KB file (format by suffix: ``.tsv`` is TSV)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise KBFileError(f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB")
        lines = path.read_text("utf-8").splitlines()
    except KBFileError:
        raise
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise KBFileError(f"{path}: cannot read ({reason})") from None
    tsv = path.suffix.lower() == ".tsv"
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if tsv and number == 1 and line.split("\t")[:1] == ["name"]:
            continue
        try:
            entries.append(_tsv_entry(line) if tsv else _json_entry(line))
        except ValueError as error:
            raise KBFileError(f"{path}:{number}: {error}") from None
    return entries


def _entry(name: object, type: object, id: object, aliases: object) -> KBEntry:
    for field, value in (("name", name), ("type", type), ("id", id)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{field!r} must be a non-empty string")
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ValueError("'aliases' must be a list of strings")
    assert isinstance(name, str) and isinstance(type, str) and isinstance(id, str)
    cleaned = tuple(dict.fromkeys(a.strip() for a in aliases if a.strip() and a != name))
    return KBEntry(name.strip(), type.strip(), id.strip(), cleaned)


def _json_entry(line: str) -> KBEntry:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg})") from None
    if not isinstance(record, dict):
        raise ValueError("each line must be a JSON object")
    return _entry(record.get("name"), record.get("type"), record.get("id"),
                  record.get("aliases", []))


def _tsv_entry(line: str) -> KBEntry:
    cells = line.split("\t")
    if len(cells) != 4:
        raise ValueError(
            f"expected 4 tab-separated fields (name, aliases, type, id), got {len(cells)}"
        )
    name, aliases, type, id = cells
    return _entry(name, type, id, [a for a in aliases.split("|") if a.strip()])


class KnowledgeBase:
    """Entries searchable by any word prefix of their name or aliases."""

    def __init__(self, entries: Iterable[KBEntry]) -> None:
        self.entries = list(entries)
        self._surfaces = [
            (entry, [fold(surface) for surface in (entry.name, *entry.aliases)])
            for entry in self.entries
        ]

    @classmethod
    def for_config(cls, config: Config) -> KnowledgeBase:
        """The KB ``redline.toml`` names (``[kb] file``), else the shipped one."""
        return cls.load(config.kb_file)

    @classmethod
    def load(cls, path: Path | None = None) -> KnowledgeBase:
        """The KB of ``path`` (None: the shipped one), read once per file version."""
        target = path or SHIPPED_KB
        try:
            stamp = target.stat().st_mtime_ns
        except OSError as error:
            raise KBFileError(f"{target}: cannot read ({error.strerror or error})") from None
        return _cached(target.resolve(), stamp)

    def search(self, query: str, type: str | None = None, limit: int = 20) -> list[KBEntry]:
        """Entries matching ``query``: exact name/alias first, then prefix, then word prefix."""
        wanted = fold(query)
        if not wanted:
            return []
        ranked: list[tuple[int, int, KBEntry]] = []
        for order, (entry, surfaces) in enumerate(self._surfaces):
            if type is not None and entry.type != type:
                continue
            rank = min((_rank(wanted, surface) for surface in surfaces), default=9)
            if rank < 9:
                ranked.append((rank, order, entry))
        return [entry for _, _, entry in sorted(ranked, key=lambda r: (r[0], r[1]))[:limit]]

    def lookup(self, name: str, type: str | None = None) -> KBEntry | None:
        """The entry whose name or alias is exactly ``name`` (case/accents ignored)."""
        found = self.search(name, type, limit=1)
        if found and fold(name) in (fold(s) for s in (found[0].name, *found[0].aliases)):
            return found[0]
        return None


def _rank(query: str, surface: str) -> int:
    if surface == query:
        return 0
    if surface.startswith(query):
        return 1
    words = query.split()
    surface_words = surface.split()
    if all(any(w.startswith(q) for w in surface_words) for q in words):
        return 2
    return 9


@lru_cache(maxsize=4)
def _cached(path: Path, stamp: int) -> KnowledgeBase:
    return KnowledgeBase(read_kb(path))
