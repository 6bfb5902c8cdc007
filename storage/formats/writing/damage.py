"""Rows that refer to rows that are not there: a damaged database, said in one line.

:meth:`storage.db.Database.reading` turns what SQLite and SQLAlchemy raise on a
damaged file (malformed pages, undecodable text, a date of NUL bytes) into
:class:`~storage.errors.DatabaseDamaged`. What it cannot see is a row the
export looks up by an id another row holds (an article, annotator or entity
lost with a damaged b-tree page): a plain ``KeyError`` in redline's own code.
:func:`present` makes that damage too, instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage.db_health import damaged


def present(table: Mapping[Any, Any], key: Any, what: str, where: str) -> Any:
    """``table[key]``; a key the database refers to but does not hold means it is damaged."""
    try:
        return table[key]
    except KeyError:
        raise damaged(where, f"{what} {key} is referred to but missing") from None
