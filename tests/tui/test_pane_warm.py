"""The reading pane builds a jump's lines ahead (``warm``), so the jump's frame draws none."""

from __future__ import annotations

import pytest

from tests.tui.test_reading_pane import PaneApp
from tui.widgets.reading_pane import ReadingPane

pytestmark = pytest.mark.anyio

TEXT = "\n".join(f"line {number}" for number in range(300))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _lines_built_by_jump(warm: bool, target: str, backward: bool) -> int:
    """Lines the jump from the start (``backward``: the end) to ``target`` built in its frame."""
    app = PaneApp(TEXT)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        if backward:
            await pilot.press("ctrl+end")
        await pilot.pause()
        offset = TEXT.index(target)
        if warm:
            pane.warm(offset)
        before = len(pane._lines._lines)
        pane.move_cursor(offset)
        await pilot.pause()
        row = pane._table.row_of(offset)
        top = pane.scroll_offset.y
        assert top <= row < top + pane.scrollable_content_region.height  # it did jump there
        return len(pane._lines._lines) - before


@pytest.mark.parametrize(("target", "backward"), [("line 200\n", False), ("line 10\n", True)])
async def test_a_warmed_jump_draws_only_cached_lines(target: str, backward: bool) -> None:
    assert await _lines_built_by_jump(False, target, backward) > 0
    assert await _lines_built_by_jump(True, target, backward) == 0
