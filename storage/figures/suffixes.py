"""What follows a number: scale words, currency words, percent and unit words, counted nouns.

Split from :mod:`storage.figures.parser` so each reads on its own; all word
lists come from :mod:`storage.figures.rules`.
"""

from __future__ import annotations

from storage.figures import rules
from storage.figures.numbers import Numeral, Phrases, Tokens

UNITS: dict[tuple[str, ...], str] = {**rules.TIME_UNITS, **rules.MEASURE_UNITS}
_UNITS = Phrases(UNITS)
_CURRENCY_WORDS = Phrases(rules.CURRENCY_WORDS)
_PERCENT_WORDS = Phrases(rules.PERCENT_WORDS)
_TIME_SYMBOLS = frozenset(rules.TIME_UNITS.values())


def scale_after(
    tokens: Tokens, numeral: Numeral, currency: str | None
) -> tuple[int, int]:
    """(scale, next index) for a scale word after a digit numeral ("2 million", "49.7bn")."""
    position = numeral.last + 1
    if numeral.written:
        return numeral.scale, position
    word = tokens.lower(position)
    if word not in rules.SCALE_WORDS:
        return 1, position
    glued = tokens.glued(position - 1, position)
    if not glued and not tokens.spaced(position - 1, position):
        return 1, position
    if word in rules.SCALE_NEEDS_MONEY and not (currency or (glued and counted_noun(
        tokens, position + 1
    ))):
        return 1, position
    return rules.SCALE_WORDS[word], position + 1


def counted_noun(tokens: Tokens, index: int) -> tuple[int, int] | None:
    """The counted noun phrase starting at ``index`` ("companies", "new manufacturing jobs")."""
    if not 0 <= index < len(tokens.words) or tokens.kinds[index] != "word":
        return None
    if not tokens.spaced(index - 1, index):
        return None
    lower = tokens.lowers[index]
    if tokens.glued(index - 1, index) or lower in rules.NOT_COUNTED:
        return None
    if lower in rules.MONTHS and tokens.words[index][0].isupper():
        return None
    position = index
    while position - index < 10:
        word = tokens.lower(position)
        if word.endswith("s") and not word.endswith("ss") and len(word) > 2:
            return index, position
        nxt = position + 1
        if tokens.lower(nxt) == "-" and tokens.glued(position, nxt) and tokens.glued(nxt, nxt + 1):
            position = nxt + 1
            continue
        if (
            nxt >= len(tokens.words)
            or tokens.kinds[nxt] != "word"
            or tokens.lowers[nxt] in rules.NOT_COUNTED
            or not tokens.spaced(position, nxt)
        ):
            break
        position = nxt
    return index, position


def unit_after(tokens: Tokens, position: int) -> tuple[str, int] | None:
    """(unit, next index) for "65,000 miles", "twenty working days", "10km", "-year-old"."""
    if not 0 <= position < len(tokens.words):
        return None
    text, lower = tokens.words[position], tokens.lowers[position]
    if text == "-" and tokens.glued(position - 1, position) and tokens.glued(
        position, position + 1
    ):
        unit = UNITS.get((tokens.lower(position + 1),))
        if unit is None:
            return None
        after = position + 2
        if tokens.lower(after) == "-" and tokens.lower(after + 1) == "old" and tokens.glued(
            after - 1, after
        ):
            after += 2
        return unit, after
    if tokens.glued(position - 1, position):
        if tokens.kinds[position] == "word" and (lower,) in rules.MEASURE_UNITS and len(text) <= 3:
            return rules.MEASURE_UNITS[(lower,)], position + 1
        return None
    for start in (position, position + 1):
        if start == position + 1 and tokens.lower(position) not in rules.UNIT_INTERVENING_WORDS:
            break
        found = tokens.longest(start, _UNITS)
        if found is not None and tokens.spaced(start - 1, start):
            phrase, unit = found
            after = start + len(phrase)
            if unit in _TIME_SYMBOLS and tokens.lower(after) == "old":
                after += 1
            return str(unit), after
    if (
        lower == rules.MULTIPLIER_WORD
        and tokens.lower(position + 1) in rules.MULTIPLIER_FOLLOWERS
    ):
        return "x", position + 1
    return None


def classify_suffix(
    tokens: Tokens, position: int, currency: str | None
) -> tuple[str | None, str | None, int]:
    """(kind, unit, next index) from what follows the number."""
    if currency is None:
        word = tokens.longest(position, _CURRENCY_WORDS)
        if word is not None and tokens.spaced(position - 1, position):
            phrase, code = word
            after = position + len(phrase)
            if phrase[-1] in ("pounds", "pound") and tokens.lower(after) == "of":
                return "QUANTITY", "lb", after
            return "MONEY", str(code), after
        code = tokens.words[position] if 0 <= position < len(tokens.words) else None
        if code in rules.CURRENCY_CODES and tokens.spaced(position - 1, position):
            return "MONEY", code, position + 1
    else:
        return "MONEY", currency, position
    percent = tokens.longest(position, _PERCENT_WORDS)
    if percent is not None and tokens.spaced(position - 1, position):
        phrase, unit = percent
        return "PERCENT", str(unit), position + len(phrase)
    unit = unit_after(tokens, position)
    if unit is not None:
        return "QUANTITY", unit[0], unit[1]
    return None, None, position
