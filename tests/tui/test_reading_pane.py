"""The reading pane under Pilot: keys, mouse, drawing, resize, search and a 1 MB article."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.message import Message

from tui.widgets import pane_layout as layout
from tui.widgets.reading_pane import PaneSpan, ReadingPane

pytestmark = pytest.mark.anyio

SAMPLE = Path(__file__).resolve().parents[2] / "sample_articles" / "kazakhstan-eu-kallas.md"
ARTICLE = SAMPLE.read_text(encoding="utf-8").split("---\n", 2)[2]
MURAT = ARTICLE.index("Murat Nurtleu")
KALLAS = ARTICLE.index("Kaja Kallas")
GOLD = "#e5c07b"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class PaneApp(App[None]):
    """Just a reading pane, recording the messages it posts."""

    def __init__(self, text: str = ARTICLE, spans: tuple[PaneSpan, ...] = ()) -> None:
        super().__init__()
        self.text, self.spans = text, spans
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ReadingPane(self.text, self.spans)

    def on_reading_pane_cursor_moved(self, message: ReadingPane.CursorMoved) -> None:
        self.messages.append(message)

    def on_reading_pane_selection_changed(self, message: ReadingPane.SelectionChanged) -> None:
        self.messages.append(message)

    def on_reading_pane_span_clicked(self, message: ReadingPane.SpanClicked) -> None:
        self.messages.append(message)


def picked(pane: ReadingPane) -> str | None:
    selection = pane.selection
    return None if selection is None else pane.text[selection[0] : selection[1]]


def screen_point(pane: ReadingPane, offset: int) -> tuple[int, int]:
    """Widget-relative (x, y) of the cell showing ``offset``, for Pilot's mouse calls."""
    row, column = layout.offset_to_cell(pane.text, pane._table, offset)
    left, top = pane.content_region.x - pane.region.x, pane.content_region.y - pane.region.y
    return left + column - pane.scroll_offset.x, top + row - pane.scroll_offset.y


async def test_arrows_hjkl_words_and_lines_move_the_cursor() -> None:
    app = PaneApp("alpha beta gamma\ndelta epsilon\n\nzeta")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        await pilot.press("right", "l", "l")
        assert pane.cursor == 3
        await pilot.press("down")
        assert pane.cursor == 17 + 3  # same column on the next line
        await pilot.press("k", "h")
        assert pane.cursor == 2
        await pilot.press("w", "w")
        assert pane.cursor == pane.text.index("gamma")
        await pilot.press("b")
        assert pane.cursor == pane.text.index("beta")
        await pilot.press("end")
        assert pane.cursor == pane.text.index("\n")
        await pilot.press("home")
        assert pane.cursor == 0
        await pilot.press("G")
        assert pane.cursor == len(pane.text)
        await pilot.press("g")
        assert pane.cursor == 0
        await pilot.press("j", "j", "j")
        assert pane.text[pane.cursor :] == "zeta"
        moved = [m.offset for m in app.messages if isinstance(m, ReadingPane.CursorMoved)]
        assert moved[-1] == pane.cursor


async def test_page_keys_move_a_screenful_and_scroll() -> None:
    text = "\n".join(f"line {number}" for number in range(200))
    app = PaneApp(text)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        height = pane.scrollable_content_region.height
        await pilot.press("pagedown")
        assert pane.text[pane.cursor :].startswith(f"line {height}\n")
        assert pane.scroll_offset.y > 0
        await pilot.press("pageup")
        assert pane.cursor == 0 and pane.scroll_offset.y == 0
        await pilot.press("ctrl+end")
        assert pane.cursor == len(text)
        assert pane.scroll_offset.y == len(pane._table) - height


async def test_shift_right_snaps_the_selection_to_whole_words() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.move_cursor(MURAT)
        await pilot.press("shift+right")
        assert picked(pane) == "Murat"
        await pilot.press("shift+right")
        assert pane.selection == (MURAT, MURAT + len("Murat Nurtleu"))
        assert picked(pane) == "Murat Nurtleu"
        assert pane.target_range() == pane.selection
        await pilot.press("shift+left")
        assert picked(pane) == "Murat"
        changes = [m.selection for m in app.messages if isinstance(m, ReadingPane.SelectionChanged)]
        assert changes[-1] == (MURAT, MURAT + 5)
        await pilot.press("escape")
        assert pane.selection is None


async def test_v_mode_extends_with_plain_movement_and_snaps() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.move_cursor(MURAT + 1)  # inside "Murat"
        await pilot.press("v", "l")
        assert pane.select_mode
        assert picked(pane) == "Murat"
        await pilot.press("w", "l")
        assert picked(pane) == "Murat Nurtleu"
        await pilot.press("v")
        assert not pane.select_mode and pane.selection is None


