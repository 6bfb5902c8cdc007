"""The rows the reader's model keeps: a span's and a figure's columns, and label colours.

Each is built either from a query row (the article's annotations read in full,
:meth:`~tui.screens.reader.model.ReaderModel.load`) or from a change's row
image (``after``: the row's state once an action is stored), so both paths give
the model the same values. Pure Python, no Textual.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from storage.schema import Schema

FALLBACK_COLOUR = "#9e9e9e"
"""A label's colour when the schema has no such label."""

LAYER_OF_LABEL = {"entity": "entity", "figure": "figure", "evidence": "topic"}
"""The schema layer whose labels a span layer uses (evidence is labelled with topics)."""


def colour_of(schema: Schema, layer: str, key: str) -> str:
    """The colour of label ``key`` on a ``layer`` span (evidence ``topic.sub``: its topic's)."""
    label = schema.get(LAYER_OF_LABEL.get(layer, layer), key)
    if label is None and layer == "evidence" and "." in key:
        label = schema.get("topic", key.split(".")[0])
    return label.colour if label is not None else FALLBACK_COLOUR


class SpanRow(NamedTuple):
    """The span columns the reader uses (from a query row or a change's row image)."""

    id: int
    start: int
    end: int
    layer: str
    label: str
    text: str
    status: str
    entity_id: int | None
    topic: str | None
    pending: bool = False
    """Predicted by a key whose write is not committed yet (see ``optimistic``)."""

    @classmethod
    def of(cls, row: Any) -> SpanRow:
        return cls(
            row.id,
            row.start,
            row.end,
            row.layer,
            row.label,
            row.text,
            row.status,
            row.entity_id,
            row.topic,
        )

    @classmethod
    def from_image(cls, image: dict[str, Any]) -> SpanRow:
        return cls(*(image[name] for name in _STORED), bool(image.get("pending")))


_STORED = SpanRow._fields[:-1]
"""The columns a change's row image carries (``pending`` only in a predicted one)."""


class FigureValues(NamedTuple):
    """A figure's attributes the Figures panel shows."""

    value: Decimal | None
    unit: str | None
    metric: str | None
    period: str | None
    approximate: bool
    change: bool
    subject_id: int | None

    @classmethod
    def of(cls, row: Any) -> FigureValues:
        return cls(
            row.value,
            row.unit,
            row.metric,
            row.period,
            bool(row.approximate),
            bool(row.change),
            row.subject_id,
        )

    @classmethod
    def from_image(cls, image: dict[str, Any]) -> FigureValues:
        value = image.get("value")
        return cls(
            Decimal(value) if value is not None else None,
            image.get("unit"),
            image.get("metric"),
            image.get("period"),
            bool(image.get("approximate")),
            bool(image.get("change")),
            image.get("subject_id"),
        )
