"""The entity picker: link a mention to a canonical entity, or create one.

The search starts as the mention's text, so "Kallas" finds "Kaja Kallas"
(names and aliases are both searched). The article's own entities come first
(marked "in this article"), then the rest of the corpus, then entries of the
offline knowledge base not yet in the corpus (choosing one creates the entity
with its id). Rows show each entity's type, knowledge base id, mention count
and aliases; the last rows create a new entity named as typed (or after the
mention) and, for a linked mention, unlink it. ``↑``/``↓`` move the highlight
from either field (the list itself never takes focus, so ``tab`` goes straight
to the optional knowledge-base id), ``enter`` chooses.

The mention's text and every name are data (they come from articles and
imports): the title is a Content, rows are ``Text`` of
:func:`~tui.literal.visible_line`, so neither markup nor control codes act.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.dialogs import fuzzy
from tui.dialogs.validators import KbIdValidator, normalise_kb_id
from tui.literal import literal, visible, visible_line

CREATE = "create"
UNLINK = "unlink"
KB_PREFIX = "kb:"
KB_ROWS = 5
"""Knowledge-base entries shown at most, after the corpus's entities."""
HELP = "type to search · ↑↓ move · enter choose · tab knowledge-base id · esc cancel"


@dataclass(frozen=True)
class EntityOption:
    """A canonical entity as the picker lists it."""

    entity_id: int
    name: str
    type: str
    kb_id: str | None = None
    aliases: tuple[str, ...] = ()
    mentions: int = 0


@dataclass(frozen=True)
class KBCandidate:
    """A knowledge-base entry the picker can create an entity from."""

    name: str
    type: str
    kb_id: str
    aliases: tuple[str, ...] = ()


KBSearch = Callable[[str], Sequence[KBCandidate]]
"""Knowledge-base entries matching a query (of the mention's type), best first."""


@dataclass(frozen=True)
class EntityChoice:
    """The picker's answer: link to ``entity_id``, create ``create_name``, or ``unlink``.

    ``kb_id`` (normalised, e.g. 'Q42') goes to a created entity, or to the chosen
    one when it differs from what that entity has.
    """

    entity_id: int | None = None
    create_name: str | None = None
    kb_id: str | None = None
    unlink: bool = False


