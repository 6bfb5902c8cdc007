"""Insight test settings: the reader reads its panels back at once (as in tests/tui)."""

from __future__ import annotations

import pytest

from tui.screens.reader import ReaderScreen


@pytest.fixture(autouse=True)
def _immediate_panel_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ReaderScreen, "PANEL_REFRESH_DELAY", 0.0)
