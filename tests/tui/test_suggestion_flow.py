"""Suggestions in the reader: appear on open, accept, reject, undo, never return."""

from __future__ import annotations

from pathlib import Path

from storage import queries
from storage.db import open_db
from tests.tui.app_fixtures import make_app, sample_database
from tui.screens.reader import ReaderScreen
from tui.widgets.reading_pane import ReadingPane


def _statuses(database, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    spans = queries.spans_for(database, 1, "ana", statuses=("accepted", "suggested", "rejected"))
    return [span.status for span in spans if span.text == text]


async def test_accept_reject_undo_and_rejected_never_returns(tmp_path: Path) -> None:
    path = tmp_path / "redline.db"
    database = sample_database(path)
    app = make_app(database, auto_suggest=True, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        pane = app.screen.query_one(ReadingPane)
        suggested = {pane.text[s.start : s.end]: s for s in pane.spans if s.status == "suggested"}
        assert "$49.7 billion" in suggested and "Kaja Kallas" in suggested

        pane.move_cursor(suggested["$49.7 billion"].start)
        await pilot.press("a")
        await pilot.pause()
        assert _statuses(database, "$49.7 billion") == ["accepted"]
        [figure_span] = [
            s for s in queries.spans_for(database, 1, "ana") if s.text == "$49.7 billion"
        ]
        figure = queries.figures_for(database, [figure_span.id])[figure_span.id]
        assert (str(figure.value), figure.unit) == ("49700000000", "USD")

        pane.move_cursor(suggested["Kaja Kallas"].start)
        await pilot.press("r")
        await pilot.pause()
        assert _statuses(database, "Kaja Kallas") == ["rejected"]
        await pilot.press("u")
        await pilot.pause()
        assert _statuses(database, "Kaja Kallas") == ["suggested"]
        pane.move_cursor(suggested["Kaja Kallas"].start)  # r moved on to the next suggestion
        await pilot.press("r")
        await pilot.pause()
        assert "Kaja Kallas" not in {pane.text[s.start : s.end] for s in pane.spans}
    database.dispose()

    reopened = open_db(str(path))
    app = make_app(reopened, auto_suggest=True, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.screen.query_one(ReadingPane)
        assert "Kaja Kallas" not in {pane.text[s.start : s.end] for s in pane.spans}
        assert _statuses(reopened, "Kaja Kallas") == ["rejected"]
        assert _statuses(reopened, "$49.7 billion") == ["accepted"]
    reopened.dispose()


async def test_accept_all_and_label_occurrences(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.screen.query_one(ReadingPane)
        pane.move_cursor(pane.text.index("Kazakhstan"))
        await pilot.press("3")  # GPE
        await pilot.pause()
        await pilot.press("o")  # the other occurrences, after a confirmation
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        spans = queries.spans_for(database, 1, "ana")
        expected = pane.text.count("Kazakhstan") - pane.text.count("Kazakhstani")
        assert [s.text for s in spans] == ["Kazakhstan"] * expected
        assert {s.label for s in spans} == {"GPE"}
        await pilot.press("u")  # one action, one undo
        await pilot.pause()
        assert len(queries.spans_for(database, 1, "ana")) == 1

        await pilot.press("O")  # across the corpus, as suggestions
        await app.workers.wait_for_complete()
        await pilot.pause()
        elsewhere = queries.spans_for(database, 2, "ana")
        assert all(s.status == "suggested" and s.text == "Kazakhstan" for s in elsewhere)
    database.dispose()
