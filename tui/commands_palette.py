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
        words = query.removeprefix("go to").strip()
        rows = await self._rows(words)
        matcher = self.matcher(query)
        for row in rows:
            title = f"go to article {row.id}: {row.title}"
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
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

    async def _rows(self, search: str) -> list[queries.ArticleRow]:
        app: RedlineApp = self.app  # type: ignore[assignment]
        fetch = partial(
            queries.list_articles,
            app.database,
            app.annotator,
            queries.LibraryQuery(search=search if len(search) > 2 else "", limit=50),
        )
        return await asyncio.to_thread(fetch)
