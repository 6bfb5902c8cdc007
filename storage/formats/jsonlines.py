"""Reading JSON Lines and JSON arrays record by record, with line numbers.

A truncated or malformed record is yielded as an error naming its line, and
the records around it still come through, so one bad line never costs a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storage.importers import ImportFileError
from storage.importers.parsed import MAX_FILE_BYTES, decode_utf8, read_bytes

Item = tuple[int, dict[str, Any]] | ImportFileError


def json_lines(path: Path) -> Iterator[Item]:
    """``(line number, object)`` for each non-blank line, or the error for that line."""
    data = read_bytes(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        if len(raw) > MAX_FILE_BYTES:
            yield ImportFileError(path, "record too large", number)
            continue
        try:
            value = json.loads(decode_utf8(path, raw, line=number))
        except ImportFileError as error:
            yield error
            continue
        except json.JSONDecodeError as error:
            yield ImportFileError(
                path, f"invalid or truncated JSON ({error.msg} at column {error.colno})", number
            )
            continue
        if not isinstance(value, dict):
            yield ImportFileError(path, "expected a JSON object", number)
            continue
        yield number, value


def json_array(path: Path) -> Iterator[Item]:
    """The objects of a top-level JSON array (or one object), each with its starting line.

    Elements are decoded one at a time, so everything before a truncation or
    syntax error is still yielded, followed by one error naming the line.
    """
    text = decode_utf8(path, read_bytes(path)).lstrip("\ufeff")
    decoder = json.JSONDecoder()

    def line_at(position: int) -> int:
        return text.count("\n", 0, position) + 1

    def skip(position: int) -> int:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        return position

    position = skip(0)
    if text.startswith("{", position):
        try:
            value, _ = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            yield ImportFileError(path, f"invalid JSON ({error.msg})", error.lineno)
            return
        yield line_at(position), value
        return
    if not text.startswith("[", position):
        yield ImportFileError(path, "expected a JSON array of tasks", line_at(position))
        return
    position = skip(position + 1)
    if text.startswith("]", position):
        return
    while True:
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            reason = f"invalid or truncated JSON ({error.msg} at column {error.colno})"
            yield ImportFileError(path, reason, error.lineno)
            return
        if isinstance(value, dict):
            yield line_at(position), value
        else:
            yield ImportFileError(path, "expected a JSON object (a task)", line_at(position))
        position = skip(end)
        if text.startswith(",", position):
            position = skip(position + 1)
            continue
        if text.startswith("]", position):
            return
        reason = "truncated JSON (missing ']')" if position >= len(text) else "expected ',' or ']'"
        yield ImportFileError(path, reason, line_at(position))
        return
