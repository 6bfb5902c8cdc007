"""The app's process-wide settings (GC frozen, short GIL switch interval) last as long as
the app: set at mount, put back at unmount (issue 11: they were set by the library screen)."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from tests.tui.app_fixtures import make_app, sample_database
from tui import interpreter


def test_tune_and_restore_round_trip() -> None:
    before = (gc.get_threshold(), sys.getswitchinterval(), gc.get_freeze_count())
    settings = interpreter.tune()
    try:
        assert sys.getswitchinterval() == interpreter.GIL_SWITCH_SECONDS
        assert gc.get_threshold()[0] == interpreter.GC_YOUNG
        assert gc.get_freeze_count() > 0
    finally:
        interpreter.restore(settings)
    assert (gc.get_threshold(), sys.getswitchinterval(), gc.get_freeze_count()) == before


async def test_the_app_sets_them_while_it_runs(tmp_path: Path) -> None:
    before = (gc.get_threshold(), sys.getswitchinterval())
    app = make_app(sample_database(tmp_path / "redline.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == interpreter.GC_YOUNG
        assert sys.getswitchinterval() == interpreter.GIL_SWITCH_SECONDS
    assert (gc.get_threshold(), sys.getswitchinterval()) == before
    assert gc.get_freeze_count() == 0
