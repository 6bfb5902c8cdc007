"""Schema revisions: new databases are at head, the migrations build exactly the models,
and a database from a newer redline is refused with one clear line."""

from __future__ import annotations

import os
import random
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
from storage.errors import DatabaseDamaged, DatabaseError, DatabaseTooNew
from storage.migrations import HEAD_REVISION, KNOWN_REVISIONS
from storage.migrations.runner import alembic_config, script_head
from storage.search import include_object

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
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_object": include_object,
            },
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


# -- issue 18, item 16: `db upgrade` on what is not (or no longer) a redline database -------


def _tables(location: Path) -> set[str]:
    with sqlite3.connect(location) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert line.startswith("redline: error: ") and "\n" not in line, result.stderr
    return " ".join(line.split())


def test_upgrade_refuses_a_foreign_database_and_leaves_it_alone(tmp_path: Path) -> None:
    location = tmp_path / "other.db"
    with sqlite3.connect(location) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    line = _one_line(redline("--db", str(location), "db", "upgrade", cwd=tmp_path))
    assert "not a redline database: it has tables (customers, invoices)" in line
    assert "no redline revision" in line
    assert _tables(location) == {"invoices", "customers"}
    stamped = _one_line(redline("--db", str(location), "db", "upgrade", "--stamp", cwd=tmp_path))
    assert "not a redline database" in stamped
    assert _tables(location) == {"invoices", "customers"}


def test_foreign_alembic_database_is_not_called_newer(tmp_path: Path) -> None:
    location = tmp_path / "alembic_app.db"
    with sqlite3.connect(location) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('abc123')")
        connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    with pytest.raises(DatabaseError, match=r"not a redline database: it has tables \(orders\)"):
        open_db(str(location))
    assert "not a redline database" in _one_line(
        redline("--db", str(location), "db", "upgrade", cwd=tmp_path)
    )


def test_missing_revision_row_is_explained_and_can_be_stamped(tmp_path: Path) -> None:
    location = tmp_path / "unstamped.db"
    open_db(str(location)).dispose()
    with sqlite3.connect(location) as connection:
        connection.execute("DELETE FROM alembic_version")
    with pytest.raises(DatabaseError, match="no schema revision") as caught:
        open_db(str(location))
    assert "--stamp" in str(caught.value)
    line = _one_line(redline("--db", str(location), "db", "upgrade", cwd=tmp_path))
    assert "already exists" not in line
    assert "has redline's tables but no schema revision" in line and "--stamp" in line
    stamped = redline("--db", str(location), "db", "upgrade", "--stamp", cwd=tmp_path)
    assert (stamped.returncode, stamped.stderr) == (0, "")
    database = open_db(str(location))
    try:
        assert database.current_revision() == HEAD_REVISION
    finally:
        database.dispose()
    again = _one_line(redline("--db", str(location), "db", "upgrade", "--stamp", cwd=tmp_path))
    assert "already records revision" in again


def test_partial_redline_tables_without_revision_are_not_stamped(tmp_path: Path) -> None:
    location = tmp_path / "partial.db"
    open_db(str(location)).dispose()
    with sqlite3.connect(location) as connection:
        connection.execute("DROP TABLE alembic_version")
        connection.execute("DROP TABLE topicassignment")
    line = _one_line(redline("--db", str(location), "db", "upgrade", "--stamp", cwd=tmp_path))
    assert "table topicassignment is missing" in line and "restore it from a backup" in line
    assert "alembic_version" not in _tables(location)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("DROP TABLE span", "table span is missing"),
        ("ALTER TABLE figure DROP COLUMN unit", "table figure lacks unit"),
    ],
)
def test_schema_not_matching_its_revision_is_not_up_to_date(
    tmp_path: Path, damage: str, expected: str
) -> None:
    location = tmp_path / "dropped.db"
    open_db(str(location)).dispose()
    with sqlite3.connect(location) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute(damage)
    with pytest.raises(DatabaseError, match=f"does not match its schema revision.*{expected}"):
        open_db(str(location))
    for command_line in (["db", "upgrade"], ["list"]):
        line = _one_line(redline("--db", str(location), *command_line, cwd=tmp_path))
        assert "up to date" not in line
        assert f"does not match its schema revision {HEAD_REVISION}: {expected}" in line


def test_postgres_schema_not_matching_its_revision_is_refused(postgres_url: str) -> None:
    from tests.storage.test_faults import fresh_postgres

    with fresh_postgres() as url:
        open_db(url).dispose()
        database = open_db(url, migrate=False)
        try:
            with database.engine.begin() as connection:
                connection.execute(text("DROP TABLE topicassignment CASCADE"))
            with pytest.raises(DatabaseError, match="table topicassignment is missing"):
                database.migrate()
            with pytest.raises(DatabaseError, match="table topicassignment is missing"):
                open_db(url)
        finally:
            database.dispose()


# -- issue 18, item 17: a damaged SQLite file is refused on open --------------------------


