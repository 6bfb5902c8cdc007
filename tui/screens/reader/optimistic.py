"""The reader's optimistic display: a key's effect is drawn at once, marked pending.

A write reaches the database through the app's writer thread, a round trip of
tens of milliseconds (hundreds while another program holds a lock). The key
does not wait for it: its change set is predictable from the action (a new
span at these offsets with this label, a relabel, a removal, the accept or
reject of a known suggestion), so the screen applies that prediction to its
:class:`~tui.screens.reader.model.ReaderModel` right away, drawn as pending.

Predictions are layered over what is stored. Whenever stored changes arrive
(the write's :class:`~tui.messages.AnnotationSaved`, a suggester, a full
read), every prediction still outstanding is lifted off, the stored changes
are applied, and the remaining predictions are computed again on top. So a
confirmed prediction is replaced by the stored rows (real ids, not pending),
a refused one simply disappears (rolled back), and one whose write waits
behind a lock stays drawn as pending however long that takes.

A span drawn before it is stored has a temporary negative id and a
:class:`SpanRef`; a later key on it (relabel, resize, remove) queues a write
that resolves the ref in the writer thread, after the span's own write stored
it. It never adds a second span.

Pure Python (no Textual); the screen owns one :class:`Optimistic`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from storage.capture import Change
from storage.errors import NotFound
from tui.screens.reader.model import ReaderModel, Touched

Predict = Callable[[ReaderModel], list[Change]]
"""An action's predicted row changes, computed on the model as it is now."""


@dataclass(eq=False)
class SpanRef:
    """A span a key acts on: stored (``id``), or drawn ahead of its write (``temporary``)."""

    id: int | None = None
    """The stored id; set in the writer thread once the span's own write stored it."""
    temporary: int | None = None
    """The negative id the pane draws the predicted span with."""

    def resolve(self) -> int:
        """The stored id (writer thread); the span's own write ran before this one."""
        if self.id is None:
            raise NotFound("the span was never stored (its own action was refused)")
        return self.id

    def shown(self, model: ReaderModel) -> int | None:
        """The id the model shows this span under now (stored, else temporary), or None."""
        if self.id is not None and self.id in model.spans:
            return self.id
        if self.temporary is not None and self.temporary in model.spans:
            return self.temporary
        return None


@dataclass(eq=False)
class Prediction:
    """One queued write's predicted changes (the tag its messages come back with)."""

    predict: Predict
    applied: list[Change] = field(default_factory=list)
    """The changes applied to the model now (empty while lifted or not applicable)."""


def inverse(changes: Sequence[Change]) -> list[Change]:
    """The changes that take ``changes`` back (images swapped, last first)."""
    return [
        {"table": c["table"], "key": c["key"], "before": c["after"], "after": c["before"]}
        for c in reversed(changes)
    ]


class Optimistic:
    """The predictions of writes not yet confirmed, in the order they were queued."""

    def __init__(self) -> None:
        self._outstanding: list[Prediction] = []
        self._refs: dict[int, SpanRef] = {}
        self._next_temporary = -1

    def __len__(self) -> int:
        return len(self._outstanding)

    def reset(self) -> None:
        """Another article: nothing predicted here is shown any more."""
        self._outstanding.clear()
        self._refs.clear()

    def new_span(self) -> SpanRef:
        """A ref for a span about to be predicted (a fresh temporary id)."""
        ref = SpanRef(temporary=self._next_temporary)
        self._refs[self._next_temporary] = ref
        self._next_temporary -= 1
        return ref

    def ref(self, span_id: int) -> SpanRef:
        """The ref of a span the pane shows (a stored id, or a temporary one)."""
        if span_id >= 0:
            return SpanRef(id=span_id)
        return self._refs.get(span_id) or SpanRef(temporary=span_id)

    def add(self, predict: Predict, model: ReaderModel | None, touched: Touched) -> Prediction:
        """Show a new write's prediction (once the model is read, if it is not yet)."""
        prediction = Prediction(predict)
        self._outstanding.append(prediction)
        if model is not None:
            prediction.applied = predict(model)
            model.apply(prediction.applied, touched)
        return prediction

    def settle(
        self, model: ReaderModel, tag: Any, changes: Sequence[Change], touched: Touched
    ) -> None:
        """Stored ``changes`` arrived (for the write tagged ``tag``, if any): show them.

        The write's own prediction is dropped; the others are computed again on top.
        """
        self._lift(model, touched)
        self.forget(tag)
        model.apply(changes, touched)
        self.replay(model, touched)

    def forget(self, tag: Any) -> None:
        """Drop the prediction ``tag`` (its write was stored or refused)."""
        self._outstanding = [p for p in self._outstanding if p is not tag]

    def replay(self, model: ReaderModel, touched: Touched) -> None:
        """Apply every outstanding prediction to ``model`` (it shows none of them now)."""
        for prediction in self._outstanding:
            prediction.applied = prediction.predict(model)
            model.apply(prediction.applied, touched)

    def _lift(self, model: ReaderModel, touched: Touched) -> None:
        for prediction in reversed(self._outstanding):
            model.apply(inverse(prediction.applied), touched)
            prediction.applied = []


# -- predictions of the reader's keys -------------------------------------------------


def span_added(
    ref: SpanRef, start: int, end: int, label: str, text: str, *, layer: str = "entity"
) -> Predict:
    """A new accepted span (temporary id) at ``[start, end)``."""
    assert ref.temporary is not None

    def predict(model: ReaderModel) -> list[Change]:
        image = {
            "id": ref.temporary,
            "start": start,
            "end": end,
            "layer": layer,
            "label": label,
            "text": text,
            "status": "accepted",
            "entity_id": None,
            "topic": None,
            "article_id": model.article_id,
            "annotator_id": model.annotator_id,
            "pending": True,
        }
        return [{"table": "span", "key": {"id": ref.temporary}, "before": None, "after": image}]

    return predict


def span_changed(ref: SpanRef, **values: Any) -> Predict:
    """The span ``ref`` with new ``values`` (label, status, start/end/text); ``None`` removes it."""

    def predict(model: ReaderModel) -> list[Change]:
        span_id = ref.shown(model)
        before = model.image(span_id) if span_id is not None else None
        if span_id is None or before is None:
            return []
        after = {**before, **values, "pending": True}
        changes = [{"table": "span", "key": {"id": span_id}, "before": before, "after": after}]
        topic = before.get("topic")
        accepts_evidence = values.get("status") == "accepted" and before["layer"] == "evidence"
        if accepts_evidence and topic and topic not in model.topics:
            assignment = {
                "article_id": model.article_id,
                "annotator_id": model.annotator_id,
                "topic": topic,
                "status": "accepted",
                "note": None,
            }
            key = {"article_id": model.article_id, "topic": topic}
            changes.append(
                {"table": "topicassignment", "key": key, "before": None, "after": assignment}
            )
        return changes

    return predict


def span_removed(ref: SpanRef) -> Predict:
    """The span ``ref`` gone (removed, or rejected: no longer shown)."""

    def predict(model: ReaderModel) -> list[Change]:
        span_id = ref.shown(model)
        before = model.image(span_id) if span_id is not None else None
        if span_id is None or before is None:
            return []
        return [{"table": "span", "key": {"id": span_id}, "before": before, "after": None}]

    return predict


def all_of(predictions: Sequence[Predict]) -> Predict:
    """Several predictions as one action's (accept all)."""

    def predict(model: ReaderModel) -> list[Change]:
        return [change for each in predictions for change in each(model)]

    return predict
