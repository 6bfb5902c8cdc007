"""What the reader does in worker threads: read an article's annotations, run suggesters.

Plain functions of the app's :class:`~tui.services.Services` that return data
(or the change sets they stored); the screen's ``@work(thread=True)`` methods
call them and post the result as a message. Nothing here touches a widget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from storage import queries
from storage.capture import Change, capture
from storage.occurrences import corpus_occurrences
from storage.repository import SpanSuggestion
from storage.suggestions import Suggester, SuggestOptions
from tui.screens.reader.model import ReaderModel
from tui.services import Services


def read_model(app: Services, article_id: int) -> ReaderModel:
    """The article's annotations and state for this annotator; raises ``StorageError``."""
    database, annotator = app.database, app.annotator
    spans = queries.span_rows(database, article_id, annotator)
    figures = queries.figures_for(database, [span.id for span in spans if span.layer == "figure"])
    topics = queries.topics_for(database, article_id, annotator)
    linked = {span.entity_id for span in spans if span.entity_id is not None}
    names = {i: entity.name for i, entity in queries.entities_by_id(database, linked).items()}
    state = queries.article_state(database, article_id, annotator)
    annotator_id = app.repository.annotator_id
    schema = app.config.schema
    return ReaderModel.load(schema, article_id, annotator_id, spans, figures, topics, names, state)


def suggest(app: Services, article_id: int, text: str) -> list[Change]:
    """Run the suggesters on one article; the row changes of what they stored."""
    with capture() as captured:
        options = SuggestOptions.from_config(app.config)  # [suggest] model; models/latest read now
        added = Suggester(app.database, app.repository, options).run(article_id, text)
    return captured.changes if added else []


def suggest_in_corpus(
    app: Services, phrase: str, label: str, stored: Callable[[int, list[Change]], None]
) -> tuple[int, int]:
    """Suggest ``phrase`` as ``label`` wherever it occurs; (suggestions, articles).

    ``stored(article_id, changes)`` is called after each article's write.
    """
    added = articles = 0
    for article_id, suggestions in _occurrences(app, phrase, label):
        with capture() as captured:
            new = app.repository.add_suggestions(article_id, suggestions)
        added, articles = added + len(new), articles + bool(new)
        if new:
            stored(article_id, captured.changes)
    return added, articles


def _occurrences(
    app: Services, phrase: str, label: str
) -> Iterator[tuple[int, list[SpanSuggestion]]]:
    for article_id, ranges in corpus_occurrences(app.database, phrase):
        yield (
            article_id,
            [
                SpanSuggestion(start, end, label, origin="gazetteer", score=1.0)
                for start, end in ranges
            ],
        )
