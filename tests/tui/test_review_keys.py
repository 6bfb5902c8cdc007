"""The review stream in the reader: a/r move on, n/N wrap, A shows what it accepts, d asks,
the status bar counts pending suggestions, o includes them, the Topics panel's a/r."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from textual.message import Message
from textual.notifications import Notify

from storage import queries
from storage.db import Database
from storage.repository import Repository, SpanSuggestion
from tests.tui.app_fixtures import make_app, sample_database
from tests.tui.conftest import open_reader
from tui.app import RedlineApp
from tui.dialogs.choice import ChoiceDialog
from tui.screens.reader import ReaderScreen
from tui.widgets.reading_pane import ReadingPane
from tui.widgets.status_bar import StatusBar
from tui.widgets.topic_panel import TopicPanel

KAZAKHSTAN = (8, 18)
NURTLEU = (113, 126)
KALLAS = (277, 288)
REPUBLIC = (89, 111)  # "Republic of Kazakhstan"; "Kazakhstan" inside it is 101–111


class Notices:
    """The notices the app shows (toasts, and the reader's status-bar notices), caught as
    messages (no sleeping, no private state)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.seen.append(str(message.notification.message))
        elif isinstance(message, StatusBar.Said):
            self.seen.append(message.text)

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


def _suggest(database: Database, *spans: tuple[int, int, str, str]) -> None:
    """Store suggestions before the app opens (start, end, label, layer)."""
    Repository(database, "ana").add_suggestions(
        1, [SpanSuggestion(start, end, label, layer) for start, end, label, layer in spans]
    )


def _status(database: Database, start: int, end: int) -> str:
    statuses = ("accepted", "suggested", "rejected")
    spans = queries.spans_for(database, 1, "ana", statuses=statuses)
    return next(s.status for s in spans if (s.start, s.end) == (start, end))


def _pending_text(app: RedlineApp) -> str:
    bar = app.screen.query_one(StatusBar)
    return str(bar.render())


@contextmanager
def _app(
    tmp_path: Path, *spans: tuple[int, int, str, str]
) -> Iterator[tuple[RedlineApp, Database]]:
    database = sample_database(tmp_path / "redline.db")
    _suggest(database, *spans)
    yield make_app(database, open_articles=[1]), database
    database.dispose()


async def test_a_and_r_move_to_the_next_pending_and_wrap(tmp_path: Path) -> None:
    notices = Notices()
    spans = [
        (*KAZAKHSTAN, "GPE", "entity"),
        (*NURTLEU, "PERSON", "entity"),
        (*KALLAS, "PERSON", "entity"),
    ]
    with _app(tmp_path, *spans) as (app, database):
        async with app.run_test(size=(120, 40), message_hook=notices) as pilot:
            screen = await open_reader(pilot)
            pane = screen.query_one(ReadingPane)
            assert "3 pending" in _pending_text(app)
            pane.move_cursor(NURTLEU[0])
            await pilot.press("a")
            await pilot.pause()
            assert pane.cursor == KALLAS[0]
            assert _status(database, *NURTLEU) == "accepted"
            assert "2 pending" in _pending_text(app)
            notices.take()

            await pilot.press("a")  # the last one: wraps to the first
            await pilot.pause()
            assert pane.cursor == KAZAKHSTAN[0]
            assert "Wrapped to the first pending suggestion" in notices.take()
            assert "1 pending" in _pending_text(app)

            await pilot.press("r")
            await pilot.pause()
            assert _status(database, *KAZAKHSTAN) == "rejected"
            assert "No pending suggestions" in notices.take()
            assert re.search(r"\d+ pending", _pending_text(app)) is None  # no count left
            assert _status(database, *KALLAS) == "accepted"


async def test_n_and_previous_wrap_with_a_notice(tmp_path: Path) -> None:
    notices = Notices()
    with _app(tmp_path) as (app, _database):
        async with app.run_test(size=(120, 40), message_hook=notices) as pilot:
            screen = await open_reader(pilot)
            pane = screen.query_one(ReadingPane)
            for start in (KAZAKHSTAN[0], KALLAS[0]):  # accepted spans, labelled by keys
                pane.move_cursor(start)
                await pilot.press("3")
                await pilot.pause()
            pane.move_cursor(KALLAS[0])
            notices.take()
            await pilot.press("n")
            await pilot.pause()
            assert pane.cursor == KAZAKHSTAN[0]
            assert "Wrapped to the first span" in notices.take()
            await pilot.press("N")
            await pilot.pause()
            assert pane.cursor == KALLAS[0]
            assert "Wrapped to the last span" in notices.take()


async def test_accept_all_shows_counts_asks_about_nesting_and_is_one_undo(
    tmp_path: Path,
) -> None:
    spans = [
        (*REPUBLIC, "GPE", "entity"),
        (101, 111, "GPE", "entity"),
        (*KALLAS, "PERSON", "entity"),
        (20, 28, "DATE", "figure"),
    ]
    with _app(tmp_path, *spans) as (app, database):
        async with app.run_test(size=(120, 40)) as pilot:
            await open_reader(pilot)
            await pilot.press("A")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ChoiceDialog)
            assert dialog.question == "Accept all 4 pending suggestions?"
            assert "3 entities (GPE 2, PERSON 1); 1 figures (DATE 1)" in dialog.detail
            assert "“Kazakhstan” in “Republic of Kazakhstan”" in dialog.detail
            await pilot.press("o")  # the outer one; the inner one is rejected
            await pilot.pause()
            assert _status(database, *REPUBLIC) == "accepted"
            assert _status(database, 101, 111) == "rejected"
            assert _status(database, *KALLAS) == "accepted"
            assert _status(database, 20, 28) == "accepted"
            await pilot.press("u")  # one action, one undo
            await pilot.pause()
            assert {_status(database, *span[:2]) for span in spans} == {"suggested"}

            await pilot.press("A")
            await pilot.pause()
            await pilot.press("c")  # cancel: nothing changes
            await pilot.pause()
            assert isinstance(app.screen, ReaderScreen)
            assert {_status(database, *span[:2]) for span in spans} == {"suggested"}


