"""Keeping the reader in step with what is stored, without reading it back.

Functions of the :class:`~tui.screens.reader.screen.ReaderScreen` (its
message handlers call them). A stored action's row changes are applied to the
model; change sets that arrive while the annotations are being read wait in
:class:`Arrivals` and are applied once they are (each is idempotent: a row's
image after the change). Another program's change to this article makes the
reader read it again in full, but only once this program has nothing left to
store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storage.capture import Change
from tui.screens.reader import showing
from tui.screens.reader.model import ReaderModel, Touched
from tui.services import redline_app

if TYPE_CHECKING:
    from tui.screens.reader.screen import ReaderScreen


class Arrivals:
    """What arrived while the reader's annotations were being read, and a reread owed."""

    def __init__(self) -> None:
        self.early: list[list[Change]] = []
        """Change sets stored while the annotations were being read: applied once they are."""
        self.rereading = False
        """A full reload is being read: change sets stored meanwhile go to ``early`` too."""
        self.outdated = False
        """Another program changed this article: read it again once nothing waits to be stored."""

    def reset(self) -> None:
        """A new article opens: nothing has arrived for it."""
        self.early = []
        self.outdated = self.rereading = False


def loaded(reader: ReaderScreen, model: ReaderModel) -> None:
    """The annotations were read: apply what arrived meanwhile and show everything."""
    reader.model = model
    arrivals = reader.arrivals
    arrivals.rereading = False
    for changes in arrivals.early:  # idempotent: each image is the row's state after it
        model.apply(changes)
    arrivals.early = []
    reader.optimistic.replay(model, Touched())
    reader.pane.set_spans(model.pane_spans())
    showing.show_all(reader)


def stored(reader: ReaderScreen, changes: list[Change], tag: Any) -> None:
    """Show a stored action: only the widgets its row changes concern get new rows."""
    arrivals = reader.arrivals
    if arrivals.rereading:  # the reload may have been read before this was stored
        arrivals.early.append(changes)
    if reader.model is None:
        arrivals.early.append(changes)
        reader.history.stored(tag, changes)
        reader.optimistic.forget(tag)
        return
    reader.history.stored(tag, changes)  # before the replay: undo predicts from stored rows
    touched = Touched()
    reader.optimistic.settle(reader.model, tag, changes, touched)
    showing.show_touched(reader, touched)


def refused(reader: ReaderScreen, tag: Any) -> None:
    """An action that can never apply (a conflict): its prediction goes, all is read again.

    The app has told the user why (a notice); the pane drops the pending change at once.
    """
    reader.history.refused(tag)
    if reader.model is not None:
        touched = Touched()
        reader.optimistic.settle(reader.model, tag, [], touched)
        showing.show_touched(reader, touched)
    else:
        reader.optimistic.forget(tag)
    reader.reload()


def reload_if_outdated(reader: ReaderScreen) -> None:
    """Never while this program has writes to store: the reload waits until they are."""
    if reader.arrivals.outdated and not redline_app(reader).writes_pending:
        reader.arrivals.outdated = False
        reader.reload()
