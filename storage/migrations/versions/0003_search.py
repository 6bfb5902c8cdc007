"""search: a full-text index over article titles and texts

Revision ID: 0003_search
Revises: 0002_sessions
Create Date: 2026-12-01 21:00:00

SQLite: an FTS5 table ``article_fts`` with ``content='article'`` (the index
only; the text stays in ``article``), prefix indexes of 1 to 3 characters for
search-as-you-type, ``detail=column`` (no word positions: no phrase queries are
made, and the index is 2.6x smaller), three triggers that keep it in step with
``article``, and an index of titles alone for title substring searches.
The ``rebuild`` command indexes the articles an existing database already
has. Accents are kept (``remove_diacritics 0``), as PostgreSQL's ``simple``
configuration and the LIKE search before the index keep them. A later
migration that rebuilds ``article`` in batch mode (SQLite's "move and copy")
drops these triggers and must create them again.

PostgreSQL: a stored generated ``tsvector`` column (adding it computes it for
every existing row) with a GIN index, and, when ``pg_trgm`` can be created
(it needs the right to), a trigram index on ``lower(title)`` for title
substring searches; without the extension, search uses the tsvector alone.

The DDL is written out here, not imported, so this revision keeps doing what
it did when later code changes.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0003_search"
down_revision = "0002_sessions"
branch_labels = None
depends_on = None

SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE article_fts USING fts5("
    "title, text, content='article', content_rowid='id', prefix='1 2 3', detail=column, "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE INDEX ix_article_title_scan ON article (title)",
    "CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN "
    "INSERT INTO article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN "
    "INSERT INTO article_fts(article_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER article_fts_update AFTER UPDATE OF id, title, text ON article BEGIN "
    "INSERT INTO article_fts(article_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO article_fts(article_fts) VALUES ('rebuild')",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS article_fts_update",
    "DROP TRIGGER IF EXISTS article_fts_delete",
    "DROP TRIGGER IF EXISTS article_fts_insert",
    "DROP TABLE IF EXISTS article_fts",
    "DROP INDEX IF EXISTS ix_article_title_scan",
)
POSTGRES_UPGRADE = (
    "ALTER TABLE article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, title || ' ' || text)) STORED",
    "CREATE INDEX ix_article_search ON article USING gin (search_vector)",
)
POSTGRES_TRIGRAM = (
    "CREATE INDEX ix_article_title_trgm ON article USING gin (lower(title) gin_trgm_ops)"
)
POSTGRES_DOWNGRADE = (
    "DROP INDEX IF EXISTS ix_article_title_trgm",
    "DROP INDEX IF EXISTS ix_article_search",
    "ALTER TABLE article DROP COLUMN IF EXISTS search_vector",
)


def _create_trigram_extension() -> bool:
    """``CREATE EXTENSION IF NOT EXISTS pg_trgm`` in a savepoint: False when not allowed."""
    connection = op.get_bind()
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError:
        return False
    return True


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_UPGRADE:
            connection.exec_driver_sql(statement)
        return
    for statement in POSTGRES_UPGRADE:
        connection.exec_driver_sql(statement)
    if _create_trigram_extension():
        connection.exec_driver_sql(POSTGRES_TRIGRAM)


def downgrade() -> None:
    connection = op.get_bind()
    statements = SQLITE_DOWNGRADE if connection.dialect.name == "sqlite" else POSTGRES_DOWNGRADE
    for statement in statements:
        connection.exec_driver_sql(statement)
