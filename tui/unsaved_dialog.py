"""Asked on quit while actions are not stored yet: retry, discard and quit, or stay."""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.literal import visible

QuitAnswer = Literal["retry", "discard", "cancel"]


class UnsavedDialog(ModalScreen[QuitAnswer]):
    """Dismisses with "retry" (r), "discard" (d) or "cancel" (c, escape)."""

    DEFAULT_CSS = """
    UnsavedDialog {
        align: center middle;
        background: $background 60%;
    }
    UnsavedDialog > #unsaved-box {
        width: auto;
        min-width: 40;
        max-width: 80;
        height: auto;
        padding: 1 2;
        border: thick $error 70%;
        background: $surface;
    }
    UnsavedDialog #unsaved-question {
        width: auto;
        max-width: 76;
        margin-bottom: 1;
    }
    UnsavedDialog #unsaved-detail {
        color: $text-muted;
        margin-bottom: 1;
    }
    UnsavedDialog #unsaved-buttons {
        height: auto;
        width: auto;
        align-horizontal: right;
    }
    UnsavedDialog Button {
        margin-left: 2;
    }
    """

    BINDINGS = [
        Binding("r", "answer('retry')", "Retry", id="unsaved-retry"),
        Binding("d", "answer('discard')", "Discard and quit", id="unsaved-discard"),
        Binding("c,escape", "answer('cancel')", "Cancel", id="unsaved-cancel"),
    ]

    def __init__(self, unsaved: int, reason: str | None) -> None:
        super().__init__()
        self.unsaved = unsaved
        self.reason = reason

    def compose(self) -> ComposeResult:
        actions = "action is" if self.unsaved == 1 else "actions are"
        with Vertical(id="unsaved-box"):
            yield Static(
                Text(f"{self.unsaved} {actions} not saved yet.", style="bold"),
                id="unsaved-question",
            )
            detail = "Retry saves them and quits once they are stored; discard loses them."
            if self.reason:
                detail = f"Last error: {visible(self.reason)}\n{detail}"
            yield Static(Text(detail), id="unsaved-detail")
            with Horizontal(id="unsaved-buttons"):
                yield Button("Retry (r)", variant="primary", id="unsaved-retry")
                yield Button("Discard and quit (d)", variant="error", id="unsaved-discard")
                yield Button("Cancel (c)", id="unsaved-cancel")

    def on_mount(self) -> None:
        self.query_one("#unsaved-retry", Button).focus()

    def action_answer(self, answer: QuitAnswer) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        answers: dict[str | None, QuitAnswer] = {
            "unsaved-retry": "retry",
            "unsaved-discard": "discard",
        }
        self.dismiss(answers.get(event.button.id, "cancel"))
