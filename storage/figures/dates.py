"""Calendar expressions: full dates, month-day, month-year, periods, years, clock times.

Dates are matched before numbers so "March 28" never becomes a count of 28.
``date_value`` is ISO 8601 where it can be: "2016-09-09", "2025-03", "2024",
"--03-28" (no year), "2024-01/2024-09" (an interval), "T22:30" (a clock time).
``label`` is the short form used as another figure's ``period`` ("9M2024").
"""

from __future__ import annotations

import re
from typing import NamedTuple

from storage.figures import rules
from storage.figures.numbers import Tokens, read_numeral

_DASHES = frozenset({"-", "–", "—"})
# Compiled once: ``re.fullmatch(pattern, …)`` looked the pattern up in re's cache on
# every token the scanner tried as a date.
_YEAR_RE = re.compile(r"\d{4}")
_DAY_RE = re.compile(r"\d{1,2}")
_MINUTE_RE = re.compile(r"\d{2}")


class DateMatch(NamedTuple):
    """A date at tokens ``first..last`` inclusive."""

    first: int
    last: int
    date_value: str | None
    label: str | None  # period label, None for clock times and yearless dates


def _month(tokens: Tokens, index: int) -> tuple[int, int] | None:
    """(month number, last token index) for a capitalised month name, "Sept." included."""
    if not 0 <= index < len(tokens.words) or tokens.kinds[index] != "word":
        return None
    text = tokens.words[index]
    if not text[0].isupper():
        return None
    number = rules.MONTHS.get(tokens.lowers[index])
    if number is None:
        return None
    last = index
    is_abbreviation = text != "May" and (text in rules.MONTH_ABBREVIATIONS or text == "Sept")
    if is_abbreviation and tokens.lower(index + 1) == "." and tokens.glued(index, index + 1):
        last = index + 1
    return number, last


def year_value(tokens: Tokens, index: int) -> int | None:
    """The year of a plain four-digit token in ``rules.YEAR_RANGE``, else None."""
    if not 0 <= index < len(tokens.words) or tokens.kinds[index] != "num":
        return None
    text = tokens.words[index]
    if not _YEAR_RE.fullmatch(text):
        return None
    year = int(text)
    low, high = rules.YEAR_RANGE
    return year if low <= year <= high else None


def _day(tokens: Tokens, index: int) -> tuple[int, int] | None:
    """(day, last token index) for "28" or "28th"."""
    if not 0 <= index < len(tokens.words) or tokens.kinds[index] != "num":
        return None
    text = tokens.words[index]
    if not _DAY_RE.fullmatch(text):
        return None
    day = int(text)
    if not 1 <= day <= 31:
        return None
    last = index
    if tokens.lower(index + 1) in rules.DAY_SUFFIXES and tokens.glued(index, index + 1):
        last = index + 1
    elif tokens.glued(index, index + 1) and tokens.kinds[index + 1] == "word":
        return None
    return day, last


def _year_after(tokens: Tokens, index: int, allow_comma: bool) -> tuple[int, int] | None:
    """(year, last index) for a year right after token ``index`` (optionally after a comma)."""
    nxt = index + 1
    if allow_comma and tokens.lower(nxt) == "," and tokens.spaced(index, nxt):
        nxt += 1
    if not tokens.spaced(nxt - 1, nxt):
        return None
    year = year_value(tokens, nxt)
    if year is None or (tokens.glued(nxt, nxt + 1) and tokens.kinds[nxt + 1] != "sym"):
        return None
    return year, nxt


def _iso(year: int | None, month: int, day: int | None = None) -> str:
    if year is None:
        return f"--{month:02d}-{day:02d}" if day else f"--{month:02d}"
    return f"{year}-{month:02d}-{day:02d}" if day else f"{year}-{month:02d}"


def match_date(tokens: Tokens, index: int) -> DateMatch | None:
    """The date expression starting at token ``index``, or None.

    Tried in order: month first, day first, period, clock time. Only the first token's
    kind is looked at here to skip the matchers that cannot start there: a month or a
    period starts with a word, a day or a clock time with one or two digits.
    """
    if not 0 <= index < len(tokens.words):
        return None
    kind = tokens.kinds[index]
    if kind == "num":
        if _DAY_RE.fullmatch(tokens.words[index]) is None:
            return None
        return _day_first(tokens, index) or _clock(tokens, index)
    if kind == "word":
        return _month_first(tokens, index) or _period(tokens, index)
    return None


def _month_first(tokens: Tokens, index: int) -> DateMatch | None:
    """"September 9, 2016", "March 28", "September 2021", "January–September 2024"."""
    found = _month(tokens, index)
    if found is None:
        return None
    month, last = found
    if tokens.spaced(last, last + 1):
        day = _day(tokens, last + 1)
        if day is not None and year_value(tokens, last + 1) is None:
            year = _year_after(tokens, day[1], allow_comma=True)
            if year is not None:
                iso = _iso(year[0], month, day[0])
                return DateMatch(index, year[1], iso, iso)
            return DateMatch(index, day[1], _iso(None, month, day[0]), None)
        year = _year_after(tokens, last, allow_comma=False)
        if year is not None:
            iso = _iso(year[0], month)
            return DateMatch(index, year[1], iso, iso)
    if tokens.lower(last + 1) in _DASHES:
        second = _month(tokens, last + 2)
        linked = tokens.spaced(last, last + 1) and tokens.spaced(last + 1, last + 2)
        if second is not None and linked:
            year = _year_after(tokens, second[1], allow_comma=False)
            if year is not None and second[0] > month:
                y = year[0]
                label = f"{rules.MONTH_ABBREVIATIONS[month - 1]}–" \
                        f"{rules.MONTH_ABBREVIATIONS[second[0] - 1]} {y}"
                return DateMatch(index, year[1], f"{_iso(y, month)}/{_iso(y, second[0])}", label)
    return None


