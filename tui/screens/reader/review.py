"""The review stream's keys: a, r, A, n/N, d, and the Topics panel's a/r.

Functions of the :class:`~tui.screens.reader.screen.ReaderScreen`. ``a`` and
``r`` decide the suggestion under the cursor and move on to the next pending
one at once (the write is queued; suggestions decided but not stored yet are
in ``reader.decided`` so the stream skips them). Which one comes next is
:mod:`tui.screens.reader.stream`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tui.dialogs.choice import Choice, ChoiceDialog
from tui.screens.reader import edits, linking, optimistic, stream, targeting
from tui.screens.reader.optimistic import Predict
from tui.services import services

if TYPE_CHECKING:
    from tui.screens.reader.model import ReaderModel
    from tui.screens.reader.screen import ReaderScreen
    from tui.widgets.pane_model import PaneSpan

NO_PENDING = "No pending suggestions"
WRAPPED = "Wrapped to the first pending suggestion"


def pending_count(model: ReaderModel | None) -> int | None:
    """Pending suggestions in the reader's model (None while it loads): no database read."""
    if model is None:
        return None
    return model.suggested


def _target(reader: ReaderScreen) -> PaneSpan | None:
    """The suggestion ``a``/``r`` act on: the one the stream stopped on, else the innermost."""
    here = [s for s in reader.pane.spans_at(reader.pane.cursor) if s.id not in reader.decided]
    focus = next((s for s in here if s.id == reader.stream_focus), None)
    if focus is not None and focus.status == "suggested" and focus.start == reader.pane.cursor:
        return focus
    return targeting.suggestion(here)


def go_to(reader: ReaderScreen, span: PaneSpan, notice: str = "") -> None:
    reader.pane.move_cursor(span.start)
    reader.stream_focus = span.id if span.status == "suggested" else None
    if notice:
        reader.say(notice)


def advance(reader: ReaderScreen, after: PaneSpan | int) -> None:
    """Move to the pending suggestion after ``after``, saying so when it wraps or none is left."""
    step = stream.next_pending(reader.pane.spans, after, reader.decided)
    if step.span is None:
        reader.stream_focus = None
        reader.say(NO_PENDING)
    else:
        go_to(reader, step.span, WRAPPED if step.wrapped else "")


def warm_next(reader: ReaderScreen) -> None:
    """Ahead of ``a``/``r``: draw (cached) the lines around the pending suggestion they go to."""
    reader.warm_queued = False
    step = stream.next_pending(reader.pane.spans, reader.pane.cursor, reader.decided)
    if step.span is not None:
        reader.pane.warm(step.span.start)


def review(reader: ReaderScreen, *, accept: bool) -> None:
    """``a``/``r``: decide the suggestion here, then go to the next pending one."""
    span = _target(reader)
    if span is None:
        left = stream.pending(reader.pane.spans, reader.decided)
        hint = " (n goes to the next one)" if left else ""
        reader.refuse(f"No suggestion under the cursor{hint}" if left else NO_PENDING)
        return
    reader.decided.add(span.id)
    edits.review(reader, accept=accept, span=span, then=lambda _: reader.decided.discard(span.id))
    advance(reader, span)


def jump(reader: ReaderScreen, forward: bool) -> None:
    """``n``/``N``: the next (previous) span, pending suggestions first; wraps with a notice."""
    step = stream.jump(reader.pane.spans, reader.pane.cursor, forward)
    if step.span is None:
        reader.refuse("No spans in this article" if not reader.pane.spans else "No other span")
        return
    notice = (
        ("Wrapped to the first span" if forward else "Wrapped to the last span")
        if (step.wrapped)
        else ""
    )
    go_to(reader, step.span, notice)


# -- A: accept all ----------------------------------------------------------------------


def _decide_all(
    reader: ReaderScreen,
    accept: Sequence[int],
    reject: Sequence[int] = (),
    links: dict[int, int] | None = None,
) -> Callable[[], Any]:
    """One write accepting ``accept`` and rejecting ``reject`` (one event, one undo step).

    ``links``: accepted span id → the entity it joins (:mod:`linking`), in the same action.
    """
    repository, article_id = services(reader).repository, reader.article_id
    accepted = [reader.optimistic.ref(span_id) for span_id in accept]
    rejected = [reader.optimistic.ref(span_id) for span_id in reject]
    joins = [(reader.optimistic.ref(span_id), entity) for span_id, entity in (links or {}).items()]

    def write() -> None:
        accept = [ref.resolve() for ref in accepted]
        reject = [ref.resolve() for ref in rejected]
        if joins or (accept and reject):
            summary = f"accept {len(accept)}, reject {len(reject)}, link {len(joins)}"
            with repository.batch("review", article_id, summary):
                if accept:
                    repository.accept(accept)
                if reject:
                    repository.reject(reject)
                for ref, entity_id in joins:
                    repository.link_span(ref.resolve(), entity_id)
        elif accept:
            repository.accept(accept)
        elif reject:
            repository.reject(reject)

    return write


