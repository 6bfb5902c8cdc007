"""The figure scanner: turns tokens into figure candidates with normalised values.

One left-to-right pass. At each token a date is tried first, then a numeric
expression: [sign] [currency] numeral [scale] [range] [currency word | percent |
unit]. Identifiers ("COVID-19", "IE9", "Fortune 500", "posts 542 and 543"),
ordinals and ratios are recognised and skipped. Every candidate carries a
``strong`` flag: suggestions (``find_figures``) keep only strong ones, while the
figure form (``parse_figure``) accepts weak ones under the cursor too.
All word lists live in :mod:`storage.figures.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import compress, count, repeat
from operator import eq, or_

from storage.figures import rules
from storage.figures.dates import DateMatch, match_date, year_range, year_value
from storage.figures.numbers import Numeral, Phrases, Tokens, clean_decimal, read_numeral
from storage.figures.suffixes import classify_suffix, counted_noun, scale_after, unit_after

_SIGNS = {"+": "+", "-": "-", "−": "-"}
_YEAR_PREPOSITIONS = frozenset(
    "the in of since from by until to during its their this that before after".split()
)
_PARTITIVE_NEXT = frozenset("the them these those us our their his her its which whom you".split())
_QUALIFIERS_BEFORE = Phrases(rules.QUALIFIERS_BEFORE)
_QUALIFIERS_AFTER = Phrases(rules.QUALIFIERS_AFTER)
_RATE_PERIODS = Phrases(rules.RATE_PERIODS)


@dataclass
class Candidate:
    """A figure found at tokens ``first..last`` (inclusive), before context is added."""

    first: int
    last: int
    kind: str
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str | None = None
    scale: int = 1
    approximate: bool = False
    bound: str | None = None
    change: bool = False
    direction: str | None = None
    date_value: str | None = None
    date_label: str | None = None
    strong: bool = True
    noun: tuple[int, int] | None = None  # counted noun tokens of a COUNT
    rate_period: str | None = None  # "annual" for "$35 a month"-style rates
    qualifier_first: int | None = None  # first token of the qualifier before the figure


def scan(tokens: Tokens) -> list[Candidate]:
    """Every figure candidate in ``tokens``, left to right, non-overlapping."""
    found: list[Candidate] = []
    ids: set[int] = set()
    index = 0
    for start in _starts(tokens):
        if start < index:  # inside the candidate found last
            continue
        date = match_date(tokens, start)
        candidate = _date_candidate(date) if date else _number_candidate(tokens, start, ids)
        if candidate is None:
            continue
        found.append(candidate)
        index = candidate.last + 1
    return found


#: Lower-cased words that may open a figure or a date (cheap pre-filter for ``scan``).
_STARTER_WORDS = frozenset(
    {*rules.NUMBER_WORDS, "a", "an", *rules.MONTHS, *rules.ORDINAL_WORDS, "q", "h",
     *rules.CURRENCY_PREFIX_WORDS, *(code.lower() for code in rules.CURRENCY_CODES)}
)
_STARTER_SYMBOLS = frozenset({*_SIGNS, *rules.CURRENCY_SYMBOLS, "["})


#: The last word of every qualifier ("more than", "over"): a capitalised one before a
#: number does not make it an identifier ("Over 500 people").
_QUALIFIER_LAST_WORDS = frozenset(phrase[-1] for phrase in rules.QUALIFIERS_BEFORE)
_STARTERS = _STARTER_WORDS | _STARTER_SYMBOLS
"""Words are letters and symbols are not, so one set serves both kinds of token."""


def _starts(tokens: Tokens) -> list[int]:
    """Indices of the tokens that may open a figure or a date, in one pass: numerals,
    ``_STARTER_SYMBOLS`` and ``_STARTER_WORDS``, so most words are skipped at once."""
    numerals = map(eq, tokens.kinds, repeat("num"))
    starters = map(_STARTERS.__contains__, tokens.lowers)
    return list(compress(count(), map(or_, numerals, starters)))


def _date_candidate(date: DateMatch) -> Candidate:
    return Candidate(
        date.first, date.last, "DATE", date_value=date.date_value, date_label=date.label
    )


def _is_identifier(tokens: Tokens, numeral: Numeral, ids: set[int]) -> bool:
    """True for numbers that name or number something rather than measure it."""
    first = numeral.first
    if first < 1 or numeral.written:  # no token before the numeral
        return False
    kind, text, lower = tokens.kinds[first - 1], tokens.words[first - 1], tokens.lowers[first - 1]
    if tokens.glued(first - 1, first):
        if kind in ("word", "num") or text == "#":
            return True
        if text in ("-", "–", "/", ".", "_") and tokens.glued(first - 2, first - 1):
            return tokens.kinds[first - 2] in ("word", "num")
    if text == "#":
        return True
    if text == "." and tokens.lower(first - 2) in ("no", "nos"):
        return True
    if lower in rules.ID_WORDS:
        return True
    if lower in ("and", "or", ",", "&", "-", "–") and (first - 2) in ids:
        return True
    if (
        kind == "word"
        and any(map(str.isupper, text))
        and lower not in rules.CAPITALISED_FUNCTION_WORDS
        and lower not in _QUALIFIER_LAST_WORDS
        and text not in rules.CURRENCY_CODES
        and not text.endswith(("’s", "'s"))
    ):
        return True
    # "9-1-1": a chain of glued hyphenated numbers is a code
    return (
        tokens.lower(numeral.last + 1) == "-"
        and tokens.glued(numeral.last, numeral.last + 1)
        and numeral.last + 2 < len(tokens.words)
        and tokens.kinds[numeral.last + 2] == "num"
        and tokens.lower(numeral.last + 3) == "-"
        and tokens.glued(numeral.last + 2, numeral.last + 3)
    )


def _prefix(tokens: Tokens, index: int) -> tuple[int, str | None, str | None] | None:
    """(numeral index, sign, currency) for what precedes the numeral at ``index``."""
    sign: str | None = None
    currency: str | None = None
    position = index
    text = tokens.words[index]
    if text in _SIGNS and tokens.glued(index, index + 1):
        if tokens.glued(index - 1, index) and tokens.kinds[index - 1] != "sym":
            return None
        sign = _SIGNS[text]
        position += 1
    if position >= len(tokens.words):
        return None
    kind, text, lower = tokens.kinds[position], tokens.words[position], tokens.lowers[position]
    if (
        kind == "word"
        and lower in rules.CURRENCY_PREFIX_WORDS
        and text.isupper()
        and tokens.lower(position + 1) == "$"
        and tokens.glued(position, position + 1)
        and not tokens.glued(position - 1, position)
    ):
        currency = rules.CURRENCY_PREFIX_WORDS[lower]
        position += 2
    elif text in rules.CURRENCY_SYMBOLS:
        currency = rules.CURRENCY_SYMBOLS[text]
        position += 1
    elif kind == "word" and text in rules.CURRENCY_CODES:
        currency = text
        position += 1
    if currency is not None and not tokens.spaced(position - 1, position):
        return None
    return position, sign, currency


def _range_after(
    tokens: Tokens, position: int, numeral: Numeral, currency: str | None, between: bool,
    no_to_range: bool,
) -> tuple[Numeral, int, int] | None:
    """(second numeral, its scale, next index) for "5–7", "ten to 32", "between 5 and 7"."""
    word = tokens.lower(position)
    if word in ("-", "–") and tokens.glued(position - 1, position):
        if not tokens.glued(position, position + 1):
            return None
        start = position + 1
    elif word == "to" and tokens.spaced(position - 1, position) and not no_to_range:
        start = position + 1
    elif word == "and" and between:
        start = position + 1
    else:
        return None
    if currency and start < len(tokens.words) and tokens.words[start] in rules.CURRENCY_SYMBOLS:
        if rules.CURRENCY_SYMBOLS[tokens.words[start]] != currency:
            return None
        start += 1
    second = read_numeral(tokens, start)
    if second is None or second.weak or (tokens.glued(second.last, second.last + 1) and (
        tokens.lower(second.last + 1) == "-" and second.last + 2 < len(tokens.words)
        and tokens.kinds[second.last + 2] == "num"
    )):
        return None
    scale, after = scale_after(tokens, second, currency)
    return second, scale, after


def _from_to_change(tokens: Tokens, index: int) -> bool:
    """True when ``index`` follows "from" after a change verb ("increased from 9 to 10")."""
    if tokens.lower(index - 1) != "from":
        return False
    for back in range(index - 2, max(-1, index - 8), -1):
        word = tokens.lower(back)
        if word in (".", ";", "!", "?"):
            return False
        if word in rules.FROM_TO_CHANGE_VERBS:
            return True
    return False


def _number_candidate(tokens: Tokens, index: int, ids: set[int]) -> Candidate | None:
    """The numeric figure starting at token ``index``, or None."""
    prefix = _prefix(tokens, index)
    if prefix is None:
        return None
    position, sign, currency = prefix
    numeral = read_numeral(tokens, position)
    if numeral is None:
        return None
    if sign is None and currency is None and _is_identifier(tokens, numeral, ids):
        ids.add(numeral.first)
        return None
    if sign is None and currency is None and numeral.plain:
        years = year_range(tokens, numeral.first)
        if years is not None:
            return _date_candidate(years)
    tail = numeral.last + 1
    if tail < len(tokens.words) and tokens.kinds[tail] == "word" and tokens.glued(tail - 1, tail):
        word = tokens.lowers[tail]
        known = word in rules.SCALE_WORDS or (word,) in rules.MEASURE_UNITS or (
            (word,) in rules.PERCENT_WORDS
        )
        if not known:
            return None
    qualifier = tokens.longest_ending(index - 1, _QUALIFIERS_BEFORE)
    if qualifier is not None and not tokens.spaced(index - 1, index):
        qualifier = None
    qualifier_first = qualifier[0] if qualifier else index
    leading = tokens.lower(qualifier_first - 1)
    between = leading == "between"
    # "increased from 9 to 10", "rose by 1.2 million to 19 million": levels, not a range
    from_change = _from_to_change(tokens, qualifier_first)
    change_amount = leading == "by" or leading in rules.CHANGE_VERBS
    to_change = (
        tokens.lower(qualifier_first - 1) == "to"
        # "from" before one of the tokens tried (cheap test first)
        and "from" in tokens.lowers[max(0, index - 9) : max(0, index - 1)]
        and any(_from_to_change(tokens, back) for back in range(max(0, index - 8), index))
    )
    scale, after = scale_after(tokens, numeral, currency)
    value = numeral.value if numeral.written else numeral.value * scale
    value_max: Decimal | None = None
    year = year_value(tokens, numeral.first) if numeral.plain and scale == 1 else None
    ranged = None if year else _range_after(
        tokens, after, numeral, currency, between, from_change or change_amount
    )
    if ranged is not None:
        second, second_scale, range_after = ranged
        if scale == 1 and second_scale > 1 and numeral.value < second.value:
            scale = second_scale
            value = numeral.value * scale
        maximum = second.value if second.written else second.value * second_scale
        if maximum > value:
            value_max = maximum
            after = range_after
    kind, unit, after = classify_suffix(tokens, after, currency)
    if kind is None and tokens.lower(after) == "-" and tokens.lower(after + 1) == "and":
        # "3- and 4-year-old"
        second = read_numeral(tokens, after + 2)
        age = unit_after(tokens, second.last + 1) if second is not None else None
        if age is not None and second is not None:
            kind, unit, value_max, after = "QUANTITY", age[0], second.value, age[1]
    if kind is None and qualifier and tokens.lower(qualifier[0]) in rules.AGE_LINKS and (
        tokens.lower(qualifier[0] - 1) in rules.AGE_NOUNS
    ):
        kind, unit = "QUANTITY", "yr"
    candidate = Candidate(index, after - 1, kind or "COUNT", unit=unit, scale=scale)
    if qualifier:
        candidate.approximate, candidate.bound = qualifier[1]
        candidate.qualifier_first = qualifier[0]
    post = tokens.longest_ending(after + 1, _QUALIFIERS_AFTER)
    if post is not None and post[0] == after:
        candidate.approximate, candidate.bound = post[1]
    if sign == "-":
        value = -value
        value_max = -value_max if value_max is not None else None
    candidate.value = clean_decimal(value)
    candidate.value_max = clean_decimal(value_max) if value_max is not None else None
    if sign and candidate.kind == "PERCENT":
        candidate.change, candidate.direction = True, "up" if sign == "+" else "down"
    if candidate.kind == "MONEY":
        rate = tokens.longest(after, _RATE_PERIODS)
        candidate.rate_period = str(rate[1]) if rate else None
    if candidate.kind == "COUNT":
        _settle_count(tokens, candidate, numeral, year, bool(value_max), bool(qualifier),
                      from_change or change_amount or to_change or between)
    elif numeral.weak and candidate.kind not in ("MONEY", "PERCENT"):
        candidate.strong = False
    return candidate


def _settle_count(
    tokens: Tokens, candidate: Candidate, numeral: Numeral, year: int | None, ranged: bool,
    qualified: bool, linked: bool,
) -> None:
    """Decide COUNT vs DATE (a bare year) and whether the count is strong.

    ``qualified``: a qualifier precedes; ``linked``: part of "from A to B",
    "between A and B" or "by A": evidence for a count, but not against a year.
    """
    after = candidate.last + 1
    noun = counted_noun(tokens, after)
    previous = tokens.lower(candidate.first - 1)
    if year is not None and not qualified:
        plural = noun is not None and tokens.lower(noun[1]).endswith("s")
        possessive = previous.endswith(("’s", "'s"))
        if not plural or previous in _YEAR_PREPOSITIONS or possessive:
            candidate.kind = "DATE"
            candidate.value = None
            candidate.date_value = candidate.date_label = str(year)
            return
    candidate.noun = noun
    partitive = tokens.lower(after) == "of" and tokens.lower(after + 1) in _PARTITIVE_NEXT
    ratio_next = tokens.lower(after) in rules.RATIO_LINKS and read_numeral(
        tokens, after + (2 if tokens.lower(after) == "out" else 1)
    ) is not None and year_value(tokens, after + 1) is None
    ratio_previous = previous in rules.RATIO_LINKS and read_numeral(
        tokens, candidate.first - 2
    ) is not None
    evidence = noun is not None or qualified or linked or ranged or candidate.scale > 1
    fractional = candidate.scale == 1 and numeral.value != numeral.value.to_integral_value()
    candidate.strong = evidence and not (
        numeral.weak or partitive or ratio_next or ratio_previous or fractional
    )