def _day_first(tokens: Tokens, index: int) -> DateMatch | None:
    """"28 March 2025", "28th of March", "28 March"."""
    day = _day(tokens, index)
    if day is None:
        return None
    position = day[1] + 1
    if tokens.lower(position) == "of" and tokens.spaced(day[1], position):
        position += 1
    found = _month(tokens, position)
    if found is None or not tokens.spaced(position - 1, position):
        return None
    month, last = found
    year = _year_after(tokens, last, allow_comma=False)
    if year is not None:
        iso = _iso(year[0], month, day[0])
        return DateMatch(index, year[1], iso, iso)
    return DateMatch(index, last, _iso(None, month, day[0]), None)


def _period(tokens: Tokens, index: int) -> DateMatch | None:
    """"first nine months of 2024", "first half of 2024", "second quarter of 2023", "Q1 2024"."""
    word = tokens.lower(index)
    text = tokens.words[index] if 0 <= index < len(tokens.words) else ""
    if text in ("Q", "H") and tokens.glued(index, index + 1):
        part = tokens.words[index + 1]  # glued: the next token exists
        if part in ("1", "2", "3", "4"):
            year = _year_after(tokens, index + 1, allow_comma=False)
            n = int(part)
            if year is not None and (text == "Q" or n <= 2):
                y = year[0]
                months = (3 * n - 2, 3 * n) if text == "Q" else (6 * n - 5, 6 * n)
                return DateMatch(
                    index, year[1], f"{_iso(y, months[0])}/{_iso(y, months[1])}",
                    f"{text}{n} {y}",
                )
        return None
    if word not in rules.ORDINAL_WORDS:
        return None
    ordinal = rules.ORDINAL_WORDS[word]
    position = index + 1
    count = 1
    numeral = read_numeral(tokens, position)
    if numeral is not None and tokens.spaced(index, position) and not numeral.weak:
        count = int(numeral.value)
        position = numeral.last + 1
    unit = tokens.lower(position)
    if not tokens.spaced(position - 1, position):
        return None
    if unit in rules.HALF_WORDS and count == 1:
        months_per, count = 6, 1
    elif unit in rules.PERIOD_PARTS:
        months_per = rules.PERIOD_PARTS[unit]
    else:
        return None
    if tokens.lower(position + 1) != "of" or not tokens.spaced(position, position + 1):
        return None
    year = _year_after(tokens, position + 1, allow_comma=False)
    if year is None:
        return None
    span = months_per * count
    if ordinal == -1:
        first_month, last_month = 13 - span, 12
    else:
        first_month = 1 + (ordinal - 1) * span if count == 1 else 1
        last_month = first_month + span - 1
    if not 1 <= first_month <= last_month <= 12:
        return None
    y = year[0]
    if unit in rules.HALF_WORDS:
        label = f"H{(first_month + 5) // 6} {y}"
    elif months_per == 3 and count == 1:
        label = f"Q{(first_month + 2) // 3} {y}"
    elif first_month == 1:
        label = f"{last_month}M{y}"
    else:
        label = f"{rules.MONTH_ABBREVIATIONS[first_month - 1]}–" \
                f"{rules.MONTH_ABBREVIATIONS[last_month - 1]} {y}"
    return DateMatch(index, year[1], f"{_iso(y, first_month)}/{_iso(y, last_month)}", label)


def _clock(tokens: Tokens, index: int) -> DateMatch | None:
    """"22:30", "2:30" as a clock time (``T22:30``)."""
    if not 0 <= index < len(tokens.words) or tokens.kinds[index] != "num":
        return None
    hour = tokens.words[index]
    if not _DAY_RE.fullmatch(hour):
        return None
    if tokens.lower(index + 1) != ":" or not tokens.glued(index, index + 1):
        return None
    if not tokens.glued(index + 1, index + 2):  # also: no token after the colon
        return None
    minute = tokens.words[index + 2]
    if not _MINUTE_RE.fullmatch(minute) or int(hour) > 24 or int(minute) > 59:
        return None
    if tokens.glued(index + 2, index + 3) and tokens.lower(index + 3) == ":":
        return None
    return DateMatch(index, index + 2, f"T{int(hour):02d}:{minute}", None)


def year_range(tokens: Tokens, index: int) -> DateMatch | None:
    """"2005–2009" written with a glued dash: one DATE, an ISO interval."""
    first = year_value(tokens, index)
    if first is None or tokens.lower(index + 1) not in ("–", "-"):
        return None
    if not (tokens.glued(index, index + 1) and tokens.glued(index + 1, index + 2)):
        return None
    second = year_value(tokens, index + 2)
    if second is None or second <= first:
        return None
    return DateMatch(index, index + 2, f"{first}/{second}", f"{first}–{second}")
