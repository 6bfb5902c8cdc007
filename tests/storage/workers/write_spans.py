"""A separate process that writes spans to a redline database, for the concurrency tests.

    python write_spans.py DB ANNOTATOR TEXT COUNT

It prints ``ready`` and waits for a line on stdin (so the test can start two
workers at the same instant), then opens the database (creating it when new),
adds the article ``TEXT`` (a duplicate when another worker already did) and
``COUNT`` spans on it. After each span's transaction has committed it prints
the span's ``id start end`` and flushes, so every printed line is a write the
database has acknowledged. Any error ends the process with a traceback on
stderr: the tests require stderr to stay empty.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from storage.articles import add_article
from storage.db import open_db
from storage.repository import Repository


@dataclass
class Parsed:
    text: str
    title: str = "concurrency"
    source: str | None = None
    url: str | None = None
    published: Any = None
    dateline: str | None = None
    lang: str = "en"
    meta: dict[str, Any] = field(default_factory=dict)


def main(location: str, annotator: str, text: str, count: int) -> None:
    print("ready", flush=True)
    sys.stdin.readline()
    database = open_db(location)
    article_id = add_article(database, Parsed(text)).article_id
    repository = Repository(database, annotator)
    for index in range(count):
        start = index % (len(text) - 1)
        end = start + 1 + index % 3
        span = repository.add_span(article_id, start, min(end, len(text)), "MISC")
        print(span.id, span.start, span.end, flush=True)
    database.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
