"""Every action the user takes is stored, in order, even when the database is locked for a while.

Issue 18 item 1: the app kept only the last failed write, so labelling two
words during a lock saved the second only. Now each failed action stays
queued; ctrl+s, a timer and the next write retry the head; quitting asks
first; writes run in a thread so a lock never freezes the screen; a write
that can never succeed is reported once and dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.message import Message

import storage.db
from storage import queries
from storage.db import Database
from storage.errors import Conflict, DatabaseError
from storage.repository import Repository
from tests.tui.app_fixtures import lock_database, make_app, release_lock, sample_database
from tests.tui.conftest import open_reader
from tui.app import RedlineApp
from tui.messages import AnnotationRefused, AnnotationSaved
from tui.save_queue import PendingWrite, SaveQueue, WriteOutcome, run_write
from tui.unsaved_dialog import UnsavedDialog
from tui.widgets.entity_panel import EntityPanel, MentionItem
from tui.widgets.reading_pane import ReadingPane
from tui.widgets.status_bar import ArticleHeader, StatusBar


@pytest.fixture
def locked_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Database, Path]]:
    """The sample corpus on SQLite with a short busy timeout (a lock fails fast)."""
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "redline.db"
    database = sample_database(path)
    yield database, path
    database.dispose()


def _status_text(app: RedlineApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


def _saved_messages(messages: list[Message]) -> list[AnnotationSaved]:
    """The distinct AnnotationSaved messages (the hook may see one message twice)."""
    return list({id(m): m for m in messages if isinstance(m, AnnotationSaved)}.values())


def _labelled(database: Database) -> list[tuple[int, str, str]]:
    """(span id, text, label) of ana's spans on article 1, in the order they were stored."""
    spans = queries.spans_for(database, 1, "ana")
    return sorted((span.id or 0, span.text, span.label) for span in spans)


async def test_two_labels_during_a_lock_are_both_saved_in_order(
    locked_db: tuple[Database, Path],
) -> None:
    database, path = locked_db
    app = make_app(database, open_articles=[1])
    notices: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        app.notify = lambda message, **_: notices.append(str(message))  # type: ignore[method-assign]
        blocker = lock_database(path)
        # Brussels (later in the text) first, so "in order" is not reading order.
        pane.move_cursor(pane.text.index("Brussels"))
        await pilot.press("1")
        await pilot.pause()
        pane.move_cursor(pane.text.index("Astana"))
        await pilot.press("2")
        await pilot.pause()
        assert app.save_state == "unsaved"
        assert app.unsaved_count == 2
        assert "2 unsaved — ctrl+s retries" in _status_text(app)
        assert sum("locked" in notice for notice in notices) == 1  # told once, not per retry
        # Drawn at once, but as pending: nothing is shown as stored before it is.
        assert sorted(pane.text[s.start : s.end] for s in pane.spans) == ["Astana", "Brussels"]
        assert all(span.pending and span.id < 0 for span in pane.spans)
        release_lock(blocker)

        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()  # the second write follows the first
        assert _labelled(database)[0][1:] == ("Brussels", "PERSON")
        assert [row[1:] for row in _labelled(database)] == [
            ("Brussels", "PERSON"),
            ("Astana", "ORG"),
        ]
        assert app.save_state == "saved" and app.unsaved_count == 0
        assert "● saved" in _status_text(app)
        assert sorted(pane.text[s.start : s.end] for s in pane.spans) == ["Astana", "Brussels"]
        assert not any(span.pending for span in pane.spans)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert notices[-1].startswith("Nothing to retry")


