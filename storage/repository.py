"""The annotation API shared by the TUI, the CLI and scripts.

Every public method is one transaction that appends one
:class:`~storage.models.Event` (``Repository.batch`` groups several calls into
one); undo and redo work per annotator and article, are persisted, so they
survive a restart, and never take back an action of another program of the
same annotator that is still running (:mod:`storage.sessions`).

    >>> with Repository(open_db("redline.db"), annotator="ana") as repo:
    ...     span = repo.add_span(article_id, 95, 108, "PERSON")
    ...     repo.undo(article_id)

The methods live in mixins by subject: spans (:mod:`storage.span_actions`),
figures and suggestions (:mod:`storage.figure_actions`), topics and article
state (:mod:`storage.topic_actions`), entities (:mod:`storage.entity_actions`);
sessions, batches, events and undo in :mod:`storage.repository_base`.
"""

from __future__ import annotations

from storage.entity_actions import EntityActions
from storage.figure_actions import FIGURE_FIELDS, FigureActions, SpanSuggestion
from storage.sessions import annotator_id
from storage.topic_actions import TopicActions

__all__ = ["FIGURE_FIELDS", "Repository", "SpanSuggestion", "annotator_id"]


class Repository(TopicActions, FigureActions, EntityActions):
    """Annotation actions of one annotator, in one session, on one database."""
