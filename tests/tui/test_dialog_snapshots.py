"""Snapshots of the figure form, topic picker and entity picker on the first sample article.

Update with ``pytest tests/tui/test_dialog_snapshots.py --snapshot-update`` only
when a change is intended, and look at the SVGs in ``__snapshots__`` first.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from storage.db import Database
from storage.queries import get_article
from storage.repository import Repository
from tests.tui.app_fixtures import make_app, sample_database

SIZE = (120, 40)


def _with_entities(path: Path) -> Database:
    """The samples, with "Kaja Kallas" linked to a canonical entity and "Kallas" labelled."""
    database = sample_database(path)
    repository = Repository(database, "ana")
    article = get_article(database, 1)
    assert article is not None
    start = article.text.index("Kaja Kallas")
    span = repository.add_span(1, start, start + len("Kaja Kallas"), "PERSON")
    assert span.id is not None
    repository.create_and_link(span.id, "Kaja Kallas", "Q3196386")
    repository.create_entity("Kaja Kallas (namesake)", "PERSON", aliases=["K. Kallas"])
    repository.create_entity("Murat Nurtleu", "PERSON")
    later = article.text.index("Kallas assured")
    repository.add_span(1, later, later + len("Kallas"), "PERSON")
    repository.assign_topic(1, "diplomacy", "EU–Kazakhstan talks")
    return database


async def _still(pilot) -> None:  # type: ignore[no-untyped-def]
    """Stop text cursors blinking so the snapshot does not depend on timing."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


async def _open_and_find(pilot, word: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("slash", *word, "enter", "escape")
    await pilot.pause()


def test_figure_form(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(sample_database(tmp_path / "redline.db"))

    async def open_form(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_and_find(pilot, "49.7")
        await pilot.press("f")
        await _still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_form)


def test_topic_picker(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(_with_entities(tmp_path / "redline.db"))

    async def open_picker(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_and_find(pilot, "Trade turnover")
        await pilot.press("t", *"tra")
        await _still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_picker)


def test_entity_picker(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(_with_entities(tmp_path / "redline.db"))

    async def open_picker(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_and_find(pilot, "Kallas assured")
        await pilot.press("e")
        await _still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_picker)
