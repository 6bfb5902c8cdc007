"""Rule-based sentence splitting, enough to bound a figure's context.

No model is needed: news sentences end in ".", "!" or "?" before an upper-case
start, or at a blank line. A single line break ends a sentence only after
final punctuation or before an upper-case letter, because long transcripts
wrap lines inside sentences ("from \\n$20 billion").
"""

from __future__ import annotations

import re

from storage.figures import rules

_END_RE = re.compile(r"[.!?]+[\"”’')\]]*(?=\s)")
_NEWLINE_RE = re.compile(r"[ \t]*\n\s*")
_DOTTED_RE = re.compile(r"(?:^|\s|\()((?:[A-Za-z]\.)*[A-Za-z]+)$")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the "." at ``dot`` ends an abbreviation ("Mr.", "U.S.", "J.")."""
    match = _DOTTED_RE.search(text, max(0, dot - 20), dot)
    if match is None:
        return False
    word = match.group(1)
    if "." in word or (len(word) == 1 and word.isupper()):
        return True
    return word.lower() in rules.ABBREVIATIONS


def _starts_sentence(text: str, index: int) -> bool:
    """True when the text at ``index`` can open a sentence (upper case, digit, quote, $)."""
    if index >= len(text):
        return True
    char = text[index]
    return char.isupper() or char.isdigit() or char in "\"“‘'([$€£#"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``[start, end)`` over ``text``, leading/trailing whitespace excluded."""
    cuts: set[int] = set()
    for match in _END_RE.finditer(text):
        end = match.end()
        following = end + len(text[end:end + 10]) - len(text[end:end + 10].lstrip())
        if not _starts_sentence(text, following):
            continue
        if match.group().startswith(".") and len(match.group()) == 1 and _is_abbreviation(
            text, match.start()
        ):
            continue
        cuts.add(end)
    for match in _NEWLINE_RE.finditer(text):
        before = text[max(0, match.start() - 200) : match.start()].rstrip()
        blank = match.group().count("\n") > 1
        upper_next = match.end() < len(text) and text[match.end()].isupper()
        if blank or not before or before[-1] in ".!?:\"”" or upper_next:
            cuts.add(match.start())
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