class EntityPicker(ModalScreen[EntityChoice | None]):
    """Fuzzy list of entities of the mention's type, plus create and unlink rows."""

    DEFAULT_CSS = """
    EntityPicker {
        align: center middle;
        background: $background 60%;
    }
    EntityPicker > #entity-box {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        padding: 0 1;
        border: thick $accent;
        border-title-color: $text;
        background: $surface;
    }
    EntityPicker #entity-search {
        margin-top: 1;
    }
    EntityPicker #entity-list {
        height: auto;
        max-height: 16;
        margin: 1 0;
        border: none;
        background: $surface;
    }
    EntityPicker #entity-kb-row {
        height: 1;
    }
    EntityPicker #entity-kb-label {
        width: auto;
        color: $text-muted;
        padding: 0 1;
    }
    EntityPicker #entity-kb {
        width: 1fr;
    }
    EntityPicker #entity-kb.-invalid {
        background-tint: $error 25%;
    }
    EntityPicker #entity-error {
        color: $error;
        height: auto;
    }
    EntityPicker #entity-help {
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """

    BINDINGS = [
        Binding("down", "move(1)", "Down", id="entity-picker-down", show=False),
        Binding("up", "move(-1)", "Up", id="entity-picker-up", show=False),
        Binding("escape", "cancel", "Cancel", id="entity-picker-cancel"),
    ]

    AUTO_FOCUS = "#entity-search"

    def __init__(
        self,
        span_text: str,
        span_label: str,
        options: Sequence[EntityOption],
        current_entity_id: int | None = None,
        *,
        in_article: Collection[int] = (),
        kb_search: KBSearch | None = None,
    ) -> None:
        """``in_article``: ids of entities this article links (listed first)."""
        super().__init__()
        self.in_article = frozenset(in_article)
        self.kb_search = kb_search
        self._kb_rows: list[KBCandidate] = []
        self.span_text = span_text
        self.span_label = span_label
        self.entity_options = list(options)
        self.by_id = {option.entity_id: option for option in self.entity_options}
        self.current_entity_id = current_entity_id
        self.initial_query = visible_line(" ".join(span_text.split()))
        """The search field's first value: the mention on one line."""

    def compose(self) -> ComposeResult:
        with Vertical(id="entity-box") as box:
            label = visible_line(self.span_label)
            box.border_title = literal(f"Link “{self.initial_query}” ({label})")
            yield Input(self.initial_query, placeholder="search entities", id="entity-search")
            entity_list = OptionList(id="entity-list")
            entity_list.can_focus = False  # ↑↓ move it from the fields; tab skips it
            yield entity_list
            with Horizontal(id="entity-kb-row"):
                yield Static("Knowledge-base id", id="entity-kb-label")
                yield Input(
                    placeholder="optional: Wikidata Q42, or prefix:id",
                    id="entity-kb",
                    validators=[KbIdValidator()],
                    compact=True,
                )
            yield Static(id="entity-error")
            yield Static(HELP, id="entity-help")

    def on_mount(self) -> None:
        self._refill(self.initial_query)

    # -- the list -----------------------------------------------------------------

    def _prompt(self, option: EntityOption) -> Text:
        prompt = Text.assemble(
            ("✓ " if option.entity_id == self.current_entity_id else "  ", "bold green"),
            (visible_line(option.name), "bold"),
            (f"  {visible_line(option.type)}", "dim"),
            (f"  {visible_line(option.kb_id)}" if option.kb_id else "", "cyan"),
            (f"  ×{option.mentions}", "dim"),
            ("  in this article" if option.entity_id in self.in_article else "", "green"),
        )
        if option.aliases:
            aliases = ", ".join(visible_line(alias) for alias in option.aliases)
            prompt.append(f"  aka {aliases}", "italic dim")
        prompt.no_wrap = True
        prompt.overflow = "ellipsis"
        return prompt

    def _create_name(self, query: str) -> str:
        """The name of a new entity: as typed, or the mention's own text when left as shown."""
        if query == self.initial_query:
            query = self.span_text
        return " ".join(query.split()) or self.span_text

    def _refill(self, query: str) -> None:
        entity_list = self.query_one("#entity-list", OptionList)
        order = fuzzy.rank(
            query,
            [(option.name, *option.aliases) for option in self.entity_options],
            prefer=[option.mentions for option in self.entity_options],
        )
        here = [i for i in order if self.entity_options[i].entity_id in self.in_article]
        order = here + [i for i in order if i not in set(here)]
        rows = [
            Option(self._prompt(self.entity_options[i]), id=str(self.entity_options[i].entity_id))
            for i in order
        ]
        known = {option.kb_id for option in self.entity_options if option.kb_id}
        found = self.kb_search(query) if self.kb_search is not None and query.strip() else ()
        self._kb_rows = [entry for entry in found if entry.kb_id not in known][:KB_ROWS]
        rows.extend(
            Option(
                Text.assemble(
                    ("+ from knowledge base: ", "bold cyan"),
                    (visible_line(entry.name), "bold"),
                    (f"  {visible_line(entry.type)}", "dim"),
                    (f"  {visible_line(entry.kb_id)}", "cyan"),
                ),
                id=f"{KB_PREFIX}{index}",
            )
            for index, entry in enumerate(self._kb_rows)
        )
        rows.append(
            Option(
                Text.assemble(
                    ("+ create new: ", "bold green"),
                    (visible_line(self._create_name(query)), "bold"),
                ),
                id=CREATE,
            )
        )
        current = self.by_id.get(self.current_entity_id) if self.current_entity_id else None
        if current is not None:
            rows.append(
                Option(
                    Text.assemble(("− unlink from ", "bold red"), visible_line(current.name)),
                    id=UNLINK,
                )
            )
        entity_list.set_options(rows)
        entity_list.highlighted = 0  # the best match, or "create new" when nothing matches

    @on(Input.Changed, "#entity-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._refill(event.value)

    def action_move(self, step: int) -> None:
        entity_list = self.query_one("#entity-list", OptionList)
        if step > 0:
            entity_list.action_cursor_down()
        else:
            entity_list.action_cursor_up()

    # -- choosing -----------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    @on(OptionList.OptionSelected, "#entity-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose()

    def _choose(self) -> None:
        """Answer with the highlighted row; a bad knowledge-base id keeps the picker open."""
        option = self.query_one("#entity-list", OptionList).highlighted_option
        if option is None or option.id is None:
            return
        kb_input = self.query_one("#entity-kb", Input)
        try:
            kb_id = normalise_kb_id(kb_input.value)
        except ValueError as exc:
            self.query_one("#entity-error", Static).update(
                Text(visible(f"Knowledge-base id: {exc}"))
            )
            kb_input.focus()
            return
        if option.id == CREATE:
            query = self.query_one("#entity-search", Input).value
            self.dismiss(EntityChoice(create_name=self._create_name(query), kb_id=kb_id))
        elif option.id == UNLINK:
            self.dismiss(EntityChoice(unlink=True))
        elif option.id.startswith(KB_PREFIX):
            entry = self._kb_rows[int(option.id.removeprefix(KB_PREFIX))]
            self.dismiss(EntityChoice(create_name=entry.name, kb_id=kb_id or entry.kb_id))
        else:
            self.dismiss(EntityChoice(entity_id=int(option.id), kb_id=kb_id))

    def action_cancel(self) -> None:
        self.dismiss(None)
