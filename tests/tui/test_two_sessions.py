"""Two readers, one annotator, one database: `u` only undoes this program's own actions.

Issue 18 item 2: with the same annotator in two running programs, `u` in A
removed B's span. Each app starts its own storage session; undo and redo take
back only that session's actions (or those of sessions that have ended).
"""

from __future__ import annotations

from pathlib import Path

from storage import queries
from storage.db import Database, open_db
from tests.tui.app_fixtures import make_app, sample_database
from tests.tui.conftest import open_reader
from tui.app import RedlineApp
from tui.widgets.reading_pane import ReadingPane


def _texts(database: Database) -> list[str]:
    return sorted(span.text for span in queries.spans_for(database, 1, "ana"))


async def test_undo_in_each_app_takes_back_only_its_own_label(tmp_path: Path) -> None:
    path = tmp_path / "redline.db"
    sample_database(path).dispose()
    first_db, second_db = open_db(str(path)), open_db(str(path))
    first, second = make_app(first_db, open_articles=[1]), make_app(second_db, open_articles=[1])
    assert first.repository.session_id != second.repository.session_id
    async with first.run_test(size=(120, 40)) as a, second.run_test(size=(120, 40)) as b:
        pane_a = (await open_reader(a)).query_one(ReadingPane)
        pane_b = (await open_reader(b)).query_one(ReadingPane)
        pane_a.move_cursor(pane_a.text.index("Astana"))
        await a.press("3")
        await a.pause()
        pane_b.move_cursor(pane_b.text.index("Brussels"))
        await b.press("3")
        await b.pause()
        assert _texts(first_db) == ["Astana", "Brussels"]

        await a.press("u")  # the latest action of this annotator is B's; A undoes its own
        await a.pause()
        assert _texts(first_db) == ["Brussels"]
        assert "Astana" not in [pane_a.text[s.start : s.end] for s in pane_a.spans]

        await b.press("u")
        await b.pause()
        assert _texts(first_db) == []
        await b.press("u")  # A's undone label is not B's to redo or undo
        await b.pause()
        assert _texts(first_db) == []
        await a.press("ctrl+r")
        await a.pause()
        assert _texts(first_db) == ["Astana"]
    first_db.dispose()
    second_db.dispose()


async def test_a_new_session_may_undo_what_an_ended_one_did(tmp_path: Path) -> None:
    path = tmp_path / "redline.db"
    database = sample_database(path)
    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = (await open_reader(pilot)).query_one(ReadingPane)
        pane.move_cursor(pane.text.index("Astana"))
        await pilot.press("3")
        await pilot.pause()
    # The app ended its session on exit: the next program may undo its label.
    later = make_app(database, open_articles=[1])
    assert isinstance(later, RedlineApp)
    async with later.run_test(size=(120, 40)) as pilot:
        await open_reader(pilot)
        await pilot.press("u")
        await pilot.pause()
        assert _texts(database) == []
    database.dispose()
