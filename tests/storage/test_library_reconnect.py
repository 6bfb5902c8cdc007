"""The library's page reads on PostgreSQL (issue 16): outside a transaction, on a pool
without pre-ping (``Database.read_statements``), and still recovering from a connection
the server dropped. SQLite reads them as before, inside one read transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage import queries
from storage.articles import add_article
from storage.db import Database, open_db
from storage.errors import DatabaseError
from storage.queries import LibraryQuery
from tests.conftest import _clear_postgres, terminate_backends
from tests.storage.test_repository import Parsed

SECOND_STATEMENT_IN_ITS_OWN_TRANSACTION = text(
    "SELECT transaction_timestamp() = statement_timestamp()"
)


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Database]:
    database = open_db(postgres_url)
    _clear_postgres(database)  # the session's database: other tests' articles are in it
    yield database
    database.dispose()


def _own_transaction(connection: Connection) -> bool:
    """Whether a second statement starts a transaction of its own (no BEGIN around both)."""
    connection.execute(text("SELECT 1"))
    return bool(connection.execute(SECOND_STATEMENT_IN_ITS_OWN_TRANSACTION).scalar_one())


def test_postgres_page_reads_run_outside_a_transaction(pg: Database) -> None:
    assert pg.read_statements(_own_transaction) is True
    with pg.reading() as session:  # the control: a read session is one transaction
        assert _own_transaction(session.connection()) is False


def test_sqlite_page_reads_stay_in_one_read_transaction(tmp_path: Path) -> None:
    database = open_db(str(tmp_path / "redline.db"))
    try:
        assert database.read_statements(lambda c: c.in_transaction()) is True
    finally:
        database.dispose()


def test_a_page_read_after_the_server_dropped_its_connection_recovers(pg: Database) -> None:
    ids = [
        add_article(pg, Parsed(f"trade talks {i}", title=f"Trade {i}")).article_id for i in (1, 2)
    ]
    before = queries.list_articles(pg, "ana", LibraryQuery(search="trade"))
    assert [row.id for row in before] == ids
    assert terminate_backends(pg.url.database) >= 1  # the pooled page connection among them
    calls: list[int] = []

    def read(connection: Connection) -> list[int]:
        calls.append(1)
        return [row.id for row in connection.execute(text("SELECT id FROM article ORDER BY id"))]

    assert pg.read_statements(read) == ids
    # The first attempt met the dropped connection, in ``read`` or (when the driver had
    # already seen the server's goodbye) on checkout, before ``read`` ran.
    attempts = len(calls)
    assert attempts in (1, 2)
    terminate_backends(pg.url.database)
    assert queries.list_articles(pg, "ana", LibraryQuery(search="trade")) == before
    assert pg.read_statements(read) == ids
    assert len(calls) == attempts + 1  # a fresh pool: no retry


def test_a_failing_read_is_not_retried_and_says_one_line(pg: Database) -> None:
    calls: list[int] = []

    def read(connection: Connection) -> None:
        calls.append(1)
        connection.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(DatabaseError) as raised:
        pg.read_statements(read)
    assert len(calls) == 1
    assert "\n" not in str(raised.value)
