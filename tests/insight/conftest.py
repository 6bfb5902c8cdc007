"""Insight test settings: as in tests/tui, ``pilot.pause()`` waits for the app's writes."""

from __future__ import annotations

from tests.tui.conftest import _pause_waits_for_writes

__all__ = ["_pause_waits_for_writes"]
