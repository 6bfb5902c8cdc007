"""The parsed figure record shared by the figure form and the figure suggester."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

#: The figure kinds, as in the label schema.
KINDS: tuple[str, ...] = ("MONEY", "PERCENT", "QUANTITY", "COUNT", "DATE")


@dataclass(frozen=True)
class ParsedFigure:
    """One figure expression with its normalised value.

    Span convention: ``[start, end)`` covers the figure itself, from its sign,
    currency symbol or first numeral to its last scale/currency/percent/unit
    word ("$49.7 billion", "+16.9 percent", "65,000 miles", "5–7 percent").
    Qualifiers ("more than", "about", "up to", "between", "from") stay outside
    and are carried by ``approximate``/``bound``; the counted noun of a COUNT
    stays outside too ("3,000" in "3,000 companies") and goes to ``metric``.
    """

    start: int
    end: int
    text: str
    kind: str
    value: Decimal | None
    value_max: Decimal | None
    unit: str | None
    scale: int
    approximate: bool
    bound: str | None
    change: bool
    direction: str | None
    metric: str | None
    period: str | None
    subject: str | None
    date_value: str | None


def new_figure(values: dict[str, Any]) -> ParsedFigure:
    """A ``ParsedFigure`` from all its field values, in declaration order, without the
    frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field, sixteen of them:
    a tenth of the figure finder's annotation time); equality, hash and repr read the
    fields as usual (``tests/storage/test_figure_parser.py`` checks it)."""
    figure = object.__new__(ParsedFigure)
    figure.__dict__.update(values)
    return figure
