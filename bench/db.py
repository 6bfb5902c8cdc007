"""Benchmark databases and files, built once and cached in ``bench/out/`` by size.

Databases are created by ``storage.db.open_db`` (so the schema is exactly the
app's, via its migrations) and then filled with bulk ``executemany`` inserts
through SQLAlchemy core on the models' tables: building the 100,000-article,
2-million-span library this way takes a minute or so, not the hours the
one-transaction-per-action repository would. A file is built under a temporary
name and renamed when complete, so an interrupted build is never reused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sqlalchemy import insert

from bench import OUT
from bench import data as gen
from storage.db import open_db
from storage.models import Annotator, Article, ArticleState, Figure, Span
from storage.text import sha256

DATA_VERSION = 1
"""Bump when the generators change, so cached files are rebuilt."""
ANNOTATOR = "bench"
CHUNK = 2_000
"""Articles per executemany batch (their spans go in the same batch)."""


def cached(name: str, build: Callable[[Path], None]) -> Path:
    """``bench/out/<name>``, built by ``build(temp_path)`` unless it already exists."""
    path = OUT / f"v{DATA_VERSION}-{name}"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".building")
    for stale in temp.parent.glob(temp.name + "*"):
        stale.unlink()
    build(temp)
    temp.replace(path)
    return path


def corpus_jsonl(count: int, kind: str, start: int = 0) -> Path:
    """Articles ``start``… of the corpus as JSONL: ``kind`` "plain" or "native" (with spans)."""

    def build(temp: Path) -> None:
        articles = gen.corpus(count, start=start)
        if kind == "plain":
            records = (gen.plain_record(article) for article in articles)
        else:
            records = (gen.native_record(article, ANNOTATOR) for article in articles)
        gen.write_jsonl(temp, records)

    return cached(f"corpus-{start}+{count}-{kind}.jsonl", build)


def corpus_db(count: int, start: int = 0) -> Path:
    """A library of articles ``start``… of the corpus (2-8 KB, ~20 spans each)."""
    return cached(
        f"corpus-{start}+{count}.db", lambda temp: fill(temp, gen.corpus(count, start=start))
    )


def scale_articles(count: int, spans_per_article: int) -> Iterator[gen.GenArticle]:
    """``count`` distinct articles, cheaply: a pool of bodies, each copy with its own first line.

    Every copy gets a unique reference word (``ref qxbz``) so a search can hit one article.
    """
    pool = list(gen.corpus(min(count, 2_000), 2_000, 4_000, spans_per_article, seed=7))
    for index in range(count):
        body = pool[index % len(pool)]
        header = f"{body.title.rsplit(' (', 1)[0]} (ref {gen.ref_code(index)})"
        yield gen.with_header(body, header)


def scale_db(articles: int, spans: int) -> Path:
    """The scale library: ``articles`` articles holding ``spans`` spans in all."""
    per_article = max(1, spans // articles)
    return cached(
        f"scale-{articles}-{spans}.db",
        lambda temp: fill(temp, scale_articles(articles, per_article)),
    )


def big_article_db() -> Path:
    """One database holding only the 1 MB, 5,000-span article (rebuilt per run: it gets edited)."""
    path = OUT / "big-article.db"
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("big-article.db*"):
        old.unlink()
    fill(path, [gen.big_article()])
    return path


def fill(path: Path, articles: Iterable[gen.GenArticle], annotator: str = ANNOTATOR) -> None:
    """Create a redline database at ``path`` and bulk-insert ``articles`` with their spans.

    Every span is accepted and belongs to ``annotator``; figure spans get a
    :class:`Figure` row. One article in seven is done and one in eleven in progress.
    """
    database = open_db(str(path))
    try:
        with database.engine.begin() as connection:
            connection.execute(insert(Annotator.__table__), [{"id": 1, "name": annotator}])
            batch: list[gen.GenArticle] = []
            next_ids = [1, 1]  # article id, span id
            for article in articles:
                batch.append(article)
                if len(batch) >= CHUNK:
                    _insert(connection, batch, next_ids)
                    batch = []
            if batch:
                _insert(connection, batch, next_ids)
        raw = database.engine.raw_connection()  # autocommit: no BEGIN around these
        try:
            raw.execute("ANALYZE")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    finally:
        database.dispose()


def _insert(connection, batch: list[gen.GenArticle], next_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime.now(dt.UTC)
    articles, spans, figures, states = [], [], [], []
    article_id, span_id = next_ids
    for article in batch:
        articles.append(
            {
                "id": article_id,
                "sha256": sha256(article.text),
                "title": article.title,
                "text": article.text,
                "source": article.source,
                "url": None,
                "published": article.published,
                "dateline": None,
                "lang": "en",
                "length": len(article.text),
                "meta": {},
                "created_at": now,
            }
        )
        for span in article.spans:
            spans.append(
                {
                    "id": span_id,
                    "article_id": article_id,
                    "annotator_id": 1,
                    "layer": span.layer,
                    "label": span.label,
                    "start": span.start,
                    "end": span.end,
                    "text": article.text[span.start : span.end],
                    "status": "accepted",
                    "origin": "import",
                    "score": None,
                    "entity_id": None,
                    "topic": None,
                    "note": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if span.layer == "figure":
                figures.append(
                    {
                        "span_id": span_id,
                        "kind": span.label,
                        "scale": 1,
                        "approximate": False,
                        "change": False,
                    }
                )
            span_id += 1
        state = "done" if article_id % 7 == 0 else "in_progress" if article_id % 11 == 0 else None
        if state is not None:
            states.append(
                {
                    "article_id": article_id,
                    "annotator_id": 1,
                    "state": state,
                    "seconds_spent": 30.0,
                    "updated_at": now,
                }
            )
        article_id += 1
    connection.execute(insert(Article.__table__), articles)
    if spans:
        connection.execute(insert(Span.__table__), spans)
    if figures:
        connection.execute(insert(Figure.__table__), figures)
    if states:
        connection.execute(insert(ArticleState.__table__), states)
    next_ids[:] = [article_id, span_id]

