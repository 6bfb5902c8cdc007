"""Finding one's way (issue 12 item 8): the reader's footer, the palette by words, states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.command import CommandPalette

from storage import queries
from tests.tui.app_fixtures import make_app, sample_database
from tests.tui.conftest import open_first
from tui.commands_palette import word_score
from tui.screens.help import binding_rows
from tui.widgets.reading_pane import ReadingPane


def test_word_score_needs_every_typed_word_to_start_a_word() -> None:
    assert word_score("person", "Label 1: PERSON (Person)", "key: 1") > 0
    assert word_score("retr", "Train model", "Retrain the suggestion model") > 0
    title_hit = word_score("model", "Train model", "")
    help_hit = word_score("model", "Train", "the model")
    assert title_hit > help_hit > 0
    assert word_score("person export", "Label 1: PERSON", "key: 1") == 0
    assert word_score("erson", "Label 1: PERSON", "") == 0  # words start where typed
    assert word_score("", "Label 1", "") == 0


async def test_reader_footer_puts_the_annotation_keys_first(tmp_path: Path) -> None:
    app = make_app(sample_database(tmp_path / "redline.db"), open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        keys = [key.key_display for key in app.screen.query("FooterKey").results()]
        assert keys[:10] == [str(n) for n in (*range(1, 10), 0)]  # one "Label" group
        assert keys[10:16] == ["f", "t", "e", "a", "r", "d"]
        labels = [str(label.content) for label in app.screen.query("FooterLabel").results()]
        assert labels == ["Label"]
        rows = {ident: (keys, text) for keys, text, ident in binding_rows(app.screen)}
        assert rows["label-entity-0"] == ("0", "Label 0: MISC (Other name)")
        assert rows["select-phrase"] == ("space", "Select name (again: phrase)")
        assert rows["span-start-grow"][1] == "Grow start by a token"
        order = [
            *(f"label-entity-{n}" for n in (*range(1, 10), 0)),
            "figure-form",
            "topic-picker",
            "entity-link",
            "suggestion-accept",
            "suggestion-reject",
            "article-done",
            "pane-cursor-up",  # movement after the annotation keys
        ]
        ids = list(rows)
        assert [ids.index(ident) for ident in order] == sorted(ids.index(i) for i in order)


async def _palette(pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*query)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.3)


async def test_palette_finds_commands_by_any_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the export writes to the current folder
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.screen.query_one(ReadingPane)
        pane.move_cursor(pane.text.index("Nurtleu"))
        await _palette(pilot, "person")  # a word of "Label 1: PERSON (Person)"
        await pilot.press("enter")
        await pilot.pause()
        spans = queries.spans_for(database, 1, "ana")
        assert [(s.text, s.label) for s in spans] == [("Nurtleu", "PERSON")]

        await _palette(pilot, "figure")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        shown = app.export_screenshot()
        assert "Figure" in shown
        await pilot.press("escape")
        await pilot.pause()

        await _palette(pilot, "export this")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        out = tmp_path / "jsonl-article-1.jsonl"
        [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [(e["text"], e["label"]) for e in record["entities"]] == [("Nurtleu", "PERSON")]
        assert any("jsonl-article-1.jsonl" in n.message for n in app._notifications)


async def test_stepping_through_an_article_leaves_it_todo(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database, auto_suggest=True)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await open_first(pilot)
        first = reader.article_id
        await pilot.press("right_square_bracket")  # on to the next, then back: nothing done
        await app.workers.wait_for_complete()
        await pilot.pause()
        passed = reader.article_id
        await pilot.press("right_square_bracket", "left_square_bracket", "left_square_bracket")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert reader.article_id == first
        assert queries.article_state(database, first, "ana") == "todo"
        assert queries.article_state(database, passed, "ana") == "todo"
        assert "· todo" in str(reader.query_one("#reader-header").render())
