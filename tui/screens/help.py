"""Help: every key of the screen underneath, generated from its bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def binding_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, binding id) of every binding active on ``screen``.

    Keys come from the active keymap, so user overrides in redline.toml show;
    bindings that share an id (``x`` and ``delete``) are merged into one row.
    """
    merged: dict[str, tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        ident = binding.id or binding.action
        keys, _ = merged.setdefault(ident, ([], binding.description or binding.action))
        display = screen.app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    return [(" ".join(keys), description, ident) for ident, (keys, description) in merged.items()]


class HelpScreen(ModalScreen[None]):
    """A modal list of keys; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help-close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=True, header_style="bold")
        table.add_column("keys", style="bold", no_wrap=True)
        table.add_column("action")
        table.add_column("binding id (redline.toml [keymap])", style="dim")
        for keys, description, ident in binding_rows(self._under):
            table.add_row(Text(keys), Text(description), Text(ident))
        with VerticalScroll(id="help-body"):
            yield Static(
                Text(
                    f"Keys — {self._under.__class__.__name__.removesuffix('Screen')}", style="bold"
                )
            )
            yield Static(table)
            yield Static(
                Text(
                    "Entity labels: the numbers shown in the status bar. "
                    "Rebind any key in redline.toml under [keymap] with the binding id.",
                    style="dim",
                )
            )
