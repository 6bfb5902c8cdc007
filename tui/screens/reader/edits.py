"""The reader's editing keys: label, resize, remove, undo/redo, accept/reject, occurrences.

Functions of the :class:`~tui.screens.reader.screen.ReaderScreen` (its
``action_*`` methods call them): each decides what the key acts on with
:mod:`tui.screens.reader.targeting` and queues one write with
:meth:`ReaderScreen.save`. Where the effect is predictable (label, relabel,
resize, remove, accept, reject) the key also passes its prediction, drawn at
once as pending (:mod:`tui.screens.reader.optimistic`); the stored result
replaces it when the write's :class:`~tui.messages.AnnotationSaved` arrives.
A span still pending is acted on through its :class:`SpanRef`, so a relabel
of a label waiting behind a lock changes that span, never adds a second one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.dialogs.confirm import ConfirmDialog
from tui.screens.reader import linking, optimistic, targeting
from tui.screens.reader.optimistic import SpanRef
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
    key, article_id = entity_label.key, reader.article_id
    existing = reader.span_here("entity")
    if existing is not None:
        if existing.label != key or existing.status != "accepted":
            accept = existing.status == "suggested"
            ref = reader.optimistic.ref(existing.id)
            changed = {"label": key, "status": "accepted"} if accept else {"label": key}
            joined = linking.for_span(reader.model, existing.id, key)
            if joined is None:
                reader.save(
                    lambda: repository.relabel_span(ref.resolve(), key, accept=accept),
                    f"relabel {key}",
                    predict=optimistic.span_changed(ref, **changed),
                )
                return
            entity_id, description = joined.entity_id, f"relabel {key}, link to {joined.name}"

            def relabel_and_link() -> None:
                with repository.batch("annotate", article_id, description):
                    repository.relabel_span(ref.resolve(), key, accept=accept)
                    repository.link_span(ref.resolve(), entity_id)

            reader.save(
                relabel_and_link,
                description,
                _linked(reader, joined),
                predict=optimistic.span_changed(ref, **changed, entity_id=entity_id),
            )
        return
    target = reader.pane.selection or reader.pane.target_range()
    if target is None:
        reader.refuse("Nothing to label here: select text or move onto a word")
        return
    start, end = target
    text = reader.article.text[start:end] if reader.article is not None else ""
    ref = reader.optimistic.new_span()
    joined = linking.entity_for(reader.model, start, end, text, key)
    if joined is None:
        reader.save(
            lambda: _stored_as(ref, repository.add_span(article_id, start, end, key)),
            f"label {key}",
            predict=optimistic.span_added(ref, start, end, key, text),
        )
    else:  # "Nurtleu" after the linked "Murat Nurtleu": label and link, one action
        entity_id, description = joined.entity_id, f"label {key}, link to {joined.name}"

        def add_and_link() -> Any:
            with repository.batch("annotate", article_id, description):
                span = _stored_as(ref, repository.add_span(article_id, start, end, key))
                return repository.link_span(span.id, entity_id)

        added = optimistic.span_added(ref, start, end, key, text)

        def added_and_linked(model: Any) -> list[Any]:  # drawn linked at once
            changes = added(model)
            for change in changes:
                change["after"]["entity_id"] = entity_id
            return changes

        reader.save(add_and_link, description, _linked(reader, joined), predict=added_and_linked)
    reader.pane.clear_selection()  # the next key (relabel, resize, e) acts on the new span
    reader.pane.move_cursor(start)


def _stored_as(ref: SpanRef, span: Any) -> Any:
    """Writer thread: the new span's id, for the writes queued behind it that act on it."""
    ref.id = span.id
    return span


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
    repository, ref = services(reader).repository, reader.optimistic.ref(span.id)
    text = reader.article.text[start:end] if reader.article is not None else ""
    reader.save(
        lambda: repository.resize_span(ref.resolve(), start, end),
        f"resize {span.label}",
        predict=optimistic.span_changed(ref, start=start, end=end, text=text),
    )
    reader.pane.move_cursor(start if edge == "start" else max(start, end - 1))


def remove(reader: ReaderScreen) -> None:
    span = under_cursor(reader)
    if span is None:
        reader.refuse("No span under the cursor")
        return
    repository, ref = services(reader).repository, reader.optimistic.ref(span.id)
    reader.save(
        lambda: repository.remove_span(ref.resolve()),
        f"remove {span.label}",
        predict=optimistic.span_removed(ref),
    )


def step(reader: ReaderScreen, *, undo: bool) -> None:
    """Undo or redo this session's latest action here (queued behind unsaved ones).

    When the reader knows what it takes back (its own last action here, see
    :mod:`~tui.screens.reader.history`) that is drawn at once, as pending;
    otherwise the step is shown once stored.
    """
    repository, article_id = services(reader).repository, reader.article_id
    move = repository.undo if undo else repository.redo
    verb = "undo" if undo else "redo"

    def stepped(event: Any) -> None:
        if event is False:
            reader.refuse(f"Nothing to {verb}")
            return
        done = "Undone" if undo else "Redone"
        reader.say(f"{done}: {event.summary or event.action}")

    planned = reader.history.step(undo=undo)
    if planned is None:
        reader.save(lambda: move(article_id) or False, verb, stepped)
    else:
        predict = reader.history.predict(planned)
        reader.save(lambda: move(article_id) or False, verb, stepped, predict=predict, step=planned)


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
    repository, ref = services(reader).repository, reader.optimistic.ref(span.id)
    joined = linking.for_span(reader.model, span.id) if accept else None
    if joined is not None:  # "Nurtleu" after the linked "Murat Nurtleu": accept, link: one action
        entity_id = joined.entity_id
        reader.save(
            lambda: repository.link_span(ref.resolve(), entity_id, accept=True),
            f"accept {span.label}, link to {joined.name}",
            _linked(reader, joined, then),
            predict=optimistic.span_changed(ref, status="accepted", entity_id=entity_id),
        )
        return
    decide = repository.accept if accept else repository.reject
    reader.save(
        lambda: decide([ref.resolve()]),
        f"{'accept' if accept else 'reject'} {span.label}",
        then,
        predict=optimistic.span_changed(ref, status="accepted" if accept else "rejected"),
    )


def _linked(
    reader: ReaderScreen, joined: linking.Joined, then: Callable[[Any], None] | None = None
) -> Callable[[Any], None]:
    """Once stored: say which entity the mention joined (its name shown literally)."""

    def done(result: Any) -> None:
        reader.say(f"Linked to {joined.name}")
        if then is not None:
            then(result)

    return done


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
