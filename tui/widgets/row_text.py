"""Text helpers for list rows drawn from article text and the user's schema, and their strips."""

from __future__ import annotations

from functools import lru_cache

from rich.console import Console
from rich.errors import StyleSyntaxError
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

_CONTROL = {code: " " for code in (*range(0x20), 0x7F)}


def one_line(text: str) -> str:
    """``text`` with newlines, tabs and other control characters shown as spaces."""
    return text.translate(_CONTROL)


@lru_cache(maxsize=512)
def safe_style(spec: str) -> Style:
    """A Rich style from a string such as ``"bold #e5c07b"``; a bad colour gives no style.

    Colours come from the user's schema, so a typo must not break drawing.
    """
    try:
        return Style.parse(spec)
    except StyleSyntaxError:
        return Style.null()


def fit_strip(text: Text, width: int, style: Style, console: Console) -> Strip:
    """``text`` on one line, cropped (with an ellipsis) or padded to ``width``, over ``style``."""
    text.end = ""
    text.no_wrap = True
    text.truncate(width, overflow="ellipsis", pad=True)
    text.stylize_before(style)
    return Strip(text.render(console), width)
