"""Alembic migrations for the redline schema.

``HEAD_REVISION`` lets ``open_db`` check a database's revision without
importing Alembic at start-up; a test asserts it matches the scripts.
"""

from __future__ import annotations

HEAD_REVISION = "0001_initial"
KNOWN_REVISIONS = frozenset({"0001_initial"})
