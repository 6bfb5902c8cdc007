"""Every canonical entity of the corpus: filter, rename, merge duplicates, undo.

``m`` on one entity marks it as the merge source, ``m`` on another merges the
source into it (after a yes/no question): every mention and figure subject
moves to the target and the source's names become its aliases. Renames,
merges and entity creation are corpus-wide actions, so ``u`` / ``ctrl+r`` here
undo and redo those (``Repository.undo(None)``), not an article's edits.

Names, aliases and knowledge-base ids are data: shown as ``Text`` of
:func:`~tui.literal.visible_line`, notified with ``markup=False``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from storage import queries
from storage.errors import StorageError
from tui.dialogs import fuzzy
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.rename_entity import Renamed, RenameEntityDialog
from tui.literal import visible, visible_line
from tui.services import redline_app, services

COLUMNS = (("name", "Name"), ("type", "Type"), ("kb", "KB id"), ("aliases", "Aliases"),
           ("mentions", "Mentions"))  # fmt: skip


@dataclass(frozen=True)
class EntityRow:
    """One canonical entity with its accepted mentions across the corpus."""

    id: int
    name: str
    type: str
    kb_id: str | None
    aliases: tuple[str, ...]
    mentions: int


class EntitiesScreen(Screen[None]):
    """A table of canonical entities with merge (m), rename (r) and undo (u)."""

    DEFAULT_CSS = """
    EntitiesScreen #entities-filter {
        margin: 0 1;
    }
    EntitiesScreen #entities-table {
        height: 1fr;
    }
    EntitiesScreen #entities-status {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    BINDINGS = [
        Binding("m", "merge", "Merge", id="entities-merge"),
        Binding("r", "rename", "Rename", id="entities-rename"),
        Binding("u", "undo", "Undo", id="entities-undo"),
        Binding("ctrl+r", "redo", "Redo", id="entities-redo"),
        Binding("slash", "filter", "Filter", id="entities-filter"),
        Binding("escape", "escape", "Clear", id="entities-escape", show=False),
        Binding("q", "back", "Back", id="entities-back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[EntityRow] = []
        self._shown: list[EntityRow] = []
        self.merge_source: EntityRow | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filter by name, alias, type or KB id  (/)", id="entities-filter")
        yield DataTable(id="entities-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="entities-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Canonical entities"
        table = self.query_one(DataTable)
        for key, title in COLUMNS:
            table.add_column(title, key=key)
        table.focus()
        self.load()

    # -- loading ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="entities-load")
    def load(self, keep: int | None = None) -> None:
        """Read every (unmerged) entity and its mention count, off the UI thread."""
        database = services(self).database
        try:
            entities = queries.entities(database)
            mentions = queries.entity_mentions(database)
        except StorageError as exc:
            self.app.call_from_thread(self._notify, str(exc), "error")
            return
        rows = [
            EntityRow(e.id, e.name, e.type, e.kb_id, tuple(e.aliases), mentions.get(e.id, 0))
            for e in entities
            if e.id is not None
        ]
        self.app.call_from_thread(self._loaded, rows, keep)

    def _loaded(self, rows: list[EntityRow], keep: int | None) -> None:
        self._rows = rows
        self._fill(keep if keep is not None else self.current_id)

    def _fill(self, keep: int | None = None) -> None:
        """Show the rows matching the filter, keeping the cursor on entity ``keep``."""
        query = self.query_one("#entities-filter", Input).value
        order = fuzzy.rank(
            query,
            [(row.name, *row.aliases, row.type, row.kb_id or "") for row in self._rows],
            prefer=[row.mentions for row in self._rows],
        )
        self._shown = [self._rows[index] for index in order]
        table = self.query_one(DataTable)
        table.clear()
        for row in self._shown:
            marked = self.merge_source is not None and self.merge_source.id == row.id
            name = ("⇢ " if marked else "") + visible_line(row.name)
            aliases = ", ".join(visible_line(alias) for alias in row.aliases)
            table.add_row(
                Text(name, style="bold reverse" if marked else ""),
                Text(visible_line(row.type)),
                Text(visible_line(row.kb_id or ""), style="cyan"),
                Text(aliases, overflow="ellipsis", no_wrap=True, style="italic"),
                Text(str(row.mentions), justify="right"),
                key=str(row.id),
            )
        index = next((i for i, row in enumerate(self._shown) if row.id == keep), 0)
        table.move_cursor(row=index, scroll=True)
        self._show_status()

    def _show_status(self) -> None:
        status = self.query_one("#entities-status", Static)
        if self.merge_source is not None:
            status.update(
                Text.assemble(
                    "merge ",
                    (visible_line(self.merge_source.name), "bold"),
                    " into… move to the target and press m (escape cancels)",
                )
            )
        else:
            shown = f"{len(self._shown)} of {len(self._rows)}"
            status.update(f"{shown} entities · m merge · r rename · u undo · / filter · q back")

    @property
    def current(self) -> EntityRow | None:
        """The highlighted entity."""
        table = self.query_one(DataTable)
        if not self._shown or table.cursor_row >= len(self._shown):
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return next((row for row in self._shown if str(row.id) == key), None)

    @property
    def current_id(self) -> int | None:
        row = self.current
        return row.id if row else None

    # -- filter -------------------------------------------------------------------

    @on(Input.Changed, "#entities-filter")
    def _filter_changed(self) -> None:
        self._fill()  # the best match first, highlighted

    @on(Input.Submitted, "#entities-filter")
    def _filter_submitted(self) -> None:
        self.query_one(DataTable).focus()

    def action_filter(self) -> None:
        self.query_one("#entities-filter", Input).focus()

    def action_escape(self) -> None:
        """Cancel a pending merge, else leave the filter, else go back."""
        filter_input = self.query_one("#entities-filter", Input)
        if self.merge_source is not None:
            self.merge_source = None
            self._fill(self.current_id)
        elif filter_input.has_focus:
            self.query_one(DataTable).focus()
        else:
            self.action_back()

    def action_back(self) -> None:
        self.dismiss(None)

    # -- actions --------------------------------------------------------------------

    def _write(
        self,
        write: Callable[[], Any],
        description: str,
        keep: int | None = None,
        then: Callable[[Any], None] | None = None,
    ) -> None:
        """One repository call through ``app.save``; once stored, reload the table, ``then``."""

        def saved(result: Any) -> None:
            if result is not False:
                self.load(keep if keep is not None else self.current_id)
            if then is not None:
                then(result)

        redline_app(self).save(write, description, saved)

    def action_merge(self) -> None:
        row = self.current
        if row is None:
            return
        source = self.merge_source
        if source is None or source.id == row.id:
            self.merge_source = None if source is not None else row
            self._fill(row.id)
            return
        question = f"Merge “{source.name}” into “{row.name}”?"
        detail = (
            f"{source.mentions} mention(s) of {source.name} will link to {row.name}; "
            f"“{source.name}” becomes an alias. u undoes it."
        )

        def answered(yes: bool | None) -> None:
            self.merge_source = None
            if not yes:
                self._fill(row.id)
                return
            repository = services(self).repository
            self._write(
                lambda: repository.merge_entities(source.id, row.id),
                f"merge {source.name} → {row.name}",
                keep=row.id,
                then=lambda _: self._notify(f"Merged {source.name} into {row.name}"),
            )

        self.app.push_screen(ConfirmDialog(question, detail, yes="Merge"), answered)

    def action_rename(self) -> None:
        row = self.current
        if row is None:
            return

        def renamed(result: Renamed | None) -> None:
            if result is None or (result.name == row.name and result.kb_id in (None, row.kb_id)):
                return
            repository = services(self).repository
            self._write(
                lambda: repository.rename_entity(row.id, result.name, result.kb_id),
                f"rename {row.name}",
                keep=row.id,
            )

        self.app.push_screen(RenameEntityDialog(row.name, row.kb_id), renamed)

    def _step(self, undo: bool) -> None:
        repository = services(self).repository
        verb = "undo" if undo else "redo"
        step = repository.undo if undo else repository.redo

        def stepped(event: Any) -> None:
            if event is False:
                redline_app(self).refuse(f"Nothing to {verb} among corpus-wide actions")
            else:
                done = "Undone" if undo else "Redone"
                self._notify(f"{done}: {event.summary or event.action}")

        self._write(lambda: step(None) or False, verb, then=stepped)

    def _notify(self, message: str, severity: str = "information") -> None:
        """A notification whose text (names, summaries, errors) is shown literally."""
        timeout = 3 if severity == "information" else None
        self.notify(visible(message), severity=severity, timeout=timeout, markup=False)  # type: ignore[arg-type]

    def action_undo(self) -> None:
        self._step(True)

    def action_redo(self) -> None:
        self._step(False)
