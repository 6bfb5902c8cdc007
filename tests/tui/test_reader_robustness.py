"""The reader survives a locked database: clear notice, the action kept for retry."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import storage.db
from storage import queries
from tests.tui.app_fixtures import make_app, sample_database
from tests.tui.conftest import open_reader
from tui.widgets.reading_pane import ReadingPane


async def test_locked_database_keeps_action_for_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "redline.db"
    database = sample_database(path)
    app = make_app(database, open_articles=[1])
    notices: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        pane = (await open_reader(pilot)).query_one(ReadingPane)
        pane.move_cursor(pane.text.index("Astana"))

        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        app.notify = lambda message, **_: notices.append(message)  # type: ignore[method-assign]
        await pilot.press("3")  # GPE, while another program holds the lock
        await pilot.pause()
        assert app.save_state == "unsaved" and app.unsaved_count == 1
        assert any("locked" in notice for notice in notices)
        blocker.execute("ROLLBACK")
        blocker.close()
        assert queries.spans_for(database, 1, "ana") == []

        await pilot.press("ctrl+s")  # retry the kept action
        await pilot.pause()
        assert app.save_state == "saved"
        assert [(s.text, s.label) for s in queries.spans_for(database, 1, "ana")] == [
            ("Astana", "GPE")
        ]
        assert [span.label for span in pane.spans] == ["GPE"]
    database.dispose()
