"""search prefixes: SQLite's full-text index keeps prefixes of 4 and 5 characters too

Revision ID: 0006_search_prefixes
Revises: 0005_announcement
Create Date: 2026-12-08 01:00:00

A prefix query longer than the FTS5 table's longest prefix index (3, from
0003_search) makes FTS5 merge the doclists of every word with that prefix
before it returns a row: ``"trad"*`` took 11.5 ms and ``"trade"*`` 3.8 ms at
100,000 articles, against 0.2 ms for ``"tra"*``, and they are the keys typed
most in search-as-you-type. With prefix indexes of 4 and 5 characters those
read one doclist in rowid order and stop after a page (10,000 articles:
0.40 → 0.06 ms; the index grows ~50 %). FTS5 options cannot be altered, so
the table is made again and rebuilt from ``article``; its triggers refer to
it by name and stay. PostgreSQL's tsvector is unchanged.

The DDL is written out here, not imported, so this revision keeps doing what
it did when later code changes.
"""

from __future__ import annotations

from alembic import op

revision = "0006_search_prefixes"
down_revision = "0005_announcement"
branch_labels = None
depends_on = None


def _fts_table(prefix: str) -> tuple[str, ...]:
    return (
        "DROP TABLE IF EXISTS article_fts",
        "CREATE VIRTUAL TABLE article_fts USING fts5("
        f"title, text, content='article', content_rowid='id', prefix='{prefix}', "
        "detail=column, tokenize='unicode61 remove_diacritics 0')",
        "INSERT INTO article_fts(article_fts) VALUES ('rebuild')",
    )


def _run(statements: tuple[str, ...]) -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    for statement in statements:
        connection.exec_driver_sql(statement)


def upgrade() -> None:
    _run(_fts_table("1 2 3 4 5"))


def downgrade() -> None:
    _run(_fts_table("1 2 3"))
