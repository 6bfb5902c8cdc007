"""Several processes on one SQLite file: no error reaches the user, nothing is lost.

The workers (``workers/write_spans.py``) wait on stdin so both start writing at
the same instant; each prints a span only after its transaction committed, so
every printed line is a write the user was told is saved.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import SAWarning
from sqlmodel import col, select

import storage.db
from storage import queries
from storage.articles import add_article
from storage.db import Database, open_db
from storage.models import Annotator, Article, Event, Span
from storage.repository import Repository, annotator_id
from tests.storage.test_repository import Parsed

WORKER = Path(__file__).parent / "workers" / "write_spans.py"
ROOT = Path(__file__).resolve().parents[2]
TEXTS = (
    "Kazakhstan and the EU agreed on raw materials; trade reached $49.7 billion.",
    "北京 and Astana signed 12 deals worth 3 bln 🇰🇿 euros in 2024, officials said.",
)
Written = tuple[int, int, int]  # span id, start, end


def start_worker(location: Path, annotator: str, body: str, count: int) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(location), annotator, body, str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert worker.stdout is not None
    assert worker.stdout.readline() == "ready\n", worker.stderr.read() if worker.stderr else ""
    return worker


def go(*workers: subprocess.Popen[str]) -> None:
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()  # left open: communicate() closes it


def parse(lines: str) -> list[Written]:
    return [tuple(int(part) for part in line.split()) for line in lines.splitlines()]  # type: ignore[misc]


def stored(database: Database) -> dict[str, dict[int, tuple[int, int]]]:
    """Spans per annotator name: id → (start, end)."""
    with database.reading() as session:
        rows = session.exec(
            select(Annotator.name, Span.id, Span.start, Span.end).join(
                Span, col(Span.annotator_id) == Annotator.id
            )
        ).all()
    result: dict[str, dict[int, tuple[int, int]]] = {}
    for name, span_id, start, end in rows:
        result.setdefault(name, {})[span_id] = (start, end)
    return result


def assert_consistent(database: Database) -> None:
    """The file is intact and every span came with its event (one transaction each)."""
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with database.reading() as session:
        spans = session.exec(select(func.count(Span.id))).one()
        events = session.exec(select(func.count(Event.id)).where(Event.action == "add_span")).one()
    assert spans == events


@pytest.mark.parametrize(
    ("fresh", "same_article"),
    [(False, False), (True, True)],
    ids=["own-articles", "same-article-new-file"],
)
def test_two_writers_lose_nothing(tmp_path: Path, fresh: bool, same_article: bool) -> None:
    location = tmp_path / "shared.db"
    if not fresh:
        open_db(str(location)).dispose()
    bodies = (TEXTS[0], TEXTS[0]) if same_article else TEXTS
    workers = [start_worker(location, f"writer{n}", body, 200) for n, body in enumerate(bodies)]
    go(*workers)
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert (worker.returncode, stderr) == (0, "")

    database = open_db(str(location))
    try:
        found = stored(database)
        for n, (stdout, _) in enumerate(outputs):
            acknowledged = parse(stdout)
            assert len(acknowledged) == 200
            assert {span_id: (s, e) for span_id, s, e in acknowledged} == found[f"writer{n}"]
        with database.reading() as session:
            articles = session.exec(select(func.count(Article.id))).one()
        assert articles == (1 if same_article else 2)
        assert_consistent(database)
    finally:
        database.dispose()


def test_killed_writer_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    """SIGKILL in the middle of a burst: what was acknowledged is there, the file is intact,
    and the other writer, waiting on the lock, finishes without an error."""
    location = tmp_path / "killed.db"
    open_db(str(location)).dispose()
    victim = start_worker(location, "victim", TEXTS[0], 1_000_000)
    survivor = start_worker(location, "survivor", TEXTS[1], 300)
    go(victim, survivor)
    assert victim.stdout is not None
    acknowledged: list[str] = []
    while len(acknowledged) < 100:
        line = victim.stdout.readline()
        assert line, victim.stderr.read() if victim.stderr else "worker ended early"
        acknowledged.append(line)
    os.kill(victim.pid, signal.SIGKILL)
    rest, _ = victim.communicate(timeout=60)  # lines already in the pipe were acknowledged too
    assert victim.returncode == -signal.SIGKILL
    survivor_out, survivor_err = survivor.communicate(timeout=120)
    assert (survivor.returncode, survivor_err) == (0, "")

    database = open_db(str(location))
    try:
        found = stored(database)
        victim_writes = parse("".join(acknowledged) + rest)
        assert len(victim_writes) >= 100
        for span_id, start, end in victim_writes:
            assert found["victim"].get(span_id) == (start, end)
        # At most the one write in flight at the kill may be stored without its line printed.
        assert len(found["victim"]) - len(victim_writes) in (0, 1)
        assert len(found["survivor"]) == len(parse(survivor_out)) == 300
        assert_consistent(database)
    finally:
        database.dispose()


def test_an_open_read_never_holds_up_a_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export or library query reading in a long session must not take the write lock
    (SQLite WAL lets readers and one writer proceed together); busy timeout cut to 0.2 s."""
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    location = str(tmp_path / "read.db")
    reader_db, writer_db = open_db(location), open_db(location)
    try:
        article_id = add_article(writer_db, Parsed(TEXTS[0])).article_id
        writer = Repository(writer_db, "writer")
        with reader_db.reading() as session:
            assert session.exec(select(func.count(Span.id))).one() == 0
            span = writer.add_span(article_id, 0, 10, "GPE")  # would wait 0.2 s, then fail
            assert session.exec(select(func.count(Span.id))).one() == 0  # its own snapshot
        assert [s.id for s in queries.spans_for(reader_db, article_id, "writer")] == [span.id]
    finally:
        reader_db.dispose()
        writer_db.dispose()


