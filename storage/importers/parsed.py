"""What an importer produces, what it reports, and how it reads a file's bytes safely.

Every reader turns a file into :class:`ParsedArticle` values or explains, in one
line, why it cannot (:class:`ImportFileError`). Decoding lives here so every
format gives the same answers for empty, binary, oversized and non-UTF-8 files.
"""

from __future__ import annotations

import datetime
import errno
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from storage.text import normalise

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Files (and JSONL lines) above this are refused: no news article is that long,
so such a file is almost certainly a dump or a mistake, and reading it would
stall the import. Anything below (a 5 MB speech transcript) imports normally."""

MAX_JSON_DEPTH = 100
"""Deepest nesting of arrays and objects a JSON record may have. Real exports
nest a handful of levels; a 10,000-level line is an attack on the parser."""

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


@dataclass
class ParsedArticle:
    """One article read from a file, ready to be stored.

    ``text`` is already normalised (:func:`storage.text.normalise`) and is the
    exact string every span offset will index, so readers never trim or
    reformat it beyond what their module docstring documents.
    """

    text: str
    title: str
    source: str | None = None
    url: str | None = None
    published: datetime.date | None = None
    dateline: str | None = None
    lang: str = "en"
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("an article needs non-empty text")


class ImportFileError(Exception):
    """Why one file (or one line of a JSONL file) could not be imported.

    It is an exception so a caller may raise it, but readers *yield* it, so one
    bad file or line is reported by name while the rest of an import goes on.
    """

    def __init__(
        self, path: Path | str, reason: str, line: int | None = None, *, task: int | None = None
    ) -> None:
        super().__init__(Path(path), reason, line, task)
        self.path = Path(path)
        self.reason = reason
        self.line = line
        self.task = task
        """The 1-based index of a task in a JSON array (Label Studio), when that names it better."""

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        if self.task is not None:
            where = f"task {self.task}: "
        return f"{self.path}: {where}{self.reason}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ImportFileError):
            return NotImplemented
        mine = (self.path, self.reason, self.line, self.task)
        return mine == (other.path, other.reason, other.line, other.task)

    def __hash__(self) -> int:
        return hash((self.path, self.reason, self.line, self.task))


def check_size(path: Path, size: int, *, line: int | None = None, what: str = "") -> None:
    """Refuse a file or record above :data:`MAX_FILE_BYTES`."""
    if size > MAX_FILE_BYTES:
        raise ImportFileError(path, f"{what}too large ({size_against_limit(size)})", line)


def human_size(size: int) -> str:
    """Bytes as KB or MB with one decimal, for messages."""
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def size_against_limit(size: int, limit: int | None = None) -> str:
    """The size and the limit (default :data:`MAX_FILE_BYTES`), in bytes when rounding
    would make them look equal."""
    limit = MAX_FILE_BYTES if limit is None else limit
    shown, limit_shown = human_size(size), human_size(limit)
    if shown == limit_shown:
        shown, limit_shown = f"{size:,} bytes", f"{limit:,} bytes"
    return f"{shown}; the limit is {limit_shown}"


def os_reason(error: OSError) -> str:
    """An OS error as a short lower-case reason ("permission denied")."""
    if error.errno == errno.ELOOP:
        return "symbolic link loop (too many levels of symbolic links)"
    return (error.strerror or str(error)).lower()


def open_regular(path: Path) -> IO[bytes]:
    """Open a regular file for reading; anything else is refused before it can block.

    A FIFO (or a device) named like an article would block ``open`` or
    ``read`` forever, so the file is checked with ``stat`` first and opened
    non-blocking, and the opened descriptor is checked again (the name may have
    been swapped in between).
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise ImportFileError(path, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise ImportFileError(path, "not a regular file")
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        reason = "broken symbolic link" if os.path.islink(path) else "no such file or directory"
        raise ImportFileError(path, reason) from None
    except OSError as error:
        raise ImportFileError(path, os_reason(error)) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise ImportFileError(path, "not a regular file")
    return os.fdopen(descriptor, "rb")


def read_bytes(path: Path) -> bytes:
    """Read a whole file, turning OS failures and junk into one-line reasons."""
    with open_regular(path) as handle:
        try:
            check_size(path, os.fstat(handle.fileno()).st_size)
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise ImportFileError(path, os_reason(error)) from None
        if len(data) > MAX_FILE_BYTES:  # it grew after the size check
            check_size(path, len(data) + len(handle.read(1 << 20)))
    if not data.strip():
        raise ImportFileError(path, "empty file")
    if data.startswith(_UTF16_BOMS):
        raise ImportFileError(path, "UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise ImportFileError(path, "binary file")
    return data


def decode_utf8(path: Path, data: bytes, *, offset: int = 0, line: int | None = None) -> str:
    """Decode strictly, naming the first bad byte, its offset and its line.

    ``offset``/``line`` place a fragment (one JSONL line) inside its file so the
    message points at the real position.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start]
        where = line if line is not None else data.count(b"\n", 0, error.start) + 1
        raise ImportFileError(
            path,
            f"not valid UTF-8 (byte 0x{bad:02x} at offset {offset + error.start})",
            where,
        ) from None


def read_text(path: Path) -> str:
    """The file's content, decoded and normalised, or an :class:`ImportFileError`."""
    text = normalise(decode_utf8(path, read_bytes(path)))
    if not text.strip():
        raise ImportFileError(path, "empty file")
    return text


class JSONLimitError(ValueError):
    """A JSON value that is too deep or holds a number too long to convert.

    ``end`` is where the value ends in the text when that is known, so a reader
    of a JSON array can go on with the next element.
    """

    def __init__(self, reason: str, end: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.end = end


def load_json(text: str | bytes) -> Any:
    """``json.loads`` with the parser's limits turned into one-line reasons.

    Raises :class:`json.JSONDecodeError` for malformed JSON (callers word it
    with the line and column) and :class:`JSONLimitError` for nesting deeper
    than :data:`MAX_JSON_DEPTH` or an integer longer than Python converts.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise JSONLimitError(_TOO_DEEP) from None
    except ValueError as error:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise JSONLimitError(f"a number is too long ({_digits_reason(error)})") from None
    if _may_nest_deeper(text) and not _within_depth(value):
        raise JSONLimitError(_TOO_DEEP)
    return value


def decode_json_at(decoder: json.JSONDecoder, text: str, position: int) -> tuple[Any, int]:
    """``decoder.raw_decode(text, position)`` under the limits of :func:`load_json`."""
    try:
        value, end = decoder.raw_decode(text, position)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise JSONLimitError(_TOO_DEEP) from None
    except ValueError as error:  # "Exceeds the limit (4300 digits) for integer string conversion"
        reason = f"a number is too long ({_digits_reason(error)})"
        try:  # where the value ends, reading the long numbers as nothing
            _, end = json.JSONDecoder(parse_int=_int_or_none).raw_decode(text, position)
        except (ValueError, RecursionError):
            raise JSONLimitError(reason) from None
        raise JSONLimitError(reason, end) from None
    if _may_nest_deeper(text, position, end) and not _within_depth(value):
        raise JSONLimitError(_TOO_DEEP, end)
    return value, end


_TOO_DEEP = f"JSON nested too deeply (the limit is {MAX_JSON_DEPTH} levels)"


def _may_nest_deeper(text: str | bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether ``text`` holds enough brackets to nest past the limit (else no walk is needed)."""
    if isinstance(text, bytes):
        return text.count(b"[", start, end) + text.count(b"{", start, end) > MAX_JSON_DEPTH
    return text.count("[", start, end) + text.count("{", start, end) > MAX_JSON_DEPTH


def _int_or_none(digits: str) -> int | None:
    return int(digits) if len(digits) <= sys.get_int_max_str_digits() else None


def _within_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether no array or object nests deeper than ``limit`` (iteratively: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if not children:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def _digits_reason(error: ValueError) -> str:
    words = str(error).split()
    digits = next((words[i - 1] for i, word in enumerate(words) if word == "digits;"), None)
    limit = sys.get_int_max_str_digits()
    return f"{digits} digits; the limit is {limit}" if digits else f"over {limit} digits"
