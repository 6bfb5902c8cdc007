"""Reading JSON Lines and JSON arrays record by record, with line numbers (or task indices).

A truncated or malformed record is yielded as an error naming its line (in an
array: its task index, since an exported array is often one long line), and
the records around it still come through, so one bad line never costs a file.
Nesting too deep and numbers too long to convert are such errors too
(:func:`storage.importers.parsed.load_json`), never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storage.importers import ImportFileError
from storage.importers.parsed import (
    JSONLimitError,
    check_size,
    decode_json_at,
    decode_utf8,
    load_json,
    read_bytes,
)

Item = tuple[int, dict[str, Any]] | ImportFileError
Task = tuple[int, int, dict[str, Any]] | ImportFileError
"""``(line, task index, object)`` of one element of a JSON array, or the error for it."""


def json_lines(path: Path) -> Iterator[Item]:
    """``(line number, object)`` for each non-blank line, or the error for that line."""
    data = read_bytes(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            check_size(path, len(raw), line=number, what="record ")
            value = load_json(decode_utf8(path, raw, line=number))
        except ImportFileError as error:
            yield error
            continue
        except json.JSONDecodeError as error:
            yield ImportFileError(
                path, f"invalid or truncated JSON ({error.msg} at column {error.colno})", number
            )
            continue
        except JSONLimitError as error:
            yield ImportFileError(path, error.reason, number)
            continue
        if not isinstance(value, dict):
            yield ImportFileError(path, "expected a JSON object", number)
            continue
        yield number, value


def json_array(path: Path) -> Iterator[Task]:
    """The objects of a top-level JSON array (or one object), each with its line and index.

    Elements are decoded one at a time, so everything before a truncation or
    syntax error is still yielded, followed by one error naming the task (and
    where in the file the JSON broke).
    """
    text = decode_utf8(path, read_bytes(path)).lstrip("\ufeff")
    decoder = json.JSONDecoder()

    def line_at(position: int) -> int:
        return text.count("\n", 0, position) + 1

    def skip(position: int) -> int:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        return position

    def broken(error: json.JSONDecodeError) -> str:
        return f"invalid or truncated JSON ({error.msg}; line {error.lineno} column {error.colno})"

    position = skip(0)
    if text.startswith("{", position):
        try:
            value, _ = decode_json_at(decoder, text, position)
        except json.JSONDecodeError as error:
            yield ImportFileError(path, broken(error), task=1)
            return
        except JSONLimitError as error:
            yield ImportFileError(path, error.reason, task=1)
            return
        yield line_at(position), 1, value
        return
    if not text.startswith("[", position):
        yield ImportFileError(path, "expected a JSON array of tasks", line_at(position))
        return
    position = skip(position + 1)
    if text.startswith("]", position):
        return
    index = 0
    while True:
        index += 1
        try:
            value, end = decode_json_at(decoder, text, position)
        except json.JSONDecodeError as error:
            yield ImportFileError(path, broken(error), task=index)
            return
        except JSONLimitError as error:
            if error.end is None:  # where the task ends is unknown: the rest cannot be found
                yield ImportFileError(path, f"{error.reason}; the tasks after it were not read",
                                      task=index)  # fmt: skip
                return
            yield ImportFileError(path, error.reason, task=index)
            end = error.end
        else:
            if isinstance(value, dict):
                yield line_at(position), index, value
            else:
                yield ImportFileError(path, "expected a JSON object (a task)", task=index)
        position = skip(end)
        if text.startswith(",", position):
            position = skip(position + 1)
            continue
        if text.startswith("]", position):
            return
        reason = "truncated JSON (missing ']')" if position >= len(text) else "expected ',' or ']'"
        yield ImportFileError(path, f"{reason} after this task", task=index)
        return