async def test_alt_shift_extends_by_one_character_unsnapped() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.move_cursor(MURAT + 1)
        await pilot.press("alt+shift+right", "alt+shift+right")
        assert pane.selection == (MURAT + 1, MURAT + 3)
        assert picked(pane) == "ur"
        await pilot.press("escape")
        await pilot.press("ctrl+shift+left")  # the fallback for legacy terminals
        assert picked(pane) == "r"  # one character back from the cursor at MURAT + 3


async def test_target_range_is_the_word_under_the_cursor() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.move_cursor(MURAT + 2)
        assert pane.target_range() == (MURAT, MURAT + 5)
        pane.move_cursor(MURAT - 1)  # the space before it
        assert pane.target_range() is None
        await pilot.press("escape")  # nothing to clear: the key passes on, no error


async def test_mouse_drag_selects_snapped_words() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        await pilot.mouse_down(pane, offset=screen_point(pane, MURAT + 2))
        assert pane.cursor == MURAT + 2
        await pilot.hover(pane, offset=screen_point(pane, MURAT + 8))
        await pilot.mouse_up(pane, offset=screen_point(pane, MURAT + 8))
        assert picked(pane) == "Murat Nurtleu"
        await pilot.press("shift+right")  # continues from the snapped edge
        assert picked(pane) == "Murat Nurtleu,"


async def test_mouse_drag_backwards_selects_the_swept_cells() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        await pilot.mouse_down(pane, offset=screen_point(pane, MURAT + 8))
        await pilot.hover(pane, offset=screen_point(pane, MURAT))
        await pilot.mouse_up(pane, offset=screen_point(pane, MURAT))
        assert picked(pane) == "Murat Nurtleu"
        assert pane.cursor == MURAT


async def test_click_on_a_span_posts_span_clicked_and_selects_it() -> None:
    spans = (
        PaneSpan(7, MURAT, MURAT + 13, "entity", "PERSON", GOLD),
        PaneSpan(8, MURAT - 60, MURAT + 40, "evidence", "diplomacy", "#61afef"),
    )
    app = PaneApp(spans=spans)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        await pilot.click(pane, offset=screen_point(pane, MURAT + 9))
        clicked = [m.span for m in app.messages if isinstance(m, ReadingPane.SpanClicked)]
        assert clicked == [spans[0]]  # the innermost span
        assert pane.selection == (MURAT, MURAT + 13)
        assert pane.spans_at(MURAT + 9) == [spans[0], spans[1]]
        await pilot.click(pane, offset=screen_point(pane, 3))
        assert pane.cursor == 3 and pane.selection is None
        assert len([m for m in app.messages if isinstance(m, ReadingPane.SpanClicked)]) == 1


async def test_markup_in_the_article_renders_literally() -> None:
    text = "[bold]x[/bold] [/] [link=http://a] [red]y\nnext"
    app = PaneApp(text)
    async with app.run_test(size=(120, 40)):
        pane = app.query_one(ReadingPane)
        assert pane.render_line(0).text.rstrip() == "[bold]x[/bold] [/] [link=http://a] [red]y"
        assert pane.render_line(1).text.rstrip() == "next"


async def test_layers_and_suggestions_are_drawn_distinctly() -> None:
    text = "Kaja Kallas met Murat Nurtleu about $49.7 billion."
    figure = text.index("$")
    spans = (
        PaneSpan(1, 0, 11, "entity", "PERSON", GOLD, "suggested"),
        PaneSpan(2, 16, 29, "entity", "PERSON", GOLD),
        PaneSpan(3, figure, figure + 13, "figure", "MONEY", "#98c379"),
    )
    app = PaneApp(text, spans)
    async with app.run_test(size=(120, 40)):
        pane = app.query_one(ReadingPane)
        pane.move_cursor(len(text))
        styles = {seg.text: seg.style for seg in pane.render_line(0) if seg.style}
        accepted, suggested = styles["Murat Nurtleu"], styles["Kaja Kallas"]
        money = styles["$49.7 billion"]
        assert accepted.bgcolor is not None and accepted.bgcolor.triplet.hex == GOLD
        assert suggested.bgcolor != accepted.bgcolor and suggested.underline and suggested.italic
        assert suggested.color is not None and suggested.color.triplet.hex == GOLD
        assert money.bold and money.underline and money.color.triplet.hex == "#98c379"
        pane.set_spans(spans[1:])  # "accept nothing, drop the suggestion": the line is redrawn
        styles = {seg.text: seg.style for seg in pane.render_line(0) if seg.style}
        assert not any(
            shown.startswith("Kaja Kallas") and style.italic for shown, style in styles.items()
        )


