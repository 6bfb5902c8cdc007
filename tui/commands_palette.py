"""Command palette provider: "go to article…" by title."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from storage import queries
from tui.literal import literal, visible_line
from tui.services import redline_app, services


def highlighted(matcher: Matcher, candidate: str) -> Content:
    """``candidate`` shown literally, the letters the query matched highlighted.

    ``Matcher.highlight`` parses its candidate as markup, and article titles
    are data: this builds the same highlight on a literal Content.
    """
    content = literal(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if not score:
        return content
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class ArticleCommands(Provider):
    """Jump to any article by (fuzzy) title."""

    async def search(self, query: str) -> Hits:
        app = redline_app(self)
        words = query.lower().removeprefix("go to").strip().removeprefix("article").strip()
        rows = await self._rows(words)
        matcher = self.matcher(query)
        for row in rows:
            title = f"go to article {row.id}: {visible_line(row.title)}"
            score = matcher.match(title)
            if score > 0 or words == str(row.id):
                yield Hit(
                    max(score, 1.0 if words == str(row.id) else score),
                    highlighted(matcher, title),
                    partial(app.open_reader, row.id),
                    text=title,
                    help=escape(visible_line(f"{row.source or ''} · {row.state}")),
                )

    async def discover(self) -> Hits:
        app = redline_app(self)
        for row in await self._rows(""):
            title = f"go to article {row.id}: {visible_line(row.title)}"
            yield DiscoveryHit(
                literal(title),
                partial(app.open_reader, row.id),
                text=title,
                help=escape(visible_line(row.state)),
            )

    async def _rows(self, words: str) -> list[queries.ArticleRow]:
        """Candidate articles: by id when ``words`` is a number, else by title words."""
        app = services(self)
        query = queries.LibraryQuery(limit=50)
        if words.isdigit():
            query = queries.LibraryQuery(article_id=int(words), limit=1)
        elif len(words) > 2:
            query = queries.LibraryQuery(search=words, title_only=True, limit=50)
        fetch = partial(queries.list_articles, app.database, app.annotator, query)
        return await asyncio.to_thread(fetch)
