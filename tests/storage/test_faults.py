"""Fault injection: whatever breaks under a running redline, an action that returned
without error ("acknowledged") is in the database afterwards, and one that failed is
not. Each case performs ``ACTIONS`` span additions through ``Repository``, breaks
the database for some of them, then re-opens it and compares.

What works as root here (tests run as root, where ``chmod 444`` stops nothing):
``chattr +i`` makes a file read-only even for root (ext4, needs CAP_LINUX_IMMUTABLE);
``mount -t tmpfs -o size=…`` gives a small disk that fills up (CAP_SYS_ADMIN). Where
either is missing, the read-only case is skipped and disk-full falls back to
``PRAGMA max_page_count``, which fails writes with the same SQLITE_FULL.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from storage import queries
from storage.articles import add_article
from storage.db import Database, open_db
from storage.errors import DatabaseGone, NoDatabase, StorageError
from storage.repository import Repository
from tests.conftest import PG_ADMIN_URL, terminate_backends
from tests.storage.test_repository import Parsed

ACTIONS = 12
WORDS = [f"w{i:02d}" for i in range(ACTIONS)]
TEXT = " ".join(WORDS) + "."
Range = tuple[int, int]


def word(index: int) -> Range:
    start = index * 4
    return start, start + 3


def act(
    repository: Repository, article_id: int, indices: range, errors: list[str]
) -> set[Range]:
    """Label words ``indices``; the ranges whose call returned are the acknowledged ones."""
    acknowledged: set[Range] = set()
    for index in indices:
        start, end = word(index)
        try:
            repository.add_span(article_id, start, end, "PERSON")
        except StorageError as exc:
            errors.append(str(exc))
        else:
            acknowledged.add((start, end))
    return acknowledged


def present(location: str, article_id: int) -> set[Range]:
    """The spans stored, read through a fresh ``open_db`` (nothing cached)."""
    database = open_db(location, create=False)
    try:
        return {(span.start, span.end) for span in queries.spans_for(database, article_id, "ana")}
    finally:
        database.dispose()


def seeded(location: str, **options: int) -> tuple[Database, Repository, int]:
    database = open_db(location, **options)  # type: ignore[arg-type]
    article_id = add_article(database, Parsed(TEXT)).article_id
    return database, Repository(database, "ana"), article_id


def assert_one_line_each(errors: list[str], fragment: str) -> None:
    assert errors, "the fault made no action fail"
    for message in errors:
        assert "\n" not in message and fragment in message, message


# -- SQLite: another program holds the write lock ---------------------------------------


def test_locked_database_fails_within_the_busy_timeout(tmp_path: Path) -> None:
    location = str(tmp_path / "locked.db")
    database, repository, article_id = seeded(location, busy_timeout_ms=150)
    errors: list[str] = []
    acknowledged = act(repository, article_id, range(0, 4), errors)
    other = sqlite3.connect(location, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    waits = []
    for index in range(4, 8):
        began = time.monotonic()
        acknowledged |= act(repository, article_id, range(index, index + 1), errors)
        waits.append(time.monotonic() - began)
    other.execute("ROLLBACK")
    other.close()
    acknowledged |= act(repository, article_id, range(8, ACTIONS), errors)
    database.dispose()

    assert_one_line_each(errors, "is locked by another program")
    assert len(errors) == 4
    # It waited for the lock (the timeout), then gave up well before the 10 s default.
    assert min(waits) >= 0.1 and max(waits) < 2.0, waits
    assert acknowledged == {word(i) for i in [*range(0, 4), *range(8, ACTIONS)]}
    assert present(location, article_id) == acknowledged


# -- SQLite: a read-only file, made writable again ---------------------------------------


def _chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@pytest.fixture
def immutable(tmp_path: Path) -> Iterator[Callable[[Path, bool], None]]:
    """``set(path, True)`` makes a file read-only even for root; undone at teardown."""
    touched: list[Path] = []

    def set_read_only(path: Path, read_only: bool) -> None:
        if not _chattr("+i" if read_only else "-i", path):
            pytest.skip("chattr +i is not available here (needs ext4 and CAP_LINUX_IMMUTABLE)")
        touched.append(path)

    yield set_read_only
    for path in touched:
        _chattr("-i", path)


def test_read_only_database_recovers_without_a_restart(
    tmp_path: Path, immutable: Callable[[Path, bool], None]
) -> None:
    location = tmp_path / "readonly.db"
    database, repository, article_id = seeded(str(location))
    # The running app's connections are closed (idle, or after an error); the file
    # turns read-only before the next action opens one.
    database.reconnect()
    immutable(location, True)
    errors: list[str] = []
    acknowledged = act(repository, article_id, range(0, 4), errors)
    assert_one_line_each(errors, "is read-only")
    assert all(message.endswith("nothing was saved") for message in errors)
    assert acknowledged == set()

    immutable(location, False)
    # The same Database, no restart: the next action opens a connection that can write.
    acknowledged |= act(repository, article_id, range(4, ACTIONS), errors)
    assert len(errors) == 4
    assert acknowledged == {word(i) for i in range(4, ACTIONS)}
    database.dispose()
    assert present(str(location), article_id) == acknowledged


# -- SQLite: the file deleted or replaced under a running redline -----------------------


@pytest.mark.parametrize("suffixes", [("", "-wal", "-shm"), ("",), ("-wal",)])
def test_deleted_database_acknowledges_nothing_more(
    tmp_path: Path, suffixes: tuple[str, ...]
) -> None:
    location = tmp_path / "deleted.db"
    database, repository, article_id = seeded(str(location))
    errors: list[str] = []
    before = act(repository, article_id, range(0, 4), errors)
    assert before == {word(i) for i in range(4)} and errors == []
    for suffix in suffixes:
        Path(f"{location}{suffix}").unlink()

    after = act(repository, article_id, range(4, ACTIONS), errors)
    assert after == set()
    assert_one_line_each(errors, "was deleted or replaced; nothing was saved")
    with pytest.raises(DatabaseGone):
        Repository(database, "someone else")
    database.dispose()
    if "" in suffixes:
        assert not location.exists()  # and nothing re-created it
        with pytest.raises(NoDatabase, match=r"no database at .*; run `redline import`"):
            open_db(str(location), create=False)


def test_replaced_database_acknowledges_nothing_more(tmp_path: Path) -> None:
    location = tmp_path / "replaced.db"
    database, repository, article_id = seeded(str(location))
    errors: list[str] = []
    before = act(repository, article_id, range(0, 4), errors)
    # Someone restores "a copy" over the file: same content, another file.
    copy = tmp_path / "copy.db"
    with sqlite3.connect(location) as source, sqlite3.connect(copy) as target:
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        source.backup(target)
    original = tmp_path / "original.db"
    os.link(location, original)  # keeps the replaced file readable afterwards
    os.replace(copy, location)

    after = act(repository, article_id, range(4, ACTIONS), errors)
    database.dispose()  # checkpoints the WAL into the original file
    assert after == set()
    assert_one_line_each(errors, "was deleted or replaced")
    assert present(str(location), article_id) == before == {word(i) for i in range(4)}
    # Rolled back, not committed to the file nobody will open again.
    assert present(str(original), article_id) == before


# -- SQLite: the disk fills up -----------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A 2 MB tmpfs, or None where this process cannot mount one."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    mounted = (
        shutil.which("mount") is not None
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
            capture_output=True,
        ).returncode
        == 0
    )
    yield mount_point if mounted else None
    if mounted:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _fill(folder: Path) -> Path:
    """Write zeros until the file system refuses; the filler file is returned."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as file:
        try:
            while True:
                file.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def _limit_pages(database: Database) -> Callable[[], None]:
    """Fallback without tmpfs: the database may not grow by one page; returns the undo."""
    limited = [True]

    @event.listens_for(database.engine, "connect")
    def _cap(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        if limited[0]:
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    def lift() -> None:
        limited[0] = False
        database.reconnect()

    database.reconnect()
    return lift


def test_full_disk_loses_no_acknowledged_action(tmp_path: Path, small_disk: Path | None) -> None:
    folder = small_disk or tmp_path
    location = str(folder / "full.db")
    database, repository, article_id = seeded(location)
    errors: list[str] = []
    acknowledged = act(repository, article_id, range(0, 4), errors)
    if small_disk is not None:
        filler = _fill(small_disk)
        acknowledged |= act(repository, article_id, range(4, 8), errors)
        filler.unlink()
    else:
        lift = _limit_pages(database)
        acknowledged |= act(repository, article_id, range(4, 8), errors)
        lift()
    assert_one_line_each(errors, "the disk is full")
    acknowledged |= act(repository, article_id, range(8, ACTIONS), errors)
    database.dispose()
    assert {word(i) for i in [*range(0, 4), *range(8, ACTIONS)]} <= acknowledged
    assert present(location, article_id) == acknowledged


# -- PostgreSQL: the server drops the connection ------------------------------------------


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database of its own (its connections may be killed)."""
    name = f"redline_faults_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_dropped_postgres_connection_loses_no_acknowledged_action(postgres_url: str) -> None:
    with fresh_postgres() as url:
        name = url.rsplit("/", 1)[1]
        database, repository, article_id = seeded(url)
        errors: list[str] = []
        acknowledged = act(repository, article_id, range(0, 3), errors)
        assert terminate_backends(name) >= 1
        # Between actions: the pool notices the dead connection and opens another.
        acknowledged |= act(repository, article_id, range(3, 6), errors)
        assert errors == []

        def drop_before_commit(session: Session) -> None:
            pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            terminate_backends(name, int(pid or 0))

        event.listen(Session, "before_commit", drop_before_commit)
        try:
            acknowledged |= act(repository, article_id, range(6, 9), errors)
        finally:
            event.remove(Session, "before_commit", drop_before_commit)
        assert len(errors) == 3
        assert_one_line_each(errors, "nothing was saved")
        acknowledged |= act(repository, article_id, range(9, ACTIONS), errors)
        database.dispose()
        assert acknowledged == {word(i) for i in [*range(0, 6), *range(9, ACTIONS)]}
        assert present(url, article_id) == acknowledged


def test_locked_postgres_write_fails_within_the_lock_timeout(postgres_url: str) -> None:
    with fresh_postgres() as url:
        database, repository, article_id = seeded(url, busy_timeout_ms=200)
        errors: list[str] = []
        acknowledged = act(repository, article_id, range(0, 4), errors)
        other = create_engine(url)
        try:
            with other.connect() as connection:
                connection.execute(text("LOCK TABLE span IN EXCLUSIVE MODE"))
                began = time.monotonic()
                acknowledged |= act(repository, article_id, range(4, 8), errors)
                waited = time.monotonic() - began
                connection.rollback()
        finally:
            other.dispose()
        acknowledged |= act(repository, article_id, range(8, ACTIONS), errors)
        database.dispose()
        assert_one_line_each(errors, "is locked by another program")
        assert len(errors) == 4 and 0.8 <= waited < 8.0, waited
        assert acknowledged == {word(i) for i in [*range(0, 4), *range(8, ACTIONS)]}
        assert present(url, article_id) == acknowledged
