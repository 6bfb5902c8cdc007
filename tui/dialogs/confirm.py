"""A small yes/no question, reusable by any screen ("Merge A into B?", "Accept all?")."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.literal import literal, visible


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True (y, or enter on Yes) or False (n, escape, or No).

    The question is shown as plain text (names in it are data, never markup).
    """

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
        background: $background 60%;
    }
    ConfirmDialog > #confirm-box {
        width: auto;
        min-width: 40;
        max-width: 80;
        height: auto;
        padding: 1 2;
        border: thick $warning 70%;
        background: $surface;
    }
    ConfirmDialog #confirm-question {
        width: auto;
        max-width: 76;
        margin-bottom: 1;
    }
    ConfirmDialog #confirm-detail {
        color: $text-muted;
        margin-bottom: 1;
    }
    ConfirmDialog #confirm-buttons {
        height: auto;
        width: auto;
        align-horizontal: right;
    }
    ConfirmDialog Button {
        margin-left: 2;
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(
        self, question: str, detail: str = "", *, yes: str = "Yes", no: str = "No"
    ) -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text(visible(self.question), style="bold"), id="confirm-question")
            if self.detail:
                yield Static(Text(visible(self.detail)), id="confirm-detail")
            with Horizontal(id="confirm-buttons"):
                yield Button(literal(f"{self.yes_label} (y)"), variant="warning", id="confirm-yes")
                yield Button(literal(f"{self.no_label} (n)"), id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")
