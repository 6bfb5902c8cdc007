"""Schema revisions: new databases are at head, the migrations build exactly the models,
and a database from a newer redline is refused with one clear line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table on SQLModel.metadata)
from storage.db import Database, open_db
from storage.errors import DatabaseError, DatabaseTooNew
from storage.migrations import HEAD_REVISION, KNOWN_REVISIONS
from storage.migrations.runner import alembic_config, script_head

ROOT = Path(__file__).resolve().parents[2]
FUTURE = "9999_future"


def redline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess, without the developer's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def test_head_revision_constant_matches_the_scripts() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert HEAD_REVISION == script_head()
    assert KNOWN_REVISIONS == {revision.revision for revision in scripts.walk_revisions()}


def test_fresh_database_is_at_head(db: Database) -> None:
    assert db.current_revision() == HEAD_REVISION


def test_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, SQLModel.metadata) == []


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    database = open_db(str(tmp_path / "round.db"))
    try:
        config = alembic_config()
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        assert database.upgrade() == HEAD_REVISION
        assert database.current_revision() == HEAD_REVISION
    finally:
        database.dispose()


def _stamp_future(location: Path) -> None:
    open_db(str(location)).dispose()
    with sqlite3.connect(location) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (FUTURE,))


def test_newer_database_is_refused(tmp_path: Path) -> None:
    location = tmp_path / "future.db"
    _stamp_future(location)
    with pytest.raises(DatabaseTooNew) as caught:
        open_db(str(location))
    message = str(caught.value)
    assert FUTURE in message and "newer" in message and "upgrade redline" in message
    assert "\n" not in message


def test_newer_postgres_database_is_refused(postgres_url: str) -> None:
    database = open_db(postgres_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": FUTURE})
        with pytest.raises(DatabaseTooNew, match=FUTURE):
            open_db(postgres_url)
    finally:
        with database.engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :v"), {"v": HEAD_REVISION}
            )
        database.dispose()


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    location = tmp_path / "other.db"
    with sqlite3.connect(location) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(DatabaseError, match="not a redline database"):
        open_db(str(location))


@pytest.mark.parametrize("command_line", [["list"], ["db", "upgrade"]])
def test_cli_refuses_a_newer_database_in_one_line(tmp_path: Path, command_line: list[str]) -> None:
    location = tmp_path / "future.db"
    _stamp_future(location)
    result = redline("--db", str(location), *command_line, cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("redline: error: ")
    assert FUTURE in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr


def test_cli_db_upgrade_creates_a_new_database(tmp_path: Path) -> None:
    location = tmp_path / "created.db"
    result = redline("--db", str(location), "db", "upgrade", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert HEAD_REVISION in result.stdout
    # Rich wraps stdout at the terminal width, so compare words, not lines.
    database = open_db(str(location))
    try:
        assert database.current_revision() == HEAD_REVISION
    finally:
        database.dispose()
    again = redline("--db", str(location), "db", "upgrade", cwd=tmp_path)
    assert again.returncode == 0 and "up to date" in " ".join(again.stdout.split())
