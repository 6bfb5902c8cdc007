"""Messages that carry stored data to the screens (never a shared attribute).

A write runs in the app's writer thread; what it changed comes back as an
:class:`AnnotationSaved` posted to the screen that asked for it. Workers that
read (an article's annotations) or write on their own (suggesters) post
:class:`ViewLoaded` and :class:`SuggestionsAdded`; an action that can never apply
comes back as :class:`AnnotationRefused`. Each carries the article it
is about, so a screen that has moved on to another article ignores it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from storage.capture import Change
from storage.live import Changes

if TYPE_CHECKING:
    from tui.screens.reader.model import ReaderModel


class AnnotationSaved(Message):
    """One user action is committed; ``changes`` are its row changes (``after`` = now)."""

    bubble = False  # posted straight to the screen that shows the article

    def __init__(
        self,
        article_id: int | None,
        changes: list[Change],
        description: str,
        result: Any,
        tag: Any = None,
    ) -> None:
        super().__init__()
        self.article_id = article_id
        self.changes = changes
        self.description = description
        self.result = result
        self.tag = tag
        """What the screen passed with the write (its optimistic display of it), or None."""


class ViewLoaded(Message):
    """An article's annotations and state, read in a worker (on open, or a full reload)."""

    bubble = False  # posted straight to the screen that shows the article

    def __init__(self, article_id: int, model: ReaderModel) -> None:
        super().__init__()
        self.article_id = article_id
        self.model = model


class AnnotationRefused(Message):
    """An action can never apply (a conflict, a row gone): it was dropped, not queued."""

    bubble = False  # posted straight to the screen that asked for it

    def __init__(
        self, article_id: int | None, description: str, reason: str, tag: Any = None
    ) -> None:
        super().__init__()
        self.article_id = article_id
        self.description = description
        self.reason = reason
        self.tag = tag
        """What the screen passed with the write (its optimistic display of it), or None."""


class SuggestionsAdded(Message):
    """A suggester stored suggestions for an article; ``changes`` are their rows."""

    bubble = False  # posted straight to the screen that shows the article

    def __init__(self, article_id: int, changes: list[Change]) -> None:
        super().__init__()
        self.article_id = article_id
        self.changes = changes


class EntityNamesLoaded(Message):
    """Names of entities that new links point to (read in a worker: one small query)."""

    bubble = False  # posted straight to the screen that shows the article

    def __init__(self, article_id: int, names: dict[int, str]) -> None:
        super().__init__()
        self.article_id = article_id
        self.names = names


class ExternalChange(Message, bubble=False):
    """Another program committed changes (team mode, :mod:`tui.live`): screens refresh.

    ``article_ids`` may hold None (a corpus-wide change, or a change feed that
    reconnected and may have missed some: anything may have changed). It must
    not bubble (a class argument: Textual's ``__init_subclass__`` overrides a
    ``bubble = False`` in the class body): the app hands one to every screen on
    its stack, and one bubbling back would be handed out again.
    """

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes
        self.article_ids = changes.article_ids
        self.annotators = changes.annotators
