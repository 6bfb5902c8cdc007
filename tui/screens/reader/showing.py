"""Giving the reader's widgets their rows from its :class:`~tui.screens.reader.model.ReaderModel`.

Functions of the :class:`~tui.screens.reader.screen.ReaderScreen`: after a
full read every widget is shown again (:func:`show_all`); after a stored or
predicted change only those the change concerns (:func:`show_touched`).

Each is called once per message-handler turn (a key, a stored write) and
updates every widget it concerns in that turn, inside ``batch_update``: the
screen paints them together in one frame, and none asks for a layout (the
pane and panels repaint the rows that changed, the header and status bar
their one line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.screens.reader import navigation, review
from tui.screens.reader.model import Touched
from tui.widgets.entity_panel import EntityPanel
from tui.widgets.figure_panel import FigurePanel
from tui.widgets.status_bar import ArticleHeader, StatusBar
from tui.widgets.topic_panel import TopicPanel

if TYPE_CHECKING:
    from tui.screens.reader.screen import ReaderScreen


def show_all(reader: ReaderScreen) -> None:
    """Every widget from the model (empty while the annotations load)."""
    model = reader.model
    with reader.app.batch_update():
        reader.query_one(EntityPanel).show(model.mentions() if model else [])
        reader.query_one(TopicPanel).show(model.topic_items() if model else [])
        reader.query_one(FigurePanel).show(model.figure_items() if model else [])
        show_header(reader)
        show_pending(reader)


def show_pending(reader: ReaderScreen) -> None:
    reader.query_one(StatusBar).pending = review.pending_count(reader.model)


def show_touched(reader: ReaderScreen, touched: Touched) -> None:
    """Give the widgets an applied change concerns their new rows."""
    model = reader.model
    assert model is not None
    with reader.app.batch_update():
        if touched.pane:
            reader.pane.patch_spans(touched.pane_removed, touched.pane_added.values())
            show_pending(reader)
        changed = touched.panel_changes() if touched.mentions or touched.figures else set()
        if touched.mentions:
            reader.query_one(EntityPanel).patch(changed, model.mentions(changed))
        if touched.figures:
            reader.query_one(FigurePanel).patch(changed, model.figure_items(changed))
        if touched.topics:
            reader.query_one(TopicPanel).show(model.topic_items())
        if touched.state:
            show_header(reader)
    if touched.unknown_entities:
        reader.name_entities(reader.article_id, touched.unknown_entities)


def show_header(reader: ReaderScreen) -> None:
    article = reader.article
    if article is None:
        return
    reader.query_one(ArticleHeader).show(
        article.title,
        article.source,
        article.published.isoformat() if article.published else None,
        article.dateline,
        navigation.position(reader.sequence, reader.article_id),
        len(reader.sequence),
        reader.model.state if reader.model is not None else "todo",
    )
