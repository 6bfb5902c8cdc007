"""Opening an article in the reader, and reading its annotations again.

Functions of the :class:`~tui.screens.reader.screen.ReaderScreen` (its
``open_article`` and ``reload`` call them). The text paints at once; the
highlights and panels follow from a worker (:func:`workers.read_annotations`
posts :class:`~tui.messages.ViewLoaded`), so a big article with thousands of
spans opens without a pause. What the reader kept for the previous article
(model, early arrivals, decided suggestions, predictions, undo history) goes
first, so nothing of it is applied to the new one.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from storage import queries
from storage.errors import StorageError
from tui.literal import visible_line
from tui.screens.reader import showing, workers
from tui.services import services

if TYPE_CHECKING:
    from tui.screens.reader.screen import ReaderScreen


def open_article(reader: ReaderScreen, article_id: int) -> None:
    """Show article ``article_id``: its text now, its annotations once they are read."""
    database = services(reader).database
    try:
        article = queries.get_article(database, article_id)
    except StorageError as exc:
        reader.notify(visible_line(str(exc)), severity="error", markup=False)
        return
    if article is None:
        reader.notify(f"No article with id {article_id}", severity="error", markup=False)
        return
    reader.article_id, reader.article = article_id, article
    if article_id not in reader.sequence:
        reader.sequence = queries.article_ids(database)
    reader.opened_at = time.monotonic()
    reader.model = None
    reader.arrivals.reset()
    reader.decided, reader.stream_focus = set(), None
    reader.optimistic.reset()
    reader.history.clear()
    reader.pane.load(article.text, [], cursor=0)
    showing.show_all(reader)
    workers.read_annotations(reader, article_id)
    if services(reader).config.auto_suggest:
        workers.suggest(reader, article_id, article.text)


def reload(reader: ReaderScreen) -> None:
    """Read the article's annotations again in full (a refused action, another screen's or
    program's change).

    Change sets stored while they are read wait in the reader's arrivals (see
    :mod:`~tui.screens.reader.live`) and are applied on top.
    """
    reader.arrivals.rereading = reader.model is not None
    reader.decided.clear()
    reader.history.clear()
    workers.read_annotations(reader, reader.article_id)
