"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

PostgreSQL runs against 127.0.0.1:5432 (database ``test``, user ``postgres``),
in a database created for this test session and dropped afterwards. Without a
reachable server the PostgreSQL cases are skipped locally and fail under CI.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

from storage.db import Database, open_db

PG_ADMIN_URL = os.environ.get(
    "REDLINE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_articles"


def terminate_backends(database_name: str, pid: int | None = None) -> int:
    """End the server backends of ``database_name`` (or just ``pid``), as a server restart
    would; waits until they are gone and gives how many there were."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid() "
                        "AND (CAST(:pid AS integer) IS NULL OR pid = :pid)"
                    ),
                    {"name": database_name, "pid": pid},
                ).all()
            )
    finally:
        admin.dispose()


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's redline.toml, database or annotator."""
    for name in ("REDLINE_DB", "REDLINE_ANNOTATOR", "REDLINE_SCHEMA", "REDLINE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REDLINE_ANNOTATOR", "tester")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    name = f"redline_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL unreachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _clear_postgres(database: Database) -> None:
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated redline database on each backend."""
    if request.param == "sqlite":
        database = open_db(str(tmp_path / "redline.db"))
    else:
        database = open_db(request.getfixturevalue("postgres_url"))
        _clear_postgres(database)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = open_db(str(tmp_path / "redline.db"))
    yield database
    database.dispose()
