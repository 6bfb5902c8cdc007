"""Command palette providers: every command by any word of its description, and articles.

Textual's own provider matches a query against a command's title only, so
"person" never found "Label 1" and "export" nothing: here a command is found
by its title (fuzzy, as before) or when every word typed begins a word of its
title or help ("person" → "Label 1: PERSON (Person)", "retrain" → "Train
model"). "go to article…" finds articles by title or id.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape
from textual.system_commands import SystemCommandsProvider

from storage import queries
from storage.errors import StorageError
from tui.literal import literal, visible_line
from tui.services import redline_app, services

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.app import RedlineApp


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


WORD = re.compile(r"\w+")
WORD_SCORE = 0.5
"""A match by words ranks below a good fuzzy match of the title, above a weak one."""


def word_score(query: str, title: str, help_text: str) -> float:
    """How well ``query`` matches by words: each typed word starts a word of title or help.

    0 when some typed word starts none; words found in the title count more
    than words found only in the help.
    """
    typed = WORD.findall(query.lower())
    if not typed:
        return 0.0
    in_title = WORD.findall(title.lower())
    in_help = WORD.findall(help_text.lower())
    score = 0.0
    for word in typed:
        if any(candidate.startswith(word) for candidate in in_title):
            score += 1.0
        elif any(candidate.startswith(word) for candidate in in_help):
            score += 0.6
        else:
            return 0.0
    return WORD_SCORE * score / len(typed)


class CommandsByWord(SystemCommandsProvider):
    """The app's and the screen's commands, found by title or by any word of their help."""

    async def discover(self) -> Hits:
        commands = sorted(self.app.get_system_commands(self.screen), key=lambda c: c.title)
        for title, help_text, callback, discover in commands:
            if discover:
                yield DiscoveryHit(literal(title), callback, text=title, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback, *_ in self.app.get_system_commands(self.screen):
            fuzzy = matcher.match(title)
            score = max(fuzzy, word_score(query, title, help_text))
            if score > 0:
                shown = highlighted(matcher, title) if fuzzy else literal(title)
                yield Hit(score, shown, callback, text=title, help=escape(help_text))


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


EXPORT_FORMAT = "jsonl"
EXPORT_HELP = (
    "Write {what} accepted annotations to {out} in the current folder"
    " (JSONL; redline export writes every other format)"
)


def export_commands(app: RedlineApp, screen: Screen[object]) -> Iterable[SystemCommand]:
    """The palette's "Export …": the done articles, and in the reader the open one."""
    from tui.screens.reader import ReaderScreen

    article_id = screen.article_id if isinstance(screen, ReaderScreen) else None
    out = f"{EXPORT_FORMAT}-export.jsonl"
    yield SystemCommand(
        "Export done articles",
        EXPORT_HELP.format(what="the done articles'", out=out),
        partial(_export, app, out, None),
    )
    if article_id is not None:
        single = f"{EXPORT_FORMAT}-article-{article_id}.jsonl"
        yield SystemCommand(
            "Export this article",
            EXPORT_HELP.format(what="this article's", out=single),
            partial(_export, app, single, article_id),
        )


def _export(app: RedlineApp, out: str, article_id: int | None) -> None:
    """Run the export in a thread worker; one notice says what was written (or why not)."""

    def work() -> None:
        from storage.formats.exporting import export

        services = app.services
        try:
            report = export(
                services.database,
                EXPORT_FORMAT,
                out,
                annotator=services.annotator,
                status="all" if article_id is not None else "done",
                schema=services.config.schema,
                articles={article_id} if article_id is not None else None,
            )
        except (StorageError, OSError) as exc:
            message, severity = f"Export failed: {exc}", "error"
        else:
            message, severity = report.line, "information"
        app.call_from_thread(
            app.notify, visible_line(message), severity=severity, timeout=8, markup=False
        )

    app.run_worker(work, name="export", group="export", thread=True, exit_on_error=False)
