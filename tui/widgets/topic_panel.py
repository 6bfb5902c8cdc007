"""The Topics panel: the article's agenda topics with their evidence, suggested ones to decide."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.binding import Binding
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
    status: str = "accepted"  # "accepted" | "suggested"


class TopicPanel(OptionList):
    """Each topic with its evidence count; select an evidence line to jump to it.

    ``a`` accepts the highlighted topic with its suggested evidence, ``r``
    rejects it (it is never suggested again for this article): the panel asks
    with :class:`TopicDecided`, the reader stores it.
    """

    BORDER_TITLE = "Topics"
    DEFAULT_CSS = """
    TopicPanel {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """
    BINDINGS = [
        Binding("a", "decide(True)", "Accept topic", id="topic-accept"),
        Binding("r", "decide(False)", "Reject topic", id="topic-reject"),
    ]

    class EvidenceSelected(Message):
        def __init__(self, span_id: int, start: int) -> None:
            super().__init__()
            self.span_id = span_id
            self.start = start

    class TopicSelected(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class TopicDecided(Message):
        """``a`` or ``r`` on a topic (or one of its evidence lines)."""

        def __init__(self, key: str, accept: bool, status: str) -> None:
            super().__init__()
            self.key = key
            self.accept = accept
            self.status = status

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._targets: dict[str, tuple[int, int] | str] = {}
        self._topic_of: dict[str, TopicItem] = {}
        self._next_highlight: str | None = None
        """After ``a``/``r``: the next suggested topic, highlighted when the panel is shown."""
        self._shown: list[TopicItem] | None = None

    def show(self, topics: list[TopicItem]) -> None:
        """Show ``topics``; nothing is done when they are the ones shown.

        An ``OptionList`` measures every option when any changes, so unchanged
        topics (an edit elsewhere in the article) must not rebuild it.
        """
        if topics == self._shown and self._next_highlight is None:
            return
        self._shown = list(topics)
        options: list[Option] = []
        self._targets, self._topic_of = {}, {}
        highlighted = self.highlighted_option.id if self.highlighted_option is not None else None
        highlighted, self._next_highlight = self._next_highlight or highlighted, None
        for topic in topics:
            option_id = f"topic-{topic.key}"
            self._targets[option_id] = topic.key
            self._topic_of[option_id] = topic
            count = len(topic.evidence)
            suggested = topic.status == "suggested"
            heading = Text.assemble(
                ("□ " if suggested else "■ ", topic.colour),
                (visible_line(topic.title), "italic" if suggested else "bold"),
                (" ?" if suggested else "", "bold"),  # as the Entities panel marks a suggestion
                (f"  {count} evidence" if count else "  no evidence", "dim"),
            )
            if topic.note:
                heading.append(f"  — {visible_line(topic.note)}", "italic")
            options.append(Option(heading, id=option_id))
            for span_id, start, text in topic.evidence:
                line_id = f"evidence-{span_id}"
                self._targets[line_id] = (span_id, start)
                self._topic_of[line_id] = topic
                line = Text("   “" + visible_line(text) + "”", no_wrap=True, overflow="ellipsis")
                options.append(Option(line, id=line_id))
        self.clear_options()
        self.add_options(options)
        if highlighted is not None and highlighted in self._targets:
            self.highlighted = self.get_option_index(highlighted)
        suggested = sum(topic.status == "suggested" for topic in topics)
        accepted = len(topics) - suggested
        self.border_subtitle = (
            f"{accepted} + {suggested}? · a accept · r reject" if suggested else str(accepted)
        )

    def on_focus(self) -> None:
        """Arriving with tab, the first topic is highlighted: ``a``/``r`` act on what is shown."""
        if self.highlighted is None and self.option_count:
            self.highlighted = 0

    def action_decide(self, accept: bool) -> None:
        option = self.highlighted_option
        topic = self._topic_of.get(option.id or "") if option is not None else None
        if topic is None:
            self.app.bell()
            return
        self._next_highlight = self._next_suggested(topic.key)
        self.post_message(self.TopicDecided(topic.key, accept, topic.status))

    def _next_suggested(self, key: str) -> str | None:
        """The heading of the next suggested topic after ``key`` (wrapping), if any."""
        headings = [
            (option_id, topic)
            for option_id, topic in self._topic_of.items()
            if option_id.startswith("topic-")
        ]
        index = next((i for i, (_, topic) in enumerate(headings) if topic.key == key), -1)
        after = headings[index + 1 :] + headings[: max(index, 0)]
        return next((oid for oid, topic in after if topic.status == "suggested"), None)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        target = self._targets.get(event.option.id or "")
        if isinstance(target, tuple):
            self.post_message(self.EvidenceSelected(*target))
        elif isinstance(target, str):
            self.post_message(self.TopicSelected(target))
