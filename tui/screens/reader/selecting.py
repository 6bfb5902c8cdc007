"""The reader's keys that make or change a selection: the phrase key, resizing, search.

Functions of the :class:`~tui.screens.reader.screen.ReaderScreen` (its
``action_*`` and search handlers call them), so the screen keeps to wiring.
What gets selected is decided by pure functions (:mod:`tui.screens.reader.phrases`,
:func:`tui.screens.reader.targeting.resized`, :func:`ignores_case`), tested
without an app.

- ``space`` selects the name under the cursor ("Kaja Kallas"); again, the
  longer phrase it is part of; again, the name.
- ``<``/``>`` move the end of the selection by one token, ``alt+<``/``alt+>``
  its start; with no selection (or one that is exactly a span) they resize
  the span under the cursor instead, as before.
- ``/`` searches as you type from where the cursor was; ``↓``/``↑`` step through
  the matches; ``enter`` closes the bar with the match selected, so a label key
  labels it. Smart case: a query in lower case ignores case, a capital makes
  it exact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.screens.reader import edits, phrases, targeting

if TYPE_CHECKING:
    from tui.screens.reader.screen import ReaderScreen
    from tui.widgets.reading_pane import ReadingPane


def select_phrase(reader: ReaderScreen) -> None:
    """Select the name under the cursor, or step to the next choice of the same place."""
    pane = reader.pane
    selection = pane.selection
    found = reader.phrase_choices
    if selection is None or selection not in found or not _still_offered(pane, found):
        offset = selection[0] if selection is not None else pane.cursor
        found = phrases.choices(pane.text, pane.token_bounds_at(offset), offset)
        reader.phrase_choices = found
    choice = phrases.next_choice(found, selection)
    if choice is None:
        reader.refuse("No word under the cursor")
        return
    pane.select_range(*choice, snap=False)


def _still_offered(pane: ReadingPane, found: list[tuple[int, int]]) -> bool:
    """Whether the choices remembered are this text's (not another article's at same offsets)."""
    start = found[0][0]
    return phrases.choices(pane.text, pane.token_bounds_at(start), start) == found


def resize(reader: ReaderScreen, edge: str, step: int) -> None:
    """Move an edge of the selection by a token; without one, of the span under the cursor."""
    pane = reader.pane
    selection = pane.selection
    if selection is None or targeting.is_a_span(pane.spans_at(selection[0]), selection):
        edits.resize(reader, edge, step)
        return
    bounds = targeting.resized(pane.text, *selection, edge, step)
    if bounds is None:
        reader.refuse("The selection cannot move that way")
        return
    pane.select_range(*bounds, snap=False)


# -- search in the article ------------------------------------------------------------


def ignores_case(query: str) -> bool:
    """Smart case: a query without capitals matches any case; one capital makes it exact."""
    return query == query.lower()


def count_text(count: int) -> str:
    """The status line's count ("1 match", "3 matches", "no match")."""
    if count == 0:
        return "no match"
    return "1 match" if count == 1 else f"{count:,} matches"


def search_changed(reader: ReaderScreen, query: str, origin: int) -> str:
    """Highlight ``query``'s matches and go to the first from ``origin``; the status text."""
    pane = reader.pane
    if not query:
        pane.clear_search()
        pane.move_cursor(origin)
        return ""
    count = pane.search(query, ignore_case=ignores_case(query), origin=origin)
    if count == 0:
        pane.move_cursor(origin)
    return count_text(count)


def search_submitted(reader: ReaderScreen) -> bool:
    """Select the match the cursor is on; False (the bar stays open) when there is none."""
    match = reader.pane.current_match()
    if match is None:
        reader.refuse("No match: change the search, or escape")
        return False
    reader.pane.select_range(*match)
    return True
