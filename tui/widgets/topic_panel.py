"""The Topics panel: the article's agenda topics with their evidence."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.literal import visible_line


@dataclass(frozen=True)
class TopicItem:
    key: str
    title: str
    colour: str
    note: str | None
    evidence: tuple[tuple[int, int, str], ...]  # (span id, start, text)


class TopicPanel(OptionList):
    """Each topic with its evidence count; select an evidence line to jump to it."""

    BORDER_TITLE = "Topics"

    class EvidenceSelected(Message):
        def __init__(self, span_id: int, start: int) -> None:
            super().__init__()
            self.span_id = span_id
            self.start = start

    class TopicSelected(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._targets: dict[str, tuple[int, int] | str] = {}

    def show(self, topics: list[TopicItem]) -> None:
        options: list[Option] = []
        self._targets = {}
        for topic in topics:
            option_id = f"topic-{topic.key}"
            self._targets[option_id] = topic.key
            count = len(topic.evidence)
            heading = Text.assemble(
                ("■ ", topic.colour),
                (visible_line(topic.title), "bold"),
                (f"  {count} evidence" if count else "  no evidence", "dim"),
            )
            if topic.note:
                heading.append(f"  — {visible_line(topic.note)}", "italic")
            options.append(Option(heading, id=option_id))
            for span_id, start, text in topic.evidence:
                line_id = f"evidence-{span_id}"
                self._targets[line_id] = (span_id, start)
                line = Text("   “" + visible_line(text) + "”", no_wrap=True, overflow="ellipsis")
                options.append(Option(line, id=line_id))
        self.clear_options()
        self.add_options(options)
        self.border_subtitle = str(len(topics))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        target = self._targets.get(event.option.id or "")
        if isinstance(target, tuple):
            self.post_message(self.EvidenceSelected(*target))
        elif isinstance(target, str):
            self.post_message(self.TopicSelected(target))
