"""What ``u`` and ``U`` will take back: this reader's own recent actions on its article.

Undo and redo run in the writer thread like every write, and the repository
decides what they step over (this annotator's latest visible action on the
article: of this session, or of a session that ended). To draw their effect at
once, the reader keeps the actions it queued itself since the article opened,
newest last, with their change sets (the prediction's while not stored, the
stored rows after): undo's prediction is the inverse of the newest, redo's the
changes of the last undone.

The history only claims what it knows. Anything else that may have added an
undoable event here (a dialog's write, a suggester, another screen or
program, a refused write, a full reload) empties it, and an empty history
predicts nothing: that undo is shown after its commit, as before. When an
undo or redo is stored, its rows are compared with what was predicted; a
mismatch (it took back another session's step) empties the history too, and
the stored rows replace the prediction as with any key
(:mod:`~tui.screens.reader.optimistic`).

Pure Python (no Textual); the screen owns one :class:`History`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.capture import Change
from tui.screens.reader.model import ReaderModel
from tui.screens.reader.optimistic import Predict, Prediction, inverse


@dataclass(eq=False)
class Entry:
    """One undoable action of this reader: its stored changes, or its prediction meanwhile."""

    prediction: Prediction | None
    changes: list[Change] | None = None

    def current(self) -> list[Change]:
        """The action's changes as known now (stored, else as predicted)."""
        if self.changes is not None:
            return self.changes
        return list(self.prediction.applied) if self.prediction is not None else []


@dataclass(eq=False)
class Step:
    """An undo or redo queued on ``entry`` (its prediction is the write's tag)."""

    entry: Entry
    undo: bool
    prediction: Prediction | None = None


def _keys(changes: Sequence[Change]) -> set[tuple[str, tuple[tuple[str, Any], ...]]]:
    return {(c["table"], tuple(sorted(c["key"].items()))) for c in changes}


def _pending(changes: Sequence[Change]) -> list[Change]:
    """``changes`` with their span rows drawn as pending (italic) until stored."""
    marked: list[Change] = []
    for change in changes:
        after = change["after"]
        if change["table"] == "span" and after is not None:
            change = {**change, "after": {**after, "pending": True}}
        marked.append(change)
    return marked


class History:
    """This reader's undoable actions on its article (done, newest last; undone, newest last)."""

    def __init__(self) -> None:
        self._done: list[Entry] = []
        self._undone: list[Entry] = []
        self._steps: list[Step] = []

    def clear(self) -> None:
        """Something else may have added or taken back an event: predict nothing below here."""
        self._done.clear()
        self._undone.clear()
        self._steps.clear()

    def queued(self, prediction: Prediction | None, step: Step | None) -> None:
        """A write was queued: ``step``'s undo or redo, else a new action.

        A new predicted action is what undo takes back next; an unpredicted one
        (a dialog's, a batch's) may be any number of events: nothing is known.
        """
        if step is not None:
            step.prediction = prediction
        elif prediction is not None:
            self.did(prediction)
        else:
            self.clear()

    def did(self, prediction: Prediction) -> None:
        """A predicted action was queued: it is what undo takes back next; redo has nothing."""
        self._done.append(Entry(prediction))
        self._undone.clear()

    def step(self, *, undo: bool) -> Step | None:
        """Queue an undo (redo) on the newest done (undone) action; None: not known here."""
        source, target = (self._done, self._undone) if undo else (self._undone, self._done)
        if not source:
            return None
        entry = source.pop()
        target.append(entry)
        step = Step(entry, undo)
        self._steps.append(step)
        return step

    @staticmethod
    def predict(step: Step) -> Predict:
        """The step's effect, computed on the model as it is when (re)applied."""

        def predict(model: ReaderModel) -> list[Change]:
            changes = step.entry.current()
            return _pending(inverse(changes) if step.undo else changes)

        return predict

    def stored(self, tag: Any, changes: Sequence[Change]) -> None:
        """The write tagged ``tag`` was stored with ``changes``: keep the history true."""
        for entry in self._done + self._undone:
            if entry.prediction is not None and entry.prediction is tag:
                entry.prediction, entry.changes = None, list(changes)
                if not changes:  # nothing changed: no event to undo
                    self._forget(entry)
                return
        step = next((s for s in self._steps if s.prediction is tag and tag is not None), None)
        if step is None:
            return
        self._steps.remove(step)
        expected = step.entry.current()
        if not changes or _keys(changes) != _keys(expected):
            self.clear()  # it stepped over another action than ours

    def refused(self, tag: Any) -> None:
        """A write was refused (a conflict): what it did or took back is unknown now."""
        self.clear()

    def _forget(self, entry: Entry) -> None:
        for stack in (self._done, self._undone):
            if entry in stack:
                stack.remove(entry)