async def test_resize_rewraps_and_keeps_the_cursor() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        target = ARTICLE.index("Trans-Caspian")
        pane.move_cursor(target)
        wide_rows = len(pane._table)
        await pilot.resize_terminal(50, 12)
        await pilot.pause()
        assert pane.cursor == target
        assert len(pane._table) > wide_rows
        assert all(
            len(layout.line_text(pane.text, pane._table, row).rstrip()) <= pane._table.width
            for row in range(len(pane._table))
        )
        row, _ = layout.offset_to_cell(pane.text, pane._table, target)
        assert pane.scroll_offset.y <= row < pane.scroll_offset.y + pane.size.height


async def test_max_width_limits_the_measure() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 40)):
        pane = app.query_one(ReadingPane)
        assert pane._table.width == 88
        pane.max_width = 40
        assert pane._table.width == 40
        pane.max_width = 0
        assert pane._table.width == pane.scrollable_content_region.width - 1


async def test_search_highlights_and_cycles_case_insensitively() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        expected = ARTICLE.lower().count("kazakhstan")
        assert pane.search("KAZAKHSTAN") == expected
        first = ARTICLE.lower().index("kazakhstan")
        assert pane.cursor == first
        pane.next_match()
        assert pane.cursor == ARTICLE.lower().index("kazakhstan", first + 1)
        pane.next_match(backwards=True)
        pane.next_match(backwards=True)
        assert pane.cursor == ARTICLE.lower().rindex("kazakhstan")
        await pilot.pause()
        match = pane.get_component_rich_style("reading-pane--match")
        row = layout.offset_to_cell(pane.text, pane._table, first)[0] - pane.scroll_offset.y
        assert any(
            seg.style and seg.style.bgcolor == match.bgcolor for seg in pane.render_line(row)
        )
        pane.clear_search()
        assert not any(
            seg.style and seg.style.bgcolor == match.bgcolor for seg in pane.render_line(row)
        )
        assert pane.search("no such words") == 0


async def test_a_megabyte_with_five_thousand_spans_loads_and_renders_its_end() -> None:
    paragraph = ARTICLE.split("\n\n")[1]
    text = "\n\n".join(f"{number}. {paragraph}" for number in range(1_000_000 // len(paragraph)))
    assert len(text) >= 990_000
    step = len(text) // 5000
    spans = tuple(
        PaneSpan(n, n * step, n * step + 9, ("entity", "figure", "evidence")[n % 3], "X", GOLD)
        for n in range(5000)
    )
    app = PaneApp("short", ())
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(ReadingPane)
        pane.load(text, spans)
        await pilot.press("G")
        last_row = len(pane._table) - 1
        assert pane.cursor == len(text)
        assert last_row > 10_000
        shown = pane.render_line(last_row - pane.scroll_offset.y).text.rstrip()
        assert shown and text.endswith(shown)
        assert shown == layout.line_text(text, pane._table, last_row).rstrip()
        assert [span.id for span in pane.spans_at(4999 * step + 3)] == [4999]


async def test_patching_spans_draws_the_same_as_setting_them() -> None:
    """An edit patches the pane (O(log n) per span) with the same result as a full set."""
    murat = PaneSpan(7, MURAT, MURAT + 13, "entity", "PERSON", GOLD)
    kallas = PaneSpan(8, KALLAS, KALLAS + 11, "entity", "PERSON", GOLD)
    patched_app, fresh_app = PaneApp(spans=(murat,)), PaneApp(spans=(kallas,))
    async with patched_app.run_test(size=(80, 24)) as pilot:
        pane = patched_app.query_one(ReadingPane)
        await pilot.pause()
        pane.patch_spans({7}, [kallas])
        relabelled = PaneSpan(8, KALLAS, KALLAS + 11, "entity", "ORG", "#61afef")
        pane.patch_spans({8}, [relabelled])
        await pilot.pause()
        assert pane.spans == (relabelled,)
        assert pane.spans_at(KALLAS + 2) == [relabelled] and pane.spans_at(MURAT + 2) == []
        patched = [list(pane.render_line(y)) for y in range(pane.size.height)]
    async with fresh_app.run_test(size=(80, 24)) as pilot:
        pane = fresh_app.query_one(ReadingPane)
        await pilot.pause()
        pane.set_spans([PaneSpan(8, KALLAS, KALLAS + 11, "entity", "ORG", "#61afef")])
        await pilot.pause()
        assert [list(pane.render_line(y)) for y in range(pane.size.height)] == patched
