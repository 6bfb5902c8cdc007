"""Help is generated from the bindings; the palette runs actions and jumps to articles."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette

from storage import queries
from tests.tui.app_fixtures import make_app, sample_database
from tui.screens.help import HelpScreen, binding_rows
from tui.screens.reader import ReaderScreen
from tui.widgets.reading_pane import ReadingPane


async def test_help_lists_reader_keys_from_bindings(tmp_path: Path) -> None:
    app = make_app(sample_database(tmp_path / "redline.db"), open_articles=[1])
    async with app.run_test(size=(120, 100)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        reader = app.screen
        rows = {ident: (keys, description) for keys, description, ident in binding_rows(reader)}
        assert rows["label-entity-1"] == ("1", "Label 1: PERSON (Person)")
        assert rows["label-entity-3"] == ("3", "Label 3: GPE (Country / city / state)")
        assert rows["undo"] == ("u", "Undo")
        assert rows["span-remove"][0].split() == ["x", "del"]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "Remove span" in shown and "label-entity-1" in shown
        assert "Label 2: ORG (Organisation)" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is reader


async def test_palette_runs_reader_action_and_goes_to_article(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.screen.query_one(ReadingPane)
        pane.move_cursor(pane.text.index("Astana"))
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Label 3")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert [(s.text, s.label) for s in queries.spans_for(database, 1, "ana")] == [
            ("Astana", "GPE")
        ]

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to article 3")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.article_id == 3
