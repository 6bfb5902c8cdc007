"""Three annotators on four articles, with every case agreement must handle.

ana finished 1, 2, 3; ben 1, 2, 4; cleo 2, 3 (and labelled nothing in 3). Each
article 4 exists only for ben, so it is never compared. Spans overlap and nest
("Bank of England" and "England"), one label differs (Paris), one boundary
differs (Macron). Offsets come from the phrases, so the texts can be read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from subprocess import CompletedProcess

from storage.articles import add_articles
from storage.db import Database
from storage.repository import Repository
from tests.insight.corpus import NewArticle

TEXTS = [
    "Angela Merkel met Emmanuel Macron in Paris on Monday. The Bank of England raised rates.",
    "Tesla sold 5 cars in Berlin for $3 million.",
    "Statoil drilled near Oslo in 2020.",
    "Nothing else happened in Lisbon.",
]
TOPICS = ["economy", "diplomacy", "energy"]

ENTITIES: dict[str, dict[int, list[tuple[str, str]]]] = {
    "ana": {
        1: [
            ("Angela Merkel", "PERSON"),
            ("Emmanuel Macron", "PERSON"),
            ("Paris", "GPE"),
            ("Bank of England", "ORG"),
            ("England", "GPE"),
        ],
        2: [("Tesla", "ORG"), ("Berlin", "GPE")],
        3: [("Statoil", "ORG"), ("Oslo", "GPE")],
    },
    "ben": {
        1: [
            ("Angela Merkel", "PERSON"),
            ("Macron", "PERSON"),
            ("Paris", "LOC"),
            ("Bank of England", "ORG"),
            ("England", "GPE"),
        ],
        2: [("Tesla", "ORG")],
        4: [("Lisbon", "GPE")],
    },
    "cleo": {2: [("Tesla", "ORG"), ("Berlin", "GPE")], 3: []},
}
FIGURES: dict[str, dict[int, list[tuple[str, str, str, str | None]]]] = {
    "ana": {2: [("5", "COUNT", "5", None), ("$3 million", "MONEY", "3000000", "USD")]},
    "ben": {2: [("5", "COUNT", "5", None), ("$3 million", "MONEY", "3000000", "EUR")]},
    "cleo": {2: [("$3 million", "MONEY", "3000000", "USD")]},
}
ASSIGNED_TOPICS: dict[str, dict[int, list[str]]] = {
    "ana": {1: ["diplomacy", "economy"], 2: ["economy"], 3: ["economy"]},
    "ben": {1: ["diplomacy"], 2: ["economy"], 4: ["energy"]},
    "cleo": {2: ["economy", "energy"], 3: []},
}
DONE = {"ana": [1, 2, 3], "ben": [1, 2, 4], "cleo": [2, 3]}


def offsets(article_id: int, phrase: str) -> tuple[int, int]:
    text = TEXTS[article_id - 1]
    start = text.index(phrase)
    return start, start + len(phrase)


def build(db: Database) -> list[int]:
    """Store the corpus; returns the article ids (1-4 on a fresh database)."""
    ids = [
        added.article_id
        for added in add_articles(
            db, [NewArticle(text=text, title=f"Article {n}") for n, text in enumerate(TEXTS, 1)]
        )
    ]
    for name, done in DONE.items():
        repo = Repository(db, name)
        for article, spans in ENTITIES[name].items():
            for phrase, label in spans:
                repo.add_span(ids[article - 1], *offsets(article, phrase), label)
        for article, figures in FIGURES.get(name, {}).items():
            for phrase, kind, value, unit in figures:
                repo.add_span(
                    ids[article - 1],
                    *offsets(article, phrase),
                    kind,
                    layer="figure",
                    figure={"value": Decimal(value), "unit": unit},
                )
        for article, topics in ASSIGNED_TOPICS[name].items():
            for topic in topics:
                repo.assign_topic(ids[article - 1], topic)
        for article in done:
            repo.set_state(ids[article - 1], "done")
        repo.end_session()
    return ids


def redline(db: Database, cwd: Path, *args: str, annotator: str = "ana") -> CompletedProcess[str]:
    """The installed ``redline`` command on ``db`` (either backend), without the developer's
    settings."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    command = shutil.which("redline", path=search)
    assert command is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
    env.update(REDLINE_DB=location(db), REDLINE_ANNOTATOR=annotator)
    return subprocess.run(
        [command, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def location(db: Database) -> str:
    """What ``--db`` takes to open ``db`` again."""
    return db.path or db.url.render_as_string(hide_password=False)
