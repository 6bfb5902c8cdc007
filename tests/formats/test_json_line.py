"""One JSON line per record: the bytes ``json.dumps(ensure_ascii=False)`` gives, with every
Unicode line break escaped (readers split on U+0085, U+2028 and U+2029 too)."""

from __future__ import annotations

import json

import pytest

from storage.formats.writing.base import json_line

BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _expected(value: object) -> bytes:
    """The line as spelt out: dumps, then each break replaced in the text."""
    line = json.dumps(value, ensure_ascii=False)
    for char, escaped in BREAKS.items():
        line = line.replace(char, escaped)
    return (line + "\n").encode("utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "plain ascii (with parentheses)",
        "caf\u00e9 \u0085 next",  # a Latin-1 string holding NEL
        "(a)\u2028(b)\u2029(c)",  # UCS-2: the breaks' low bytes are "(" and ")"
        "\u2028\u2028\u0085\u2029",
        "emoji \U0001f600 and \u2028 and \u4eac",
        "\u00e2\u0080\u00a8 spelt as Latin-1 characters, not a break",
        "\u00c2\u0085",
    ],
)
def test_json_line_escapes_every_line_break(text: str) -> None:
    value = {"text": text, "spans": [{"text": text, "note": None, "score": 0.5}]}
    line = json_line(value)
    assert line == _expected(value)
    assert line.count(b"\n") == 1
    assert json.loads(line) == value
    assert not any(char in line.decode() for char in BREAKS)
