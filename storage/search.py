"""Full-text search over article titles and texts, and the objects that hold its index.

SQLite keeps an FTS5 index, ``article_fts`` (external content: the text lives
only in ``article``; triggers keep the index in step with every insert, update
and delete). PostgreSQL keeps a generated ``tsvector`` column,
``article.search_vector``, with a GIN index, and (when the ``pg_trgm``
extension could be created) a trigram index on ``lower(title)`` for the
substring path below. Both are made by migration ``0003_search``; they are not
in :mod:`storage.models`, so :func:`include_object` hides them from Alembic's
comparison with the models.

What a search matches (the same on both backends):

- every *word* of the query (a run of letters and digits: ``"``, ``*``, ``-``,
  ``(``, ``%``, ``_`` … only separate words, so no query syntax typed by a user
  is ever interpreted) must start a word of the title or text, in any order
  and case: ``infl rat`` finds "inflation rates". Each word becomes a quoted
  prefix term, ``"infl"* "rat"*`` (FTS5) or ``'infl':* & 'rat':*``
  (``to_tsquery``). ``AND``, ``NEAR`` or ``OR`` typed by a user are words too.
- a query with no word of two or more characters (``%``, ``_``, ``a``, ``7%``,
  ``e_c``) is a case-insensitive *substring* of the title instead, with LIKE
  wildcards taken literally: one character would match nearly every text, and
  punctuation is not indexed at all, so for these the title is what a user can
  mean. A common character fills a page from the first rows scanned; a rare
  one (``%``) scans every title (SQLite counts it from ``ix_article_title_scan``,
  titles only; a page still reads the rows: ~0.1-0.2 s at 100,000 articles).
- accents count (``ráin`` is not ``rain``) and case does not, as for the LIKE
  search before the index; PostgreSQL's parser keeps ``7.5`` or an e-mail
  address as one word where FTS5 splits them, the one place the backends differ.

:func:`search_kind`, :func:`search_parameters`, :func:`search_condition`,
:func:`search_source` and :func:`rank_order` are the pieces of a search that
:mod:`storage.library_sql` puts in its page and count statements: the SQL of a
kind of search is fixed (built once), what was typed is bound parameters.

The ``rank`` sort of :class:`storage.library.LibraryQuery` orders matches by
bm25 (SQLite) or ``ts_rank`` (PostgreSQL); FTS5 with ``detail=column`` counts a
word once per column, so bm25 there weighs which words and columns match, not
how often.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from sqlalchemy import Column, bindparam, func, inspect, literal_column, table

from storage.models import Article

FTS_TABLE = "article_fts"
"""SQLite's FTS5 table (shadow tables ``article_fts_data``, ``_idx``, ``_docsize``, ``_config``)."""
FTS_TRIGGERS = ("article_fts_insert", "article_fts_delete", "article_fts_update")
PG_VECTOR_COLUMN = "search_vector"
PG_INDEXES = ("ix_article_search", "ix_article_title_trgm")
SQLITE_TITLE_INDEX = "ix_article_title_scan"
"""SQLite: titles alone, so a title substring search scans megabytes, not every text."""
MIN_WORD = 2
"""Queries whose every word is shorter than this search titles by substring (see the module doc)."""

_WORD = re.compile(r"[^\W_]+")
_fts = table(FTS_TABLE, Column("rowid"), Column(FTS_TABLE))


def search_words(search: str) -> list[str]:
    """The words of a query, lower-cased, in order: runs of letters and digits only."""
    return _WORD.findall(search.lower())


def uses_index(search: str) -> bool:
    """Whether ``search`` goes to the full-text index (else: title substring)."""
    return any(len(word) >= MIN_WORD for word in search_words(search))


def fts5_query(words: list[str], *, title_only: bool = False) -> str:
    """An FTS5 MATCH expression: each word a quoted prefix term, all required.

    Words hold only letters and digits, so the quotes are never closed early;
    doubling ``"`` keeps that true should :func:`search_words` ever change.
    """
    terms = " ".join('"' + word.replace('"', '""') + '"*' for word in words)
    return f"title : ({terms})" if title_only else terms


def tsquery_text(words: list[str]) -> str:
    """A ``to_tsquery`` argument: each word a quoted prefix lexeme, all required."""
    return " & ".join("'" + word.replace("'", "''") + "':*" for word in words)


def fts5_table() -> Any:
    """SQLite: the FTS5 table, to join with ``article`` on ``rowid`` = ``article.id``.

    Driving a query from it in ``rowid`` order lets SQLite stop after a page of
    matches; ``article.id IN (…)`` would first collect every match.
    """
    return _fts


def fts5_match(search: str, *, title_only: bool = False) -> Any:
    """SQLite: the condition ``article_fts MATCH <quoted prefix terms of search>``."""
    expression = fts5_query(search_words(search), title_only=title_only)
    return _fts.c[FTS_TABLE].match(expression)


def fts5_rank() -> Any:
    """SQLite: the bm25 rank of a row of a MATCH query on :func:`fts5_table` (lower is better)."""
    return func.bm25(literal_column(FTS_TABLE))


