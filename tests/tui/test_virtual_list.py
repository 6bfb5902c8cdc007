"""The virtual list and the Entities/Figures panels built on it, under Pilot.

Rows are drawn only when visible, the cursor skips headings, enter and clicks
post the panel's message with the right span, and ``show()`` again keeps the
highlighted item and the scroll position.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from decimal import Decimal

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.message import Message

from tui.widgets.entity_panel import EntityPanel, MentionItem
from tui.widgets.figure_panel import FigureItem, FigurePanel
from tui.widgets.panel_model import Heading
from tui.widgets.virtual_list import VirtualList

GOLD = "#e5c07b"
CSS = """
#side { width: 56; }
#side > * { height: 1fr; border: round $primary 40%; }
"""


class Numbers(VirtualList[int]):
    """Rows 0..n-1; every tenth is a disabled heading. Counts the rows it renders."""

    def __init__(self) -> None:
        super().__init__(id="numbers")
        self.rendered: list[int] = []

    def row_enabled(self, row: int) -> bool:
        return row % 10 != 0

    def row_key(self, row: int) -> Hashable:
        return row

    def render_row(self, row: int, width: int) -> Text:
        self.rendered.append(row)
        return Text(f"heading {row}" if row % 10 == 0 else f"row {row}")


class PanelApp(App[None]):
    """The two panels and a plain list, like the reader's side column."""

    CSS = CSS

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="side"):
            yield EntityPanel(id="entity-panel")
            yield FigurePanel(id="figure-panel")
            yield Numbers()

    def on_entity_panel_mention_selected(self, message: EntityPanel.MentionSelected) -> None:
        self.messages.append(message)

    def on_figure_panel_figure_selected(self, message: FigurePanel.FigureSelected) -> None:
        self.messages.append(message)


def mention(
    span_id: int, text: str, entity: tuple[int, str] | None = None, **kw: str
) -> MentionItem:
    entity_id, name = entity if entity else (None, None)
    return MentionItem(
        span_id,
        span_id * 100,
        text,
        kw.get("label", "PERSON"),
        GOLD,
        kw.get("status", "accepted"),
        entity_id,
        name,
    )


def figure(span_id: int, value: str | None, **kw: object) -> FigureItem:
    return FigureItem(
        span_id,
        span_id * 100,
        "text",
        str(kw.get("kind", "MONEY")),
        GOLD,
        str(kw.get("status", "accepted")),
        Decimal(value) if value is not None else None,
        kw.get("unit"),  # type: ignore[arg-type]
        kw.get("metric"),  # type: ignore[arg-type]
        kw.get("period"),  # type: ignore[arg-type]
        bool(kw.get("approximate", False)),
        bool(kw.get("change", False)),
    )


KALLAS = (7, "Kaja Kallas")
MENTIONS = [
    mention(1, "Murat Nurtleu"),
    mention(2, "Kaja Kallas", KALLAS),
    mention(3, "Astana", label="GPE", status="suggested"),
    mention(4, "Kallas", KALLAS),
]


def lines(panel: VirtualList[object]) -> list[str]:
    return [panel.render_line(y).text for y in range(panel.scrollable_content_region.height)]


async def test_entity_rows_grouped_under_headings() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(EntityPanel)
        panel.show(MENTIONS)
        await pilot.pause()
        shown = [line.rstrip() for line in lines(panel)[:4]]
        assert shown == [
            "PERSON  Murat Nurtleu",
            "● Kaja Kallas ×2",
            "  PERSON  Kaja Kallas",
            "  PERSON  Kallas",
        ]
        assert lines(panel)[4].rstrip() == "GPE     Astana ?"
        assert panel.border_subtitle == "4"
        assert panel.cursor == 0


async def test_long_rows_are_cut_with_an_ellipsis() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(EntityPanel)
        panel.show([mention(1, "word " * 40 + "\nend")])
        await pilot.pause()
        width = panel.scrollable_content_region.width
        first = panel.render_line(0)
        assert first.cell_length == width
        assert first.text.endswith("…")
        assert "\n" not in first.text


async def test_keys_skip_headings_and_enter_posts_the_span() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(EntityPanel)
        panel.show(MENTIONS)
        panel.focus()
        await pilot.pause()
        await pilot.press("down")  # over the "Kaja Kallas" heading
        assert panel.cursor == 2
        await pilot.press("k")
        assert panel.cursor == 0
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        [message] = app.messages
        assert isinstance(message, EntityPanel.MentionSelected)
        assert (message.span_id, message.start) == (4, 400)
        await pilot.press("end")
        assert panel.highlighted_row == MENTIONS[2]
        await pilot.press("home")
        assert panel.cursor == 0


async def test_click_selects_a_mention_but_not_a_heading() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(EntityPanel)
        panel.show(MENTIONS)
        await pilot.pause()
        top = panel.content_region.y - panel.region.y
        await pilot.click(EntityPanel, offset=(4, top + 1))  # the heading
        assert app.messages == []
        await pilot.click(EntityPanel, offset=(4, top + 2))
        await pilot.pause()
        [message] = app.messages
        assert isinstance(message, EntityPanel.MentionSelected)
        assert message.span_id == 2
        assert panel.cursor == 2