async def test_accept_all_without_nesting_asks_yes_or_no(tmp_path: Path) -> None:
    with _app(tmp_path, (*KALLAS, "PERSON", "entity"), (*NURTLEU, "PERSON", "entity")) as (
        app,
        database,
    ):
        async with app.run_test(size=(120, 40)) as pilot:
            await open_reader(pilot)
            await pilot.press("A")
            await pilot.pause()
            assert isinstance(app.screen, ChoiceDialog)
            await pilot.press("y")
            await pilot.pause()
            assert _status(database, *KALLAS) == _status(database, *NURTLEU) == "accepted"


async def test_done_with_pending_asks_accept_reject_keep_or_cancel(tmp_path: Path) -> None:
    with _app(tmp_path, (*KALLAS, "PERSON", "entity"), (*NURTLEU, "PERSON", "entity")) as (
        app,
        database,
    ):
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_reader(pilot)
            await pilot.press("d")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ChoiceDialog)
            assert dialog.question == "2 suggestions are still pending in this article."
            await pilot.press("c")
            await pilot.pause()
            assert app.screen is screen and queries.article_state(database, 1, "ana") != "done"

            await pilot.press("d")
            await pilot.pause()
            await pilot.press("a")  # accept all, mark done: one action
            await pilot.pause()
            assert queries.article_state(database, 1, "ana") == "done"
            assert _status(database, *KALLAS) == _status(database, *NURTLEU) == "accepted"


async def test_done_can_keep_or_reject_pending(tmp_path: Path) -> None:
    with _app(tmp_path, (*KALLAS, "PERSON", "entity"), (*NURTLEU, "PERSON", "entity")) as (
        app,
        database,
    ):
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_reader(pilot)
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("k")
            await pilot.pause()
            assert queries.article_state(database, 1, "ana") == "done"
            assert _status(database, *KALLAS) == "suggested"
            screen.open_article(1)
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("r")
            await pilot.pause()
            assert _status(database, *KALLAS) == _status(database, *NURTLEU) == "rejected"


async def test_label_occurrences_counts_and_accepts_pending_suggestions(tmp_path: Path) -> None:
    with _app(tmp_path, (371, 381, "GPE", "entity"), (1034, 1044, "GPE", "entity")) as (
        app,
        database,
    ):
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_reader(pilot)
            pane = screen.query_one(ReadingPane)
            text = pane.text
            occurrences = text.count("Kazakhstan") - text.count("Kazakhstani")
            pane.move_cursor(KAZAKHSTAN[0])
            await pilot.press("3")
            await pilot.pause()
            await pilot.press("o")
            await pilot.pause()
            dialog = app.screen
            assert dialog.question == f"Label {occurrences - 1} more “Kazakhstan” as GPE?"  # type: ignore[attr-defined]
            assert "2 pending suggestions of it (accepted)" in dialog.detail  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.pause()
            spans = queries.spans_for(database, 1, "ana")
            assert [s.text for s in spans] == ["Kazakhstan"] * occurrences
            await pilot.press("u")  # one undo step: the two suggestions are pending again
            await pilot.pause()
            assert _status(database, 371, 381) == "suggested"


async def test_topics_panel_accepts_with_evidence_and_rejects_for_good(tmp_path: Path) -> None:
    sentence = (1851, 1922)  # "The European Union is Kazakhstan's main trading and investment…"
    evidence = [(*sentence, "trade", "evidence"), (*sentence, "investment", "evidence")]
    with _app(tmp_path, *evidence) as (app, database):
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_reader(pilot)
            panel = screen.query_one(TopicPanel)
            assert panel.border_subtitle == "0 + 2? · a accept · r reject"
            panel.focus()
            panel.highlighted = panel.get_option_index("topic-trade")
            await pilot.press("a")
            await pilot.pause()
            topics = {t.topic: t.status for t in queries.topics_for(database, 1, "ana")}
            assert topics == {"trade": "accepted", "investment": "suggested"}
            spans = queries.spans_for(database, 1, "ana", statuses=("accepted",))
            assert [(s.topic, s.status) for s in spans] == [("trade", "accepted")]
            assert panel.border_subtitle == "1 + 1? · a accept · r reject"

            highlighted = panel.highlighted_option
            assert highlighted is not None and highlighted.id == "topic-investment"  # moved on
            await pilot.press("r")
            await pilot.pause()
            topics = {t.topic: t.status for t in queries.topics_for(database, 1, "ana")}
            assert topics == {"trade": "accepted", "investment": "rejected"}
            assert panel.border_subtitle == "1"
        again = Repository(database, "ana").add_suggestions(
            1, [SpanSuggestion(1923, 2081, "investment", "evidence")]
        )
        assert again == []  # a rejected topic never returns for this article
