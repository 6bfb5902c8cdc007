"""Plain-text and Markdown articles.

The article text is the exact string span offsets index, so these readers
promise precisely what it is (gold annotations made outside redline rely on it):

* ``.txt`` — ``text == normalise(path.read_text("utf-8"))``: the whole file,
  headline line and trailing newline included, nothing trimmed. The title is
  the first non-empty line; a line that is only a date among the first lines
  ("Friday, September 9, 2016") sets ``published``; a wire dateline starting
  one of the first paragraphs sets ``dateline``.
* ``.md`` / ``.markdown`` with front matter (a first line ``---``, ``key:
  value`` lines, a closing ``---`` or ``...`` line) — the text is everything
  after the closing line with only the newlines directly after it removed;
  Markdown markup is kept as written. Front matter sets ``title``, ``source``,
  ``url``, ``published`` (or ``date``), ``dateline`` and ``lang`` (or
  ``language``); other keys go to ``meta["front_matter"]``. Values may be
  quoted ("…" or '…') or simple lists (``[a, b]`` or ``- item`` lines).
* ``.md`` without front matter — like ``.txt`` (the whole file), with the first
  ``# heading`` among the first five non-empty lines as title, else the first
  non-empty line. The same applies to front matter without ``title``.

A dateline found in the text is used only when front matter does not give one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storage.importers.metadata import (
    content_lines,
    dateline_in,
    first_line_title,
    heading_text,
    is_date_line,
    parse_date,
    shorten_title,
)
from storage.importers.parsed import ImportFileError, ParsedArticle, read_text

_FENCE = "---"
_CLOSERS = ("---", "...")
_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:(?:\s+(?P<value>.*?))?\s*$")
_LIST_ITEM = re.compile(r"^\s+-\s+(?P<value>.*?)\s*$|^-\s+(?P<flat>.*?)\s*$")
_ALIASES = {"date": "published", "language": "lang"}
_KNOWN = ("title", "source", "url", "published", "dateline", "lang")
_TITLE_SEARCH_LINES = 5


def read_txt(path: Path) -> Iterator[ParsedArticle]:
    """One article: the whole file, first line as title."""
    text = read_text(path)
    lines = content_lines(text)
    published = next((d for d in map(is_date_line, lines[1:]) if d is not None), None)
    yield ParsedArticle(
        text=text,
        title=first_line_title(text),
        published=published,
        dateline=dateline_in(lines),
        meta={"path": str(path)},
    )


def read_markdown(path: Path) -> Iterator[ParsedArticle]:
    """One article from Markdown, with or without front matter."""
    text = read_text(path)
    lines = text.split("\n")
    if lines[0].rstrip() != _FENCE:
        yield _markdown_article(path, text, {}, {})
        return
    closing = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in _CLOSERS), None)
    if closing is None:
        raise ImportFileError(path, "front matter is not closed (no '---' line after it)", 1)
    fields = parse_front_matter(path, lines[1:closing], first_line=2)
    body = "\n".join(lines[closing + 1 :]).lstrip("\n")
    if not body.strip():
        raise ImportFileError(path, "no article text after the front matter")
    known = {key: fields.pop(key) for key in _KNOWN if key in fields}
    yield _markdown_article(path, body, known, fields)


def _markdown_article(
    path: Path, text: str, known: dict[str, Any], extra: dict[str, Any]
) -> ParsedArticle:
    """Fill what front matter did not give from the text itself."""
    lines = content_lines(text)
    title = _string(known.get("title")) or _heading_title(text) or first_line_title(text)
    published = known.get("published")
    if published is None:
        published = next((d for d in map(is_date_line, lines[1:]) if d is not None), None)
    body_lines = [line for line in lines if heading_text(line) is None]
    meta: dict[str, Any] = {"path": str(path)}
    if extra:
        meta["front_matter"] = extra
    return ParsedArticle(
        text=text,
        title=shorten_title(title),
        source=_string(known.get("source")),
        url=_string(known.get("url")),
        published=published,
        dateline=_string(known.get("dateline")) or dateline_in(body_lines),
        lang=_string(known.get("lang")) or "en",
        meta=meta,
    )


def _heading_title(text: str) -> str | None:
    """A level-one ``# heading`` near the top; one deep in the text is a section, not a title."""
    for line in content_lines(text, _TITLE_SEARCH_LINES):
        if line.startswith("# "):
            return heading_text(line)
    return None


def _string(value: Any) -> str | None:
    """Front matter lists are not titles or URLs: join them, drop blanks."""
    if isinstance(value, list):
        value = ", ".join(value)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def parse_front_matter(path: Path, lines: list[str], *, first_line: int) -> dict[str, Any]:
    """Parse ``key: value`` front matter without a YAML dependency.

    Known keys are renamed to their canonical name (``date`` → ``published``)
    and ``published`` is parsed to a date; a malformed line or a repeated key
    is an :class:`ImportFileError` naming its line.
    """
    fields: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    current_list: list[str] | None = None
    for number, line in enumerate(lines, first_line):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _LIST_ITEM.match(line)
        if item and current_list is not None:
            current_list.append(_unquote(item["value"] or item["flat"] or ""))
            continue
        match = _KEY_LINE.match(line)
        if not match:
            raise ImportFileError(
                path, f"front matter: cannot read {line.strip()!r} (expected 'key: value')", number
            )
        key = match["key"].lower()
        canonical = _ALIASES.get(key, key)
        if canonical in fields:
            raise ImportFileError(path, f"front matter: {key!r} is given twice", number)
        key_lines[canonical] = number
        raw = match["value"] or ""
        if not raw:
            current_list = fields[canonical] = []
            continue
        current_list = None
        value = _value(raw)
        if canonical == "published" and isinstance(value, str):
            try:
                value = parse_date(value)
            except ValueError:
                raise ImportFileError(
                    path, f"front matter: {key!r} is not a date ({value!r})", number
                ) from None
        fields[canonical] = value
    published = fields.get("published")
    if published == []:
        del fields["published"]
    elif isinstance(published, list):
        raise ImportFileError(
            path, "front matter: 'published' must be one date, not a list", key_lines["published"]
        )
    return fields


def _value(raw: str) -> str | list[str]:
    """A scalar (quoted or plain, ``#`` comments dropped) or an inline ``[a, b]`` list."""
    if raw.startswith("[") and raw.endswith("]"):
        inner = raw[1:-1].strip()
        return [_unquote(part) for part in inner.split(",")] if inner else []
    return _unquote(raw)


def _unquote(raw: str) -> str:
    """Undo YAML-style quoting: JSON escapes in "…", doubled quotes in '…'."""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        try:
            return str(json.loads(raw))
        except json.JSONDecodeError:
            return raw[1:-1]
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1].replace("''", "'")
    return raw.split(" #", 1)[0].rstrip()
