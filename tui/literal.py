"""User data on screen, literally: never markup, never terminal control codes.

Article text, titles, span text, entity names, notes, file paths and error
messages come from files and people. Shown through Textual markup they could
run actions (``[@click=app.quit]``) or crash the app (``[/]``); written raw
they could clear the terminal or retitle it (``\\x1b[2J``, ``\\x1b]0;…\\x07``).

:func:`visible` replaces every C0/C1 control character except newline and tab
with one visible character, so offsets into a text stay exact (one code point
for one code point). :func:`literal` wraps the result in a Textual
:class:`~textual.content.Content`, which is never parsed as markup; use it (or
``rich.text.Text``) wherever user data meets a widget, a notification or a
console.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI prints through visible() without importing Textual
    from textual.content import Content

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C1_PICTURE = "\ufffd"


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 CONTROL PICTURES: ␀ ␁ … ␛ …
    if code == 0x7F:
        return "\u2421"  # ␡
    return _C1_PICTURE


def visible(text: str) -> str:
    """``text`` with control characters (but newline and tab) made visible, same length."""
    return _CONTROL.sub(_picture, text)


def visible_line(text: str) -> str:
    """:func:`visible`, and newlines/tabs too: for one-line places (titles, table cells)."""
    return visible(text).replace("\n", "\u2424").replace("\t", " ")


def literal(text: str) -> Content:
    """A Content that shows ``text`` exactly as written (controls made visible)."""
    from textual.content import Content

    return Content(visible(text))
