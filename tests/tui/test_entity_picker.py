"""The entity picker: its hint matches its keys, the article's entities first, the offline KB."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, OptionList, Static

from tui.dialogs.entity_picker import (
    HELP,
    EntityChoice,
    EntityOption,
    EntityPicker,
    KBCandidate,
)

OPTIONS = [
    EntityOption(1, "Murat Nurtleu Foundation", "PERSON", mentions=9),
    EntityOption(2, "Murat Nurtleu", "PERSON", "Q4375421", mentions=1),
    EntityOption(3, "Kaja Kallas", "PERSON", mentions=4),
]
KB = [
    KBCandidate("Kazakhstan", "GPE", "Q232", ("Republic of Kazakhstan",)),
    KBCandidate("Kazan", "GPE", "Q900"),
    KBCandidate("Murat Nurtleu", "PERSON", "Q4375421"),  # already an entity: not offered twice
]


def kb_search(query: str) -> list[KBCandidate]:
    wanted = query.casefold()
    return [
        entry
        for entry in KB
        if any(name.casefold().startswith(wanted) for name in (entry.name, *entry.aliases))
    ]


class PickerApp(App[None]):
    def __init__(self, mention: str, **kwargs: object) -> None:
        super().__init__()
        self.picker = EntityPicker(mention, "PERSON", OPTIONS, **kwargs)  # type: ignore[arg-type]
        self.results: list[EntityChoice | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.picker, self.results.append)


def _rows(picker: EntityPicker) -> list[str]:
    entity_list = picker.query_one("#entity-list", OptionList)
    return [str(entity_list.get_option_at_index(i).id) for i in range(entity_list.option_count)]


async def test_tab_goes_to_the_knowledge_base_id_as_the_hint_says() -> None:
    assert "tab knowledge-base id" in HELP
    app = PickerApp("Kallas")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        picker = app.picker
        assert picker.focused is picker.query_one("#entity-search", Input)
        assert HELP in str(picker.query_one("#entity-help", Static).content)
        await pilot.press("tab")
        assert picker.focused is picker.query_one("#entity-kb", Input)
        await pilot.press(*"Q1234", "enter")  # enter from the KB field chooses the highlighted
        await pilot.pause()
        assert app.results == [EntityChoice(entity_id=3, kb_id="Q1234")]


async def test_arrows_move_the_list_from_the_search_field() -> None:
    app = PickerApp("Kallas")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # Kallas, then "create new"
        await pilot.pause()
        assert app.results == [EntityChoice(create_name="Kallas")]


async def test_the_articles_own_entities_come_first() -> None:
    app = PickerApp("Nurtleu", in_article={2})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        picker = app.picker
        # the foundation has more mentions in the corpus, but the article names Murat Nurtleu
        assert _rows(picker)[:2] == ["2", "1"]
        shown = str(picker.query_one("#entity-list", OptionList).get_option_at_index(0).prompt)
        assert "in this article" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [EntityChoice(entity_id=2)]

    app = PickerApp("Nurtleu")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert _rows(app.picker)[:2] == ["1", "2"]  # without article entities: most mentioned


async def test_knowledge_base_entries_create_an_entity_with_their_id() -> None:
    app = PickerApp("Murat", kb_search=kb_search)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        picker = app.picker
        assert not any(row.startswith("kb:") for row in _rows(picker))  # Q4375421 is an entity
        search = picker.query_one("#entity-search", Input)
        search.value = "Republic of Kaz"
        await pilot.pause()
        rows = _rows(picker)
        assert rows[0] == "kb:0" and rows[-1] == "create"
        shown = str(picker.query_one("#entity-list", OptionList).get_option_at_index(0).prompt)
        assert "Kazakhstan" in shown and "Q232" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [EntityChoice(create_name="Kazakhstan", kb_id="Q232")]


async def test_knowledge_base_text_is_shown_literally() -> None:
    hostile = KBCandidate("Evil [b]x[/b] \x1b[2J", "PERSON", "Q1 [@click=app.quit]")

    app = PickerApp("Evil", kb_search=lambda query: [hostile])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        entity_list = app.picker.query_one("#entity-list", OptionList)
        shown = str(entity_list.get_option_at_index(0).prompt)
        assert "Evil [b]x[/b] ␛[2J" in shown and "Q1 [@click=app.quit]" in shown
        assert "\x1b" not in shown
