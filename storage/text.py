"""Article text: normalisation, identity and offset checks.

Every offset in redline is a ``[start, end)`` pair of Python code-point indices
into the *normalised* article text. Text is normalised exactly once, on import,
and is immutable afterwards.
"""

from __future__ import annotations

import hashlib
import unicodedata

BOM = "\ufeff"


class OffsetError(ValueError):
    """A span's offsets or copied text do not match the article."""


def normalise(text: str) -> str:
    """Strip leading BOMs, turn CRLF and CR into LF, and compose to NFC.

    Every leading BOM goes (files concatenated by tools can carry several), so
    normalising twice gives the same text as once.
    """
    text = text.lstrip(BOM)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def sha256(text: str) -> str:
    """The identity of a (normalised) article text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_span(text: str, start: int, end: int, span_text: str | None = None) -> str:
    """Validate ``[start, end)`` against ``text`` and return the covered slice.

    When ``span_text`` is given it must equal the slice exactly, so a span
    copied from a stale or different version of the article is rejected.
    """
    if not (0 <= start < end <= len(text)):
        raise OffsetError(
            f"span [{start}, {end}) is outside the article (length {len(text)})"
        )
    covered = text[start:end]
    if span_text is not None and span_text != covered:
        raise OffsetError(
            f"span [{start}, {end}) text {span_text!r} does not match the article ({covered!r})"
        )
    return covered