async def test_show_again_keeps_the_highlighted_span_and_the_scroll() -> None:
    app = PanelApp()
    many = [mention(index, f"name {index}") for index in range(1, 201)]
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(EntityPanel)
        panel.show(many)
        panel.focus()
        await pilot.pause()
        await pilot.press("pagedown", "pagedown", "down")
        await pilot.pause()
        span_id = panel.highlighted_row.span_id  # type: ignore[union-attr]
        scroll = panel.scroll_y
        assert scroll > 0
        # A label above the highlighted row adds one: the row moves, the view stays.
        panel.show([mention(1000, "new"), *many])
        await pilot.pause()
        assert panel.highlighted_row.span_id == span_id  # type: ignore[union-attr]
        assert panel.scroll_y == scroll
        # The highlighted mention is deleted: the cursor stays at its place.
        index = panel.cursor
        panel.show([item for item in [mention(1000, "new"), *many] if item.span_id != span_id])
        await pilot.pause()
        assert panel.cursor == index
        assert panel.highlighted_row.span_id == span_id + 1  # type: ignore[union-attr]


async def test_figure_table_has_a_fixed_header_and_formatted_values() -> None:
    app = PanelApp()
    figures = [
        figure(1, "49700000000", unit="USD", metric="trade turnover", period="2024"),
        figure(2, "16.9", kind="PERCENT", unit="%", change=True, status="suggested"),
        figure(3, "1000", kind="COUNT", approximate=True),
    ]
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(FigurePanel)
        panel.show(figures)
        await pilot.pause()
        header, *rows = [line.rstrip() for line in lines(panel)[:4]]
        assert header.split() == ["Kind", "Value", "Unit", "Metric", "Period"]
        assert rows[0].split() == ["MONEY", "49.7bn", "USD", "trade", "turnover", "2024"]
        assert rows[1].split() == ["PERCENT", "+16.9", "%"]
        assert rows[2].split() == ["COUNT", "≈1000"]
        # Values are right-aligned under their title.
        value_end = header.index("Value") + len("Value")
        assert all(row[value_end - 1] != " " for row in rows)
        assert panel.border_subtitle == "3"
        panel.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        [message] = app.messages
        assert isinstance(message, FigurePanel.FigureSelected)
        assert (message.span_id, message.start) == (2, 200)


async def test_figure_header_stays_while_scrolling_and_is_not_clickable() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(FigurePanel)
        panel.show([figure(index, str(index)) for index in range(1, 101)])
        panel.focus()
        await pilot.press("end")
        await pilot.pause()
        shown = lines(panel)
        assert shown[0].split()[:2] == ["Kind", "Value"]
        assert shown[-1].split() == ["MONEY", "100"]
        top = panel.content_region.y - panel.region.y
        await pilot.click(FigurePanel, offset=(4, top))
        assert app.messages == []
        await pilot.click(FigurePanel, offset=(4, top + 1))
        await pilot.pause()
        [message] = app.messages
        assert message.span_id == 100 - len(shown) + 2  # type: ignore[attr-defined]


async def test_ten_thousand_rows_draw_only_what_is_visible() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 40)) as pilot:
        numbers = app.query_one(Numbers)
        numbers.set_rows(range(10_000))
        await pilot.pause()
        height = numbers.scrollable_content_region.height
        assert 0 < len(numbers.rendered) <= height
        assert numbers.cursor == 1  # row 0 is a heading
        numbers.focus()
        await pilot.pause()
        numbers.rendered.clear()
        await pilot.press("end")
        await pilot.pause()
        assert numbers.cursor == 9_999
        assert numbers.render_line(height - 1).text.rstrip() == "row 9999"
        assert len(numbers.rendered) <= height + 1
        # Moving the cursor redraws the two rows it touches, nothing else.
        numbers.rendered.clear()
        await pilot.press("up")
        await pilot.pause()
        assert sorted(numbers.rendered) == [9_998, 9_999]


async def test_ten_thousand_mentions_show_and_reach_the_last() -> None:
    app = PanelApp()
    mentions = [
        mention(index, f"name {index}", (index % 50, f"entity {index % 50}") if index % 2 else None)
        for index in range(10_000)
    ]
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(EntityPanel)
        panel.show(mentions)
        panel.focus()
        await pilot.press("end")
        await pilot.pause()
        entities = {item.entity_id for item in mentions if item.entity_id is not None}
        assert len(panel.rows) == 10_000 + len(entities)
        height = panel.scrollable_content_region.height
        # Linked mentions sit under their entity's first mention: the last row is unlinked.
        assert panel.render_line(height - 1).text.rstrip() == "PERSON  name 9998"
        assert panel.highlighted_row == mentions[9_998]


