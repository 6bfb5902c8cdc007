"""The review screen follows the annotators (issue 14 item 5): an annotator who fixes a
span in another program settles that conflict on the reviewer's screen, without reopening."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from storage import queries
from storage.db import Database, open_db
from storage.repository import Repository
from storage.schema import load_config
from tests.team.test_review import two_annotators
from tui.screens.review import ReviewScreen, review_app

DEADLINE = 20.0
"""Seconds another program's change may take to show on a loaded machine (typically < 1 s)."""


async def test_review_refreshes_when_an_annotator_changes_the_article(
    db: Database, tmp_path: Path
) -> None:
    article = two_annotators(db)
    config = replace(load_config(None, cwd=tmp_path), auto_suggest=False, poll_seconds=0.2)
    app = review_app(db, "reviewer", config, article)
    other = open_db(db.path or db.url.render_as_string(hide_password=False))
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            await app.writes_settled()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            assert len(screen.conflicts) == 3  # boundary, label (Paris), figure value
            [paris] = [
                span for span in queries.spans_for(other, article, "ben") if span.text == "Paris"
            ]
            with Repository(other, "ben") as ben:  # ben agrees with ana after all
                ben.relabel_span(paris.id, "GPE")
            deadline = time.monotonic() + DEADLINE
            while len(screen.conflicts) != 2:
                assert time.monotonic() < deadline, "the review did not follow ben's change"
                await pilot.pause(0.05)
            assert screen.unresolved == 2
    finally:
        other.dispose()
