"""The reader's header line and status bar."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from storage.schema import Schema
from tui.literal import visible_line


class ArticleHeader(Static):
    """Title, source, date, dateline and the position in the reading sequence."""

    _shown: Text | None = None

    def show(
        self,
        title: str,
        source: str | None,
        published: str | None,
        dateline: str | None,
        position: int,
        total: int,
        state: str,
    ) -> None:
        # Titles and sources come from imported files: controls made visible, one line.
        details = visible_line(" · ".join(part for part in (source, published, dateline) if part))
        line = Text.assemble(
            (f"article {position} of {total} · " if total else "", "dim"),
            (f"{state.replace('_', ' ')}  ", "italic"),
            (visible_line(title), "bold"),
            ("  " + details if details else "", "dim"),
        )
        line.no_wrap = True
        line.overflow = "ellipsis"
        # Updating a Static lays the screen out again: skip it when nothing changed.
        if line != self._shown:
            self._shown = line
            self.update(line)


class StatusBar(Static):
    """Whether every action is saved, the label keys in their colours, and the annotator."""

    save_state: reactive[str] = reactive("saved")
    """'saved', 'saving' or 'unsaved' (see :attr:`tui.app.RedlineApp.save_state`)."""
    unsaved: reactive[int] = reactive(0)
    """How many actions are not stored yet."""
    mode: reactive[str] = reactive("")
    pending: reactive[int | None] = reactive(None)
    """Pending suggestions in the article (None: not known yet; 0 shows nothing)."""
    training: reactive[str] = reactive("")
    """The model's training progress ("" when not training; see ``tui.training``)."""

    def __init__(self, schema: Schema, annotator: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._schema = schema
        self._annotator = annotator

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        # Mode and save state first, so a narrow terminal never cuts them off.
        if self.mode:
            line.append(f" {self.mode} ", "bold reverse")
        if self.save_state == "saved":
            line.append(" ● saved ", "green")
        elif self.save_state == "saving":
            line.append(" ◌ saving ", "yellow")
        else:
            line.append(f" ✗ {self.unsaved} unsaved — ctrl+s retries ", "bold red")
        if self.pending:
            line.append(f" {self.pending} pending ", "bold magenta")
        if self.training:
            line.append(f" ⟳ {visible_line(self.training)} ", "cyan")
        for label in self._schema.layer("entity"):
            if label.hotkey:
                line.append(f" {visible_line(label.hotkey)}", "bold")
                line.append(f" {visible_line(label.key)} ", f"black on {label.colour}")
        line.append(f"  {visible_line(self._annotator)}", "dim")
        return line
