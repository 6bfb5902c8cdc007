"""Tokens and numerals: the lowest layer of the figure parser.

The tokenizer keeps exact code-point offsets so every later step can report
spans into the caller's text. Numerals are read into exact ``Decimal`` values:
digit strings with thousands separators (",", space, nbsp, narrow nbsp, thin
space), decimals, and written numbers ("twenty-five", "five thousand",
"a million", "zero").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from itertools import accumulate
from operator import add, itemgetter, sub
from typing import Any, NamedTuple

from storage.figures import rules

#: One token: a numeral, a word (letters, with ’s/'s kept) or a single symbol. Every
#: match is exactly one group (the alternatives start with different characters), so
#: ``lastgroup`` is the kind.
_TOKEN_RE = re.compile(
    r"(?P<num>\d{1,3}(?:[,\u00a0\u202f\u2009]\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?)"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)"
    r"|(?P<sym>\S)"
)
#: The same tokens, each with the whitespace before it: ``findall`` gives (gap, token)
#: string pairs, so offsets are running sums of lengths and no match object is built.
_GAP_TOKEN_RE = re.compile(r"(\s*)(" + re.sub(r"\(\?P<\w+>", "(?:", _TOKEN_RE.pattern) + ")")
_GAP = itemgetter(0)
_TOKEN = itemgetter(1)
_SHORT_DIGITS_RE = re.compile(r"\d{1,3}")
_GROUP_RE = re.compile(r"\d{3}(?:\.\d+)?")
#: Inline whitespace a multi-token expression may contain (no line breaks).
_INLINE_SPACE = re.compile(r"[ \t\u00a0\u202f\u2009]*")
_SEPARATORS = str.maketrans("", "", ",\u00a0\u202f\u2009 ")


class Token(NamedTuple):
    """A token and its ``[start, end)`` offsets in the text.

    A named tuple, not a frozen dataclass: an article has thousands of tokens and
    building them was a tenth of the figure finder's time.
    """

    text: str
    start: int
    end: int
    kind: str  # "num" | "word" | "sym"
    lower: str
    """The lower-cased text, used for every table look-up (computed once per token)."""


class _KindOfFirst(dict[str, str]):
    """A token's kind from its first character (the alternatives of ``_TOKEN_RE`` start
    with different characters), read by that same pattern once per character seen."""

    def __missing__(self, char: str) -> str:
        match = _TOKEN_RE.match(char)
        kind = match.lastgroup if match is not None else None
        if kind is None:
            raise KeyError(char)
        self[char] = kind
        return kind


_KIND_OF_FIRST = _KindOfFirst()


class Tokens:
    """The token columns of one text plus adjacency helpers used by all rules.

    Columns (``words``, ``starts``, ``ends``, ``kinds``, ``lowers``), not a list of
    ``Token`` tuples: building a tuple per token cost as much as the tokenizing
    pattern, while the rules read only a few tokens around each number. The rules
    read the columns; :meth:`token` builds a ``Token`` for the few places that want one.
    """

    def __init__(self, text: str, start: int = 0, end: int | None = None) -> None:
        self.text = text
        # Built column by column with C-level ``map``s (no Python frame per token, no
        # match object): the tokenizer runs once per article and cost as much as the scan.
        pairs = _GAP_TOKEN_RE.findall(text, start, len(text) if end is None else end)
        self.words: list[str] = list(map(_TOKEN, pairs))
        lengths = list(map(len, self.words))
        self.ends: list[int] = list(
            accumulate(map(add, map(len, map(_GAP, pairs)), lengths), initial=start)
        )
        del self.ends[0]
        self.starts: list[int] = list(map(sub, self.ends, lengths))
        self.kinds: list[str] = list(map(_KIND_OF_FIRST.__getitem__, map(_GAP, self.words)))
        self.lowers: list[str] = list(map(str.lower, self.words))

    def __len__(self) -> int:
        return len(self.words)

    def token(self, index: int) -> Token:
        """The token at ``index`` (list indexing: a negative index counts from the end)."""
        return Token(self.words[index], self.starts[index], self.ends[index],
                     self.kinds[index], self.lowers[index])

    def lower(self, index: int) -> str:
        """Lower-cased token text, or "" outside the list."""
        if index < 0:
            return ""
        try:  # the rules' most called helper: no len() on the common path
            return self.lowers[index]
        except IndexError:
            return ""

    def glued(self, left: int, right: int) -> bool:
        """True when token ``right`` follows ``left`` with no space at all."""
        if left < 0 or right < 0:
            return False
        try:
            return self.ends[left] == self.starts[right]
        except IndexError:
            return False

    def spaced(self, left: int, right: int) -> bool:
        """True when only inline spaces (no line break, maybe none) separate the two tokens."""
        if left < 0 or right < 0:
            return False
        try:
            low, high = self.ends[left], self.starts[right]
        except IndexError:
            return False
        if high - low == 1 and self.text[low] == " ":  # the common gap
            return True
        return _INLINE_SPACE.fullmatch(self.text, low, max(low, high)) is not None

    def match_phrase(self, index: int, phrase: tuple[str, ...]) -> bool:
        """True when the lower-cased tokens from ``index`` on spell ``phrase`` on one line."""
        if index < 0 or tuple(self.lowers[index : index + len(phrase)]) != phrase:
            return False
        return all(map(self.spaced, range(index, index + len(phrase) - 1),
                       range(index + 1, index + len(phrase))))

    def longest(self, index: int, phrases: Phrases) -> tuple[tuple[str, ...], object] | None:
        """The longest phrase of ``phrases`` spelled from ``index`` on, with its value."""
        if index < 0 or index >= len(self.words):  # ``lower`` gives "", which starts no phrase
            return None
        found = phrases.by_first.get(self.lowers[index])
        if found is None:
            return None
        for phrase, value in found:
            # the first word is the key just matched: a one-word phrase has matched already
            if len(phrase) == 1 or self.match_phrase(index, phrase):
                return phrase, value
        return None

    def longest_ending(self, index: int, phrases: Phrases) -> tuple[int, Any] | None:
        """The longest phrase of ``phrases`` whose last token is ``index``: (first index, value)."""
        if index < 0 or index >= len(self.words):
            return None
        found = phrases.by_last.get(self.lowers[index])
        if found is None:
            return None
        for phrase, value in found:
            if len(phrase) == 1:  # the key just matched, at an index inside the list
                return index, value
            first = index - len(phrase) + 1
            if first >= 0 and self.match_phrase(first, phrase):
                return first, value
        return None


EdgeIndex = dict[str, list[tuple[tuple[str, ...], Any]]]


class Phrases:
    """A rule table of word phrases (``rules.CURRENCY_WORDS``, ``rules.QUALIFIERS_BEFORE``…)
    grouped by first and by last word, longest first and otherwise in table order — the
    order :meth:`Tokens.longest` and :meth:`Tokens.longest_ending` prefer — so a lookup
    tries only the phrases that can match at a token (one dict look-up for most tokens).
    """

    def __init__(self, table: Mapping[tuple[str, ...], object]) -> None:
        self.table = table
        self.by_first: EdgeIndex = _by_edge(table, 0)
        self.by_last: EdgeIndex = _by_edge(table, -1)


def _by_edge(table: Mapping[tuple[str, ...], object], edge: int) -> EdgeIndex:
    index: EdgeIndex = {}
    for phrase, value in sorted(table.items(), key=lambda item: -len(item[0])):
        if phrase:
            index.setdefault(phrase[edge], []).append((phrase, value))
    return index


class Numeral(NamedTuple):
    """A numeral read at a token position: tokens ``first..last`` inclusive.

    A named tuple (built for every number of an article), not a frozen dataclass.
    """

    value: Decimal
    first: int
    last: int
    written: bool  # spelled out in words
    scale: int  # scale word consumed inside a written numeral ("five thousand")
    weak: bool  # "one": too ambiguous to be a figure by itself
    plain: bool  # digits only, no separator, no decimals (a year or id candidate)


def clean_decimal(value: Decimal) -> Decimal:
    """An exact value without spurious exponent or trailing zeros ("49700000000")."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def digits_value(text: str) -> Decimal:
    """The exact value of a digit token, thousands separators removed."""
    return Decimal(text.translate(_SEPARATORS))


