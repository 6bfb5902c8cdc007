"""Splitting an export by article: ``--split train=0.8,dev=0.2 [--seed N]``.

Articles (never single records: two annotators of one article stay in one
split) are shuffled with ``random.Random(seed)`` and cut in the given
proportions, largest remainder first, so the sizes add up and the same seed
gives the same split.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def parse_split(value: str) -> dict[str, float]:
    """``"train=0.8,dev=0.2"`` → ``{"train": 0.8, "dev": 0.2}``; ValueError says what is wrong."""
    shares: dict[str, float] = {}
    for part in (piece.strip() for piece in value.split(",")):
        if not part:
            continue
        name, sep, share = (side.strip() for side in part.partition("="))
        if not sep or not _NAME.match(name):
            raise ValueError(f"{part!r} is not NAME=SHARE (a name of letters, digits, _ and -)")
        try:
            number = float(share)
        except ValueError:
            raise ValueError(f"{share!r} is not a number") from None
        if not 0 < number <= 1 or name in shares:
            raise ValueError(f"{part!r}: each split once, with a share in (0, 1]")
        shares[name] = number
    if len(shares) < 2 or abs(sum(shares.values()) - 1) > 1e-6:
        raise ValueError("give two or more splits whose shares add up to 1")
    return shares


def partition(
    article_ids: Sequence[int], shares: dict[str, float], seed: int
) -> dict[str, list[int]]:
    """Each split's articles (sorted): a seeded shuffle cut by largest remainder."""
    ordered = sorted(set(article_ids))
    random.Random(seed).shuffle(ordered)
    total = len(ordered)
    exact = {name: share * total for name, share in shares.items()}
    sizes = {name: int(value) for name, value in exact.items()}
    by_remainder = sorted(shares, key=lambda name: (-(exact[name] - sizes[name]), name))
    for name in by_remainder[: total - sum(sizes.values())]:
        sizes[name] += 1
    result, begin = {}, 0
    for name in shares:
        result[name] = sorted(ordered[begin : begin + sizes[name]])
        begin += sizes[name]
    return result
