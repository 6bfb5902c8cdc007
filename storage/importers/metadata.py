"""Clues every text format shares: titles, publication dates and wire datelines.

News copy announces its own metadata in a few conventional shapes — a headline
line, a bare date line ("Friday, September 9, 2016"), a wire dateline
("ASTANA, Kazakhstan, March 28. …"). Recognising them here keeps the readers
small and makes every format agree on what counts as a dateline.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterator

TITLE_MAX_CHARS = 200
"""A title is a label in lists; a first "line" that is a whole paragraph is cut."""

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = r"(?i:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_MONTH_DAY = re.compile(
    rf"{_WEEKDAY}(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})",
    re.IGNORECASE,
)
_DAY_MONTH = re.compile(
    rf"{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH}),?\s+(?P<year>\d{{4}})",
    re.IGNORECASE,
)
# PLACE[, Country], DATE then "." or a dash; an agency tag "(Reuters)" may sit before it.
_DATELINE = re.compile(
    r"(?P<dateline>(?P<place>[^\W\d_][^,\n]{0,40}?)"
    r"(?:,\s(?P<country>[^\W\d_][^,\n]{0,40}?))?"
    rf",\s(?P<date>{_MONTH}\s\d{{1,2}}(?:,\s\d{{4}})?|\d{{1,2}}\s{_MONTH}(?:\s\d{{4}})?))"
    r"(?:\s\([^()\n]{1,30}\))?"
    r"(?:\.\s|\.$|\s[—–-]\s)"
)
_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")


def parse_date(value: str) -> datetime.date:
    """Read an ISO date or datetime, or a written date such as "Friday, September 9, 2016".

    Raises ``ValueError`` with the offending value, so readers can report it.
    """
    cleaned = value.strip()
    try:
        return datetime.date.fromisoformat(cleaned)
    except ValueError:
        pass
    try:
        return datetime.datetime.fromisoformat(cleaned).date()
    except ValueError:
        pass
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        match = pattern.fullmatch(cleaned)
        if match:
            month = _MONTHS[match["month"].rstrip(".").lower()]
            return datetime.date(int(match["year"]), month, int(match["day"]))
    raise ValueError(f"not a date: {value!r}")


def is_date_line(line: str) -> datetime.date | None:
    """The date when a whole line is just a date (Wikinews puts one under the headline)."""
    try:
        return parse_date(line)
    except ValueError:
        return None


def find_dateline(text: str) -> str | None:
    """The wire dateline a paragraph starts with, e.g. "ASTANA, Kazakhstan, March 28".

    Rule: an upper-case place, an optional capitalised country or state, a day
    and month (either order, optional year), then "." or " — " / " – " / " - ".
    The upper-case place is what keeps ordinary sentences from matching.
    """
    match = _DATELINE.match(text)
    if not match:
        return None
    place = match["place"].strip()
    if place != place.upper() or sum(c.isalpha() for c in place) < 2:
        return None
    country = match["country"]
    if country is not None and not country[0].isupper():
        return None
    return match["dateline"]


def _non_empty_lines(text: str) -> Iterator[str]:
    """Stripped non-empty lines, lazily: a 5 MB article is never split whole."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        line = text[start:end].strip()
        if line:
            yield line
        start = end + 1


def content_lines(text: str, limit: int = 4) -> list[str]:
    """The first ``limit`` non-empty lines, stripped: where headlines and datelines live."""
    return list(itertools.islice(_non_empty_lines(text), limit))


def dateline_in(lines: list[str]) -> str | None:
    """The first dateline found at the start of any of ``lines``."""
    for line in lines:
        found = find_dateline(line)
        if found:
            return found
    return None


def heading_text(line: str) -> str | None:
    """The text of a Markdown ATX heading line ("# Title" → "Title"), else None."""
    match = _HEADING.match(line.strip())
    return match.group(1).strip() if match else None


def shorten_title(line: str) -> str:
    """Cut an over-long title at a word boundary, marking the cut with "…"."""
    line = " ".join(line.split())
    if len(line) <= TITLE_MAX_CHARS:
        return line
    cut = line[:TITLE_MAX_CHARS].rsplit(" ", 1)[0] or line[:TITLE_MAX_CHARS]
    return cut.rstrip(" ,;:") + "…"


SENTENCE_TITLE_CHARS = 100
"""A first line longer than this is a paragraph (no title line): its first sentence titles it."""


def first_line_title(text: str) -> str:
    """The first non-empty line as a title (headings lose their ``#`` marks).

    A first line of several sentences (or over :data:`TITLE_MAX_CHARS`) is no
    title line but a paragraph: its first sentence
    (after a wire dateline such as "ASTANA, Kazakhstan, March 28.") is the title,
    cut at a word boundary to at most :data:`SENTENCE_TITLE_CHARS` characters.
    """
    from storage.figures.sentences import split_sentences

    line = next(_non_empty_lines(text), "")
    heading = heading_text(line)
    line = " ".join((heading or line).split())
    if heading or len(line) <= SENTENCE_TITLE_CHARS:
        return shorten_title(line)
    dateline = find_dateline(line)
    body = line[len(dateline) :].lstrip(" .—–-") if dateline else line
    sentences = split_sentences(body)
    if not dateline and len(sentences) <= 1 and len(line) <= TITLE_MAX_CHARS:
        return line  # one long sentence alone on its line: a title line after all
    first, end = sentences[0] if sentences else (0, len(body))
    sentence = body[first:end].strip() or line
    if len(sentence) <= SENTENCE_TITLE_CHARS:
        return sentence
    cut = sentence[: SENTENCE_TITLE_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"
