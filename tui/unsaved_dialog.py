"""Asked on quit while actions are not stored yet: retry, discard and quit, or stay."""

from __future__ import annotations

from typing import Literal

from tui.dialogs.choice import Choice, ChoiceDialog
from tui.literal import visible

QuitAnswer = Literal["retry", "discard", "cancel"]

QUIT_CHOICES: list[Choice[QuitAnswer]] = [
    Choice("r", "Retry", "retry", "primary"),
    Choice("d", "Discard and quit", "discard", "error"),
    Choice("c", "Cancel", "cancel"),
]


class UnsavedDialog(ChoiceDialog[QuitAnswer]):
    """Dismisses with "retry" (r), "discard" (d) or "cancel" (c, escape)."""

    def __init__(self, unsaved: int, reason: str | None) -> None:
        actions = "action is" if unsaved == 1 else "actions are"
        detail = "Retry saves them and quits once they are stored; discard loses them."
        if reason:
            detail = f"Last error: {visible(reason)}\n{detail}"
        super().__init__(
            f"{unsaved} {actions} not saved yet.",
            QUIT_CHOICES,
            "cancel",
            detail,
            id_prefix="unsaved",
            error=True,
        )
        self.unsaved = unsaved
        self.reason = reason
