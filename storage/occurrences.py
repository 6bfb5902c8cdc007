"""Finding the other occurrences of a phrase: in one article, or across the corpus."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlmodel import col, select

from storage.db import Database
from storage.models import Article
from storage.queries import LIKE_ESCAPE, like_pattern


def find_occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    """Whole-word, case-sensitive ``[start, end)`` ranges of ``phrase`` in ``text``."""
    if not phrase.strip():
        return []
    pattern = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")
    return [(match.start(), match.end()) for match in pattern.finditer(text)]


def corpus_occurrences(
    db: Database, phrase: str, batch: int = 500
) -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """(article id, ranges) for every article containing ``phrase`` as a whole word.

    The database narrows the articles with a substring match first (``%`` and
    ``_`` in the phrase taken literally), so only candidates are scanned in Python.
    """
    pattern = like_pattern(phrase)
    last_id = 0
    while True:
        with db.reading() as session:
            rows = session.exec(
                select(Article.id, Article.text)
                .where(
                    col(Article.text).like(pattern, escape=LIKE_ESCAPE),
                    col(Article.id) > last_id,
                )
                .order_by(Article.id)
                .limit(batch)
            ).all()
        if not rows:
            return
        for article_id, text in rows:
            ranges = find_occurrences(text, phrase)
            if ranges:
                yield article_id, ranges
        last_id = rows[-1][0]