def read_numeral(tokens: Tokens, index: int) -> Numeral | None:
    """The numeral starting at token ``index`` (digits or words), or None."""
    if not 0 <= index < len(tokens.words):
        return None
    kind = tokens.kinds[index]
    if kind == "num":
        return _read_digits(tokens, index)
    if kind == "sym" and tokens.words[index] == "[":
        inner = read_numeral(tokens, index + 1)
        if inner and inner.written and tokens.lower(inner.last + 1) == "]":
            return Numeral(
                inner.value, index, inner.last + 1, True, inner.scale, inner.weak, False
            )
        return None
    if kind == "word":
        return _read_words(tokens, index)
    return None


def _read_digits(tokens: Tokens, index: int) -> Numeral:
    """Digits, merging "3 000 000" (plain-space grouping) into one value."""
    words, kinds = tokens.words, tokens.kinds
    text = words[index]
    last = index
    if _SHORT_DIGITS_RE.fullmatch(text) and tokens.lower(index - 1) not in rules.MONTHS:
        while True:
            nxt = last + 1
            if (
                nxt < len(words)
                and kinds[nxt] == "num"
                and _GROUP_RE.fullmatch(words[nxt])
                and tokens.text[tokens.ends[last] : tokens.starts[nxt]] == " "
                and "." not in text
            ):
                text += words[nxt]
                last += 1
                continue
            break
    plain = last == index and text.isdigit()
    return Numeral(digits_value(text), index, last, False, 1, False, plain)


