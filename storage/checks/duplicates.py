"""Near-duplicate articles: the same story imported twice under different sha256.

Texts are compared as sets of word 5-shingles (lower-cased words, so line
wraps, spacing and case do not matter). To avoid comparing every pair, each
article keeps a sample of its shingle hashes (those ≡ 0 mod 8, Broder's
sampling: two texts keep the same shingles) plus its four smallest, and only
articles sharing a sampled hash are compared. The Jaccard similarity of the
samples estimates that of the whole sets; short texts are compared exactly.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations

from storage.checks.base import CheckData, Emit, Finding, quoted

SHINGLE_WORDS = 5
THRESHOLD = 0.9
"""Jaccard similarity from which two texts count as the same article."""
SAMPLE_MODULUS = 8
EXACT_BELOW = 64
"""Texts with fewer shingles keep them all (a sample of a few would be noise)."""
COMMON_POSTING = 200
"""A sampled shingle shared by more articles than this is boilerplate, not evidence."""
_WORD = re.compile(r"\w+")
_MASK = (1 << 64) - 1


def shingles(text: str) -> set[int]:
    """Hashes of the text's overlapping 5-word windows (the whole text if shorter).

    Words are hashed once each (crc32), windows as tuples of those numbers:
    Python salts ``hash()`` of strings per process but never of ints and
    tuples of ints, so the hashes, and the sample kept, are the same every run.
    """
    words = _WORD.findall(text.casefold())
    if not words:
        return set()
    ids = [zlib.crc32(word.encode()) for word in words]
    size = min(SHINGLE_WORDS, len(ids))
    return {hash(tuple(ids[i : i + size])) & _MASK for i in range(len(ids) - size + 1)}


def jaccard(left: set[int], right: set[int]) -> float:
    if not left and not right:
        return 0.0
    return len(left & right) / len(left | right)


class _Sketch:
    def __init__(self, text: str) -> None:
        every = shingles(text)
        self.exact = every if len(every) < EXACT_BELOW else None
        self.sample = {h for h in every if h % SAMPLE_MODULUS == 0}
        self.keys = self.sample | set(sorted(every)[:4])

    def similarity(self, other: _Sketch) -> float:
        if self.exact is not None and other.exact is not None:
            return jaccard(self.exact, other.exact)
        return jaccard(self.sample, other.sample)


def near_duplicates(texts: dict[int, str]) -> dict[int, tuple[int, float]]:
    """For each article that repeats an earlier one: (the earliest such article, similarity)."""
    sketches = {article_id: _Sketch(text) for article_id, text in texts.items()}
    postings: dict[int, list[int]] = defaultdict(list)
    for article_id, sketch in sorted(sketches.items()):
        for key in sketch.keys:
            postings[key].append(article_id)
    pairs: set[tuple[int, int]] = set()
    for ids in postings.values():
        if 1 < len(ids) <= COMMON_POSTING:
            pairs.update(combinations(ids, 2))
    found: dict[int, tuple[int, float]] = {}
    for earlier, later in sorted(pairs):
        if later in found and found[later][0] < earlier:
            continue
        similarity = sketches[earlier].similarity(sketches[later])
        if similarity >= THRESHOLD:
            found[later] = (earlier, similarity)
    return found


def duplicate_article(data: CheckData, emit: Emit) -> Iterator[Finding]:
    """Placed on the later article (or, when only the earlier is in scope, on that one)."""
    for later, (earlier, similarity) in sorted(near_duplicates(data.all_texts).items()):
        here, there = (later, earlier) if later in data.articles else (earlier, later)
        if here not in data.articles:
            continue
        title = data.articles[here].title
        message = (
            f"{quoted(title, 40)} is a near-duplicate of article {there} "
            f"({similarity:.0%} of its word shingles shared)"
        )
        yield emit(message, article_id=here, related_article_id=there)
