"""Help: every key of the screen underneath, generated from its bindings."""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from storage.schema import Schema
from tui.literal import visible_line

_LABEL_ACTION = re.compile(r"label\('(?P<hotkey>.)'\)")
"""The reader's label keys: ``label('3')`` applies the entity label whose hotkey is 3."""


def _schema(screen: Screen) -> Schema | None:
    config = getattr(screen.app, "config", None)
    return getattr(config, "schema", None)


def describe(screen: Screen, binding: Binding) -> str:
    """A binding's description; a label key names the label it applies ("Label 1: PERSON")."""
    description = binding.description or binding.action
    match = _LABEL_ACTION.fullmatch(binding.action)
    schema = _schema(screen)
    if match is None or schema is None:
        return description
    hotkey = match["hotkey"]
    label = schema.by_hotkey(hotkey)
    if label is None:
        return f"Label {hotkey}: no label on this key"
    title = "" if label.title == label.key else f" ({label.title})"
    return visible_line(f"Label {hotkey}: {label.key}{title}")


def binding_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, binding id) of every binding active on ``screen``.

    Keys come from the active keymap, so user overrides in redline.toml show;
    bindings that share an id (``x`` and ``delete``) are merged into one row;
    the reader's label keys name their schema label. The screen's own
    bindings come first, then the focused widget's and the app's.
    """
    merged: dict[str, tuple[list[str], str]] = {}
    # The screen's own keys first (the reader's: labels, f t e, a r, d), then the
    # focused widget's (movement) and the app's, each in binding order.
    ordered = sorted(screen.active_bindings.values(), key=lambda item: item.node is not screen)
    for active in ordered:
        binding = active.binding
        ident = binding.id or binding.action
        keys, _ = merged.setdefault(ident, ([], describe(screen, binding)))
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
                    "Rebind any key in redline.toml under [keymap] with the binding id.",
                    style="dim",
                )
            )
