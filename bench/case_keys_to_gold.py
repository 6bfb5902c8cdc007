"""Keys to gold: the shortest documented key sequence from the library to the reference
article's gold annotation, driven with Pilot, every key counted.

The app starts on a fresh database of the sample articles with the on-open
suggesters on (as ``redline`` runs by default) and the README's "tour by keys"
(:data:`TOUR`) is pressed, one key at a time. Waiting for the suggesters or a
write costs no key. Then the stored annotation is compared with the gold
(:mod:`bench.gold_items`): gold items reached, gold items not reached, items
stored that the gold does not have, and the share of the reached gold items
that were already suggested (in the same form) before the first decision.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console
from textual.widgets import Input

from bench import ROOT
from bench.apps import SIZE
from bench.common import Row
from bench.gold_items import KINDS, Item, gold_items, stored_items
from storage.articles import add_articles
from storage.db import Database, open_db
from storage.importers import ParsedArticle, read_articles
from storage.schema import load_config
from tui.app import RedlineApp
from tui.screens.reader import ReaderScreen

NAME = "keys_to_gold"
REFERENCE = ROOT / "sample_articles" / "kazakhstan-eu-kallas.md"
ANNOTATOR = "tour"
TARGET_KEYS = 80
"""Issue 12: the reference article at its gold annotation in at most 80 keystrokes."""

NAMED = {"enter": "enter", "space": "space", "esc": "escape"}
OPENS_DIALOG = {"e", "t", "f", "A", "d"}
"""Reader keys that open a dialog (after reading what it needs in a worker)."""

TOUR: list[tuple[str, str]] = [
    ("open the reference article (the library starts on it)", "enter"),
    ("next suggestion, Kazakhstan: link it (to the knowledge base's entry)", "n e enter"),
    ("find “Trend” (the agency, not suggested): label it ORG", "/Tre enter 2"),
    ("find “EU”: link it (to the European Union)", "/EU enter e enter"),
    ("find “Central Asia” inside the summit's name: reject it", "/Ce enter r"),
    ("accept all the other suggestions, after seeing their counts", "A y"),
    ("open the topics, find Digital, tick it, confirm", "t digi space enter"),
    ("find “$49.7 billion”, its figure form (subject filled in): save", "/$4 enter esc f enter"),
    ("next span, “+16.9 percent”: the same", "n f enter"),
    ("“$38.6 billion” (one entity before it)", "n n f enter"),
    ("“$11.1 billion”", "n n f enter"),
    ("“$200.7 billion” (subject: the EU)", "n n n n n f enter"),
    ("“3,000”", "n f enter"),
]
"""The tour by keys, as the README shows it: what each step does, and its keys.

In the keys, ``/Tre`` is ``/`` then typing "Tre", a word such as ``digi`` is
typed letter by letter, ``enter``/``space``/``esc`` are one key each; every
other character is one key."""


def keys_of(shown: str) -> list[str]:
    """The Textual key names of one step's keys as shown (``"/Tre enter"`` → 5 keys)."""
    keys: list[str] = []
    for token in shown.split():
        if token in NAMED:
            keys.append(NAMED[token])
        elif token.startswith("/"):
            keys += ["slash", *token[1:]]
        else:
            keys += list(token)
    return keys


def tour_markdown() -> str:
    """The README's table of the tour (tests check the README holds it)."""
    lines = ["| keys | what they do |", "|---|---|"]
    lines += [f"| `{shown}` | {what} |" for what, shown in TOUR]
    total = sum(len(keys_of(shown)) for _, shown in TOUR)
    return "\n".join([*lines, f"| **{total} keys** | |"])


def _database(directory: Path) -> tuple[Database, int]:
    database = open_db(str(directory / "keys.db"))
    paths = [REFERENCE, *sorted((ROOT / "sample_articles").glob("*.txt"))]
    articles = [a for p in paths for a in read_articles(p) if isinstance(a, ParsedArticle)]
    add_articles(database, articles)
    return database, 1


async def _settle(app: RedlineApp) -> None:
    await app.writes_settled()
    for _ in range(3):
        await asyncio.sleep(0.05)
        await app.writes_settled()


def _opens_dialog(app: RedlineApp, key: str) -> bool:
    """Whether ``key`` is a dialog key pressed in the reader (not typed into its search)."""
    return (
        key in OPENS_DIALOG
        and isinstance(app.screen, ReaderScreen)
        and not isinstance(app.focused, Input)
    )


