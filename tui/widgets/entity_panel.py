"""The Entities panel: entity mentions in reading order, grouped by canonical entity."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


@dataclass(frozen=True)
class MentionItem:
    """One entity span as the panel shows it."""

    span_id: int
    start: int
    text: str
    label: str
    colour: str
    status: str
    entity_id: int | None = None
    entity_name: str | None = None


class EntityPanel(OptionList):
    """Select a mention to move the reading cursor to it."""

    BORDER_TITLE = "Entities"

    class MentionSelected(Message):
        def __init__(self, span_id: int, start: int) -> None:
            super().__init__()
            self.span_id = span_id
            self.start = start

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: dict[str, MentionItem] = {}

    def show(self, mentions: list[MentionItem]) -> None:
        """Replace the list: linked mentions under their entity, the rest alone."""
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        groups: dict[int, list[MentionItem]] = {}
        for mention in mentions:
            if mention.entity_id is not None:
                groups.setdefault(mention.entity_id, []).append(mention)
        options: list[Option] = []
        self._items = {}
        shown_groups: set[int] = set()
        for mention in mentions:
            if mention.entity_id is None:
                options.append(self._option(mention, indent=False))
                continue
            if mention.entity_id in shown_groups:
                continue
            shown_groups.add(mention.entity_id)
            group = groups[mention.entity_id]
            heading = Text.assemble(
                ("● ", mention.colour),
                (mention.entity_name or mention.text, "bold"),
                (f" ×{len(group)}", "dim"),
            )
            options.append(Option(heading, id=f"entity-{mention.entity_id}", disabled=True))
            options.extend(self._option(item, indent=True) for item in group)
        self.clear_options()
        self.add_options(options)
        self.border_subtitle = f"{len(mentions)}"
        if highlighted is not None and highlighted in self._items:
            self.highlighted = self.get_option_index(highlighted)

    def _option(self, mention: MentionItem, *, indent: bool) -> Option:
        option_id = f"span-{mention.span_id}"
        self._items[option_id] = mention
        style = "italic dim" if mention.status == "suggested" else ""
        prompt = Text.assemble(
            ("  " if indent else ""),
            (f"{mention.label:<7}", f"bold {mention.colour}"),
            " ",
            (mention.text.replace("\n", " "), style),
            (" ?" if mention.status == "suggested" else "", "dim"),
        )
        prompt.no_wrap = True
        prompt.overflow = "ellipsis"
        return Option(prompt, id=option_id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        mention = self._items.get(event.option.id or "")
        if mention is not None:
            self.post_message(self.MentionSelected(mention.span_id, mention.start))
