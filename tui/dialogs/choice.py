"""A question with a few answers, each on one key ("accept all / reject all / keep / cancel").

Serves every several-way question: the reader's ``d`` with pending
suggestions, ``A`` with nested suggestions, and quitting with unsaved actions
(:class:`tui.unsaved_dialog.UnsavedDialog`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.literal import literal, visible

T = TypeVar("T")


@dataclass(frozen=True)
class Choice(Generic[T]):
    """One answer: its key, its button text and the value the dialog dismisses with."""

    key: str
    label: str
    answer: T
    variant: str = "default"  # a Button variant: "primary", "warning", "error", …


class ChoiceDialog(ModalScreen[T], Generic[T]):
    """Dismisses with the answer of the key pressed (or button chosen); escape → ``cancel``.

    The first choice has the focus (enter picks it). The question and detail are
    shown as plain text (names in them are data, never markup).
    """

    DEFAULT_CSS = """
    ChoiceDialog {
        align: center middle;
        background: $background 60%;
    }
    ChoiceDialog > #choice-box {
        width: auto;
        min-width: 40;
        max-width: 96;
        height: auto;
        padding: 1 2;
        border: thick $warning 70%;
        background: $surface;
    }
    ChoiceDialog.-error > #choice-box {
        border: thick $error 70%;
    }
    ChoiceDialog #choice-question {
        width: auto;
        max-width: 92;
        margin-bottom: 1;
    }
    ChoiceDialog #choice-detail {
        color: $text-muted;
        max-width: 92;
        margin-bottom: 1;
    }
    ChoiceDialog #choice-buttons {
        height: auto;
        width: auto;
        align-horizontal: right;
    }
    ChoiceDialog Button {
        margin-left: 2;
    }
    """

    def __init__(
        self,
        question: str,
        choices: Sequence[Choice[T]],
        cancel: T,
        detail: str = "",
        *,
        id_prefix: str = "choice",
        error: bool = False,
    ) -> None:
        super().__init__(classes="-error" if error else None)
        self.question = question
        self.detail = detail
        self.choices = list(choices)
        self.cancel = cancel
        self.id_prefix = id_prefix
        self._by_button = {f"{id_prefix}-{index}": c for index, c in enumerate(self.choices)}
        for index, choice in enumerate(self.choices):
            keys = f"{choice.key},escape" if choice.answer == cancel else choice.key
            self._bindings.bind(keys, f"pick({index})", choice.label, show=False)
        if all(choice.answer != cancel for choice in self.choices):
            self._bindings.bind("escape", "dismiss_cancel", "Cancel", show=False)

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-box"):
            yield Static(Text(visible(self.question), style="bold"), id="choice-question")
            if self.detail:
                yield Static(Text(visible(self.detail)), id="choice-detail")
            with Horizontal(id="choice-buttons"):
                for button_id, choice in self._by_button.items():
                    yield Button(
                        literal(f"{choice.label} ({choice.key})"),
                        variant=choice.variant,  # type: ignore[arg-type]
                        id=button_id,
                    )

    def on_mount(self) -> None:
        if self._by_button:
            self.query_one(f"#{next(iter(self._by_button))}", Button).focus()

    def action_pick(self, index: int) -> None:
        self.dismiss(self.choices[index].answer)

    def action_dismiss_cancel(self) -> None:
        self.dismiss(self.cancel)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice = self._by_button.get(event.button.id or "")
        self.dismiss(choice.answer if choice is not None else self.cancel)
