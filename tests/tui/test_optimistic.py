"""A key's effect is drawn at once, as pending, and replaced by what was stored (issue 11).

The write runs in the writer thread; these tests hold it back (a gate, or a
lock held by another program) to look at the screen between the key and the
commit: the pane and the Entities panel already show the change, marked
pending, while the status bar does not say "saved"; once the write is
committed exactly one ``AnnotationSaved`` arrives with the action's row
changes and the pending marks are gone. A refused write takes its predicted
change back; a relabel of a label still waiting behind a lock relabels that
span instead of adding a second one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.screen import Screen

import storage.db
from storage import queries
from storage.db import Database
from storage.errors import Conflict
from storage.repository import Repository, SpanSuggestion
from storage.schema import load_config
from tests.tui.app_fixtures import lock_database, make_app, release_lock, sample_database
from tests.tui.conftest import open_reader
from tui.messages import AnnotationRefused, AnnotationSaved
from tui.screens.reader.model import ReaderModel, Touched
from tui.screens.reader.optimistic import Optimistic, span_added, span_changed
from tui.widgets.entity_panel import EntityPanel, MentionItem
from tui.widgets.reading_pane import ReadingPane


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = sample_database(tmp_path / "redline.db")
    yield database
    database.dispose()


def _distinct(messages: list[Message], kind: type[Message]) -> list[Any]:
    """The distinct messages of ``kind`` (the hook may see one message twice)."""
    return list({id(m): m for m in messages if isinstance(m, kind)}.values())


def _mentions(panel: EntityPanel) -> list[MentionItem]:
    return [row for row in panel.rows if isinstance(row, MentionItem)]


def _gate(
    repository: Repository, name: str, then: Callable[..., Any] | None = None
) -> threading.Event:
    """Hold the repository's ``name`` calls (in the writer thread) until the event is set.

    Then the call runs (or ``then`` instead of it).
    """
    gate = threading.Event()
    original: Callable[..., Any] = then or getattr(repository, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        assert gate.wait(30), "the test never opened the gate"
        return original(*args, **kwargs)

    setattr(repository, name, held)
    return gate


def _count_paints(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    paints: list[int] = []
    refresh = Screen._compositor_refresh

    def counted(screen: Screen[Any]) -> None:
        refresh(screen)
        paints.append(1)

    monkeypatch.setattr(Screen, "_compositor_refresh", counted)
    return paints


async def test_a_label_is_painted_at_once_as_pending_then_saved_once(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(database, open_articles=[1])
    messages: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_reader(pilot)
        pane, panel = screen.query_one(ReadingPane), screen.query_one(EntityPanel)
        start = pane.text.index("Astana")
        pane.move_cursor(start)
        await pilot.pause()
        gate = _gate(app.repository, "add_span")
        paints = _count_paints(monkeypatch)
        messages.clear()

        await pilot.press("3")
        await pilot.wait_for_scheduled_animations()
        [span] = pane.spans
        assert (span.start, span.end, span.label, span.pending) == (start, start + 6, "GPE", True)
        assert span.id < 0  # not stored yet: a temporary id
        [mention] = _mentions(panel)
        assert mention.pending and mention.text == "Astana"
        assert paints, "the pending span was painted while the write waited"
        assert app.save_state == "saving"  # "saved" only after the commit
        assert _distinct(messages, AnnotationSaved) == []

        gate.set()
        await pilot.pause()
        [saved] = _distinct(messages, AnnotationSaved)
        assert saved.description == "label GPE"
        [change] = [c for c in saved.changes if c["table"] == "span"]
        assert change["before"] is None
        assert (change["after"]["start"], change["after"]["label"]) == (start, "GPE")
        [span] = pane.spans
        assert (span.id, span.pending) == (change["key"]["id"], False)
        assert [m.pending for m in _mentions(panel)] == [False]
        assert app.save_state == "saved"


async def test_a_refused_relabel_is_rolled_back_with_a_notice(database: Database) -> None:
    app = make_app(database, open_articles=[1])
    notices: list[tuple[str, str]] = []
    messages: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        pane.move_cursor(pane.text.index("Astana"))
        await pilot.press("3")
        await pilot.pause()
        [stored] = pane.spans

        def refuse(*_: Any, **__: Any) -> None:
            raise Conflict("changed by another session")

        gate = _gate(app.repository, "relabel_span", refuse)

        app.notify = lambda message, **kw: notices.append((str(message), kw.get("severity", "")))  # type: ignore[method-assign]
        await pilot.press("2")
        await pilot.wait_for_scheduled_animations()
        [pending] = pane.spans
        assert (pending.id, pending.label, pending.pending) == (stored.id, "ORG", True)

        gate.set()
        await pilot.pause()
        await pilot.pause()  # the full read after the refusal
        assert len(_distinct(messages, AnnotationRefused)) == 1
        [span] = pane.spans
        assert (span.id, span.label, span.pending) == (stored.id, "GPE", False)
        assert [severity for _, severity in notices] == ["error"]
        assert "relabel ORG" in notices[0][0]
        assert [s.label for s in queries.spans_for(database, 1, "ana")] == ["GPE"]


async def test_relabel_of_a_label_queued_behind_a_lock_gives_one_span(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "redline.db"
    database = sample_database(path)
    app = make_app(database, open_articles=[1])
    messages: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        start = pane.text.index("Astana")
        pane.move_cursor(start)
        blocker = lock_database(path)
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("2")  # on the span still waiting to be stored
        await pilot.pause()
        assert app.save_state == "unsaved" and app.unsaved_count == 2
        [span] = pane.spans
        assert (span.start, span.label, span.pending) == (start, "ORG", True)
        [mention] = _mentions(screen.query_one(EntityPanel))
        assert (mention.label, mention.pending) == ("ORG", True)

        release_lock(blocker)
        messages.clear()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert [m.description for m in _distinct(messages, AnnotationSaved)] == [
            "label PERSON",
            "relabel ORG",
        ]
        [stored] = queries.spans_for(database, 1, "ana")
        assert (stored.start, stored.label) == (start, "ORG")
        [span] = pane.spans
        assert (span.id, span.label, span.pending) == (stored.id, "ORG", False)
        assert app.save_state == "saved"
    database.dispose()


async def test_accept_and_reject_are_drawn_before_their_commit(database: Database) -> None:
    article = queries.get_article(database, 1)
    assert article is not None
    offset = article.text.index("Astana")
    repository = Repository(database, "ana")
    repository.add_suggestions(1, [SpanSuggestion(offset, offset + 6, "GPE", origin="rule")])
    repository.end_session()
    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        pane.move_cursor(offset)
        gate = _gate(app.repository, "accept")
        await pilot.press("a")
        await pilot.wait_for_scheduled_animations()
        [span] = pane.spans
        assert (span.status, span.pending) == ("accepted", True)
        gate.set()
        await pilot.pause()
        [span] = pane.spans
        assert (span.status, span.pending) == ("accepted", False)
        await pilot.press("u")
        await pilot.pause()
        gate = _gate(app.repository, "reject")
        await pilot.press("r")
        await pilot.wait_for_scheduled_animations()
        assert pane.spans == ()  # a rejected suggestion is not drawn, at once
        gate.set()
        await pilot.pause()
        assert pane.spans == ()
        rejected = queries.spans_for(database, 1, "ana", statuses=("rejected",))
        assert [s.start for s in rejected] == [offset]


def _model() -> ReaderModel:
    schema = load_config(None, cwd=Path("."), environ={}).schema
    return ReaderModel(schema, article_id=1, annotator_id=7)


def _stored(span_id: int, label: str, before: dict[str, Any] | None = None) -> dict[str, Any]:
    image = {
        "id": span_id,
        "start": 10,
        "end": 16,
        "layer": "entity",
        "label": label,
        "text": "Astana",
        "status": "accepted",
        "entity_id": None,
        "topic": None,
        "article_id": 1,
        "annotator_id": 7,
    }
    return {"table": "span", "key": {"id": span_id}, "before": before, "after": image}


def test_predictions_stay_on_top_of_what_is_stored_and_leave_no_ghost() -> None:
    model, optimistic = _model(), Optimistic()
    ref = optimistic.new_span()
    label = optimistic.add(span_added(ref, 10, 16, "PERSON", "Astana"), model, Touched())
    relabel = optimistic.add(span_changed(ref, label="ORG"), model, Touched())
    assert [(r.id, r.label, r.pending) for r in model.spans.values()] == [(-1, "ORG", True)]

    ref.id = 42  # the writer stored the label; the relabel is still queued
    touched = Touched()
    optimistic.settle(model, label, [_stored(42, "PERSON")], touched)
    assert [(r.id, r.label, r.pending) for r in model.spans.values()] == [(42, "ORG", True)]
    assert touched.pane_removed >= {-1} and set(touched.pane_added) == {42}

    stored = _stored(42, "ORG", before=_stored(42, "PERSON")["after"])
    optimistic.settle(model, relabel, [stored], Touched())
    assert [(r.id, r.label, r.pending) for r in model.spans.values()] == [(42, "ORG", False)]
    assert len(optimistic) == 0


def test_a_refused_prediction_is_taken_back() -> None:
    model, optimistic = _model(), Optimistic()
    model.apply([_stored(5, "GPE")])
    ref = optimistic.ref(5)
    relabel = optimistic.add(span_changed(ref, label="ORG"), model, Touched())
    assert model.spans[5].label == "ORG" and model.spans[5].pending
    optimistic.settle(model, relabel, [], Touched())
    assert (model.spans[5].label, model.spans[5].pending) == ("GPE", False)
