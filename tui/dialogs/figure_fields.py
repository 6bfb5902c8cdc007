"""The editable attributes of one figure: what the figure form shows and returns.

Kept apart from the form so the reader can build it from either source — the
parser (a new figure) or the stored :class:`~storage.models.Figure` (editing
one) — and turn it back into the keyword arguments of
``Repository.add_span(figure=…)`` / ``Repository.set_figure(**…)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from storage.figures import ParsedFigure, find_figures
from storage.models import Figure
from tui.literal import visible_line

BOUNDS = (("more than (lower bound)", "lower"), ("less than (upper bound)", "upper"))
"""(shown, stored) choices for a qualified figure: 'more than 3,000' is a lower bound."""
DIRECTIONS = (("up", "up"), ("down", "down"))
"""(shown, stored) choices for the direction of a change."""


@dataclass(frozen=True)
class SubjectOption:
    """A canonical entity the figure can be about (the article's linked entities)."""

    entity_id: int
    name: str
    aliases: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        """``text`` is the name or an alias, as stored or as the form shows it (visible_line)."""
        wanted = text.strip().casefold()
        candidates = (self.name, *self.aliases)
        return bool(wanted) and any(
            wanted in (candidate.casefold(), visible_line(candidate).casefold())
            for candidate in candidates
        )


def resolve_subject(text: str | None, options: Sequence[SubjectOption]) -> int | None:
    """The entity whose name or alias is exactly ``text`` (case-insensitive), else None."""
    if not text:
        return None
    return next((option.entity_id for option in options if option.matches(text)), None)


@dataclass(frozen=True)
class FigureFields:
    """One figure's attributes; ``subject_text`` is what the user typed for the subject.

    Only ``subject_id`` is stored (a figure has no free-text subject column):
    typed text that names one of the article's entities resolves to its id.
    """

    kind: str
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str | None = None
    scale: int = 1
    approximate: bool = False
    bound: str | None = None
    change: bool = False
    direction: str | None = None
    metric: str | None = None
    period: str | None = None
    date_value: str | None = None
    subject_id: int | None = None
    subject_text: str | None = None
    note: str | None = None

    @classmethod
    def from_parsed(
        cls, parsed: ParsedFigure, subjects: Sequence[SubjectOption] = ()
    ) -> FigureFields:
        """Pre-fill from the parser; its subject text links when it names an article entity."""
        return cls(
            kind=parsed.kind,
            value=parsed.value,
            value_max=parsed.value_max,
            unit=parsed.unit,
            scale=parsed.scale,
            approximate=parsed.approximate,
            bound=parsed.bound,
            change=parsed.change,
            direction=parsed.direction,
            metric=parsed.metric,
            period=parsed.period,
            date_value=parsed.date_value,
            subject_id=resolve_subject(parsed.subject, subjects),
            subject_text=parsed.subject,
        )

    @classmethod
    def from_stored(
        cls,
        figure: Figure | None,
        kind: str,
        note: str | None = None,
        subjects: Sequence[SubjectOption] = (),
    ) -> FigureFields:
        """Pre-fill from a stored figure (or an empty one of ``kind`` when it has none)."""
        if figure is None:
            return cls(kind=kind, note=note)
        subject_name = next(
            (option.name for option in subjects if option.entity_id == figure.subject_id), None
        )
        return cls(
            kind=figure.kind or kind,
            value=figure.value,
            value_max=figure.value_max,
            unit=figure.unit,
            scale=figure.scale,
            approximate=figure.approximate,
            bound=figure.bound,
            change=figure.change,
            direction=figure.direction,
            metric=figure.metric,
            period=figure.period,
            date_value=figure.date_value,
            subject_id=figure.subject_id,
            subject_text=subject_name,
            note=note,
        )

    def figure_values(self) -> dict[str, Any]:
        """The :class:`~storage.models.Figure` columns, for ``add_span``/``set_figure``."""
        return {
            "kind": self.kind,
            "value": self.value,
            "value_max": self.value_max,
            "unit": self.unit,
            "scale": self.scale,
            "approximate": self.approximate,
            "bound": self.bound,
            "change": self.change,
            "direction": self.direction,
            "metric": self.metric,
            "period": self.period,
            "date_value": self.date_value,
            "subject_id": self.subject_id,
        }


_CONTEXT = 1500
"""How far around a figure (in characters, within its paragraph) other candidates are read."""


@dataclass(frozen=True)
class FigureChoices:
    """Metrics and periods the form offers one key away, the pre-filled one first."""

    metrics: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()


def ordered_choices(first: str | None, others: Sequence[str | None]) -> tuple[str, ...]:
    """``others`` with ``first`` (the pre-filled value) leading, each once, blanks dropped."""
    seen: dict[str, None] = {}
    for value in (first, *others):
        if value and value.strip():
            seen.setdefault(value, None)
    return tuple(seen)


def figure_choices(text: str, start: int, end: int, fields: FigureFields) -> FigureChoices:
    """The candidates for a figure's metric and period: the parser's, nearest figure first.

    The seam for a dedicated candidate suggester: today the candidates are the
    metrics and periods the figure parser gives the figures of the paragraph
    (dates count as periods), ordered by distance from ``[start, end)``.
    """
    low = text.rfind("\n\n", 0, start)
    low = max(0 if low < 0 else low + 2, start - _CONTEXT)
    high = text.find("\n\n", end)
    high = min(len(text) if high < 0 else high, end + _CONTEXT)
    found = sorted(
        find_figures(text[low:high]),
        key=lambda figure: abs(low + figure.start - start),
    )
    periods = [figure.period or figure.date_value for figure in found]
    return FigureChoices(
        metrics=ordered_choices(fields.metric, [figure.metric for figure in found]),
        periods=ordered_choices(fields.period, periods),
    )
