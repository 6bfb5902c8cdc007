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
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from bench import OUT
from bench import data as gen
from storage.db import open_db
from storage.models import Annotator, Article, ArticleState, Figure, Span
from storage.text import sha256

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
"""The server the PostgreSQL scale case creates its database on (``REDLINE_BENCH_PG``)."""
DATA_VERSION = 1
"""Bump when the generators change, so cached files are rebuilt."""
ANNOTATOR = "bench"
CHUNK = 2_000
"""Articles per executemany batch (their spans go in the same batch)."""


def cached(name: str, build: Callable[[Path], None], folder: Path | None = None) -> Path:
    """``bench/out/<name>`` (or ``folder/<name>``), built by ``build(temp)`` unless it exists."""
    path = (folder or OUT) / f"v{DATA_VERSION}-{name}"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
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
    """A library of articles ``start``… of the corpus (2-8 KB, ~20 spans each), upgraded
    to the head revision when it was cached before a schema change."""
    path = cached(
        f"corpus-{start}+{count}.db", lambda temp: fill(temp, gen.corpus(count, start=start))
    )
    upgrade_cached(path)
    return path


def scale_articles(count: int, spans_per_article: int) -> Iterator[gen.GenArticle]:
    """``count`` distinct articles, cheaply: a pool of bodies, each copy with its own first line.

    Every copy gets a unique reference word (``ref qxbz``) so a search can hit one article.
    """
    pool = list(gen.corpus(min(count, 2_000), 2_000, 4_000, spans_per_article, seed=7))
    for index in range(count):
        body = pool[index % len(pool)]
        header = f"{body.title.rsplit(' (', 1)[0]} (ref {gen.ref_code(index)})"
        yield gen.with_header(body, header)


def scale_db(articles: int, spans: int, folder: Path | None = None) -> Path:
    """The scale library: ``articles`` articles holding ``spans`` spans in all.

    ``folder`` keeps it elsewhere than ``bench/out`` (the million-article one is
    several gigabytes: it goes to the user's cache directory, see :func:`huge_folder`).
    A cached file from before a schema revision is upgraded, not rebuilt.
    """
    per_article = max(1, spans // articles)
    path = cached(
        f"scale-{articles}-{spans}.db",
        lambda temp: fill(temp, scale_articles(articles, per_article)),
        folder,
    )
    upgrade_cached(path)
    return path


def huge_folder() -> Path:
    """Where the million-article library is cached: not the repository."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("redline-bench", appauthor=False))


def upgrade_cached(path: Path) -> None:
    """Bring a cached database built by an older redline to the head revision (``db upgrade``)."""
    from storage.migrations import HEAD_REVISION

    database = open_db(str(path), migrate=False, create=False)
    try:
        if database.current_revision() != HEAD_REVISION:
            database.migrate()
    finally:
        database.dispose()


@contextmanager
def postgres_scale(articles: int, spans: int) -> Iterator[str]:
    """A PostgreSQL database holding the scale library, created for the block and dropped after.

    The server is ``REDLINE_BENCH_PG`` (an admin URL, default the test server's).
    """
    admin_url = os.environ.get("REDLINE_BENCH_PG", PG_ADMIN_URL)
    name = f"redline_bench_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        per_article = max(1, spans // articles)
        try:
            fill(url, scale_articles(articles, per_article))
            yield url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def big_article_db() -> Path:
    """One database holding only the 1 MB, 5,000-span article (rebuilt per run: it gets edited)."""
    path = OUT / "big-article.db"
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("big-article.db*"):
        old.unlink()
    fill(path, [gen.big_article()])
    return path


def fill(path: Path | str, articles: Iterable[gen.GenArticle], annotator: str = ANNOTATOR) -> None:
    """Create a redline database at ``path`` (a file or a PostgreSQL URL) and bulk-insert
    ``articles`` with their spans (the search index fills through its triggers).

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
        if database.is_sqlite:
            raw = database.engine.raw_connection()  # autocommit: no BEGIN around these
            try:
                raw.execute("ANALYZE")
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
        else:
            with database.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text("VACUUM ANALYZE")
                )
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
