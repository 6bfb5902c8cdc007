"""JSON Lines: one article per line, streamed so a large corpus file never sits in memory.

Each non-blank line is an object: ``text`` (required, a non-empty string; it is
normalised), and optionally ``title`` (default: the first line of the text),
``url``, ``source``, ``published`` (ISO date, ISO datetime or a written date;
``date`` is accepted as an alias), ``dateline`` (default: detected in the
text), ``lang`` (default "en") and ``meta`` (an object, copied into the
article's meta). ``spans`` are left untouched in ``meta["spans"]`` for the
annotated-format importers; any other key is kept in ``meta["extra"]``.
``meta["path"]`` and ``meta["line"]`` record where the article came from,
unless the record's own ``meta`` already names its origin.

A bad line is *yielded* as an :class:`ImportFileError` with its line number
and the good lines still import; only a file-level problem (unreadable, binary,
UTF-16, a NUL byte in the first 8 KB, no records at all) stops the file.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from storage.importers.metadata import content_lines, dateline_in, first_line_title, parse_date
from storage.importers.parsed import (
    ImportFileError,
    JSONLimitError,
    ParsedArticle,
    check_size,
    decode_utf8,
    load_json,
    open_regular,
)
from storage.text import normalise

_UTF8_BOM = b"\xef\xbb\xbf"
_SNIFF_BYTES = 8192  # like git and grep: a NUL byte near the start means binary
_STRING_FIELDS = ("title", "url", "source", "dateline", "lang")
_CONSUMED = {"text", "published", "date", "meta", "spans", *_STRING_FIELDS}
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


def read_jsonl(path: Path) -> Iterator[ParsedArticle | ImportFileError]:
    """Yield an article or an error for every non-blank line of ``path``."""
    handle = open_regular(path)
    records = 0
    offset = 0
    with handle:
        head = handle.read(_SNIFF_BYTES)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ImportFileError(path, "UTF-16 text; save it as UTF-8")
        if b"\x00" in head:
            raise ImportFileError(path, "binary file")
        handle.seek(0)
        for number, raw in enumerate(handle, 1):
            line_offset, offset = offset, offset + len(raw)
            if number == 1 and raw.startswith(_UTF8_BOM):
                raw, line_offset = raw[len(_UTF8_BOM) :], line_offset + len(_UTF8_BOM)
            if not raw.strip():
                continue
            records += 1
            if b"\x00" in raw:
                yield ImportFileError(path, "binary data (NUL bytes)", number)
                continue
            try:
                yield parse_record(path, number, raw, line_offset)
            except ImportFileError as error:
                yield error
    if records == 0:
        raise ImportFileError(path, "empty file")


def parse_record(path: Path, number: int, raw: bytes, offset: int) -> ParsedArticle:
    """Turn one line into an article, or raise an error naming the line and the field."""
    check_size(path, len(raw), line=number, what="record ")
    line = decode_utf8(path, raw, offset=offset, line=number)
    try:
        record = load_json(line)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            path, f"invalid JSON ({error.msg} at column {error.colno})", number
        ) from None
    except JSONLimitError as error:
        raise ImportFileError(path, error.reason, number) from None
    if not isinstance(record, dict):
        kind = _JSON_TYPES.get(type(record), "number")
        raise ImportFileError(path, f"expected a JSON object, got {kind}", number)

    def fail(reason: str) -> ImportFileError:
        return ImportFileError(path, reason, number)

    text = record.get("text")
    if text is None:
        raise fail("'text' is required")
    if not isinstance(text, str):
        raise fail("'text' must be a string")
    text = normalise(text)
    if not text.strip():
        raise fail("'text' is empty")
    strings: dict[str, str | None] = {}
    for name in _STRING_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise fail(f"{name!r} must be a string")
        strings[name] = " ".join(normalise(value).split()) if value else None
    published = _published(record, fail)
    meta = record.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise fail("'meta' must be an object")
    meta = dict(meta or {})
    meta.setdefault("path", str(path))
    meta.setdefault("line", number)
    if "spans" in record:
        meta["spans"] = record["spans"]
    extra = {key: value for key, value in record.items() if key not in _CONSUMED}
    if extra:
        meta["extra"] = extra
    return ParsedArticle(
        text=text,
        title=strings["title"] or first_line_title(text),
        source=strings["source"],
        url=strings["url"],
        published=published,
        dateline=strings["dateline"] or dateline_in(content_lines(text)),
        lang=strings["lang"] or "en",
        meta=meta,
    )


def _published(
    record: dict[str, Any], fail: Callable[[str], ImportFileError]
) -> datetime.date | None:
    """``published`` (or ``date``) as a date; a value that is not one is an error."""
    name = "published" if record.get("published") is not None else "date"
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(f"{name!r} must be a date string")
    try:
        return parse_date(value)
    except ValueError:
        raise fail(f"{name!r} is not a date ({value!r})") from None