def damaged_database(location: Path, *, keep_page_header: bool = False) -> Path:
    """A redline database with garbage over one overflow page of a long article's text.

    ``keep_page_header`` leaves the page's next-page pointer intact: the structure
    checks out (``quick_check`` says ok) but the text is no longer UTF-8.
    """
    from storage.articles import add_article
    from tests.storage.test_repository import Parsed

    database = open_db(str(location))
    add_article(database, Parsed(" ".join(f"word{i}" for i in range(20_000)), title="Long"))
    add_article(database, Parsed("A short article about Astana.", title="Short"))
    database.dispose()
    with sqlite3.connect(location) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        try:
            page = connection.execute(
                "SELECT pageno FROM dbstat WHERE name = 'article' AND pagetype = 'overflow' "
                "ORDER BY pageno LIMIT 1 OFFSET 5"
            ).fetchone()[0]
        except sqlite3.OperationalError:  # SQLite built without dbstat
            pytest.skip("this SQLite has no dbstat table to find an overflow page")
    skip = 4 if keep_page_header else 0
    with open(location, "r+b") as file:
        file.seek((page - 1) * page_size + skip)
        file.write(random.Random(89).randbytes(page_size - skip))
    return location


def test_damaged_database_is_refused_on_open(tmp_path: Path) -> None:
    location = damaged_database(tmp_path / "damaged.db")
    with pytest.raises(DatabaseDamaged) as caught:
        open_db(str(location))
    message = str(caught.value)
    assert message.startswith("database is damaged: ") and "\n" not in message
    assert "not a redline database" not in message


def test_undecodable_rows_read_as_damage_not_a_traceback(tmp_path: Path) -> None:
    from storage import queries

    location = damaged_database(tmp_path / "garbled.db", keep_page_header=True)
    database = open_db(str(location))  # the page structure is intact
    try:
        long_id = min(queries.article_ids(database))
        with pytest.raises(DatabaseDamaged, match=r"database is damaged: .*UTF-8") as caught:
            queries.get_article(database, long_id)
        assert "word1" not in str(caught.value)  # the row's text is not in the message
    finally:
        database.dispose()


def test_translate_damage_turns_driver_lookup_errors_into_damage() -> None:
    """What a garbage row does to SQLAlchemy's row lookups (``KeyError: 89``), and what not."""
    from sqlalchemy import create_engine

    from storage.db_health import translate_damage

    engine = create_engine("sqlite://")
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT 1 AS a")).one()
        with pytest.raises(DatabaseDamaged, match=r"^database is damaged: x\.db: unreadable row"):
            with translate_damage("x.db"):
                row._mapping[89]
        with pytest.raises(DatabaseDamaged, match="IndexError"):
            with translate_damage("x.db"):
                row[5]
    finally:
        engine.dispose()
    with pytest.raises(KeyError):  # redline's own KeyError stays a bug, not "damage"
        with translate_damage("x.db"):
            {}[89]


def test_empty_postgres_database_is_only_created_when_asked(postgres_url: str) -> None:
    from storage.errors import NoDatabase
    from tests.storage.test_faults import fresh_postgres

    with fresh_postgres() as url:
        with pytest.raises(NoDatabase, match="is an empty database; run `redline import`"):
            open_db(url, create=False)
        database = open_db(url, migrate=False)
        try:
            assert database.is_empty()
        finally:
            database.dispose()
        open_db(url).dispose()
        database = open_db(url, create=False)
        try:
            assert database.current_revision() == HEAD_REVISION
        finally:
            database.dispose()


def test_a_garbage_value_reads_as_damage(tmp_path: Path) -> None:
    """A value SQLAlchemy cannot convert (a date of NUL bytes) passes quick_check."""
    from storage import queries
    from storage.articles import add_article
    from tests.storage.test_repository import Parsed

    location = tmp_path / "garbage.db"
    database = open_db(str(location))
    article_id = add_article(database, Parsed("Text about trade.", title="Dated")).article_id
    database.dispose()
    with sqlite3.connect(location) as connection:
        connection.execute("UPDATE article SET published = ? WHERE id = ?", ("\0" * 10, article_id))
    database = open_db(str(location))
    try:
        with pytest.raises(DatabaseDamaged, match=r"^database is damaged: .*unreadable row"):
            queries.get_article(database, article_id)
    finally:
        database.dispose()


def _count_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import storage.db

    calls: list[str] = []
    check = storage.db.quick_check

    def counting(connection, where):  # type: ignore[no-untyped-def]
        calls.append(where)
        check(connection, where)

    monkeypatch.setattr(storage.db, "quick_check", counting)
    return calls


