"""Fuzzy ranking for the pickers and the entities filter.

A candidate has *names* (a topic's title and key; an entity's name and aliases)
matched generously — exact, prefix, word prefix, substring, letters in order
from a word start ('trd' → 'Trade'), then typo-tolerant (rapidfuzz) — and
optional *extra* text (a topic's description) matched only as a substring, so
long descriptions do not make every row match a short query. Nothing here
builds markup from the candidates: names are data.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

CUTOFF = 72.0
"""Below this partial-ratio score a typo-tolerant match is not shown."""
TIER = 10.0
"""Scores within one tier (exact, prefix, word prefix…) count as equally good matches."""


def _from_word_start(query: str, candidate: str) -> bool:
    """True when the query's letters appear in order, the first at a word start."""
    for start in range(len(candidate)):
        if candidate[start] != query[0] or (start and candidate[start - 1] != " "):
            continue
        position = start + 1
        for char in query[1:]:
            position = candidate.find(char, position) + 1
            if position == 0:
                break
        else:
            return True
    return False


def score(query: str, candidate: str, *, extra: bool = False) -> float:
    """How well ``candidate`` matches ``query`` (0 = not at all), ignoring case and punctuation.

    Tiers, best first: exact 300, prefix 250, word prefix 220, substring 200,
    letters in order from a word start 150, typo-tolerant 72–100. Within a tier
    shorter candidates score slightly higher. ``extra`` text only counts as a
    substring (140).
    """
    wanted = default_process(query)
    text = default_process(candidate)
    if not wanted or not text:
        return 0.0
    shorter = min(len(text), 999) / 1000
    if extra:
        return 140.0 - shorter if wanted in text else 0.0
    if text == wanted:
        return 300.0
    if text.startswith(wanted):
        return 250.0 - shorter
    if any(word.startswith(wanted) for word in text.split()):
        return 220.0 - shorter
    if wanted in text:
        return 200.0 - shorter
    if _from_word_start(wanted.replace(" ", ""), text):
        return 150.0 - shorter
    ratio = fuzz.partial_ratio(wanted, text)
    return ratio if ratio >= CUTOFF else 0.0


def rank(
    query: str,
    candidates: Sequence[Sequence[str]],
    *,
    extras: Sequence[Sequence[str]] | None = None,
    prefer: Sequence[float] | None = None,
) -> list[int]:
    """Indices of the candidates matching ``query``, best first.

    ``extras[i]`` is substring-only text of candidate ``i``; ``prefer[i]`` breaks
    ties inside a tier (e.g. mention counts: the entity named most often wins).
    An empty query keeps every candidate in its given order.
    """
    if not query.strip():
        return list(range(len(candidates)))
    scored: list[tuple[float, float, float, int]] = []
    for index, names in enumerate(candidates):
        best = max((score(query, name) for name in names if name), default=0.0)
        if extras is not None:
            best = max([best, *(score(query, text, extra=True) for text in extras[index] if text)])
        if best > 0:
            preference = prefer[index] if prefer is not None else 0.0
            scored.append((-(best // TIER), -preference, -best, index))
    scored.sort()
    return [index for *_, index in scored]
