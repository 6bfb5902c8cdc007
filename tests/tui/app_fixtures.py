"""Building a redline app on a temporary database, for Pilot and snapshot tests."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from storage.articles import add_articles
from storage.db import Database, open_db
from storage.importers import ParsedArticle, read_articles
from storage.schema import load_config
from tui.app import RedlineApp

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_articles"
FIRST_SAMPLE = SAMPLES / "kazakhstan-eu-kallas.md"


def sample_articles() -> list[ParsedArticle]:
    """The sample articles, the reference (Kazakhstan) article first, as `make run` imports them."""
    paths = [FIRST_SAMPLE, *sorted(p for p in SAMPLES.glob("*.txt"))]
    return [
        item for path in paths for item in read_articles(path) if isinstance(item, ParsedArticle)
    ]


def sample_database(path: Path) -> Database:
    database = open_db(str(path))
    add_articles(database, sample_articles())
    return database


def make_app(
    database: Database, annotator: str = "ana", *, auto_suggest: bool = False, **kwargs: object
) -> RedlineApp:
    """The app on ``database`` with the built-in schema; suggesters off unless asked."""
    config = replace(load_config(None, cwd=database_dir(database)), auto_suggest=auto_suggest)
    return RedlineApp(database, annotator, config, **kwargs)  # type: ignore[arg-type]


def database_dir(database: Database) -> Path:
    return Path(database.url.database or ".").parent


def lock_database(path: Path) -> sqlite3.Connection:
    """Another program holding an exclusive lock on the database file."""
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    return blocker


def release_lock(blocker: sqlite3.Connection) -> None:
    """Let go of :func:`lock_database`'s lock."""
    blocker.execute("ROLLBACK")
    blocker.close()
