"""The reader's annotation keys: label, resize, remove, undo/redo, review, navigate.

A mixin for :class:`tui.screens.reader.ReaderScreen`, kept apart so the
screen module stays about layout and loading. Every action that changes data
is one repository call wrapped in ``app.save``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from storage.repository import Repository
from tui import tokens
from tui.literal import visible_line
from tui.widgets.reading_pane import PaneSpan

if TYPE_CHECKING:
    from tui.widgets.reading_pane import ReadingPane

TOKEN_WINDOW = 400
"""Characters tokenized on each side of a span when stepping its edges by a token."""

READER_BINDINGS: list[Binding] = [
    *(
        Binding(str(n), f"label('{n}')", f"Label {n}", id=f"label-entity-{n}", show=False)
        for n in (*range(1, 10), 0)
    ),
    Binding(
        "greater_than_sign", "resize('end', 1)", "End +1 token", id="span-end-grow", show=False
    ),
    Binding(
        "less_than_sign", "resize('end', -1)", "End −1 token", id="span-end-shrink", show=False
    ),
    Binding(
        "alt+less_than_sign",
        "resize('start', -1)",
        "Start −1 token",
        id="span-start-grow",
        show=False,
    ),
    Binding(
        "alt+greater_than_sign",
        "resize('start', 1)",
        "Start +1 token",
        id="span-start-shrink",
        show=False,
    ),
    Binding("x,delete", "remove", "Remove span", id="span-remove"),
    Binding("u", "undo", "Undo", id="undo"),
    Binding("ctrl+r", "redo", "Redo", id="redo"),
    Binding("n", "next_span", "Next span", id="span-next", show=False),
    Binding("N", "previous_span", "Previous span", id="span-previous", show=False),
    Binding("left_square_bracket", "step_article(-1)", "Previous article", id="article-previous"),
    Binding("right_square_bracket", "step_article(1)", "Next article", id="article-next"),
    Binding("d", "done", "Done → next", id="article-done"),
    Binding("s", "skip", "Skip", id="article-skip"),
    Binding("slash", "find", "Search", id="article-search"),
    Binding("escape", "escape", "Clear", id="reader-escape", show=False),
]


class ReaderActions:
    """Handlers for :data:`READER_BINDINGS` (mixed into the reader screen)."""

    article_id: int
    if TYPE_CHECKING:
        app: Any
        pane: ReadingPane

        def reload(self) -> None: ...
        def step_article(self, delta: int) -> None: ...
        def elapsed(self) -> float: ...
        def close_find(self) -> bool: ...
        def _show_header(self) -> None: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...

    @property
    def repository(self) -> Repository:
        return self.app.repository

    def _save(
        self, write: Callable[[], Any], description: str, then: Callable[[Any], None] | None = None
    ) -> None:
        """Queue one write for this article; ``then(result)`` runs once it is committed.

        The screen shows the change when :class:`~tui.messages.AnnotationSaved` arrives.
        """
        self.app.save(write, description, then, article_id=self.article_id)

    def _span_under_cursor(self, layers: tuple[str, ...] = ("entity", "figure", "evidence")):
        """The innermost span of ``layers`` under the cursor, accepted ones first."""
        spans = [span for span in self.pane.spans_at(self.pane.cursor) if span.layer in layers]
        spans.sort(key=lambda span: span.status != "accepted")
        return spans[0] if spans else None

    def _span_here(self, layer: str) -> PaneSpan | None:
        """The ``layer`` span matching the selection exactly, else under the cursor."""
        selection = self.pane.selection
        if selection is not None:
            return next(
                (
                    span
                    for span in self.pane.spans_at(selection[0])
                    if span.layer == layer and (span.start, span.end) == selection
                ),
                None,
            )
        return self._span_under_cursor((layer,))

    # -- labelling --------------------------------------------------------------

    def action_label(self, hotkey: str) -> None:
        label = self.app.config.schema.by_hotkey(hotkey)
        if label is None:
            self.app.refuse(f"No entity label on key {hotkey}")
            return
        selection = self.pane.selection
        existing = self._span_here("entity")
        if existing is not None:
            if existing.label == label.key and existing.status == "accepted":
                return
            self._relabel(existing, label.key)
            return
        target = selection or self.pane.target_range()
        if target is None:
            self.app.refuse("Nothing to label here: select text or move onto a word")
            return
        start, end = target
        article_id = self.article_id

        def labelled(_: object) -> None:
            # Keep the new span under the cursor so the next key (relabel,
            # resize, link) acts on it.
            if self.article_id == article_id:
                self.pane.clear_selection()
                self.pane.move_cursor(start)

        self._save(
            lambda: self.repository.add_span(article_id, start, end, label.key),
            f"label {label.key}",
            labelled,
        )

    def _relabel(self, span: PaneSpan, label: str) -> None:
        accept = span.status == "suggested"
        self._save(
            lambda: self.repository.relabel_span(span.id, label, accept=accept), f"relabel {label}"
        )

    def action_resize(self, edge: str, step: int) -> None:
        span = self._span_under_cursor()
        if span is None:
            self.app.refuse("No span under the cursor to resize")
            return
        text = self.pane.text
        low = max(0, span.start - TOKEN_WINDOW)
        bounds = tokens.token_bounds(text[low : span.end + TOKEN_WINDOW], base=low)
        start, end = span.start, span.end
        if edge == "end":
            ends = [b for _, b in bounds]
            later = (
                [b for b in ends if b > end] if step > 0 else [b for b in ends if start < b < end]
            )
            if not later:
                self.app.refuse("The span cannot move that way")
                return
            end = later[0] if step > 0 else later[-1]
        else:
            starts = [a for a, _ in bounds]
            moved = (
                [a for a in starts if a < start]
                if step < 0
                else [a for a in starts if start < a < end]
            )
            if not moved:
                self.app.refuse("The span cannot move that way")
                return
            start = moved[-1] if step < 0 else moved[0]
        article_id = self.article_id

        def resized(_: object) -> None:
            if self.article_id == article_id:
                self.pane.move_cursor(start if edge == "start" else max(start, end - 1))

        self._save(
            lambda: self.repository.resize_span(span.id, start, end),
            f"resize {span.label}",
            resized,
        )

    def action_remove(self) -> None:
        span = self._span_under_cursor()
        if span is None:
            self.app.refuse("No span under the cursor")
            return
        self._save(lambda: self.repository.remove_span(span.id), f"remove {span.label}")

    def action_undo(self) -> None:
        self._step(undo=True)

    def action_redo(self) -> None:
        self._step(undo=False)

    def _step(self, *, undo: bool) -> None:
        """Undo or redo this article's latest action (queued behind unsaved ones)."""
        article_id, repository = self.article_id, self.repository
        step = repository.undo if undo else repository.redo
        verb = "undo" if undo else "redo"

        def stepped(event: Any) -> None:
            if event is False:
                self.app.refuse(f"Nothing to {verb}")
                return
            done = "Undone" if undo else "Redone"
            self.notify(
                visible_line(f"{done}: {event.summary or event.action}"), timeout=2, markup=False
            )

        self._save(lambda: step(article_id) or False, verb, stepped)

    # -- moving -------------------------------------------------------------------

    def _jump(self, forward: bool) -> None:
        spans = list(self.pane.spans)
        pending = [span for span in spans if span.status == "suggested"]
        candidates = pending or spans
        cursor = self.pane.cursor
        if forward:
            after = [span for span in candidates if span.start > cursor]
            target = min(after, key=lambda s: s.start) if after else None
        else:
            before = [span for span in candidates if span.start < cursor]
            target = max(before, key=lambda s: s.start) if before else None
        if target is None:
            self.app.refuse("No more spans this way")
            return
        self.pane.move_cursor(target.start)

    def action_next_span(self) -> None:
        self._jump(True)

    def action_previous_span(self) -> None:
        self._jump(False)

    def action_step_article(self, delta: int) -> None:
        self.step_article(delta)

    def _finish(self, state: str) -> None:
        seconds, article_id = self.elapsed(), self.article_id

        def marked(_: object) -> None:
            self.notify(f"Marked {state.replace('_', ' ')}", timeout=2)
            if self.article_id == article_id:
                self.step_article(1)

        self._save(
            lambda: self.repository.set_state(article_id, state, seconds), f"mark {state}", marked
        )

    def action_done(self) -> None:
        self._finish("done")

    def action_skip(self) -> None:
        self._finish("skipped")

    def action_escape(self) -> None:
        if not self.close_find():
            self.pane.clear_selection()
