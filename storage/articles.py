"""Adding articles: normalised text, sha256 identity, duplicates skipped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session, col, select

from storage.db import Database
from storage.errors import StorageError
from storage.models import Article
from storage.text import normalise, sha256


class ArticleLike(Protocol):
    """What an importer hands over (see ``storage.importers.ParsedArticle``)."""

    text: str
    title: str
    source: str | None
    url: str | None
    published: dt.date | None
    dateline: str | None
    lang: str
    meta: dict[str, Any]


@dataclass(frozen=True)
class Added:
    """The outcome for one article: its id, and whether it was new."""

    article_id: int
    created: bool
    sha256: str


def _check_storable(name: str, value: str | None) -> None:
    """Refuse what one backend cannot store, so SQLite and PostgreSQL agree.

    PostgreSQL rejects NUL in text columns and UTF-8 cannot encode lone
    surrogates (a JSONL ``"\\ud800"`` escape decodes to one); both would
    otherwise fail deep in the driver, or only on one backend.
    """
    if value is None:
        return
    if "\x00" in value:
        raise StorageError(f"article {name} contains a NUL character (at {value.index(chr(0))})")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise StorageError(
            f"article {name} is not valid Unicode (lone surrogate at {exc.start})"
        ) from None


def article_row(article: ArticleLike) -> Article:
    """The row for an imported article: normalised text, its sha256, its length."""
    text = normalise(article.text)
    if not text.strip():
        raise StorageError("article text is empty")
    for name in ("text", "title", "source", "url", "dateline", "lang"):
        _check_storable(name, text if name == "text" else getattr(article, name))
    return Article(
        sha256=sha256(text),
        title=(article.title or text.strip().splitlines()[0])[:500],
        text=text,
        source=article.source,
        url=article.url,
        published=article.published,
        dateline=article.dateline,
        lang=article.lang or "en",
        length=len(text),
        meta=dict(article.meta or {}),
    )


def add_articles(db: Database, articles: Iterable[ArticleLike]) -> list[Added]:
    """Store articles in one transaction; an article whose text is already there is skipped."""
    rows = [article_row(article) for article in articles]
    if not rows:
        return []
    with db.transaction() as session:
        return add_articles_in(session, rows)


def add_articles_in(session: Session, rows: list[Article]) -> list[Added]:
    """Insert article rows inside the caller's transaction (see :func:`article_row`)."""
    results: list[Added] = []
    digests = [row.sha256 for row in rows]
    existing = dict(
        session.exec(
            select(Article.sha256, Article.id).where(col(Article.sha256).in_(digests))
        ).all()
    )
    for row in rows:
        if row.sha256 in existing:
            results.append(Added(existing[row.sha256], False, row.sha256))
            continue
        session.add(row)
        session.flush()
        assert row.id is not None
        existing[row.sha256] = row.id
        results.append(Added(row.id, True, row.sha256))
    return results


def add_article(db: Database, article: ArticleLike) -> Added:
    return add_articles(db, [article])[0]
