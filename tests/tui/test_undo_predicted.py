"""Undo and redo are drawn at once when the reader knows what they take back (issue 11).

The reader keeps its own actions on the article (``tui.screens.reader.history``):
``u`` right after a key of this session is painted before its commit, as any
predicted key, and the stored rows replace the prediction when its
``AnnotationSaved`` arrives. An undo the reader cannot know (an action of an
ended session) is shown after its commit, as before. The writes are held
back by a gate in the writer thread, so the screen is looked at between key
and commit without sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message

from storage import queries
from storage.db import Database
from storage.repository import Repository
from tests.tui.app_fixtures import make_app, sample_database
from tests.tui.conftest import open_reader
from tui.messages import AnnotationSaved
from tui.screens.reader.history import History
from tui.screens.reader.optimistic import Prediction
from tui.widgets.entity_panel import EntityPanel, MentionItem
from tui.widgets.pane_model import PaneSpan
from tui.widgets.reading_pane import ReadingPane


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = sample_database(tmp_path / "redline.db")
    yield database
    database.dispose()


def _saved(messages: list[Message]) -> list[AnnotationSaved]:
    """The distinct AnnotationSaved messages (the hook may see one message twice)."""
    return list({id(m): m for m in messages if isinstance(m, AnnotationSaved)}.values())


def _gate(repository: Repository, name: str) -> threading.Event:
    """Hold the repository's ``name`` calls (writer thread) until the event is set."""
    gate = threading.Event()
    original: Callable[..., Any] = getattr(repository, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        assert gate.wait(30), "the test never opened the gate"
        return original(*args, **kwargs)

    setattr(repository, name, held)
    return gate


def _entities_at(pane: ReadingPane, offset: int) -> list[PaneSpan]:
    return [span for span in pane.spans_at(offset) if span.layer == "entity"]


def _mentions_at(panel: EntityPanel, offset: int) -> list[MentionItem]:
    return [row for row in panel.rows if isinstance(row, MentionItem) and row.start == offset]


async def test_undo_and_redo_of_this_sessions_label_are_drawn_before_their_commit(
    database: Database,
) -> None:
    app = make_app(database, open_articles=[1])
    messages: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_reader(pilot)
        pane, panel = screen.query_one(ReadingPane), screen.query_one(EntityPanel)
        start = pane.text.index("Astana")
        pane.move_cursor(start)
        await pilot.press("3")
        await pilot.pause()
        [label] = _saved(messages)
        [span] = _entities_at(pane, start)
        assert (span.label, span.pending) == ("GPE", False)
        messages.clear()

        undo_gate = _gate(app.repository, "undo")
        await pilot.press("u")
        await pilot.wait_for_scheduled_animations()
        assert _entities_at(pane, start) == []  # gone at once, before the commit
        assert _mentions_at(panel, start) == []
        assert _saved(messages) == [] and app.save_state == "saving"
        undo_gate.set()
        await pilot.pause()
        [undone] = _saved(messages)
        assert undone.description == "undo"
        [change] = [c for c in undone.changes if c["table"] == "span"]
        assert (change["key"]["id"], change["after"]) == (span.id, None)
        assert _entities_at(pane, start) == [] and app.save_state == "saved"
        assert queries.spans_for(database, 1, "ana", layers=("entity",)) == []
        messages.clear()

        redo_gate = _gate(app.repository, "redo")
        await pilot.press("ctrl+r")
        await pilot.wait_for_scheduled_animations()
        [again] = _entities_at(pane, start)  # back at once, drawn pending
        assert (again.id, again.label, again.pending) == (span.id, "GPE", True)
        assert [m.pending for m in _mentions_at(panel, start)] == [True]
        redo_gate.set()
        await pilot.pause()
        [redone] = _saved(messages)
        assert redone.description == "redo"
        [stored] = _entities_at(pane, start)
        assert (stored.id, stored.pending) == (span.id, False)
        assert [m.pending for m in _mentions_at(panel, start)] == [False]
        assert label.description == "label GPE"


async def test_each_key_of_a_label_cycle_is_one_saved_action(database: Database) -> None:
    app = make_app(database, open_articles=[1])
    messages: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        start = pane.text.index("Astana")
        seen: list[tuple[str, str | None]] = []
        for key in ("3", "2", "u", "u"):
            pane.move_cursor(start)
            messages.clear()
            await pilot.press(key)
            await pilot.pause()
            [saved] = _saved(messages)
            shown = _entities_at(pane, start)
            seen.append((saved.description, shown[0].label if shown else None))
            assert not any(span.pending for span in pane.spans)
        expected = [("label GPE", "GPE"), ("relabel ORG", "ORG"), ("undo", "GPE"), ("undo", None)]
        assert seen == expected


async def test_an_undo_of_an_ended_sessions_action_is_shown_after_its_commit(
    database: Database,
) -> None:
    earlier = Repository(database, "ana")
    article = queries.get_article(database, 1)
    assert article is not None
    start = article.text.index("Astana")
    earlier.add_span(1, start, start + 6, "GPE")
    earlier.end_session()
    app = make_app(database, open_articles=[1])
    messages: list[Message] = []
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = await open_reader(pilot)
        pane = screen.query_one(ReadingPane)
        [span] = _entities_at(pane, start)
        gate = _gate(app.repository, "undo")
        messages.clear()
        await pilot.press("u")
        await pilot.wait_for_scheduled_animations()
        assert _entities_at(pane, start) == [span]  # not this reader's: not predicted
        gate.set()
        await pilot.pause()
        [undone] = _saved(messages)
        assert undone.description == "undo"
        assert _entities_at(pane, start) == []


def _span_change(span_id: int, before: dict[str, Any] | None, after: dict[str, Any] | None) -> Any:
    return {"table": "span", "key": {"id": span_id}, "before": before, "after": after}


def test_history_undo_predicts_the_inverse_and_forgets_on_a_mismatch() -> None:
    history = History()
    image = {"id": 7, "label": "GPE", "status": "accepted"}
    added = Prediction(lambda model: [])
    history.did(added)
    history.stored(added, [_span_change(7, None, image)])
    step = history.step(undo=True)
    assert step is not None
    assert history.predict(step)(None) == [_span_change(7, image, None)]  # type: ignore[arg-type]
    undo = Prediction(history.predict(step))
    step.prediction = undo
    history.stored(undo, [_span_change(8, image, None)])  # it took back another action
    assert history.step(undo=False) is None  # the redo is not known any more
    assert history.step(undo=True) is None


def test_history_redo_draws_the_stored_rows_pending_and_a_new_action_ends_it() -> None:
    history = History()
    image = {"id": 7, "label": "GPE", "status": "accepted"}
    added = Prediction(lambda model: [])
    history.did(added)
    history.stored(added, [_span_change(7, None, image)])
    undo = history.step(undo=True)
    assert undo is not None
    redo = history.step(undo=False)
    assert redo is not None
    [change] = history.predict(redo)(None)  # type: ignore[arg-type]
    assert change["after"] == {**image, "pending": True}
    history.did(Prediction(lambda model: []))
    assert history.step(undo=False) is None  # a new action ended the redo stack


async def test_a_label_key_finds_its_words_tokenized_by_the_cursor_move(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The paragraph under the cursor is tokenized after the move's frame, not in the key."""
    from tui import tokens

    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reader(pilot)  # waits for the tokenizer's warm-up worker too
        pane = screen.query_one(ReadingPane)
        assert pane.prefetch_words
        calls: list[int] = []
        token_bounds = tokens.token_bounds

        def counted(text: str, base: int = 0) -> list[tuple[int, int]]:
            calls.append(base)
            return token_bounds(text, base)

        monkeypatch.setattr(tokens, "token_bounds", counted)
        start = pane.text.index("Brussels")
        pane.move_cursor(start)
        await pilot.pause()
        assert calls, "the move tokenized the paragraph"
        calls.clear()
        await pilot.press("4")
        await pilot.pause()
        assert calls == []
        assert [s.label for s in _entities_at(pane, start)] == ["LOC"]
