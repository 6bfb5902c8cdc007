"""The Entities panel: entity mentions in reading order, grouped by canonical entity.

Linked mentions are listed under a heading row for their entity ("● Kaja
Kallas ×2", not selectable), the first time the entity occurs; unlinked
mentions stand alone. The panel is a :class:`VirtualList`: :meth:`show` only
arranges the items (one pass), and a row's text is built when it is painted.
After an edit, :meth:`EntityPanel.patch` changes only the rows of the spans the
edit touched (see :class:`~tui.widgets.panel_model.EntityRows`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.message import Message

from tui.widgets.panel_model import EntityRows, Heading
from tui.widgets.row_text import one_line, safe_style
from tui.widgets.virtual_list import VirtualList


@dataclass(frozen=True)
class MentionItem:
    """One entity span as the panel shows it."""

    span_id: int
    start: int
    text: str
    label: str
    colour: str
    status: str
    entity_id: int | None = None
    entity_name: str | None = None
    pending: bool = False
    """Shown ahead of its write's commit (marked with a dim ellipsis)."""


_Heading = Heading


class EntityPanel(VirtualList[MentionItem | _Heading]):
    """Select a mention to move the reading cursor to it."""

    BORDER_TITLE = "Entities"

    class MentionSelected(Message):
        def __init__(self, span_id: int, start: int) -> None:
            super().__init__()
            self.span_id = span_id
            self.start = start

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._model: EntityRows[MentionItem] = EntityRows()

    def show(self, mentions: Iterable[MentionItem]) -> None:
        """Replace the list: linked mentions under their entity, the rest alone."""
        self._model.load(mentions)
        self.set_rows(self._model.rows)
        self.border_subtitle = f"{len(self._model.mentions)}"

    def patch(self, changed: Iterable[int], mentions: Iterable[MentionItem]) -> None:
        """The mentions of span ids ``changed`` are now ``mentions`` (an id without one is gone).

        Only those rows (and their entities' headings) change, and only their
        lines are drawn again.
        """
        highlighted = self.highlighted_row
        splice = self._model.patch(changed, mentions)
        if splice is not None:
            self.splice_rows(self._model.rows, splice, highlighted)
            count = f"{len(self._model.mentions)}"
            if count != self.border_subtitle:  # setting it repaints the whole panel
                self.border_subtitle = count

    def row_key(self, row: MentionItem | _Heading) -> Hashable:
        if isinstance(row, _Heading):
            return ("entity", row.entity_id)
        return row.span_id

    def row_enabled(self, row: MentionItem | _Heading) -> bool:
        return not isinstance(row, _Heading)

    def render_row(self, row: MentionItem | _Heading, width: int) -> Text:
        """A heading, or a mention: label padded to 7 cells, then its text (``?`` if suggested).

        Linked mentions (always under their heading) are indented by two cells.
        """
        if isinstance(row, _Heading):
            return Text.assemble(
                ("● ", safe_style(row.colour)),
                (one_line(row.name), "bold"),
                (f" ×{row.count}", "dim"),
            )
        suggested = row.status == "suggested"
        return Text.assemble(
            "  " if row.entity_id is not None else "",
            (f"{row.label:<7}", safe_style(f"bold {row.colour}")),
            " ",
            (one_line(row.text), "italic dim" if suggested else ""),
            (" ?" if suggested else "", "dim"),
            (" …" if row.pending else "", "dim"),
        )

    @on(VirtualList.RowSelected)
    def _selected(self, event: VirtualList.RowSelected) -> None:
        event.stop()
        mention = event.row
        if isinstance(mention, MentionItem):
            self.post_message(self.MentionSelected(mention.span_id, mention.start))
