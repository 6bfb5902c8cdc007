"""A damaged database met while exporting: one "database is damaged: …" line, no traceback.

:meth:`storage.db.Database.reading` turns SQLite's own corruption errors into
:class:`~storage.errors.DatabaseDamaged`. A damaged file can still pass
``PRAGMA quick_check`` and hold rows that SQLAlchemy cannot convert (an
overwritten overflow page gives a date of NUL bytes: ``ValueError``) or rows
that refer to an article, annotator or entity that is not there (a
``KeyError`` in the export's own lookups). These helpers make both damage too.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storage.db_health import damaged, first_line


def present(table: Mapping[Any, Any], key: Any, what: str, where: str) -> Any:
    """``table[key]``; a key the database refers to but does not hold means it is damaged."""
    try:
        return table[key]
    except KeyError:
        raise damaged(where, f"{what} {key} is referred to but missing") from None


@contextmanager
def unreadable_rows_are_damage(where: str) -> Iterator[None]:
    """A value SQLAlchemy cannot convert (``ValueError`` in its result processing) is damage."""
    try:
        yield
    except ValueError as exc:
        if not _raised_in_sqlalchemy(exc):
            raise
        raise damaged(where, f"unreadable row ({first_line(str(exc))})") from exc


def _raised_in_sqlalchemy(exc: BaseException) -> bool:
    """Whether SQLAlchemy's code is on the way to the raise (it was converting a row)."""
    tb: types.TracebackType | None = exc.__traceback__
    while tb is not None:
        if "sqlalchemy" in Path(tb.tb_frame.f_code.co_filename).parts:
            return True
        tb = tb.tb_next
    return False
