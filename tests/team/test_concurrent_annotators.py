"""Two annotator processes writing to one PostgreSQL database at once: no acknowledged span
is lost or stored twice, and neither program sees an error, for 30 s as the issue asks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlmodel import select

from storage.articles import add_articles
from storage.db import open_db
from storage.models import Annotator, Span
from tests.conftest import _clear_postgres
from tests.insight.corpus import NewArticle

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 30.0


def test_two_annotators_write_concurrently_for_thirty_seconds(postgres_url: str) -> None:
    database = open_db(postgres_url)
    try:
        _clear_postgres(database)
        [added] = add_articles(database, [NewArticle(text="x" * 50_000, title="Shared")])
        env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
        env["PYTHONPATH"] = str(ROOT)
        writers = {
            name: subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.team.concurrent_writer",
                    postgres_url,
                    name,
                    str(added.article_id),
                    str(SECONDS),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
                env=env,
            )
            for name in ("ana", "ben")
        }
        acknowledged = {}
        for name, process in writers.items():
            out, err = process.communicate(timeout=SECONDS + 120)
            assert process.returncode == 0 and err == "", err
            acknowledged[name] = [tuple(span) for span in json.loads(out)]
        with database.reading() as session:
            rows = session.exec(
                select(Annotator.name, Span.start, Span.end, Span.label)
                .join(Annotator, Annotator.id == Span.annotator_id)  # type: ignore[arg-type]
                .where(Span.article_id == added.article_id)
            ).all()
        stored = Counter(rows)
        assert max(stored.values()) == 1  # nothing stored twice
        for name, spans in acknowledged.items():
            assert len(spans) > 50  # both really wrote, at the same time
            assert {(s, e, label) for n, s, e, label in rows if n == name} == set(spans)
        assert len(rows) == sum(len(spans) for spans in acknowledged.values())
    finally:
        database.dispose()