def test_two_programs_start_as_the_same_new_annotator(db: Database) -> None:
    """Issue 18 item 14: the second waits for the first's insert, then uses its row
    (PostgreSQL used to fail with duplicate key … annotator_name_key)."""
    results: list[int] = []
    errors: list[BaseException] = []

    def second() -> None:
        try:
            results.append(Repository(db, "newcomer").annotator_id)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    with db.transaction() as first:
        first_id = annotator_id(first, "newcomer")
        thread = threading.Thread(target=second)
        thread.start()
        # Let the second program look the name up and reach its insert (PostgreSQL)
        # or its BEGIN IMMEDIATE (SQLite) while the first has not committed.
        thread.join(timeout=0.5)
    thread.join(timeout=30)
    assert errors == [] and results == [first_id]
    with db.reading() as session:
        assert len(session.exec(select(Annotator)).all()) == 1


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
def test_concurrent_undo_takes_each_action_back_once(db: Database) -> None:
    """Two programs undoing the same history at once (the actions of a session that
    ended): each action is undone exactly once, without an SAWarning. PostgreSQL used
    to let both take back the same event ("DELETE … expected to delete 1 row(s); 0
    were matched")."""
    article_id = add_article(db, Parsed(TEXTS[0])).article_id
    with Repository(db, "ana") as earlier:
        spans = [earlier.add_span(article_id, n, n + 3, "MISC").id for n in range(30)]
    undone: list[list[int]] = [[], []]
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def undo_all(slot: int) -> None:
        repo = Repository(db, "ana")
        start.wait()
        try:
            while (event := repo.undo(article_id)) is not None:
                assert event.id is not None
                undone[slot].append(event.id)
        except BaseException as exc:  # an SAWarning turned error, a Conflict, …
            failures.append(exc)

    with warnings.catch_warnings():
        warnings.simplefilter("error", SAWarning)  # the worker threads share the filters
        threads = [threading.Thread(target=undo_all, args=(slot,)) for slot in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert failures == []
    every = undone[0] + undone[1]
    assert len(every) == len(set(every)) == len(spans)
    assert queries.spans_for(db, article_id, "ana") == []
