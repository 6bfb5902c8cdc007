"""Driving the reader with real keystrokes: tag, relabel, undo, redo, reopen."""

from __future__ import annotations

from pathlib import Path

from storage import queries
from storage.db import open_db
from tests.tui.app_fixtures import make_app, sample_database
from tests.tui.conftest import open_first, open_first_and_find
from tui.screens.reader import ReaderScreen


async def test_tag_relabel_undo_redo_and_reopen(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_first_and_find(pilot, "Murat")
        await pilot.press("shift+right", "shift+right")
        assert pane.selection is not None
        assert pane.text[slice(*pane.selection)] == "Murat Nurtleu"
        await pilot.press("1")  # PERSON
        await pilot.pause()
        article_id = app.screen.article_id
        [span] = queries.spans_for(database, article_id, "ana")
        start = pane.text.index("Murat Nurtleu")
        assert (span.start, span.end, span.text, span.label) == (
            start,
            start + 13,
            "Murat Nurtleu",
            "PERSON",
        )
        assert app.save_state == "saved"

        await pilot.press("2")  # relabel the span under the cursor as ORG
        await pilot.pause()
        assert [s.label for s in queries.spans_for(database, article_id, "ana")] == ["ORG"]
        await pilot.press("u")
        await pilot.pause()
        assert [s.label for s in queries.spans_for(database, article_id, "ana")] == ["PERSON"]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [s.label for s in queries.spans_for(database, article_id, "ana")] == ["ORG"]
        await pilot.press("q", "q")
    database.dispose()

    reopened = open_db(str(tmp_path / "redline.db"))
    app = make_app(reopened)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        assert [
            (s.text, s.label) for s in queries.spans_for(reopened, screen.article_id, "ana")
        ] == [("Murat Nurtleu", "ORG")]
        await pilot.press("u")  # undo survives the restart
        await pilot.pause()
        assert [s.label for s in queries.spans_for(reopened, screen.article_id, "ana")] == [
            "PERSON"
        ]
        assert screen.view is not None and [m.label for m in screen.view.mentions] == ["PERSON"]
    reopened.dispose()


async def test_word_under_cursor_resize_remove_and_done(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_first_and_find(pilot, "Kaja")
        await pilot.press("1")  # no selection: the word under the cursor
        await pilot.pause()
        article_id = app.screen.article_id
        assert [s.text for s in queries.spans_for(database, article_id, "ana")] == ["Kaja"]
        await pilot.press("greater_than_sign")  # end moves one token right
        await pilot.pause()
        assert [s.text for s in queries.spans_for(database, article_id, "ana")] == ["Kaja Kallas"]
        await pilot.press("less_than_sign", "greater_than_sign")
        await pilot.pause()
        assert [s.text for s in queries.spans_for(database, article_id, "ana")] == ["Kaja Kallas"]
        await pilot.press("x")
        await pilot.pause()
        assert queries.spans_for(database, article_id, "ana") == []
        assert pane.spans == ()
        await pilot.press("d")  # done, and on to the next article
        await pilot.pause()
        assert queries.article_state(database, article_id, "ana") == "done"
        assert app.screen.article_id != article_id
    database.dispose()
