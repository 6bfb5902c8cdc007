"""The topic picker: the schema's agenda taxonomy, searched as you type.

Two modes. Without a selection the article's topics are toggled (``space``)
and ``enter`` confirms the whole set. Opened with a selection it picks ONE
topic (``enter``) and the selection becomes evidence for it. Typing filters the
tree (matches keep their ancestors, shown dim, so the hierarchy stays
readable); ``tab`` reaches the note of the highlighted topic.

Titles, keys, descriptions, notes and the evidence text are data: shown as
``Text`` of :func:`~tui.literal.visible_line`, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from storage.schema import LabelDef
from tui.dialogs import fuzzy
from tui.literal import visible_line

TOGGLE_HELP = "type to search · ↑↓ move · space toggle · tab note · enter confirm · esc cancel"
PICK_HELP = "type to search · ↑↓ move · enter pick · tab note · esc cancel"


@dataclass(frozen=True)
class TopicChoice:
    """What the picker returns.

    ``topics`` maps every topic that should be assigned (checked) to its note;
    in evidence mode it holds just the picked topic and ``evidence_for`` names it.
    """

    topics: dict[str, str | None] = field(default_factory=dict)
    evidence_for: str | None = None


class TopicPicker(ModalScreen[TopicChoice | None]):
    """Pick the article's agenda topics, or the one topic a selection is evidence for."""

    DEFAULT_CSS = """
    TopicPicker {
        align: center middle;
        background: $background 60%;
    }
    TopicPicker > #topic-box {
        width: 92;
        max-width: 100%;
        height: 90%;
        max-height: 36;
        padding: 0 1;
        border: thick $accent;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        background: $surface;
    }
    TopicPicker #topic-evidence {
        margin: 1 1 0 1;
        height: auto;
        max-height: 3;
    }
    TopicPicker #topic-search-row {
        height: 1;
        margin-top: 1;
    }
    TopicPicker #topic-search-label {
        width: auto;
        padding: 0 1;
        color: $accent;
    }
    TopicPicker #topic-search {
        width: 1fr;
    }
    TopicPicker #topic-description {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-style: italic;
    }
    TopicPicker #topic-list {
        height: 1fr;
        margin: 1 0;
        border: none;
        background: $surface;
    }
    TopicPicker #topic-note-row {
        height: 1;
        margin-bottom: 1;
    }
    TopicPicker #topic-note-label {
        width: auto;
        color: $text-muted;
        padding: 0 1 0 1;
    }
    TopicPicker #topic-note {
        width: 1fr;
    }
    TopicPicker #topic-help {
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("space", "toggle", "Toggle", id="topic-picker-toggle"),
        Binding("backspace", "erase", "Erase search", id="topic-picker-erase", show=False),
        Binding("escape", "cancel", "Cancel", id="topic-picker-cancel"),
    ]

    def __init__(
        self,
        tree: Sequence[tuple[int, LabelDef]],
        assigned: Mapping[str, str | None],
        evidence_counts: Mapping[str, int] | None = None,
        *,
        evidence_text: str | None = None,
    ) -> None:
        """``tree`` is ``schema.topic_tree()``; ``assigned`` maps the article's topics to notes.

        With ``evidence_text`` the picker is in evidence mode (pick one topic).
        """
        super().__init__()
        self.topic_tree = list(tree)
        self.labels = {label.key: label for _, label in self.topic_tree}
        self.evidence_counts = dict(evidence_counts or {})
        self.evidence_text = evidence_text
        self.checked: set[str] = set(assigned)
        self.notes: dict[str, str | None] = dict(assigned)
        self._note_topic: str | None = None

    @property
    def single(self) -> bool:
        """True in evidence mode: enter picks the highlighted topic."""
        return self.evidence_text is not None

    def compose(self) -> ComposeResult:
        with Vertical(id="topic-box") as box:
            if self.single:
                box.border_title = "Evidence for which topic?"
                box.border_subtitle = (
                    "type to search · ↑↓ move · enter pick · tab note · esc cancel"
                )
                shown = visible_line((self.evidence_text or "").replace("\n", " "))
                yield Static(
                    Text.assemble(
                        ("“", "dim"), (shown, "italic"), ("”", "dim"), overflow="ellipsis"
                    ),
                    id="topic-evidence",
                )
            else:
                box.border_title = "Topics of this article"
            with Horizontal(id="topic-search-row"):
                yield Static("search ›", id="topic-search-label")
                search = Input(placeholder="type to filter topics", id="topic-search", compact=True)
                search.can_focus = False
                yield search
            yield OptionList(id="topic-list")
            yield Static(id="topic-description")
            with Horizontal(id="topic-note-row"):
                yield Static("Note", id="topic-note-label")
                yield Input(placeholder="optional note", id="topic-note", compact=True)
            yield Static(PICK_HELP if self.single else TOGGLE_HELP, id="topic-help")

    def on_mount(self) -> None:
        self._refill("")
        self.query_one("#topic-list", OptionList).focus()

    # -- the list -----------------------------------------------------------------

    def _visible(self, query: str) -> tuple[list[tuple[int, LabelDef, bool]], str | None]:
        """Rows to show as (depth, label, matched) in tree order, and the best match's key."""
        ranked = fuzzy.rank(
            query,
            [(label.title, label.key) for _, label in self.topic_tree],
            extras=[(label.description,) for _, label in self.topic_tree],
        )
        if not query.strip():
            return [(depth, label, True) for depth, label in self.topic_tree], None
        matched = {self.topic_tree[index][1].key for index in ranked}
        keep = set(matched)
        for key in matched:
            parent = self.labels[key].parent
            while parent is not None and parent in self.labels:
                keep.add(parent)
                parent = self.labels[parent].parent
        rows = [
            (d, label, label.key in matched) for d, label in self.topic_tree if label.key in keep
        ]
        best = self.topic_tree[ranked[0]][1].key if ranked else None
        return rows, best

    def _prompt(self, depth: int, label: LabelDef, matched: bool) -> Text:
        mark = ""
        if not self.single:
            mark = "[x] " if label.key in self.checked else "[ ] "
        elif label.key in self.checked:
            mark = "● "
        count = self.evidence_counts.get(label.key, 0)
        prompt = Text.assemble(
            "   " * depth,
            (mark, "bold" if label.key in self.checked else "dim"),
            ("■ ", label.colour),
            (visible_line(label.title), "bold" if matched else "dim"),
            (f"  {visible_line(label.key)}", "dim"),
            (f"  · {count} evidence" if count else "", "dim italic"),
        )
        note = self.notes.get(label.key)
        if note:
            prompt.append(f"  — {visible_line(note)}", "italic")
        prompt.no_wrap = True
        prompt.overflow = "ellipsis"
        return prompt

    def _refill(self, query: str) -> None:
        topic_list = self.query_one("#topic-list", OptionList)
        current = topic_list.highlighted_option.id if topic_list.highlighted_option else None
        rows, best = self._visible(query)
        topic_list.set_options(
            Option(self._prompt(depth, label, matched), id=label.key)
            for depth, label, matched in rows
        )
        keys = [label.key for _, label, _ in rows]
        target = best if query.strip() else current
        if target in keys:
            topic_list.highlighted = keys.index(target)  # type: ignore[arg-type]
        elif keys:
            topic_list.highlighted = 0
        self._show_note()

    def _redraw(self, key: str) -> None:
        topic_list = self.query_one("#topic-list", OptionList)
        depth = next(d for d, label in self.topic_tree if label.key == key)
        query = self.query_one("#topic-search", Input).value
        rows, _ = self._visible(query)
        matched = next((m for _, label, m in rows if label.key == key), True)
        topic_list.replace_option_prompt(key, self._prompt(depth, self.labels[key], matched))

    @property
    def highlighted_key(self) -> str | None:
        option = self.query_one("#topic-list", OptionList).highlighted_option
        return option.id if option is not None else None

    # -- typing -------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """Printable keys typed on the list go to the search field (type-ahead)."""
        if not isinstance(self.focused, OptionList):
            return
        if event.character and event.is_printable and event.character != " ":
            event.stop()
            event.prevent_default()
            search = self.query_one("#topic-search", Input)
            search.value += event.character

    def action_erase(self) -> None:
        search = self.query_one("#topic-search", Input)
        if isinstance(self.focused, OptionList) and search.value:
            search.value = search.value[:-1]

    @on(Input.Changed, "#topic-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._refill(event.value)

    # -- toggling, notes, confirming ----------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """space and backspace belong to the note field while it has focus."""
        if action in ("toggle", "erase") and isinstance(self.focused, Input):
            return False
        return True

    def action_toggle(self) -> None:
        key = self.highlighted_key
        if key is None:
            return
        if self.single:
            self._finish(key)
            return
        self.checked.symmetric_difference_update({key})
        self._redraw(key)

    @on(OptionList.OptionHighlighted, "#topic-list")
    def _highlighted(self) -> None:
        self._show_note()

    def _show_note(self) -> None:
        """The note field edits the note of the highlighted topic."""
        key = self.highlighted_key
        self._note_topic = key
        label = self.query_one("#topic-note-label", Static)
        note = self.query_one("#topic-note", Input)
        title = self.labels[key].title if key else "—"
        label.update(Text.assemble("Note for ", (visible_line(title), "bold")))
        description = visible_line(self.labels[key].description) if key else ""
        self.query_one("#topic-description", Static).update(Text(description, overflow="ellipsis"))
        with note.prevent(Input.Changed):
            note.value = visible_line(self.notes.get(key) or "") if key else ""

    @on(Input.Changed, "#topic-note")
    def _note_changed(self, event: Input.Changed) -> None:
        key = self._note_topic
        if key is None:
            return
        self.notes[key] = event.value.strip() or None
        if event.value.strip() and not self.single and key not in self.checked:
            self.checked.add(key)  # writing a note about a topic means choosing it
        self._redraw(key)

    @on(OptionList.OptionSelected, "#topic-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._finish(event.option.id)

    @on(Input.Submitted, "#topic-note")
    def _note_submitted(self) -> None:
        self._finish(self._note_topic)

    def _finish(self, key: str | None) -> None:
        if self.single:
            if key is None:
                return
            self.dismiss(TopicChoice({key: self.notes.get(key)}, evidence_for=key))
            return
        ordered = [label.key for _, label in self.topic_tree if label.key in self.checked]
        # Topics outside the schema (imported, or a schema changed since) stay assigned.
        ordered += sorted(self.checked - set(self.labels))
        self.dismiss(TopicChoice({key: self.notes.get(key) for key in ordered}))

    def action_cancel(self) -> None:
        self.dismiss(None)