def pg_vector() -> Any:
    return literal_column(f"article.{PG_VECTOR_COLUMN}")


def pg_tsquery(search: str) -> Any:
    return func.to_tsquery("simple", tsquery_text(search_words(search)))


def pg_rank(search: str) -> Any:
    """PostgreSQL: how well a row matches (higher is better)."""
    return func.ts_rank(pg_vector(), pg_tsquery(search))


def pg_title_vector() -> Any:
    """PostgreSQL: the title alone as a vector (``title_only`` searches; not indexed)."""
    return func.to_tsvector("simple", literal_column("article.title"))


SearchKind = Literal["none", "index", "title"]
"""How a search is answered: not at all, from the full-text index, or by title substring."""
_article: Any = Article.__table__  # type: ignore[attr-defined]


LIKE_ESCAPE = "!"
"""Escape character of search patterns: not a backslash, which PostgreSQL string
literals and SQLite treat differently."""


def like_pattern(search: str) -> str:
    """A LIKE pattern matching ``search`` anywhere, its ``%`` ``_`` and ``!`` taken literally."""
    escaped = "".join(LIKE_ESCAPE + c if c in "%_" + LIKE_ESCAPE else c for c in search)
    return f"%{escaped}%"


def search_kind(search: str) -> SearchKind:
    """Which of the :data:`SearchKind` answers ``search`` (see :mod:`storage.search`)."""
    if not search.strip():
        return "none"
    return "index" if uses_index(search) else "title"


def search_parameters(search: str, title_only: bool, sqlite: bool) -> dict[str, str]:
    """The bound values of a search: the FTS5 expression, the tsquery text or the LIKE pattern."""
    kind = search_kind(search)
    if kind == "title":
        return {"pattern": like_pattern(search.strip().lower())}
    if kind == "index":
        words = search_words(search)
        if sqlite:
            return {"match": fts5_query(words, title_only=title_only)}
        return {"tsquery": tsquery_text(words)}
    return {}


def _pg_tsquery_param() -> Any:
    """PostgreSQL: the tsquery of parameter ``tsquery`` (see :func:`search_parameters`)."""
    return func.to_tsquery(literal_column("'simple'"), bindparam("tsquery"))


def search_condition(kind: SearchKind, title_only: bool, sqlite: bool) -> Any:
    """The WHERE condition of a search of ``kind``; SQLite's index search needs
    :func:`storage.search.fts5_table` in the FROM clause (see :func:`search_source`)."""
    if kind == "title":
        # SQLite's LIKE already ignores ASCII case and its lower() folds only ASCII, so
        # there lower() would only copy every title scanned.
        title = _article.c.title if sqlite else func.lower(_article.c.title)
        return title.like(bindparam("pattern"), escape=LIKE_ESCAPE)
    if sqlite:
        return _fts.c[FTS_TABLE].match(bindparam("match"))
    vector = pg_title_vector() if title_only else pg_vector()
    return vector.bool_op("@@")(_pg_tsquery_param())


def search_source(kind: SearchKind, sqlite: bool) -> tuple[Any, Any]:
    """(FROM clause, the article id column to order and join by).

    An FTS5 search is driven by the FTS5 table: its matches in rowid order, so
    a page in id order stops after a page of matches (``article.id IN (…)``
    would first collect every match).
    """
    if kind == "index" and sqlite:
        return _fts.join(_article, _fts.c.rowid == _article.c.id), _fts.c.rowid
    return _article, _article.c.id


def rank_order(kind: SearchKind, sqlite: bool, by_id: Any) -> Any:
    """The ``rank`` sort: best match first (ascending), by id when nothing ranks the rows."""
    if kind != "index":
        return by_id
    if sqlite:
        return fts5_rank()
    return -func.ts_rank(pg_vector(), _pg_tsquery_param())


def index_problems(connection: Any, tables: set[str]) -> list[str]:
    """What a database at this revision lacks of the search index (empty: all there).

    A missing trigger would let the index fall silently out of step with the
    articles, so the triggers are checked too (SQLite); ``tables`` are the
    database's table names.
    """
    if "article" not in tables:
        return []
    if connection.dialect.name == "sqlite":
        if FTS_TABLE not in tables:
            return [f"search index {FTS_TABLE} is missing"]
        rows = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'article'"
        ).all()
        missing = [name for name in FTS_TRIGGERS if name not in {row[0] for row in rows}]
        return [f"search index triggers {', '.join(missing)} are missing"] if missing else []
    columns = {column["name"] for column in inspect(connection).get_columns("article")}
    return [] if PG_VECTOR_COLUMN in columns else [f"article lacks {PG_VECTOR_COLUMN}"]


def include_object(
    object_: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic ``include_object``: leave the search index's objects out of model comparisons.

    They are made by raw DDL in the migration (FTS5 virtual tables and
    triggers have no SQLAlchemy model, nor does a generated ``tsvector``).
    """
    if name is None:
        return True
    if type_ == "table" and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_")):
        return False
    if type_ == "column" and name == PG_VECTOR_COLUMN:
        return False
    if type_ == "index" and name in (*PG_INDEXES, SQLITE_TITLE_INDEX):
        return False
    return True
