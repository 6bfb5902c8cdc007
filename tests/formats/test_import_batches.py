"""Annotated import stores records in batches: one transaction, a SAVEPOINT to fall back on.

A value the database itself refuses (checks cannot foresee every backend's
limits) fails its record alone, named by file and line; the records around it
in the same batch commit, each as its own undoable ``import`` event whose row
images are exactly the rows stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from storage import queries
from storage.db import Database
from storage.events import TRACKED, image
from storage.formats import import_annotated
from storage.formats.importing import BATCH_RECORDS
from storage.models import Article, Event, Span
from storage.repository import Repository

TEXT = "Kaja Kallas met Murat Nurtleu in Astana on {n}."


def native(n: int, **span_extra: object) -> str:
    text = TEXT.format(n=n)
    spans = [
        {"start": 0, "end": 11, "text": "Kaja Kallas", "label": "PERSON", **span_extra},
        {"start": 33, "end": 39, "text": "Astana", "label": "GPE"},
    ]
    figures = [{"start": 43, "end": 43 + len(str(n)), "label": "COUNT", "figure": {"value": n}}]
    return json.dumps(
        {"redline": 1, "text": text, "entities": spans, "figures": figures, "state": "done"}
    )


REFUSED = {
    "lone surrogate": {"note": "checked \ud800"},  # UTF-8 cannot encode it: no driver binds it
    "NUL in a note": {"note": "checked\x00"},  # PostgreSQL text cannot hold NUL
    "kb id too long": {"entity": {"name": "Kaja Kallas", "type": "PERSON", "kb_id": "Q" * 300}},
}
POSTGRES_ONLY = {"NUL in a note", "kb id too long"}  # SQLite stores these as they are


@pytest.mark.parametrize("refused", sorted(REFUSED))
def test_a_refused_record_mid_batch_fails_alone_and_the_rest_commit(
    db: Database, tmp_path: Path, refused: str
) -> None:
    if db.is_sqlite and refused in POSTGRES_ONLY:
        pytest.skip("SQLite stores this value")
    path = tmp_path / "batch.jsonl"
    lines = [native(n) for n in range(1, 8)]
    lines[3] = native(4, **REFUSED[refused])  # line 4, in the middle of one batch
    path.write_text("\n".join(lines) + "\n")
    assert len(lines) < BATCH_RECORDS
    report = import_annotated(db, path, annotator="ana")
    [error] = report.errors
    assert str(error).startswith(f"{path}: line 4: ")
    assert (error.path, error.line) == (path, 4)
    assert (report.records, report.articles_created, report.spans_added) == (6, 6, 18)
    with db.reading() as session:
        texts = session.exec(select(Article.text).order_by(Article.id)).all()
        events = session.exec(select(Event).order_by(Event.id)).all()
    assert texts == [TEXT.format(n=n) for n in (1, 2, 3, 5, 6, 7)]
    assert [event.action for event in events] == ["import"] * 6
    assert [event.article_id for event in events] == report.article_ids


def test_each_record_of_a_batch_is_its_own_undo_step(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(native(n) for n in range(1, 5)) + "\n")
    report = import_annotated(db, path, annotator="ana")
    assert report.errors == []
    first, second, *_ = report.article_ids
    repo = Repository(db, "ana")
    event = repo.undo(second)
    assert event is not None and event.action == "import"
    assert queries.spans_for(db, second, "ana") == []
    assert len(queries.spans_for(db, first, "ana")) == 3
    assert repo.redo(second) is not None
    assert len(queries.spans_for(db, second, "ana")) == 3


def test_event_images_are_the_rows_as_stored(db: Database, tmp_path: Path) -> None:
    """Undo compares each image with the row as it then is: they must agree field by field."""
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(native(n) for n in range(1, 4)) + "\n")
    import_annotated(db, path, annotator="ana")
    with db.reading() as session:
        events = session.exec(select(Event).order_by(Event.id)).all()
        tables = set()
        for event in events:
            for change in event.changes:
                model = TRACKED[change["table"]]
                key = change["key"]
                identity = tuple(key[c.key] for c in model.__mapper__.primary_key)  # type: ignore[attr-defined]
                row = session.get(model, identity if len(identity) > 1 else identity[0])
                assert row is not None
                assert image(row) == change["after"], change["table"]
                assert change["before"] is None
                tables.add(change["table"])
    assert tables == {"span", "figure", "articlestate"}


def test_reimporting_in_batches_adds_nothing(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join([native(1), native(2), native(1)]) + "\n")
    first = import_annotated(db, path, annotator="ana")
    assert (first.articles_created, first.spans_added, first.spans_skipped) == (2, 6, 3)
    again = import_annotated(db, path, annotator="ana")
    assert (again.articles_existing, again.spans_added, again.spans_skipped) == (3, 0, 9)
    assert sum(1 for _ in queries.spans_for(db, first.article_ids[0], "ana")) == 3
    with db.reading() as session:
        assert len(session.exec(select(Span)).all()) == 6


@pytest.mark.parametrize("count", [BATCH_RECORDS + 3])
def test_a_file_longer_than_a_batch_imports_whole(
    sqlite_db: Database, tmp_path: Path, count: int
) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text("\n".join(native(n) for n in range(count)) + "\n")
    report = import_annotated(sqlite_db, path, annotator="ana")
    assert (report.records, report.errors) == (count, [])
    assert len(set(report.article_ids)) == count
