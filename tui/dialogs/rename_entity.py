"""Rename a canonical entity and set its knowledge-base id (the old name becomes an alias).

The fields show the current name and id with control characters made visible
(:func:`~tui.literal.visible_line`); saving a field left as shown keeps the stored
value exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.dialogs.validators import KbIdValidator, normalise_kb_id
from tui.literal import visible, visible_line


@dataclass(frozen=True)
class Renamed:
    """The new name and the (normalised) knowledge-base id; None keeps the current id."""

    name: str
    kb_id: str | None


class RenameEntityDialog(ModalScreen[Renamed | None]):
    """Two fields; ``enter`` in either saves, ``escape`` cancels."""

    DEFAULT_CSS = """
    RenameEntityDialog {
        align: center middle;
        background: $background 60%;
    }
    RenameEntityDialog > #rename-box {
        width: 70;
        max-width: 100%;
        height: auto;
        padding: 1 2;
        border: thick $accent;
        border-title-color: $text;
        background: $surface;
    }
    RenameEntityDialog Input {
        margin-bottom: 1;
    }
    RenameEntityDialog #rename-error {
        color: $error;
        height: auto;
    }
    RenameEntityDialog #rename-help {
        color: $text-muted;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rename-cancel")]

    AUTO_FOCUS = "#rename-name"

    def __init__(self, name: str, kb_id: str | None) -> None:
        super().__init__()
        self.current_name = name
        self.current_kb_id = kb_id

    def compose(self) -> ComposeResult:
        with Vertical(id="rename-box") as box:
            box.border_title = "Rename entity"
            yield Input(
                visible_line(self.current_name), placeholder="canonical name", id="rename-name"
            )
            yield Input(
                visible_line(self.current_kb_id or ""),
                placeholder="knowledge-base id: Wikidata Q42, or prefix:id",
                id="rename-kb",
                validators=[KbIdValidator()],
            )
            yield Static(id="rename-error")
            yield Static("enter save · tab next field · esc cancel", id="rename-help")

    @on(Input.Submitted)
    def _save(self, event: Input.Submitted) -> None:
        event.stop()
        typed = self.query_one("#rename-name", Input).value
        name = self.current_name if typed == visible_line(self.current_name) else typed
        name = " ".join(name.split())
        error = self.query_one("#rename-error", Static)
        if not name:
            error.update("The entity needs a name.")
            self.query_one("#rename-name", Input).focus()
            return
        kb_input = self.query_one("#rename-kb", Input)
        if self.current_kb_id and kb_input.value == visible_line(self.current_kb_id):
            self.dismiss(Renamed(name, None))  # the id as shown: keep it
            return
        try:
            kb_id = normalise_kb_id(kb_input.value)
        except ValueError as exc:
            error.update(Text(visible(f"Knowledge-base id: {exc}")))
            kb_input.focus()
            return
        self.dismiss(Renamed(name, kb_id))

    def action_cancel(self) -> None:
        self.dismiss(None)
