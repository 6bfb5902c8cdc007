"""Styles and strips for the reading pane: how spans, cursor and selection look.

Kept apart from the widget so the drawing rules are in one place: each layer
has its own visual channel, so overlapping annotations stay readable.

- entity: a solid background in the label colour, with black or white text;
- figure: bold, underlined text in the label colour;
- evidence: a faint background, the label colour blended into the pane's;
- suggested (any layer): text in the label colour with the pane's
  ``reading-pane--suggested`` style (dim italic underline), never a solid
  background, until accepted;
- pending (any layer, drawn before its write is committed): italic on top.

Article text is turned into ``rich.text.Text`` directly, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

from rich.color import Color as RichColor
from rich.color import ColorParseError
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.strip import Strip

PANE_CSS = """
ReadingPane {
    background: $surface;
    color: $foreground;
    overflow-x: hidden;
    overflow-y: auto;
    scrollbar-gutter: stable;
    padding: 0 1;
    &:focus { background-tint: $foreground 4%; }
    & > .reading-pane--cursor { text-style: reverse; }
    & > .reading-pane--selection { background: $accent 45%; }
    & > .reading-pane--suggested { text-style: dim italic underline; }
    & > .reading-pane--match { background: $warning 35%; }
}
"""
"""The pane's look: its background, and the component classes below painted over the text."""

COMPONENT_CLASSES = {
    "reading-pane--cursor",  # reverses the cell under the cursor
    "reading-pane--selection",
    "reading-pane--suggested",  # added to a suggestion's label colour (see above)
    "reading-pane--match",  # a search match
}

LAYER_RANK = {"evidence": 0, "figure": 1, "entity": 2}
"""Drawing order: later layers are painted over earlier ones where they overlap."""

EVIDENCE_TINT = 0.3
"""How much of the label colour an evidence background carries."""


class StyledSpan(Protocol):
    """What the renderer needs from a span."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def layer(self) -> str: ...

    @property
    def colour(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def pending(self) -> bool: ...


@lru_cache(maxsize=256)
def parse_colour(colour: str) -> Color | None:
    """A schema colour (any Rich colour string) as a Textual colour; ``None`` if invalid."""
    try:
        red, green, blue = RichColor.parse(colour).get_truecolor()
    except ColorParseError:
        return None
    return Color(red, green, blue)


StyleKey = tuple[str, str, str, bool]
"""``(layer, colour, status, pending)``: what a span's style depends on."""

PENDING = Style(italic=True)
"""Added to a span drawn ahead of its write's commit (a subtle marker, gone once stored)."""


def style_key(span: StyledSpan) -> StyleKey:
    return (span.layer, span.colour, span.status, span.pending)


def span_style(
    layer: str,
    colour: str,
    status: str,
    pending: bool,
    background: Color,
    suggested: Style,
) -> Style:
    """The Rich style for one span, following the per-layer rules above."""
    style = _span_style(layer, colour, status, background, suggested)
    return style + PENDING if pending else style


def _span_style(layer: str, colour: str, status: str, background: Color, suggested: Style) -> Style:
    parsed = parse_colour(colour)
    if parsed is None:
        return suggested if status == "suggested" else Style(underline=True)
    if status == "suggested":
        return Style(color=parsed.rich_color) + suggested
    if layer == "entity":
        return Style(color=parsed.get_contrast_text(1.0).rich_color, bgcolor=parsed.rich_color)
    if layer == "figure":
        return Style(color=parsed.rich_color, bold=True, underline=True)
    return Style(bgcolor=background.blend(parsed, EVIDENCE_TINT).rich_color)


def draw_order(span: StyledSpan) -> tuple[int, int, int]:
    """Sort key: by layer, suggestions over accepted, outer spans before inner ones."""
    return (
        LAYER_RANK.get(span.layer, 0),
        span.status == "suggested",
        -(span.end - span.start),
    )


def line_strip(
    shown: str,
    line_start: int,
    spans: Iterable[StyledSpan],
    style_of: dict[StyleKey, Style],
    base_style: Style,
    console: Console,
) -> Strip:
    """Render one visual line with its spans clipped to it (no cursor, no selection).

    ``style_of`` maps :func:`style_key` to a style computed by the pane.
    """
    text = Text(shown, no_wrap=True, end="")
    text.stylize(base_style)  # as a span: Text.render ignores ``style`` on span-less text
    line_end = line_start + len(shown)
    for span in sorted(spans, key=draw_order):
        start = max(span.start, line_start) - line_start
        end = min(span.end, line_end) - line_start
        if start < end:
            text.stylize(style_of[style_key(span)], start, end)
    return Strip(list(text.render(console)))


def overlay(strip: Strip, start: int, end: int, style: Style) -> Strip:
    """Paint ``style`` over cells ``[start, end)`` of ``strip`` (the cursor, a selection)."""
    length = strip.cell_length
    start, end = max(0, start), min(end, length)
    if start >= end:
        return strip
    left, middle, right = strip.divide([start, end, length])
    painted = Strip(list(Segment.apply_style(middle, post_style=style)), middle.cell_length)
    return Strip.join([left, painted, right])
