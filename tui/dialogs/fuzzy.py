"""Fuzzy ranking for the pickers: substring hits first, then typo-tolerant matches.

Each candidate has several strings (a topic's title, key and description; an
entity's name and aliases); the best of them decides its rank. rapidfuzz does
the scoring (fast enough for tens of thousands of entities per keystroke); no
markup is ever built from the candidates, since names are data.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

CUTOFF = 72.0
"""Below this partial-ratio score a candidate is not shown."""


def _subsequence(query: str, candidate: str) -> bool:
    """True when the query's characters appear in order ('trd' in 'trade')."""
    position = 0
    for char in query:
        position = candidate.find(char, position) + 1
        if position == 0:
            return False
    return True


def score(query: str, candidate: str) -> float:
    """How well ``candidate`` matches ``query`` (0 = not at all), ignoring case and punctuation.

    Exact and prefix hits outrank substrings, which outrank in-order letters,
    which outrank typo-tolerant matches.
    """
    wanted = default_process(query)
    text = default_process(candidate)
    if not wanted or not text:
        return 0.0
    if text == wanted:
        return 300.0
    if text.startswith(wanted):
        return 250.0 - len(text) / 100
    words = text.split()
    if any(word.startswith(wanted) for word in words):
        return 220.0 - len(text) / 100
    if wanted in text:
        return 200.0 - len(text) / 100
    if _subsequence(wanted.replace(" ", ""), text):
        return 150.0 - len(text) / 100
    ratio = fuzz.partial_ratio(wanted, text)
    return ratio if ratio >= CUTOFF else 0.0


def rank(query: str, candidates: Sequence[Sequence[str]]) -> list[int]:
    """Indices of the candidates matching ``query``, best first (stable for ties).

    An empty query keeps every candidate in its given order.
    """
    if not query.strip():
        return list(range(len(candidates)))
    scored: list[tuple[float, int]] = []
    for index, strings in enumerate(candidates):
        best = max((score(query, string) for string in strings if string), default=0.0)
        if best > 0:
            scored.append((-best, index))
    scored.sort()
    return [index for _, index in scored]
