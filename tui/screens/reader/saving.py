"""Queueing the reader's writes: one per key, drawn at once where its effect is predictable.

A function of the :class:`~tui.screens.reader.screen.ReaderScreen` (its
``save`` calls it; the edit, review, dialog and navigation modules call that).
The write goes to the app's queue (:meth:`tui.app.RedlineApp.save`), tagged
with its prediction if it has one: the prediction is applied to the model
and every widget it concerns is shown in this turn
(:mod:`~tui.screens.reader.optimistic`), and the undo history learns what was
queued (:meth:`~tui.screens.reader.history.History.queued`). What the write
stores comes back as :class:`~tui.messages.AnnotationSaved`
(:mod:`~tui.screens.reader.live`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.screens.reader import showing
from tui.screens.reader.history import Step
from tui.screens.reader.model import Touched
from tui.screens.reader.optimistic import Predict
from tui.services import redline_app

if TYPE_CHECKING:
    from tui.screens.reader.screen import ReaderScreen


def save(
    reader: ReaderScreen,
    write: Callable[[], Any],
    description: str,
    then: Callable[[Any], None] | None = None,
    *,
    predict: Predict | None = None,
    step: Step | None = None,
) -> None:
    """Queue one write for the reader's article; ``then(result)`` once it is committed, if
    the reader still shows that article.

    ``predict`` (the action's row changes, computed on the model) is drawn
    at once as pending, until the write is stored or refused; every widget
    it concerns is updated in this turn, so the key's effect is one frame.
    ``step``: the write is that undo or redo (:meth:`History.queued`).
    """
    article_id = reader.article_id

    def saved(result: Any) -> None:
        if then is not None and reader.article_id == article_id:
            then(result)

    tag = None
    if predict is not None:
        touched = Touched()
        tag = reader.optimistic.add(predict, reader.model, touched)
        if reader.model is not None:
            showing.show_touched(reader, touched)
    reader.history.queued(tag, step)
    redline_app(reader).save(write, description, saved, article_id=article_id, tag=tag)
