"""Word tokens with the facts the entity rules ask about them.

The rules reason about capitalised words and what touches them, so tokens are
words only: letters and digits, with inner hyphens, apostrophes and dots kept
(``Cheng Chung-tai``, ``O'Brien``, ``Secunia.com``). A trailing possessive
``'s`` becomes a token of its own so ``Uzbekistan's`` yields ``Uzbekistan``.
Offsets are code points into the text, like every span in redline.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
_POSSESSIVE = ("'s", "’s")
_SPACES = {" ", "\u00a0"}
_OPENERS = set("\"“‘'([{«")
_SENTENCE_END = set(".!?:")


class Token(NamedTuple):
    start: int
    end: int
    text: str


def tokenize(text: str) -> list[Token]:
    """Word tokens of ``text``, possessive ``'s`` split off."""
    tokens: list[Token] = []
    append = tokens.append  # the hot loop of the entity rules: one call per word
    for match in _WORD.finditer(text):
        word = match.group()
        start, end = match.span()
        if len(word) > 2 and word.endswith(_POSSESSIVE):
            append(Token(start, end - 2, word[:-2]))
            append(Token(end - 2, end, word[-2:]))
        else:
            append(Token(start, end, word))
    return tokens


class Doc:
    """A text and its tokens, with per-token flags computed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self._starts = [t.start for t in self.tokens]
        self.initial = [self._is_sentence_initial(t.start) for t in self.tokens]

    def __len__(self) -> int:
        return len(self.tokens)

    def word(self, i: int) -> str:
        """The token's text, or ``""`` outside the text (so lookups need no bounds checks)."""
        return self.tokens[i].text if 0 <= i < len(self.tokens) else ""

    def is_cap(self, i: int) -> bool:
        """Starts with an upper-case letter (``Kallas``, ``EU``, ``M5S``)."""
        word = self.word(i)
        return bool(word) and word[0].isupper()

    def is_acronym(self, i: int) -> bool:
        """Two or more capitals, no lower-case letter: ``EU``, ``KCNA``, ``M5S``."""
        word = self.word(i)
        if len(word) < 2 or word[1].islower():  # most capitalised words: "Kallas"
            return False
        return sum(ch.isupper() for ch in word) >= 2 and not any(ch.islower() for ch in word)

    def is_possessive(self, i: int) -> bool:
        return self.word(i) in _POSSESSIVE

    def joined(self, i: int, j: int | None = None) -> bool:
        """Tokens ``i`` and ``i + 1`` are one space apart on the same line (a possessive
        marker counts as attached to the word before it)."""
        j = i + 1 if j is None else j
        if i < 0 or j >= len(self.tokens):
            return False
        gap = self.text[self.tokens[i].end : self.tokens[j].start]
        if self.is_possessive(j):
            return gap == ""
        return gap in _SPACES

    def joined_after_dot(self, i: int) -> bool:
        """Like ``joined`` but allowing an abbreviation dot: ``Mr. Toccafondi``."""
        if self.joined(i):
            return True
        if i + 1 >= len(self.tokens):
            return False
        gap = self.text[self.tokens[i].end : self.tokens[i + 1].start]
        return len(gap) == 2 and gap[0] == "." and gap[1] in _SPACES

    def index_at(self, offset: int) -> int:
        """Index of the token that contains ``offset``, or -1."""
        i = bisect_right(self._starts, offset) - 1
        if i >= 0 and self.tokens[i].start <= offset < self.tokens[i].end:
            return i
        return -1

    def char_before(self, offset: int) -> str:
        return self.text[offset - 1] if offset > 0 else ""

    def char_at(self, offset: int) -> str:
        return self.text[offset] if offset < len(self.text) else ""

    def _is_sentence_initial(self, offset: int) -> bool:
        """First word of the text, of a line, or after ``. ! ? :`` (opening quotes skipped)."""
        k = offset - 1
        while k >= 0 and (self.text[k] in _SPACES or self.text[k] == "\t"):
            k -= 1
        while k >= 0 and self.text[k] in _OPENERS:
            k -= 1
            while k >= 0 and self.text[k] in _SPACES:
                k -= 1
        return k < 0 or self.text[k] == "\n" or self.text[k] in _SENTENCE_END


def word_before(text: str, offset: int) -> str:
    """The lower-cased word that ends just before ``offset`` (spaces skipped), or ``""``."""
    k = offset
    while k > 0 and text[k - 1] in _SPACES:
        k -= 1
    end = k
    while k > 0 and text[k - 1].isalpha():
        k -= 1
    return text[k:end].lower()


def word_after(text: str, offset: int) -> str:
    """The word that starts just after ``offset`` (spaces skipped), as written, or ``""``."""
    k = offset
    while k < len(text) and text[k] in _SPACES:
        k += 1
    start = k
    while k < len(text) and text[k].isalpha():
        k += 1
    return text[start:k]
