"""Looking at a SQLite file never drops this process's locks on it.

Closing any descriptor of a file releases every POSIX lock the process holds on
it, SQLite's included; another program that then closes its own connection
takes itself for the last one, checkpoints and deletes the WAL this process is
still writing to — and those writes are lost (``check_file`` refuses them).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from storage.articles import add_articles
from storage.db import open_db
from storage.db_health import FileIdentity, is_sqlite_file
from storage.importers import read_articles
from storage.repository import Repository
from tests.conftest import SAMPLES

CLOSE_ANOTHER_CONNECTION = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("SELECT count(*) FROM article").fetchone()
connection.close()
"""


def test_checking_the_header_keeps_the_wal_of_open_connections(tmp_path: Path) -> None:
    path = tmp_path / "redline.db"
    database = open_db(str(path))
    try:
        [added] = add_articles(database, read_articles(SAMPLES / "kazakhstan-eu-kallas.md"))
        assert added.article_id == 1
        repository = Repository(database, "ana")
        repository.add_span(1, 0, 5, "PERSON")
        wal = FileIdentity.of(f"{path}-wal")
        assert wal is not None
        assert is_sqlite_file(path)
        subprocess.run([sys.executable, "-c", CLOSE_ANOTHER_CONNECTION, str(path)], check=True)
        assert FileIdentity.of(f"{path}-wal") == wal  # the other program knew it was not the last
        repository.add_span(1, 6, 10, "PERSON")  # acknowledged, so it must be in the file
        repository.end_session()
    finally:
        database.dispose()
    reopened = open_db(str(path))
    try:
        with reopened.engine.connect() as connection:
            starts = connection.execute(text("SELECT start FROM span ORDER BY start")).scalars()
            assert list(starts) == [0, 6]
    finally:
        reopened.dispose()
