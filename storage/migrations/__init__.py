"""Alembic migrations for the redline schema.

``HEAD_REVISION`` lets ``open_db`` check a database's revision without
importing Alembic at start-up; a test asserts it matches the scripts.
"""

from __future__ import annotations

HEAD_REVISION = "0006_search_prefixes"
KNOWN_REVISIONS = frozenset(
    {
        "0001_initial",
        "0002_sessions",
        "0003_search",
        "0004_assignment",
        "0005_announcement",
        "0006_search_prefixes",
    }
)