async def test_page_keys_land_on_enabled_rows() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 40)) as pilot:
        numbers = app.query_one(Numbers)
        numbers.set_rows(range(1_000))
        numbers.focus()
        await pilot.pause()
        seen = []
        for key in ("pagedown", "pagedown", "pagedown", "pageup", "end", "pageup", "home"):
            await pilot.press(key)
            seen.append(numbers.cursor)
        assert all(index % 10 for index in seen)
        assert seen[0] > 1 and seen[1] > seen[0] and seen[3] < seen[2]
        assert seen[-1] == 1


async def test_wheel_scrolls_without_moving_the_cursor() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 40)) as pilot:
        numbers = app.query_one(Numbers)
        numbers.set_rows(range(1_000))
        await pilot.pause()
        for _ in range(3):
            numbers.post_message(
                events.MouseScrollDown(numbers, 1, 1, 0, 1, 0, False, False, False)
            )
        await pilot.pause()
        assert numbers.scroll_y > 0
        assert numbers.cursor == 1
        first = numbers.render_line(0).text.split()
        assert int(first[1]) == numbers.scroll_offset.y


async def test_empty_show_clears_the_list() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(EntityPanel)
        panel.show(MENTIONS)
        await pilot.pause()
        panel.show([])
        panel.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert panel.cursor == -1
        assert panel.highlighted_row is None
        assert app.messages == []
        assert set(lines(panel)[0]) == {" "}


async def test_narrow_figure_table_drops_empty_columns_then_cuts_metric() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(FigurePanel)
        panel.show([])
        await pilot.pause()
        assert lines(panel)[0].split() == ["Kind", "Value", "Unit", "Metric", "Period"]
        panel.styles.width = 36  # 32 cells inside the border and padding
        panel.show([figure(1, "49700000000", unit="USD", metric="trade turnover")])
        await pilot.pause()
        header, row = lines(panel)[:2]
        assert header.split() == ["Kind", "Value", "Unit", "Metric"]
        assert row.split() == ["MONEY", "49.7bn", "USD", "trade", "turn…"]
        assert len(row) == panel.scrollable_content_region.width


async def test_hover_tints_only_the_row_under_the_pointer() -> None:
    app = PanelApp()
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(EntityPanel)
        panel.show(MENTIONS)
        await pilot.pause()

        def background(y: int) -> object:
            return list(panel.render_line(y))[-1].style.bgcolor  # type: ignore[union-attr]

        plain = background(3)
        top = panel.content_region.y - panel.region.y
        await pilot.hover(EntityPanel, offset=(4, top + 3))
        await pilot.pause()
        assert background(3) != plain
        assert background(2) == plain
        await pilot.hover(EntityPanel, offset=(4, top + 2))
        await pilot.pause()
        assert background(3) == plain


async def test_patch_redraws_only_the_changed_rows_and_keeps_cursor_and_scroll() -> None:
    """A relabel redraws its row; a label above the cursor shifts the rows, not the view.

    Rows drawn once are not drawn again when they shift (strips are cached by row).
    """
    app = PanelApp()
    many = [mention(index, f"name {index}") for index in range(1, 201)]
    async with app.run_test(size=(80, 40)) as pilot:
        panel = app.query_one(EntityPanel)
        panel.show(many)
        panel.focus()
        await pilot.pause()
        await pilot.press("pagedown", "down")
        await pilot.pause()
        highlighted, scroll, top = panel.highlighted_row, panel.scroll_y, panel.scroll_offset.y
        assert isinstance(highlighted, MentionItem) and scroll > 0
        drawn: list[int] = []
        render_row = panel.render_row

        def counted(row: MentionItem, width: int) -> Text:
            drawn.append(row.span_id)
            return render_row(row, width)

        panel.render_row = counted  # type: ignore[assignment,method-assign]
        relabelled = panel.rows[top + 2]
        assert isinstance(relabelled, MentionItem)
        panel.patch([relabelled.span_id], [mention(relabelled.span_id, "renamed", label="ORG")])
        await pilot.pause()
        assert drawn == [relabelled.span_id]
        assert "ORG     renamed" in lines(panel)[2]
        assert panel.highlighted_row == highlighted

        drawn.clear()
        panel.patch([], [mention(1000, "new", KALLAS), mention(1001, "x", KALLAS)])
        await pilot.pause()
        assert panel.highlighted_row == highlighted
        assert drawn == []  # the rows were added below the view
        assert panel.border_subtitle == "202"

        cursor = panel.cursor
        first = replace(mention(1002, "first", KALLAS), start=0)
        panel.patch([], [first])  # the Kallas block moves to the top: heading + three mentions
        await pilot.pause()
        assert panel.highlighted_row == highlighted
        assert panel.cursor == cursor + 4
        assert panel.scroll_y == scroll
        assert panel.rows[:2] == [Heading(7, "Kaja Kallas", GOLD, 3), first]
        assert drawn == [1000, 1001, 1]  # the shifted rows' strips are reused
        patched = lines(panel)
        panel.show([row for row in panel.rows if isinstance(row, MentionItem)])
        assert lines(panel) == patched

        drawn.clear()
        panel.patch([1002], [])  # the block goes back below the view
        await pilot.pause()
        assert (panel.highlighted_row, panel.cursor) == (highlighted, cursor)
