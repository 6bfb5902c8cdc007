"""Adding articles: normalised text, sha256 identity, duplicates skipped."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import insert
from sqlmodel import Session, col, select

from storage import live
from storage.db import Database
from storage.errors import StorageError
from storage.models import Article, utcnow
from storage.text import normalise

LOOKUP_CHUNK = 2_000
"""Digests per ``IN (…)`` lookup: far below the bind-parameter limits of both backends."""


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
    if value is not None:
        _storable_bytes(name, value)


def _storable_bytes(name: str, value: str) -> bytes:
    """``value`` as UTF-8, checked as :func:`_check_storable` does (the text's hash needs it)."""
    if "\x00" in value:
        raise StorageError(f"article {name} contains a NUL character (at {value.index(chr(0))})")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise StorageError(
            f"article {name} is not valid Unicode (lone surrogate at {exc.start})"
        ) from None


def article_values(article: ArticleLike) -> dict[str, Any]:
    """The column values of an imported article: normalised text, its sha256, its length.

    Plain values rather than an ORM object: a bulk import builds one per
    article, and constructing (then flushing) ORM rows was most of its cost.
    """
    text = normalise(article.text)
    if not text or text.isspace():
        raise StorageError("article text is empty")
    encoded = _storable_bytes("text", text)
    for name in ("title", "source", "url", "dateline", "lang"):
        _check_storable(name, getattr(article, name))
    return {
        "sha256": hashlib.sha256(encoded).hexdigest(),  # storage.text.sha256, encoded once
        "title": (article.title or text.strip().splitlines()[0])[:500],
        "text": text,
        "source": article.source,
        "url": article.url,
        "published": article.published,
        "dateline": article.dateline,
        "lang": article.lang or "en",
        "length": len(text),
        "meta": dict(article.meta or {}),
        "created_at": utcnow(),
    }


def article_row(article: ArticleLike) -> Article:
    """The row for an imported article (see :func:`article_values`)."""
    return Article(**article_values(article))


def add_articles(db: Database, articles: Iterable[ArticleLike]) -> list[Added]:
    """Store articles in one transaction; an article whose text is already there is skipped."""
    values = [article_values(article) for article in articles]
    if not values:
        return []
    with db.transaction() as session:
        return insert_articles(session, values)


def add_articles_in(session: Session, rows: Sequence[Article]) -> list[Added]:
    """Insert article rows inside the caller's transaction (see :func:`article_row`).

    The rows themselves are not added to the session: their ids are in the result.
    """
    columns = [column.key for column in Article.__table__.columns if column.key != "id"]  # type: ignore[attr-defined]
    return insert_articles(
        session, [{name: getattr(row, name) for name in columns} for row in rows]
    )


def insert_articles(session: Session, values: Sequence[dict[str, Any]]) -> list[Added]:
    """Insert :func:`article_values` dicts in the caller's transaction, skipping known texts.

    An article already stored, or given twice, is reported ``created=False``
    with the id it already has; results are in input order. New rows go in as
    one multi-row insert whose RETURNING pairs each id with its (unique) sha256,
    so the ids need no per-row round trip and no order guarantee.
    """
    existing = _known_ids(session, {value["sha256"] for value in values})
    fresh: dict[str, dict[str, Any]] = {}
    for value in values:
        if value["sha256"] not in existing:
            fresh.setdefault(value["sha256"], value)
    if fresh:
        table = Article.__table__  # type: ignore[attr-defined]
        statement = _insert_ignoring_known(session, table).returning(table.c.sha256, table.c.id)
        for digest, article_id in session.execute(statement, list(fresh.values())):
            existing[digest] = article_id
        raced = {digest for digest in fresh if digest not in existing}
        if raced:  # stored by a concurrent import since the look-up: theirs, so not created here
            existing.update(_known_ids(session, raced))
            for digest in raced:
                del fresh[digest]
        if fresh:  # the library of every program following changes counts them
            live.announce(session, article_id=None, annotator_id=0, session_id=None)
    results: list[Added] = []
    for value in values:
        digest = value["sha256"]
        created = fresh.pop(digest, None) is not None
        results.append(Added(existing[digest], created, digest))
    return results


def _insert_ignoring_known(session: Session, table: Any) -> Any:
    """``INSERT … ON CONFLICT (sha256) DO NOTHING`` (SQLite: ``INSERT OR IGNORE``-like).

    Two imports of one article may race (both look it up, neither finds it);
    the later insert then skips the row instead of failing on the unique
    sha256, and the article counts as already there.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        return insert(table)
    return dialect_insert(table).on_conflict_do_nothing(index_elements=["sha256"])


def _known_ids(session: Session, digests: set[str]) -> dict[str, int]:
    """sha256 → id of the articles already stored among ``digests``."""
    ordered = sorted(digests)
    found: dict[str, int] = {}
    for begin in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[begin : begin + LOOKUP_CHUNK]
        found.update(
            session.exec(
                select(Article.sha256, Article.id).where(col(Article.sha256).in_(chunk))
            ).all()  # type: ignore[arg-type]
        )
    return found


def add_article(db: Database, article: ArticleLike) -> Added:
    return add_articles(db, [article])[0]
