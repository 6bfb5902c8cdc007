"""Figure attributes: missing unit, metric or period, and values the text contradicts."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from storage.checks.base import CheckData, Emit, Finding, quoted
from storage.figures.finder import parse_figure
from storage.models import Figure, Span

UNIT_KINDS = frozenset({"MONEY", "PERCENT", "QUANTITY"})
"""Kinds whose value means nothing without a unit (a currency, %, pp, a unit symbol)."""


def _figures(data: CheckData) -> Iterator[tuple[Span, Figure]]:
    for span in data.accepted("figure"):
        figure = data.figures.get(span.id) if span.id is not None else None
        if figure is not None:
            yield span, figure


def figure_no_unit(data: CheckData, emit: Emit) -> Iterator[Finding]:
    for span, figure in _figures(data):
        if figure.kind in UNIT_KINDS and not (figure.unit or "").strip():
            message = f"{figure.kind} figure {quoted(span.text)} has no unit"
            yield emit(message, **data.span_place(span))


def figure_no_metric(data: CheckData, emit: Emit) -> Iterator[Finding]:
    for span, figure in _figures(data):
        if figure.kind != "DATE" and not (figure.metric or "").strip():
            message = f"figure {quoted(span.text)} does not say what it measures (no metric)"
            yield emit(message, **data.span_place(span))


def figure_no_period(data: CheckData, emit: Emit) -> Iterator[Finding]:
    for span, figure in _figures(data):
        if figure.kind != "DATE" and not (figure.period or "").strip():
            message = f"figure {quoted(span.text)} has no period"
            yield emit(message, **data.span_place(span))


def _show(value: Decimal | None) -> str:
    if value is None:
        return "none"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure_value_mismatch(data: CheckData, emit: Emit) -> Iterator[Finding]:
    """The stored value (or date) differs from what the figure parser reads from the text.

    A figure the parser cannot read at all is not flagged: the parser does not
    know every way of writing a number, the annotator may.
    """
    for span, figure in _figures(data):
        parsed = parse_figure(data.text(span.article_id), span.start, span.end)
        if parsed is None:
            continue
        if figure.kind == "DATE" or parsed.kind == "DATE":
            if parsed.date_value and figure.date_value != parsed.date_value:
                message = (
                    f"date {quoted(span.text)} is stored as {figure.date_value or 'none'}, "
                    f"the text reads {parsed.date_value}"
                )
                yield emit(message, **data.span_place(span))
            continue
        if parsed.value is None:
            continue
        stored = (figure.value, figure.value_max)
        read = (parsed.value, parsed.value_max)
        if stored[0] != read[0] or (read[1] is not None and stored[1] != read[1]):
            shown_stored = "–".join(_show(v) for v in stored if v is not None) or "none"
            shown_read = "–".join(_show(v) for v in read if v is not None)
            message = (
                f"figure {quoted(span.text)} is stored as {shown_stored}, "
                f"the text reads {shown_read}"
            )
            yield emit(message, **data.span_place(span))