def test_an_unchanged_database_is_not_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``quick_check`` reads the whole file on every open (0.35-0.5 s at 220 MB): a pass is
    remembered for the file's inode, size and mtime (and its WAL's) until another program
    changes it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    location = tmp_path / "big.db"
    open_db(str(location)).dispose()  # created, checked, remembered at close
    calls = _count_checks(monkeypatch)
    open_db(str(location)).dispose()
    open_db(str(location), create=False).dispose()
    assert calls == []
    with sqlite3.connect(location) as connection:  # another program writes
        connection.execute("UPDATE article SET title = title")
        connection.execute("CREATE TABLE other_tool (id INTEGER)")
    connection.close()
    open_db(str(location)).dispose()
    assert calls == [str(location)]
    database = open_db(str(location))
    database.check_intact(cached=False)
    database.dispose()
    assert len(calls) == 2


def test_damage_after_a_remembered_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    location = tmp_path / "damaged.db"
    damaged_database(location)  # opened (and its check remembered) before the damage
    calls = _count_checks(monkeypatch)
    with pytest.raises(DatabaseDamaged):
        open_db(str(location))
    assert calls == [str(location)]


def test_an_unreadable_check_cache_only_means_checking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    location = tmp_path / "plain.db"
    open_db(str(location)).dispose()
    open_db(str(location)).dispose()  # the check of the created file is remembered
    (cache / "redline" / "checked.json").write_text("{not json")
    calls = _count_checks(monkeypatch)
    open_db(str(location)).dispose()
    open_db(str(location)).dispose()
    assert calls == [str(location)]  # checked, then remembered again


def test_upgrade_indexes_the_articles_of_a_0002_database(db: Database) -> None:
    """``redline db upgrade`` from 0002 builds the search index over the articles already there."""
    from sqlalchemy import insert

    from storage import queries
    from storage.articles import add_article
    from storage.models import Article, utcnow
    from tests.storage.test_repository import Parsed

    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002_sessions")
    rows = [
        {
            "sha256": title * 8,
            "title": title,
            "text": text,
            "length": len(text),
            "lang": "en",
            "meta": {},
            "created_at": utcnow(),
        }
        for title, text in [("Tariffs", "Trade talks in Astana."), ("Rain", "Wet week ahead.")]
    ]
    with db.engine.begin() as connection:  # as a 0002 program stored them (no announcement)
        table = Article.__table__  # type: ignore[attr-defined]
        old = list(connection.execute(insert(table).returning(table.c.id), rows).scalars())
    assert db.migrate() == ("0002_sessions", HEAD_REVISION)
    found = [row.id for row in queries.list_articles(db, "ana", queries.LibraryQuery("astan"))]
    assert found == [old[0]]
    assert queries.count_articles(db, "ana", "week wet") == 1  # words, not one substring
    new = add_article(db, Parsed("Astana again.", title="Later")).article_id
    assert queries.count_articles(db, "ana", "astana") == 2
    if db.is_sqlite:  # the index holds exactly the rows of article
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO article_fts(article_fts, rank) VALUES ('integrity-check', 1)"
            )
    else:
        columns = {column["name"] for column in inspect(db.engine).get_columns("article")}
        assert "search_vector" in columns
    assert new not in old


def _problems_after(database: Database, drop: str) -> list[str]:
    """``schema_problems`` with ``drop`` run in a transaction that is rolled back."""
    from storage.db_health import schema_problems

    with database.engine.connect() as connection:
        transaction = connection.begin()
        assert schema_problems(connection) == []
        connection.exec_driver_sql(drop)
        problems = schema_problems(connection)
        transaction.rollback()
    assert database.schema_problems() == []
    return problems


def test_a_database_that_lost_its_search_index_is_not_up_to_date(db: Database) -> None:
    if db.is_sqlite:
        problems = _problems_after(db, "DROP TABLE article_fts")
        assert problems == ["search index article_fts is missing"]
    else:
        problems = _problems_after(db, "ALTER TABLE article DROP COLUMN search_vector")
        assert problems == ["article lacks search_vector"]


def test_a_database_that_lost_a_search_trigger_is_not_up_to_date(sqlite_db: Database) -> None:
    """Without its triggers the index would silently fall out of step with the articles."""
    problems = _problems_after(sqlite_db, "DROP TRIGGER article_fts_delete")
    assert problems == ["search index triggers article_fts_delete are missing"]


def test_a_file_changed_only_by_this_program_is_remembered_at_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app writes (sessions, labels) every time it runs: without this, every start
    after one would read the whole file again."""
    from storage.articles import add_article
    from tests.storage.test_repository import Parsed

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    location = tmp_path / "app.db"
    open_db(str(location)).dispose()
    database = open_db(str(location))
    calls = _count_checks(monkeypatch)
    add_article(database, Parsed("Written by this program.", title="Ours"))
    database.dispose()
    open_db(str(location)).dispose()
    assert calls == []
    other = tmp_path / "other.db"
    open_db(str(other)).dispose()
    calls.clear()
    replaced = open_db(str(location))  # the file is swapped for another while open
    os.replace(other, location)
    replaced.dispose()  # must not vouch for a file it never checked
    open_db(str(location)).dispose()
    assert calls == [str(location)]
