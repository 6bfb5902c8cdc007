"""The reader's editing keys: label, resize, remove, undo/redo, accept/reject, occurrences.

Functions of the :class:`~tui.screens.reader.screen.ReaderScreen` (its
``action_*`` methods call them): each decides what the key acts on with
:mod:`tui.screens.reader.targeting` and queues one write with
:meth:`ReaderScreen.save`; the screen shows the result when the write's
:class:`~tui.messages.AnnotationSaved` arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.dialogs.confirm import ConfirmDialog
from tui.literal import visible_line
from tui.screens.reader import targeting
from tui.services import services

if TYPE_CHECKING:
    from tui.screens.reader.screen import ReaderScreen
    from tui.widgets.pane_model import PaneSpan


def under_cursor(
    reader: ReaderScreen, layers: tuple[str, ...] = targeting.ALL_LAYERS
) -> PaneSpan | None:
    return targeting.under_cursor(reader.pane.spans_at(reader.pane.cursor), layers)


def label(reader: ReaderScreen, hotkey: str) -> None:
    repository = services(reader).repository
    entity_label = services(reader).config.schema.by_hotkey(hotkey)
    if entity_label is None:
        reader.refuse(f"No entity label on key {hotkey}")
        return
    existing = reader.span_here("entity")
    if existing is not None:
        if existing.label != entity_label.key or existing.status != "accepted":
            accept = existing.status == "suggested"
            reader.save(
                lambda: repository.relabel_span(existing.id, entity_label.key, accept=accept),
                f"relabel {entity_label.key}",
            )
        return
    target = reader.pane.selection or reader.pane.target_range()
    if target is None:
        reader.refuse("Nothing to label here: select text or move onto a word")
        return
    start, end = target
    article_id = reader.article_id

    def labelled(_: object) -> None:  # the next key (relabel, resize, e) acts on it
        reader.pane.clear_selection()
        reader.pane.move_cursor(start)

    reader.save(
        lambda: repository.add_span(article_id, start, end, entity_label.key),
        f"label {entity_label.key}",
        labelled,
    )


def resize(reader: ReaderScreen, edge: str, step: int) -> None:
    span = under_cursor(reader)
    if span is None:
        reader.refuse("No span under the cursor to resize")
        return
    bounds = targeting.resized(reader.pane.text, span.start, span.end, edge, step)
    if bounds is None:
        reader.refuse("The span cannot move that way")
        return
    start, end = bounds
    repository = services(reader).repository
    reader.save(
        lambda: repository.resize_span(span.id, start, end),
        f"resize {span.label}",
        lambda _: reader.pane.move_cursor(start if edge == "start" else max(start, end - 1)),
    )


def remove(reader: ReaderScreen) -> None:
    span = under_cursor(reader)
    if span is None:
        reader.refuse("No span under the cursor")
        return
    repository = services(reader).repository
    reader.save(lambda: repository.remove_span(span.id), f"remove {span.label}")


def step(reader: ReaderScreen, *, undo: bool) -> None:
    """Undo or redo this session's latest action here (queued behind unsaved ones)."""
    repository, article_id = services(reader).repository, reader.article_id
    move = repository.undo if undo else repository.redo
    verb = "undo" if undo else "redo"

    def stepped(event: Any) -> None:
        if event is False:
            reader.refuse(f"Nothing to {verb}")
            return
        done = "Undone" if undo else "Redone"
        summary = visible_line(f"{done}: {event.summary or event.action}")
        reader.notify(summary, timeout=2, markup=False)

    reader.save(lambda: move(article_id) or False, verb, stepped)


def review(
    reader: ReaderScreen,
    *,
    accept: bool,
    span: PaneSpan | None = None,
    then: Callable[[Any], None] | None = None,
) -> None:
    """Accept or reject ``span`` (default: the suggestion under the cursor); ``then`` once stored.

    ``a``/``r`` come through :mod:`tui.screens.reader.review`, which picks the span and moves on.
    """
    span = span or targeting.suggestion(reader.pane.spans_at(reader.pane.cursor))
    if span is None:
        reader.refuse("No suggestion under the cursor")
        return
    repository = services(reader).repository
    decide = repository.accept if accept else repository.reject
    reader.save(lambda: decide([span.id]), f"{'accept' if accept else 'reject'} {span.label}", then)


def accept_all(reader: ReaderScreen) -> None:
    """Accept every pending suggestion of the layer under the cursor (entity by default)."""
    here = under_cursor(reader)
    layer = here.layer if here is not None else "entity"
    pending = [s for s in reader.pane.spans if s.status == "suggested" and s.layer == layer]
    if not pending:
        reader.refuse(f"No pending {layer} suggestions")
        return
    ids, repository = [span.id for span in pending], services(reader).repository
    question = f"Accept all {len(ids)} {layer} suggestions?"
    labels = ", ".join(sorted({span.label for span in pending}))

    def answered(yes: bool | None) -> None:
        if yes:
            reader.save(lambda: repository.accept(ids), f"accept {len(ids)} {layer} suggestions")

    reader.app.push_screen(ConfirmDialog(question, labels), answered)


def phrase_and_label(reader: ReaderScreen) -> tuple[str, str] | None:
    span = under_cursor(reader, ("entity",))
    if span is None:
        reader.refuse("Put the cursor on an entity span to label its other occurrences")
        return None
    return reader.pane.text[span.start : span.end], span.label


def label_occurrences(reader: ReaderScreen) -> None:
    found = phrase_and_label(reader)
    if found is None:
        return
    phrase, label = found
    text = reader.pane.text
    entity_spans = [span for span in reader.pane.spans if span.layer == "entity"]
    ranges = targeting.unlabelled_occurrences(text, phrase, entity_spans)
    pending = [
        span
        for span in entity_spans
        if span.status == "suggested" and text[span.start : span.end] == phrase
    ]
    if not ranges and not pending:
        reader.refuse(f"No other unlabelled or suggested “{phrase}” in this article")
        return
    article_id, repository = reader.article_id, services(reader).repository
    same = [span.id for span in pending if span.label == label]
    relabel = [span.id for span in pending if span.label != label]
    description = f"label {len(ranges) + len(pending)} × {phrase}"

    def write() -> None:  # one action: one event, one undo step
        with repository.batch("annotate", article_id, description):
            if ranges:
                repository.add_spans(article_id, ranges, label)
            if same:
                repository.accept(same)
            for span_id in relabel:
                repository.relabel_span(span_id, label, accept=True)

    def answered(yes: bool | None) -> None:
        if yes:
            reader.save(write, description)

    question = f"Label {len(ranges) + len(pending)} more “{phrase}” as {label}?"
    parts = [f"{len(ranges)} unlabelled"] if ranges else []
    parts += [f"{len(pending)} pending suggestions of it (accepted)"] if pending else []
    reader.app.push_screen(ConfirmDialog(question, ", ".join(parts)), answered)
