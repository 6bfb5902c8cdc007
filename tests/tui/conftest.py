"""TUI test settings and helpers shared by every test in this folder."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tui.app import RedlineApp
from tui.screens.reader import ReaderScreen
from tui.widgets.reading_pane import ReadingPane


@pytest.fixture(autouse=True)
def _pause_waits_for_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pilot.pause()`` also waits for the write in flight and the messages it posts.

    Writes run in the app's writer thread; a test that presses a key and then
    reads the database must see the write's outcome, whatever the CPU load
    (Pilot's idle detection alone cannot see a thread waiting on I/O). A write
    that fails stays queued; that is not "in flight", so this never hangs.
    """
    original = Pilot.pause

    async def pause(self: Pilot[Any], delay: float | None = None) -> None:
        await original(self, delay)
        app = self.app
        if isinstance(app, RedlineApp):
            await app.writes_settled()
            await original(self, None)

    monkeypatch.setattr(Pilot, "pause", pause)


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes snapshots depend on timing: keep it on."""
    monkeypatch.setattr(Input, "cursor_blink", False)


async def open_first(pilot: Pilot[Any]) -> ReaderScreen:
    """From the library, open the article it starts on (the first not done)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


async def find(pilot: Pilot[Any], word: str) -> ReadingPane:
    """Search the open article for ``word`` and leave the cursor on it."""
    await pilot.press("slash", *word, "enter", "escape")
    await pilot.pause()
    pane = pilot.app.screen.query_one(ReadingPane)
    assert pane.text[pane.cursor : pane.cursor + len(word)] == word
    return pane


async def open_first_and_find(pilot: Pilot[Any], word: str) -> ReadingPane:
    """:func:`open_first`, then :func:`find` ``word`` in it."""
    await open_first(pilot)
    await pilot.pause()
    return await find(pilot, word)


async def open_reader(pilot: Pilot[Any]) -> ReaderScreen:
    """Wait for a reader opened on start (``open_articles``) to load its annotations."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    return screen
