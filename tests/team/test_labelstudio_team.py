"""Label Studio export in team mode: one task per article, one annotation per annotator."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from storage.db import Database, open_db
from storage.export import export
from storage.formats import import_annotated
from storage.models import Annotator, Span
from tests.team import corpus


def spans_by_annotator(db: Database) -> dict[tuple[str, int], set[tuple[int, int, str]]]:
    """{(annotator, article text index): {(start, end, label)}} of accepted spans."""
    with db.reading() as session:
        names = dict(session.exec(select(Annotator.id, Annotator.name)).all())
        rows = session.exec(
            select(Span.annotator_id, Span.article_id, Span.start, Span.end, Span.label)
        ).all()
    found: dict[tuple[str, int], set[tuple[int, int, str]]] = {}
    for annotator, article, start, end, label in rows:
        found.setdefault((names[annotator], article), set()).add((start, end, label))
    return found


def test_one_task_per_article_with_each_annotators_annotation(db: Database, tmp_path: Path) -> None:
    ids = corpus.build(db)
    out = tmp_path / "tasks.json"
    report = export(db, "labelstudio", out, annotator="all", status="done")
    assert report.records == 8  # ana 3, ben 3, cleo 2 finished articles
    tasks = json.loads(out.read_text("utf-8"))
    assert [task["id"] for task in tasks] == ids
    expected = spans_by_annotator(db)
    annotation_ids = []
    for task in tasks:
        names = {
            entry["completed_by"]: entry["annotator"]
            for entry in task["data"]["redline"]["annotators"]
        }
        who = [names[annotation["completed_by"]] for annotation in task["annotations"]]
        done_by = sorted(name for name, done in corpus.DONE.items() if task["id"] in done)
        assert who == done_by
        for annotation, name in zip(task["annotations"], who, strict=True):
            annotation_ids.append(annotation["id"])
            spans = {
                (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0])
                for r in annotation["result"]
                if r["type"] == "labels"
            }
            assert spans == expected.get((name, task["id"]), set())
    assert len(annotation_ids) == len(set(annotation_ids)) == 8
    numbers = {
        entry["annotator"]: entry["completed_by"]
        for task in tasks
        for entry in task["data"]["redline"]["annotators"]
    }
    assert numbers == {"ana": 1, "ben": 2, "cleo": 3}  # one number per annotator in the file
    [ben_only] = [task for task in tasks if task["id"] == ids[3]]
    assert ben_only["data"]["redline"]["annotator"] == "ben"  # single-annotator task as before


def test_team_export_imports_back_per_annotator(db: Database, tmp_path: Path) -> None:
    corpus.build(db)
    out = tmp_path / "tasks.json"
    export(db, "labelstudio", out, annotator="all", status="done")
    fresh = open_db(str(tmp_path / "fresh.db"))
    try:
        imported = import_annotated(fresh, out, annotator="nobody", keep_annotators=True)
        assert imported.errors == [] and imported.records == 8
        assert spans_by_annotator(fresh) == spans_by_annotator(db)
    finally:
        fresh.dispose()