async def test_queued_actions_are_saved_by_the_timer_once_the_lock_is_gone(
    locked_db: tuple[Database, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RedlineApp, "RETRY_SECONDS", 0.2)
    database, path = locked_db
    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        blocker = lock_database(path)
        pane.move_cursor(pane.text.index("Brussels"))
        await pilot.press("1")
        await pilot.pause()
        pane.move_cursor(pane.text.index("Astana"))
        await pilot.press("3")
        await pilot.pause()
        assert app.unsaved_count == 2
        release_lock(blocker)
        for _ in range(50):  # no key pressed: the retry timer stores both
            await pilot.pause(0.1)
            if app.save_state == "saved":
                break
        assert [row[1:] for row in _labelled(database)] == [
            ("Brussels", "PERSON"),
            ("Astana", "GPE"),
        ]


async def test_a_new_action_retries_the_queue_first(locked_db: tuple[Database, Path]) -> None:
    database, path = locked_db
    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        blocker = lock_database(path)
        pane.move_cursor(pane.text.index("Brussels"))
        await pilot.press("1")
        await pilot.pause()
        release_lock(blocker)
        pane.move_cursor(pane.text.index("Astana"))
        await pilot.press("3")  # stored behind the waiting one, without ctrl+s
        await pilot.pause()
        await pilot.pause()
        assert [row[1:] for row in _labelled(database)] == [
            ("Brussels", "PERSON"),
            ("Astana", "GPE"),
        ]
        assert app.save_state == "saved"


async def test_a_locked_write_does_not_freeze_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 1_500)
    path = tmp_path / "redline.db"
    database = sample_database(path)
    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        pane.move_cursor(pane.text.index("Astana"))
        blocker = lock_database(path)
        try:
            await pilot.press("3")  # the writer thread now waits up to 1.5 s
            assert app.save_state == "saving"
            before = pane.cursor
            await pilot.press("w")  # the screen still answers keys meanwhile
            assert pane.cursor > before
            assert app.save_state == "saving"  # and has not claimed "saved"
        finally:
            release_lock(blocker)
        await pilot.pause()
        assert app.save_state in ("saved", "unsaved")
    database.dispose()


async def test_quit_with_unsaved_actions_asks_first(locked_db: tuple[Database, Path]) -> None:
    database, path = locked_db
    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        blocker = lock_database(path)
        pane.move_cursor(pane.text.index("Astana"))
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("c")  # cancel: still running, still queued
        await pilot.pause()
        assert app.is_running and app.screen is screen and app.unsaved_count == 1

        release_lock(blocker)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("r")  # retry: stored, then the app quits
        await pilot.pause()
        await pilot.pause()
    assert not app.is_running
    assert [row[1:] for row in _labelled(database)] == [("Astana", "GPE")]


async def test_discard_and_quit_drops_the_queue(locked_db: tuple[Database, Path]) -> None:
    database, path = locked_db
    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        blocker = lock_database(path)
        pane.move_cursor(pane.text.index("Astana"))
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("q", "q")  # back to the library, then quit from there
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("d")
        await pilot.pause()
        release_lock(blocker)
    assert not app.is_running
    assert _labelled(database) == []


