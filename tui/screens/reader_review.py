"""Reviewing suggestions in the reader: auto-suggest on open, accept, reject, label all.

A mixin for :class:`tui.screens.reader.ReaderScreen`. Suggesters run in a
worker thread when an article opens; their spans arrive as ``suggested`` and
are drawn distinctly until the annotator accepts (``a``/``A``) or rejects
(``r``) them. ``o`` labels the other occurrences of a phrase in this article,
``O`` proposes them across the corpus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding

from storage.capture import capture
from storage.errors import StorageError
from storage.occurrences import corpus_occurrences, find_occurrences
from storage.repository import SpanSuggestion
from storage.suggestions import Suggester, SuggestOptions
from tui.dialogs.confirm import ConfirmDialog
from tui.literal import visible_line
from tui.messages import SuggestionsAdded
from tui.widgets.reading_pane import PaneSpan

if TYPE_CHECKING:
    from tui.widgets.reading_pane import ReadingPane

REVIEW_BINDINGS: list[Binding] = [
    Binding("a", "accept", "Accept suggestion", id="suggestion-accept"),
    Binding("A", "accept_all", "Accept all", id="suggestion-accept-all", show=False),
    Binding("r", "reject", "Reject suggestion", id="suggestion-reject"),
    Binding("o", "label_occurrences", "Label occurrences", id="occurrences-article", show=False),
    Binding(
        "O", "suggest_occurrences", "Occurrences in corpus", id="occurrences-corpus", show=False
    ),
]


class ReaderReview:
    """Handlers for :data:`REVIEW_BINDINGS` and the auto-suggest worker."""

    article_id: int
    if TYPE_CHECKING:
        app: Any
        pane: ReadingPane

        def notify(self, message: str, **kwargs: Any) -> None: ...
        def post_message(self, message: Any) -> bool: ...
        def _save(self, write: Any, description: str, then: Any = None) -> None: ...
        def _span_under_cursor(self, layers: tuple[str, ...] = ...) -> PaneSpan | None: ...

    # -- suggesting -------------------------------------------------------------

    def run_suggesters(self) -> None:
        if self.app.config.auto_suggest:
            self._suggest(self.article_id, self.pane.text)

    @work(thread=True, exclusive=True, group="suggest")
    def _suggest(self, article_id: int, text: str) -> None:
        app = self.app
        try:
            suggester = Suggester(app.database, app.repository, SuggestOptions())
            with capture() as captured:
                added = suggester.run(article_id, text)
        except StorageError as exc:
            self.notify(
                visible_line(f"Suggestions failed: {exc}"), severity="warning", markup=False
            )
            return
        if added:
            self.post_message(SuggestionsAdded(article_id, captured.changes))

    # -- accept / reject --------------------------------------------------------

    def _suggestion_under_cursor(self) -> PaneSpan | None:
        spans = [
            span for span in self.pane.spans_at(self.pane.cursor) if span.status == "suggested"
        ]
        return spans[0] if spans else None

    def action_accept(self) -> None:
        span = self._suggestion_under_cursor()
        if span is None:
            self.app.refuse("No suggestion under the cursor")
            return
        self._save(lambda: self.app.repository.accept([span.id]), f"accept {span.label}")

    def action_reject(self) -> None:
        span = self._suggestion_under_cursor()
        if span is None:
            self.app.refuse("No suggestion under the cursor")
            return
        self._save(lambda: self.app.repository.reject([span.id]), f"reject {span.label}")

    def action_accept_all(self) -> None:
        """Accept every pending suggestion of the layer under the cursor (entity by default)."""
        here = self._span_under_cursor()
        layer = here.layer if here is not None else "entity"
        pending = [s for s in self.pane.spans if s.status == "suggested" and s.layer == layer]
        if not pending:
            self.app.refuse(f"No pending {layer} suggestions")
            return
        ids = [span.id for span in pending]

        def answered(yes: bool | None) -> None:
            if yes:
                self._save(
                    lambda: self.app.repository.accept(ids),
                    f"accept {len(ids)} {layer} suggestions",
                )

        self.app.push_screen(
            ConfirmDialog(
                f"Accept all {len(ids)} {layer} suggestions?",
                ", ".join(sorted({span.label for span in pending})),
            ),
            answered,
        )

    # -- other occurrences --------------------------------------------------------

    def _phrase_and_label(self) -> tuple[str, str] | None:
        span = self._span_under_cursor(("entity",))
        if span is None:
            self.app.refuse("Put the cursor on an entity span to label its other occurrences")
            return None
        return self.pane.text[span.start : span.end], span.label

    def action_label_occurrences(self) -> None:
        found = self._phrase_and_label()
        if found is None:
            return
        phrase, label = found
        taken = {(s.start, s.end) for s in self.pane.spans if s.layer == "entity"}
        overlapping = [(s.start, s.end) for s in self.pane.spans if s.layer == "entity"]
        ranges = [
            (start, end)
            for start, end in find_occurrences(self.pane.text, phrase)
            if (start, end) not in taken and not any(a < end and start < b for a, b in overlapping)
        ]
        if not ranges:
            self.app.refuse(f"No other unlabelled “{phrase}” in this article")
            return

        article_id = self.article_id

        def answered(yes: bool | None) -> None:
            if yes:
                self._save(
                    lambda: self.app.repository.add_spans(article_id, ranges, label),
                    f"label {len(ranges)} × {phrase}",
                )

        self.app.push_screen(
            ConfirmDialog(f"Label {len(ranges)} more “{phrase}” as {label}?"), answered
        )

    def action_suggest_occurrences(self) -> None:
        found = self._phrase_and_label()
        if found is not None:
            self._suggest_in_corpus(*found)

    @work(thread=True, exclusive=True, group="occurrences")
    def _suggest_in_corpus(self, phrase: str, label: str) -> None:
        app = self.app
        added = articles = 0
        here = self.article_id
        try:
            for article_id, ranges in corpus_occurrences(app.database, phrase):
                suggestions = [
                    SpanSuggestion(start, end, label, origin="gazetteer", score=1.0)
                    for start, end in ranges
                ]
                with capture() as captured:
                    new = app.repository.add_suggestions(article_id, suggestions)
                added += len(new)
                articles += bool(new)
                if new and article_id == here:
                    self.post_message(SuggestionsAdded(article_id, captured.changes))
        except StorageError as exc:
            self.notify(visible_line(f"Not saved: {exc}"), severity="error", markup=False)
            return
        self.notify(
            visible_line(f"Suggested “{phrase}” as {label}: {added} in {articles} articles"),
            markup=False,
        )
