"""Command palette provider: "go to article…" by title."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from storage import queries

if TYPE_CHECKING:
    from tui.app import RedlineApp


class ArticleCommands(Provider):
    """Jump to any article by (fuzzy) title."""

    async def search(self, query: str) -> Hits:
        app: RedlineApp = self.app  # type: ignore[assignment]
        words = query.lower().removeprefix("go to").strip().removeprefix("article").strip()
        rows = await self._rows(words)
        matcher = self.matcher(query)
        for row in rows:
            title = f"go to article {row.id}: {row.title}"
            score = matcher.match(title)
            if score > 0 or words == str(row.id):
                yield Hit(
                    max(score, 1.0 if words == str(row.id) else score),
                    matcher.highlight(title),
                    partial(app.open_reader, row.id),
                    help=f"{row.source or ''} · {row.state}",
                )

    async def discover(self) -> Hits:
        app: RedlineApp = self.app  # type: ignore[assignment]
        for row in await self._rows(""):
            yield DiscoveryHit(
                f"go to article {row.id}: {row.title}",
                partial(app.open_reader, row.id),
                help=row.state,
            )

    async def _rows(self, words: str) -> list[queries.ArticleRow]:
        """Candidate articles: by id when ``words`` is a number, else by title words."""
        app: RedlineApp = self.app  # type: ignore[assignment]
        query = queries.LibraryQuery(limit=50)
        if words.isdigit():
            query = queries.LibraryQuery(article_id=int(words), limit=1)
        elif len(words) > 2:
            query = queries.LibraryQuery(search=words, title_only=True, limit=50)
        fetch = partial(queries.list_articles, app.database, app.annotator, query)
        return await asyncio.to_thread(fetch)
