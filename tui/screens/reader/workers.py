"""The reader's thread workers: reading annotations, suggesting, naming entities.

Each runs on the :class:`~tui.screens.reader.screen.ReaderScreen` (Textual's
``@work`` takes the node as first argument), does its storage work through
:mod:`tui.screens.reader.background`, and posts its result to the screen as a
message, so the screen's handlers apply it on the event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import get_current_worker

from storage import queries
from storage.errors import StorageError
from tui import tokens
from tui.literal import visible_line
from tui.messages import EntityNamesLoaded, SuggestionsAdded, ViewLoaded
from tui.screens.reader import background
from tui.services import services

if TYPE_CHECKING:
    from tui.screens.reader.screen import ReaderScreen


@work(thread=True, exclusive=True, group="reader-view")
def read_annotations(reader: ReaderScreen, article_id: int) -> None:
    """Read the article's annotations in full; the screen gets :class:`ViewLoaded`."""
    try:
        model = background.read_model(services(reader), article_id)
    except StorageError as exc:
        message = visible_line(f"Cannot read annotations: {exc}")
        reader.notify(message, severity="error", markup=False)
        return
    if not get_current_worker().is_cancelled:
        reader.post_message(ViewLoaded(article_id, model))


@work(thread=True, group="entity-names")
def name_entities(reader: ReaderScreen, article_id: int, entity_ids: set[int]) -> None:
    """Names of entities a new link points to (one small query, not a read-back)."""
    try:
        found = queries.entities_by_id(services(reader).database, entity_ids)
    except StorageError:
        return
    names = {entity_id: entity.name for entity_id, entity in found.items()}
    reader.post_message(EntityNamesLoaded(article_id, names))


@work(thread=True, exclusive=True, group="suggest")
def suggest(reader: ReaderScreen, article_id: int, text: str) -> None:
    """Run the suggesters on the article just opened (``auto_suggest``)."""
    try:
        changes = background.suggest(services(reader), article_id, text)
    except StorageError as exc:
        message = visible_line(f"Suggestions failed: {exc}")
        reader.notify(message, severity="warning", markup=False)
        return
    if changes:
        reader.post_message(SuggestionsAdded(article_id, changes))


@work(thread=True, exclusive=True, group="occurrences")
def suggest_in_corpus(reader: ReaderScreen, phrase: str, label: str) -> None:
    """Suggest ``phrase`` as ``label`` wherever it occurs in the corpus."""

    def stored(article_id: int, changes: list[dict[str, Any]]) -> None:
        reader.post_message(SuggestionsAdded(article_id, changes))

    try:
        added, articles = background.suggest_in_corpus(services(reader), phrase, label, stored)
    except StorageError as exc:
        reader.notify(visible_line(f"Not saved: {exc}"), severity="error", markup=False)
        return
    message = f"Suggested “{phrase}” as {label}: {added} in {articles} articles"
    reader.notify(visible_line(message), markup=False)


def warm_up_tokens(reader: ReaderScreen) -> None:
    """Load spaCy's tokenizer (for snapping; about a second) off the event loop.

    Once it is loaded the pane tokenizes each paragraph the cursor enters
    right after that move's frame, so a label key finds its word's bounds ready.
    """
    pane = reader.pane

    def load() -> None:
        tokens.warm_up()
        pane.prefetch_words = True  # a plain flag, read on the event loop

    reader.run_worker(load, thread=True, group="warm-up")
