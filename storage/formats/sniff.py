"""Telling annotated files from plain articles, and one JSON-lines record's format.

``detect_format`` decides how ``redline import`` reads a path. For JSON Lines it
looks at every line until one names a format (a first line without
annotations says nothing: a doccano file may start with an unlabelled text),
so a file is never read as plain articles while a later line carries labels.
Readers then check each line against the format chosen
(:func:`record_kind`), so a line of another format fails by name instead of
losing its annotations. Nothing here opens a FIFO or follows a symlink loop.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from storage.formats.registry import formats_for_suffix
from storage.importers.files import iter_tree
from storage.importers.parsed import ImportFileError, JSONLimitError, load_json, open_regular

_ANNOTATION_KEYS = re.compile(
    rb'"(?:redline|tokens|answer|accept|_input_hash|_task_hash|label|cats|entities|figures'
    rb'|topics|spans|data|annotations)"'
)
"""A line without any of these keys (nor a ``\\u`` escape that could spell one) is
plain: it needs no JSON parsing to know, which keeps detecting a large plain
corpus cheap (one literal-prefixed regex scan; a tenth of the cost of parsing)."""


def _may_be_annotated(raw: bytes) -> bool:
    return _ANNOTATION_KEYS.search(raw) is not None or b"\\u" in raw


def detect_format(path: Path | str) -> str | None:
    """The annotated format of ``path``, or None when it holds plain articles (or is unknown).

    A directory with ``.ann`` files, an ``.ann`` file or a ``.txt`` with an
    ``.ann`` beside it is brat; otherwise the suffix picks the formats of the
    registry that read it, and when several do (``.jsonl``) the keys of the
    records tell them apart (the first line that has any decides). A path that
    is not a regular file or directory is None: the plain reader reports it.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        found = iter_tree(path, lambda name: name.endswith(".ann"))
        return "brat" if any(isinstance(item, Path) for item in found) else None
    if not stat.S_ISREG(mode):
        return None
    suffix = path.suffix.lower()
    if suffix == ".txt" and path.with_suffix(".ann").is_file():
        suffix = ".ann"  # a brat document named by its text file
    candidates = formats_for_suffix(suffix)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        return None
    try:
        with open_regular(path) as handle:
            for raw in handle:
                if not _may_be_annotated(raw):
                    continue
                try:
                    value = load_json(raw.decode("utf-8-sig"))
                except (UnicodeDecodeError, json.JSONDecodeError, JSONLimitError):
                    continue  # the reader reports this line
                found = record_kind(value) if isinstance(value, dict) else "plain"
                if found in candidates:
                    return found
    except (ImportFileError, OSError):
        return None
    return None


def record_kind(value: dict[str, Any]) -> str:
    """The format one JSON-lines object is written in; "plain" when it carries no annotations."""
    if "redline" in value and isinstance(value["redline"], int):
        return "jsonl"
    if isinstance(value.get("data"), dict) and ("annotations" in value or "predictions" in value):
        return "labelstudio"
    if any(key in value for key in ("tokens", "answer", "accept", "_input_hash", "_task_hash")):
        return "prodigy"
    if isinstance(value.get("label"), list) or "cats" in value:
        return "doccano"
    entities = value.get("entities")
    if isinstance(entities, list) and entities and isinstance(entities[0], list):
        return "doccano"  # intent detection: [[start, end, LABEL]]
    if isinstance(entities, list) and entities and isinstance(entities[0], dict):
        return "doccano" if "start_offset" in entities[0] else "jsonl"
    if isinstance(value.get("figures"), list) or isinstance(value.get("topics"), list):
        return "jsonl"
    if isinstance(value.get("spans"), list):
        return "prodigy"
    return "plain"
