"""Rule-based sentence splitting, enough to bound a figure's context.

No model is needed: news sentences end in ".", "!" or "?" before an upper-case
start, or at a blank line. A single line break ends a sentence only after
final punctuation or before an upper-case letter, because long transcripts
wrap lines inside sentences ("from \\n$20 billion").
"""

from __future__ import annotations

import re
from functools import lru_cache

from storage.figures import rules

_END_RE = re.compile(r"[.!?]+[\"”’')\]]*(?=(\s{1,10})([\s\S]?))")
"""Final punctuation before a space; the groups look ahead to the character that would
open the next sentence (past at most 10 spaces), which ``_starts_sentence`` tests."""
_LINE_BREAK_RE = re.compile(r"\n\s*")
"""A line break and the blanks after it; the spaces and tabs before it are added by a
walk back (a pattern opening with them made the engine try every space of the text)."""
_DOTTED_RE = re.compile(r"(?:^|\s|\()((?:[A-Za-z]\.)*[A-Za-z]+)$")
_DOTTED_INSIDE_RE = re.compile(r"(?:\s|\()((?:[A-Za-z]\.)*[A-Za-z]+)$")
"""``_DOTTED_RE`` for a window that does not start the text (``^`` cannot match there)."""
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the "." at ``dot`` ends an abbreviation ("Mr.", "U.S.", "J.")."""
    # The word must end right before the dot ("$" also matches before a final newline).
    if dot == 0 or (text[dot - 1] not in _LETTERS and text[dot - 1] != "\n"):
        return False
    low = max(0, dot - 20)
    return _abbreviation_window(text[low:dot], low == 0)


@lru_cache(maxsize=4096)
def _abbreviation_window(window: str, at_start: bool) -> bool:
    """``_is_abbreviation`` for the 20 characters before the dot (a pure function of
    them, so news text's repeated sentence ends — "said." — are read once)."""
    match = (_DOTTED_RE if at_start else _DOTTED_INSIDE_RE).search(window)
    if match is None:
        return False
    word = match.group(1)
    if "." in word or (len(word) == 1 and word.isupper()):
        return True
    return word.lower() in rules.ABBREVIATIONS


_SENTENCE_OPENERS = frozenset("\"“‘'([$€£#")


def _starts_sentence(char: str) -> bool:
    """True when ``char`` can open a sentence (upper case, digit, quote, $); "" is the
    end of the text."""
    return not char or char.isupper() or char.isdigit() or char in _SENTENCE_OPENERS


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``[start, end)`` over ``text``, leading/trailing whitespace excluded."""
    cuts: set[int] = set()
    for match in _END_RE.finditer(text):
        if not _starts_sentence(match.group(2)):
            continue
        if match.group() == "." and _is_abbreviation(text, match.start()):
            continue
        cuts.add(match.end())
    for match in _LINE_BREAK_RE.finditer(text):
        # the spaces and tabs before the line break belong to it
        start = match.start()
        while start and text[start - 1] in " \t":
            start -= 1
        before = text[max(0, start - 200) : start].rstrip()
        blank = match.group().count("\n") > 1
        upper_next = match.end() < len(text) and text[match.end()].isupper()
        if blank or not before or before[-1] in ".!?:\"”" or upper_next:
            cuts.add(start)
    spans: list[tuple[int, int]] = []
    previous = 0
    for cut in [*sorted(cuts), len(text)]:
        chunk = text[previous:cut]
        stripped = chunk.strip()
        if stripped:
            start = previous + len(chunk) - len(chunk.lstrip())
            spans.append((start, start + len(stripped)))
        previous = cut
    return spans
