"""What an importer produces, what it reports, and how it reads a file's bytes safely.

Every reader turns a file into :class:`ParsedArticle` values or explains, in one
line, why it cannot (:class:`ImportFileError`). Decoding lives here so every
format gives the same answers for empty, binary, oversized and non-UTF-8 files.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.text import normalise

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Files (and JSONL lines) above this are refused: no news article is that long,
so such a file is almost certainly a dump or a mistake, and reading it would
stall the import. Anything below (a 5 MB speech transcript) imports normally."""

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


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

    def __init__(self, path: Path | str, reason: str, line: int | None = None) -> None:
        super().__init__(Path(path), reason, line)
        self.path = Path(path)
        self.reason = reason
        self.line = line

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{self.path}: {where}{self.reason}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ImportFileError):
            return NotImplemented
        return (self.path, self.reason, self.line) == (other.path, other.reason, other.line)

    def __hash__(self) -> int:
        return hash((self.path, self.reason, self.line))


def check_size(path: Path, size: int) -> None:
    """Refuse a file or record above :data:`MAX_FILE_BYTES`."""
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            path, f"too large ({human_size(size)}; the limit is {human_size(MAX_FILE_BYTES)})"
        )


def human_size(size: int) -> str:
    """Bytes as KB or MB with one decimal, for messages."""
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def read_bytes(path: Path) -> bytes:
    """Read a whole file, turning OS failures and junk into one-line reasons."""
    try:
        check_size(path, path.stat().st_size)
        data = path.read_bytes()
    except IsADirectoryError:
        raise ImportFileError(path, "is a directory") from None
    except FileNotFoundError:
        raise ImportFileError(path, "no such file or directory") from None
    except OSError as error:
        raise ImportFileError(path, (error.strerror or str(error)).lower()) from None
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