async def _dialog_shown(app: RedlineApp, timeout: float = 30.0) -> None:
    """Wait (no key) for the dialog a key opened: the next key is meant for it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while isinstance(app.screen, ReaderScreen) and loop.time() < deadline:
        await asyncio.sleep(0.05)


async def _suggestions_shown(app: RedlineApp, timeout: float = 60.0) -> None:
    """Wait (no key) until the reader shows the on-open suggestions."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        screen = app.screen
        if isinstance(screen, ReaderScreen) and screen.model is not None:
            if any(row.status == "suggested" for row in screen.model.spans.values()):
                await _settle(app)
                return
        await asyncio.sleep(0.1)
    raise TimeoutError("the on-open suggestions never arrived")


@dataclass(frozen=True)
class Toured:
    """What the tour did: keys pressed, items stored at the end and suggested before any key."""

    keys: int
    stored: set[Item]
    suggested: set[Item]


@dataclass(frozen=True)
class Scored:
    reached: int
    gold: int
    missing: int
    extra: int
    share: float
    """Of the gold items reached, the share already suggested in that form."""


async def drive(database: Database, article_id: int, console: Console | None = None) -> Toured:
    """Press the tour, one key at a time; what was counted."""
    config = replace(load_config(None, cwd=ROOT / "bench" / "out", environ={}), auto_suggest=True)
    app = RedlineApp(database, ANNOTATOR, config)
    keys = 0
    suggested: set[Item] = set()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for step, (what, shown) in enumerate(TOUR):
            for key in keys_of(shown):
                opens = _opens_dialog(app, key)
                await pilot.press(key)
                keys += 1
                await pilot.pause()
                if opens:
                    await _dialog_shown(app)
            if step == 0:
                await _suggestions_shown(app)
                statuses = ("suggested", "accepted")
                suggested = stored_items(database, article_id, ANNOTATOR, statuses)
            await _settle(app)
            await pilot.pause()
            if console is not None:
                screen = app.screen
                where = screen.pane.cursor if isinstance(screen, ReaderScreen) else "-"
                console.print(f"  [dim]{keys:>3} keys · {what} · {type(screen).__name__} {where}")
        await _settle(app)
    return Toured(keys, stored_items(database, article_id, ANNOTATOR), suggested)


def report(console: Console, toured: Toured) -> Scored:
    """Print keys, gold items reached per kind, the share from suggestions, what is missing."""
    keys, stored, suggested = toured.keys, toured.stored, toured.suggested
    gold = gold_items(REFERENCE.stem)
    reached = gold & stored
    missing = gold - stored
    extra = {item for item in stored - gold if item.kind in ("entity", "figure", "topic")}
    from_suggestions = reached & suggested
    console.print(f"keystrokes: {keys} (target ≤ {TARGET_KEYS})")
    per_kind = Counter(item.kind for item in gold)
    got = Counter(item.kind for item in reached)
    console.print(
        "gold items reached: "
        + ", ".join(f"{kind} {got[kind]}/{per_kind[kind]}" for kind in KINDS if per_kind[kind])
        + f" — {len(reached)}/{len(gold)}"
    )
    share = len(from_suggestions) / len(reached) if reached else 0.0
    console.print(f"from suggestions: {len(from_suggestions)}/{len(reached)} ({share:.0%})")
    for item in sorted(missing):
        console.print(f"  not reached: {item.kind} {item.text!r} {item.key}", markup=False)
    for item in sorted(extra):
        console.print(f"  stored, not gold: {item.kind} {item.text!r} {item.key}", markup=False)
    return Scored(len(reached), len(gold), len(missing), len(extra), share)


def run(console: Console, quick: bool) -> list[Row]:
    """One tour (``quick`` changes nothing: it is one run of a fixed key sequence)."""
    with tempfile.TemporaryDirectory(prefix="redline-keys-") as directory:
        database, article_id = _database(Path(directory))
        try:
            toured = asyncio.run(drive(database, article_id, console))
        finally:
            database.dispose()
    scored = report(console, toured)
    note = (
        f"gold {scored.reached}/{scored.gold}, {scored.share:.0%} suggested, {scored.extra} extra"
    )
    reached = f"of {scored.gold} gold items"
    return [
        Row(NAME, "keys to gold", toured.keys, None, "keys", None, TARGET_KEYS, note, 1),
        Row(NAME, "gold items reached", scored.reached, None, "items", None, None, reached, 1),
    ]
