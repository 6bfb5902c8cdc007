"""One annotator's program for the concurrency test: writes to PostgreSQL until a deadline.

``python -m tests.team.concurrent_writer URL NAME ARTICLE_ID SECONDS`` labels one
character after another of the article as its own span (and every tenth time
undoes and redoes that label), then prints one JSON line: the spans it was told
were stored, as ``[start, end, label]``. Any error is a traceback and a non-zero
exit, which the test reports.
"""

from __future__ import annotations

import json
import sys
import time

from storage.db import open_db
from storage.repository import Repository


def main(url: str, name: str, article_id: int, seconds: float) -> None:
    database = open_db(url)
    repo = Repository(database, name)
    label = "PERSON" if name.endswith("a") else "ORG"
    stored: list[tuple[int, int, str]] = []
    deadline = time.monotonic() + seconds
    position = 0
    while time.monotonic() < deadline:
        span = repo.add_span(article_id, position, position + 1, label)
        if position % 10 == 9:
            repo.undo(article_id)
            repo.redo(article_id)
        stored.append((span.start, span.end, label))
        position += 1
    repo.end_session()
    database.dispose()
    print(json.dumps(stored))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
