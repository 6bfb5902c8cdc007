"""TUI test settings shared by every test in this folder."""

from __future__ import annotations

import pytest

from tui.screens.reader import ReaderScreen


@pytest.fixture(autouse=True)
def _immediate_panel_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read panels back on the next tick, so Pilot tests need not wait for a pause."""
    monkeypatch.setattr(ReaderScreen, "PANEL_REFRESH_DELAY", 0.0)