def _read_words(tokens: Tokens, index: int) -> Numeral | None:
    """Written numbers: "twenty-five", "two hundred and fifty", "five thousand", "a million"."""
    position = index
    total = 0
    current = 0
    last = -1
    previous_scale: int | None = None
    if tokens.lower(index) in ("a", "an"):
        follower = tokens.lower(index + 1)
        if not tokens.spaced(index, index + 1) or not (
            follower in rules.WORD_SCALES or follower in (rules.HUNDRED_WORD, rules.DOZEN_WORD)
        ):
            return None
        current = 1
        position = index + 1
    while True:
        if position > index and not tokens.spaced(position - 1, position):
            break
        word = tokens.lower(position)
        if word in rules.NUMBER_WORDS:
            if current % 100 != 0 or (last >= 0 and tokens.lower(last) in rules.NUMBER_WORDS):
                break
            current += rules.NUMBER_WORDS[word]
            if (
                word in rules.TENS_WORDS
                and tokens.lower(position + 1) == "-"
                and tokens.glued(position, position + 1)
                and tokens.glued(position + 1, position + 2)
                and 0 < rules.NUMBER_WORDS.get(tokens.lower(position + 2), 0) < 10
            ):
                current += rules.NUMBER_WORDS[tokens.lower(position + 2)]
                position += 2
        elif word == rules.HUNDRED_WORD and 0 < current < 100:
            current *= 100
        elif word == rules.DOZEN_WORD and 0 < current < 100 and current % 100 == current:
            current *= 12
        elif word in rules.WORD_SCALES and current > 0 and (
            previous_scale is None or rules.WORD_SCALES[word] < previous_scale
        ):
            previous_scale = rules.WORD_SCALES[word]
            total += current * previous_scale
            current = 0
        elif (
            word == "and"
            and last >= 0
            and tokens.lower(last) in (rules.HUNDRED_WORD, *rules.WORD_SCALES)
            and tokens.lower(position + 1) in rules.NUMBER_WORDS
        ):
            position += 1
            continue
        else:
            break
        last = position
        position += 1
    if last < 0:
        return None
    words = [tokens.lower(i) for i in range(index, last + 1)]
    scale = rules.WORD_SCALES.get(words[-1], 1)
    weak = len(words) == 1 and words[0] in rules.WEAK_NUMBER_WORDS
    return Numeral(Decimal(total + current), index, last, True, scale, weak, False)
