"""redline JSONL → import → JSONL gives the same bytes, apart from ids (issue 15 item 10).

Every annotator's records (and their span origins) come back as they were: the
import keeps the file's annotators and origins instead of its own name and
``import``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from formats_corpus import build_corpus

from storage.db import Database, open_db
from storage.export import export
from storage.formats import import_annotated

_ID = re.compile(r'"id": \d+')


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Database]:
    database = open_db(str(tmp_path / "target.db"))
    yield database
    database.dispose()


def without_ids(text: str) -> list[str]:
    return [_ID.sub('"id": _', line) for line in text.splitlines()]


def test_jsonl_round_trip_is_byte_identical_but_for_ids(
    db: Database, fresh: Database, tmp_path: Path
) -> None:
    build_corpus(db)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    options = {"annotator": "all", "status": "all", "include_suggested": True}
    export(db, "jsonl", first, **options)  # type: ignore[arg-type]
    records = [json.loads(line) for line in first.read_text("utf-8").splitlines()]
    assert len({record["annotator"] for record in records}) >= 2
    origins = {s["origin"] for r in records for s in [*r["entities"], *r["figures"]]}
    assert len(origins) >= 2 and "import" not in origins
    report = import_annotated(fresh, first, annotator="somebody-else")
    assert report.errors == []
    export(fresh, "jsonl", second, **options)  # type: ignore[arg-type]
    assert without_ids(second.read_text("utf-8")) == without_ids(first.read_text("utf-8"))
