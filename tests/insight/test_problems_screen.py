"""The Problems screen: every finding listed, enter jumps to it, a fix makes it go away."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from storage.db import open_db
from tests.insight import corpus
from tui.app import RedlineApp
from tui.screens.problems import ProblemsScreen
from tui.screens.reader import ReaderScreen


def planted_app(tmp_path: Path) -> RedlineApp:
    database = open_db(str(tmp_path / "redline.db"))
    corpus.build(database, planted=True)
    config = replace(corpus.config(tmp_path), auto_suggest=False)
    return RedlineApp(database, corpus.ANNOTATOR, config)


async def test_jump_to_a_finding_fix_it_and_it_disappears(tmp_path: Path) -> None:
    app = planted_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.push_screen(ProblemsScreen())
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        problems = app.screen
        assert isinstance(problems, ProblemsScreen)
        checks = [finding.check for finding in problems.findings]
        assert sorted(checks) == sorted(corpus.PLANTED)
        table = problems.query_one("#problems-table")
        assert table.row_count == len(corpus.PLANTED)

        row = checks.index("span-inside-token")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.article_id == 3
        start, _ = corpus.place(3, "Kazakhsta")
        assert reader.pane.cursor == start

        await pilot.press("x")  # remove the span under the cursor: the cut-off "Kazakhsta"
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("q")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is problems
        remaining = [finding.check for finding in problems.findings]
        assert "span-inside-token" not in remaining
        assert len(remaining) == len(corpus.PLANTED) - 1
        assert table.row_count == len(remaining)


async def test_enter_on_an_entity_finding_opens_the_entities_screen(tmp_path: Path) -> None:
    from tui.screens.entities import EntitiesScreen

    app = planted_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.push_screen(ProblemsScreen())
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        problems = app.screen
        assert isinstance(problems, ProblemsScreen)
        row = [finding.check for finding in problems.findings].index("entity-orphan")
        problems.query_one("#problems-table").move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EntitiesScreen)


async def test_app_keys_open_problems_and_stats_from_library_and_reader(tmp_path: Path) -> None:
    from tui.screens.stats import StatsScreen

    app = planted_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        library = app.screen
        await pilot.press("P")
        await pilot.app.workers.wait_for_complete()
        assert isinstance(app.screen, ProblemsScreen)
        await pilot.press("q")
        assert app.screen is library
        await pilot.press("S")
        await pilot.app.workers.wait_for_complete()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("q")
        assert app.screen is library
        app.open_reader(1)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("P")
        await pilot.app.workers.wait_for_complete()
        assert isinstance(app.screen, ProblemsScreen)
