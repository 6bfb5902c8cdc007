"""Web pages: the article body and its metadata, extracted by trafilatura.

trafilatura drops navigation, cookie banners, related links and footers and
reads the title, date, site name and canonical URL from the page's metadata.
Its paragraphs come one per line; redline separates them with a blank line,
as in ``.txt`` and ``.md`` articles, so every article reads and wraps alike.
The raw bytes go to trafilatura, which honours the page's declared charset.

A page whose extract has no line of at least :data:`MIN_PROSE_WORDS` words
(only menu items and buttons, or nothing) has no article body.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storage.importers.metadata import (
    content_lines,
    dateline_in,
    first_line_title,
    parse_date,
    shorten_title,
)
from storage.importers.parsed import ImportFileError, ParsedArticle, read_bytes
from storage.text import normalise

MIN_PROSE_WORDS = 6
_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)", re.I)


def read_html(path: Path) -> Iterator[ParsedArticle]:
    """One article from an HTML page, or "HTML has no article body"."""
    data = read_bytes(path)
    import trafilatura  # lazy: heavy, and only imports of HTML need it

    document = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False)
    raw_text = getattr(document, "text", None) or ""
    lines = [line.strip() for line in normalise(raw_text).split("\n")]
    paragraphs = [line for line in lines if line]
    if not any(len(line.split()) >= MIN_PROSE_WORDS for line in paragraphs):
        raise ImportFileError(path, "HTML has no article body")
    text = "\n\n".join(paragraphs)
    title = _clean(getattr(document, "title", None))
    lang_match = _HTML_LANG.search(data[:8192])
    yield ParsedArticle(
        text=text,
        title=shorten_title(title) if title else first_line_title(text),
        source=_clean(getattr(document, "sitename", None)),
        url=_clean(getattr(document, "url", None)),
        published=_date(getattr(document, "date", None)),
        dateline=dateline_in(content_lines(text)),
        lang=lang_match.group(1).decode("ascii") if lang_match else "en",
        meta=_meta(path, document),
    )


def _clean(value: str | None) -> str | None:
    """Collapse whitespace; empty means absent."""
    if not value:
        return None
    return " ".join(normalise(value).split()) or None


def _date(value: str | None) -> datetime.date | None:
    """trafilatura gives ``YYYY-MM-DD``; anything unreadable is simply no date."""
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


def _meta(path: Path, document: Any) -> dict[str, Any]:
    """Keep the page metadata worth filtering by; drop what is empty."""
    meta: dict[str, Any] = {"path": str(path)}
    for name in ("author", "description", "hostname"):
        value = _clean(getattr(document, name, None))
        if value:
            meta[name] = value
    for name in ("categories", "tags"):
        values = [v for v in (getattr(document, name, None) or []) if v]
        if values:
            meta[name] = values
    return meta