async def test_an_action_that_can_never_succeed_is_reported_once_and_dropped(
    tmp_path: Path,
) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database, open_articles=[1])
    notices: list[tuple[str, str]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        pane.move_cursor(pane.text.index("Astana"))
        await pilot.press("3")
        await pilot.pause()
        [span] = queries.spans_for(database, 1, "ana")
        Repository(database, "ana").remove_span(span.id or 0)  # gone behind the reader's back
        app.notify = lambda message, **kw: notices.append((str(message), kw.get("severity", "")))  # type: ignore[method-assign]
        await pilot.press("x")  # remove the span the pane still shows
        await pilot.pause()
        assert [severity for _, severity in notices] == ["error"]
        assert "remove GPE" in notices[0][0]
        assert app.save_state == "saved" and app.unsaved_count == 0  # nothing kept to retry
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert notices[-1][0].startswith("Nothing to retry")
    database.dispose()


async def test_one_annotation_saved_message_per_key_with_its_changes(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database, open_articles=[1])
    messages: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        start = pane.text.index("Astana")
        pane.move_cursor(start)
        messages.clear()
        await pilot.press("3")
        await pilot.pause()
        [saved] = _saved_messages(messages)
        assert saved.article_id == 1 and saved.description == "label GPE"
        [span_change] = [c for c in saved.changes if c["table"] == "span"]
        assert span_change["before"] is None
        after = span_change["after"]
        assert (after["start"], after["end"], after["label"]) == (start, start + 6, "GPE")
        span_id = span_change["key"]["id"]

        messages.clear()
        await pilot.press("u")
        await pilot.pause()
        [undone] = _saved_messages(messages)
        [span_change] = [c for c in undone.changes if c["table"] == "span"]
        assert span_change["key"]["id"] == span_id and span_change["after"] is None
        assert pane.spans == ()
    database.dispose()


def test_queue_keeps_failed_writes_in_order_and_drops_permanent_failures() -> None:
    stored: list[str] = []
    locked = True

    def write(name: str, error: Exception | None = None):  # type: ignore[no-untyped-def]
        def run() -> str:
            if error is not None:
                raise error
            if locked:
                raise DatabaseError("database is locked")
            stored.append(name)
            return name

        return PendingWrite(run, name)

    queue = SaveQueue()
    first, doomed, second = write("first"), write("doomed", Conflict("stale")), write("second")
    for item in (first, doomed, second):
        queue.add(item)
    head = queue.start_next()
    assert head is first and queue.start_next() is None  # one writer at a time
    queue.finished(run_write(head))
    assert queue.blocked and len(queue) == 3 and "locked" in (queue.failure or "")
    locked = False
    outcomes: list[WriteOutcome] = []
    while (head := queue.start_next()) is not None:
        outcome = run_write(head)
        outcomes.append(outcome)
        queue.finished(outcome)
    assert stored == ["first", "second"]
    assert [o.permanent_failure for o in outcomes] == [False, True, False]
    assert len(queue) == 0 and not queue.blocked


async def test_panels_follow_each_key_without_reading_the_article_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11: the pane and the panels apply each action's change set; no read-back."""
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database, open_articles=[1])
    reads: list[int] = []
    span_rows = queries.span_rows

    def counted(*args: object, **kwargs: object) -> object:
        reads.append(1)
        return span_rows(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(queries, "span_rows", counted)
    messages: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_reader(pilot)
        assert reads == [1]  # once, on open
        pane = screen.query_one(ReadingPane)
        start = pane.text.index("Kaja Kallas")
        pane.move_cursor(start)
        messages.clear()
        for key in ("1", "2", "u", "u", "1"):
            await pilot.press(key)
            await pilot.pause()
        descriptions = [m.description for m in _saved_messages(messages)]
        assert descriptions == ["label PERSON", "relabel ORG", "undo", "undo", "label PERSON"]
        assert reads == [1]  # every change came from its own change set
        panel = screen.query_one(EntityPanel)
        mentions = [row for row in panel.rows if isinstance(row, MentionItem)]
        assert [(m.text, m.label) for m in mentions] == [("Kaja", "PERSON")]
        assert "in progress" in str(screen.query_one(ArticleHeader).render())


async def test_undo_that_conflicts_is_reported_once_and_not_kept_for_retry(tmp_path: Path) -> None:
    """Issue 11: undoing an entity another article now links is a Conflict: no retry offered."""
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database, open_articles=[1])
    notices: list[tuple[str, str]] = []
    messages: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        start = pane.text.index("Kaja Kallas")
        mention = app.repository.add_span(1, start, start + 11, "PERSON")
        entity = app.repository.create_and_link(mention.id or 0, "Kaja Kallas", None)
        other = Repository(database, "ana")  # another program links it from article 2
        text = queries.get_article(database, 2).text  # type: ignore[union-attr]
        far = other.add_span(2, 0, len(text.split()[0]), "PERSON")
        other.link_span(far.id or 0, entity.id)
        app.notify = lambda message, **kw: notices.append((str(message), kw.get("severity", "")))  # type: ignore[method-assign]
        await pilot.press("u")  # would delete the entity article 2 links
        await pilot.pause()
        assert [severity for _, severity in notices] == ["error"], notices
        assert "undo" in notices[0][0]
        assert app.save_state == "saved" and app.unsaved_count == 0
        assert any(isinstance(m, AnnotationRefused) for m in messages)
        assert queries.entities(database, "PERSON")  # still there
    database.dispose()
