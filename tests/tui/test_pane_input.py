"""The reading pane's key and drag rules, without a widget (``tui.widgets.pane_input``)."""

from __future__ import annotations

from tui.widgets import pane_layout as layout
from tui.widgets.pane_input import PANE_BINDINGS, Drag, Where, motion
from tui.widgets.pane_words import WordIndex

TEXT = "alpha beta gamma\ndelta epsilon\nzeta"


def _where(cursor: int, goal: int | None = None, text: str = TEXT) -> Where:
    return Where(text, layout.wrap(text, 40), WordIndex(text), cursor, goal, 10)


def test_vertical_moves_keep_the_column_the_run_began_in() -> None:
    down = motion("down", _where(TEXT.index("gamma") + 2))
    assert down.goal_column == 13
    assert TEXT[down.offset - 1 :].startswith("n")  # the short line's end: "delta epsilon"
    again = motion("down", _where(down.offset, down.goal_column))
    assert (again.offset, again.goal_column) == (len(TEXT), 13)  # "zeta" is shorter still


def test_horizontal_moves_forget_the_goal_column() -> None:
    where = _where(TEXT.index("beta"), goal=9)
    assert motion("word_next", where).offset == TEXT.index("gamma")
    assert motion("word_end", where).offset == TEXT.index("beta") + 4
    assert motion("left", where).goal_column is None
    assert motion("bottom", where).offset == len(TEXT)


def test_page_moves_scroll_by_the_page() -> None:
    assert motion("page_down", _where(0)).scroll_rows == 10
    assert motion("page_up", _where(0)).scroll_rows == -10


def test_every_binding_names_a_motion_or_a_pane_action() -> None:
    for binding in PANE_BINDINGS:
        action = getattr(binding, "action", "")
        if action.startswith("go("):
            name = action[len("go('") :].split("'")[0]
            motion(name, _where(5))  # raises KeyError for an unknown motion
        else:
            assert action in ("toggle_select_mode", "clear_selection")


def test_a_drag_selects_the_cells_it_sweeps() -> None:
    drag = Drag()
    assert drag.release() is None
    drag.press(10)
    assert drag.move(10, len(TEXT), exact=False) is None  # not moved yet
    assert drag.move(14, len(TEXT), exact=False) == (10, 15, True)
    assert drag.move(8, len(TEXT), exact=True) == (11, 8, False)
    assert drag.release() == (10, True)
    drag.press(3)
    assert drag.release() == (3, False)  # a click
