"""The reader's selection keys with Pilot: space selects a name, < > resize it, / search selects."""

from __future__ import annotations

from pathlib import Path

from storage import queries
from tests.tui.app_fixtures import make_app, sample_database
from tests.tui.conftest import open_first
from tui.screens.reader import ReaderScreen
from tui.widgets.find_bar import FindBar
from tui.widgets.reading_pane import ReadingPane
from tui.widgets.status_bar import StatusBar


def _selected(pane: ReadingPane) -> str | None:
    return pane.text[slice(*pane.selection)] if pane.selection else None


async def test_space_selects_the_name_and_a_label_key_labels_it(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await open_first(pilot)
        pane = reader.pane
        pane.move_cursor(pane.text.index("Kallas"))
        await pilot.press("space")
        assert _selected(pane) == "Kaja Kallas"
        await pilot.press("space")  # again: the longer phrase it is part of
        assert _selected(pane) == "Vice-President of the European Commission Kaja Kallas"
        await pilot.press("space")  # and back to the name
        assert _selected(pane) == "Kaja Kallas"
        await pilot.press("1")
        await pilot.pause()
        spans = queries.spans_for(database, reader.article_id, "ana")
        assert [(s.text, s.label) for s in spans] == [("Kaja Kallas", "PERSON")]

        pane.move_cursor(pane.text.index("Cooperation Agreement"))
        await pilot.press("space", "7")  # LAW
        await pilot.pause()
        labelled = {s.text: s.label for s in queries.spans_for(database, reader.article_id, "ana")}
        assert labelled["Partnership and Cooperation Agreement"] == "LAW"


async def test_resize_keys_move_the_selection_edges_by_a_token(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await open_first(pilot)
        pane = reader.pane
        pane.move_cursor(pane.text.index("Republic of Kazakhstan"))
        await pilot.press("space")
        assert _selected(pane) == "Republic of Kazakhstan"
        await pilot.press("alt+less_than_sign", "alt+less_than_sign")  # start: grow by two
        assert _selected(pane) == "of the Republic of Kazakhstan"
        await pilot.press("alt+greater_than_sign", "alt+greater_than_sign")  # shrink back
        assert _selected(pane) == "Republic of Kazakhstan"
        await pilot.press("less_than_sign", "less_than_sign")  # end: shrink by two
        assert _selected(pane) == "Republic"
        await pilot.press("greater_than_sign")  # end: grow by one
        assert _selected(pane) == "Republic of"
        await pilot.press("less_than_sign")
        await pilot.press("less_than_sign")  # one token left: it cannot vanish
        assert _selected(pane) == "Republic"
        assert queries.spans_for(database, reader.article_id, "ana") == []  # nothing written

        await pilot.press("3")  # GPE on the selection, then the same keys resize the span
        await pilot.pause()
        await pilot.press("greater_than_sign", "greater_than_sign")
        await pilot.pause()
        [span] = queries.spans_for(database, reader.article_id, "ana")
        assert (span.text, span.label) == ("Republic of Kazakhstan", "GPE")


async def test_search_jumps_as_you_type_and_enter_selects_the_match(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await open_first(pilot)
        pane = reader.pane
        status = reader.query_one(StatusBar)
        await pilot.press("slash", *"Nurtleu")
        first = pane.text.index("Nurtleu")
        assert pane.cursor == first  # the first match, while typing
        assert status.mode == "2 matches"
        await pilot.press("enter")  # does not skip to the second
        await pilot.pause()
        assert not reader.query_one(FindBar).display
        assert pane.selection == (first, first + len("Nurtleu"))
        assert pane.has_focus
        await pilot.press("1")  # ready for a label key
        await pilot.pause()
        [span] = queries.spans_for(database, reader.article_id, "ana")
        assert (span.text, span.start, span.label) == ("Nurtleu", first, "PERSON")


async def test_search_smart_case_count_and_stepping(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await open_first(pilot)
        pane = reader.pane
        status = reader.query_one(StatusBar)
        text = pane.text
        await pilot.press("slash", *"astana")  # lower case: any case
        assert status.mode == f"{text.lower().count('astana')} matches"
        assert pane.cursor == text.index("ASTANA")
        await pilot.press(*["backspace"] * 6, *"Astana")  # a capital: exact
        assert status.mode == "1 match"
        assert pane.cursor == text.index("Astana")
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        assert status.mode == f"{text.count('A'):,} matches"
        await pilot.press("down")  # ↓ the next match, the field keeps the focus
        assert pane.cursor == text.index("A", 1)
        await pilot.press("up")
        assert pane.cursor == 0
        await pilot.press(*"zzz")
        assert status.mode == "no match"
        assert pane.cursor == 0  # back where the search began
        await pilot.press("enter")  # nothing to select: the bar stays open
        await pilot.pause()
        assert reader.query_one(FindBar).display
        await pilot.press("escape")
        await pilot.pause()
        assert not reader.query_one(FindBar).display and status.mode == ""
        assert isinstance(app.screen, ReaderScreen)