def _predicted(
    reader: ReaderScreen, accept: Sequence[int], reject: Sequence[int], links: dict[int, int]
) -> Predict:
    """What accept-all will store, drawn at once as pending (see :mod:`optimistic`)."""
    changed = optimistic.span_changed
    ref = reader.optimistic.ref
    return optimistic.all_of(
        [
            changed(ref(i), status="accepted", entity_id=links[i])
            if i in links
            else changed(ref(i), status="accepted")
            for i in accept
        ]
        + [changed(ref(i), status="rejected") for i in reject]
    )


def accept_all(reader: ReaderScreen) -> None:
    """``A``: say what would be accepted (per label, and nested suggestions), then do it."""
    pending = stream.pending(reader.pane.spans, reader.decided)
    if not pending:
        reader.refuse(NO_PENDING)
        return
    found = stream.nesting(pending)
    detail = stream.counts(pending)
    choices: list[Choice[str | None]]
    if found.inner:
        text = reader.pane.text
        example = found.inner[0]
        outer = next(
            o
            for o in pending
            if o.layer == example.layer
            and o.start <= example.start
            and example.end <= o.end
            and (o.start, o.end) != (example.start, example.end)
        )
        detail += (
            f"\n{len(found.inner)} sit inside another suggestion of their layer, e.g. "
            f"“{text[example.start : example.end]}” in “{text[outer.start : outer.end]}”. "
            "Accept the outer ones (inner rejected), the inner ones (outer rejected), or both?"
        )
        choices = [
            Choice("o", "Outer", "outer", "warning"),
            Choice("i", "Inner", "inner"),
            Choice("b", "Both", "both"),
            Choice("c", "Cancel", None),
        ]
    else:
        choices = [Choice("y", "Accept all", "both", "warning"), Choice("n", "Cancel", None)]
    question = f"Accept all {len(pending)} pending suggestions?"

    def answered(keep: str | None) -> None:
        if keep is None:
            return
        accept, reject = stream.decide_nested(pending, found, keep)
        links = linking.joins(reader.model, accept)  # "EU" joins the linked European Union
        reader.decided.update(accept, reject)

        def done(_: object) -> None:
            reader.decided.difference_update(accept, reject)
            if links:
                many = "s" if len(links) > 1 else ""
                reader.say(f"Linked {len(links)} mention{many} to this article's entities")

        reader.save(
            _decide_all(reader, accept, reject, links),
            f"accept {len(accept)} suggestions",
            done,
            predict=_predicted(reader, accept, reject, links),
        )
        reader.stream_focus = None

    reader.app.push_screen(ChoiceDialog(question, choices, None, detail), answered)


# -- d: done, with pending suggestions ----------------------------------------------------


def done(reader: ReaderScreen) -> None:
    """``d``: mark done; with suggestions pending, ask whether to accept, reject or keep them."""
    pending = stream.pending(reader.pane.spans, reader.decided)
    if not pending:
        reader.finish_article("done")
        return
    ids = [span.id for span in pending]
    topics = list(reader.model.suggested_topics) if reader.model is not None else []
    repository = services(reader).repository
    question = f"{len(ids)} suggestions are still pending in this article."
    choices: list[Choice[str | None]] = [
        Choice("a", "Accept all", "accept", "warning"),
        Choice("r", "Reject all", "reject", "error"),
        Choice("k", "Keep pending", "keep", "primary"),
        Choice("c", "Cancel", None),
    ]

    def reject_all() -> None:
        repository.reject(ids)
        for topic in topics:  # never suggested again here, like r in the Topics panel
            repository.reject_topic(reader.article_id, topic)

    links = [(reader.optimistic.ref(i), e) for i, e in linking.joins(reader.model, ids).items()]

    def accept_all() -> None:  # inside finish_article's batch: one undo step
        repository.accept(ids)
        for ref, entity_id in links:  # "EU" joins the European Union the article links
            repository.link_span(ref.resolve(), entity_id)

    def answered(answer: str | None) -> None:
        if answer == "accept":
            reader.finish_article("done", accept_all, f"accept {len(ids)}")
        elif answer == "reject":
            reader.finish_article("done", reject_all, f"reject {len(ids)}")
        elif answer == "keep":
            reader.finish_article("done")

    detail = stream.counts(pending) + "\nThen the article is marked done and the next one opens."
    reader.app.push_screen(ChoiceDialog(question, choices, None, detail), answered)


# -- the Topics panel's a / r -------------------------------------------------------------


def decide_topic(reader: ReaderScreen, key: str, accept: bool, status: str) -> None:
    """Accept a topic with its suggested evidence, or reject it for good on this article."""
    if accept and status == "accepted":
        reader.refuse(f"Topic {key} is already assigned")
        return
    repository, article_id = services(reader).repository, reader.article_id
    if accept:
        reader.save(lambda: repository.accept_topic(article_id, key), f"accept topic {key}")
    else:
        reader.save(lambda: repository.reject_topic(article_id, key), f"reject topic {key}")
    reader.say(f"{'Accepted' if accept else 'Rejected'} topic {key}")
