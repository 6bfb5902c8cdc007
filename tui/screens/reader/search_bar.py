"""The reader's search bar (``/``): opening it, typing in it, closing it.

Functions of the :class:`~tui.screens.reader.screen.ReaderScreen` (its find
handlers call them). What a query selects is
:func:`tui.screens.reader.selecting.search_changed`; this module is the bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.screens.reader import selecting
from tui.widgets.find_bar import FindBar
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from tui.screens.reader.screen import ReaderScreen


def open_bar(reader: ReaderScreen) -> None:
    """Show the bar and remember where the cursor is: each keystroke searches from there."""
    find = reader.query_one("#find", FindBar)
    find.display = True
    reader.find_origin = reader.pane.cursor
    # Focus now, not on the next idle: keys typed right after "/" (pasted,
    # or arriving in one burst over SSH) must land in the search field.
    reader.set_focus(find)


def changed(reader: ReaderScreen, value: str) -> None:
    """Search as the query is typed (not on the reset that closing the bar makes)."""
    if reader.query_one("#find").display:
        status = selecting.search_changed(reader, value, reader.find_origin)
        reader.query_one(StatusBar).mode = status


def close_bar(reader: ReaderScreen) -> bool:
    """Close the bar; the cursor (and a selected match) stay where they are.

    False when the bar was not open (the key then does what it does without it).
    """
    find = reader.query_one("#find", FindBar)
    if not find.display:
        return False
    find.display = False
    find.value = ""
    reader.pane.clear_search()
    reader.query_one(StatusBar).mode = ""
    reader.pane.focus()
    return True
