"""Importing annotated files: detection, normalisation, and every kind of malformed input.

Each bad record is reported with its file and line and imports nothing; the
good records around it still import.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage import queries
from storage.db import Database
from storage.formats import detect_format, import_annotated
from storage.importers import ImportFileError
from storage.models import Article
from storage.text import sha256

TEXT = "Kaja Kallas met Murat Nurtleu in Astana."


def doccano_line(text: str = TEXT, labels: list | None = None, **extra: object) -> str:  # type: ignore[type-arg]
    record = {"text": text, "label": labels if labels is not None else [[0, 11, "PERSON"]]}
    return json.dumps({**record, **extra}, ensure_ascii=False)


def articles(db: Database) -> list[Article]:
    from sqlmodel import select

    with db.reading() as session:
        return list(session.exec(select(Article).order_by(Article.id)).all())


def only_error(errors: list[ImportFileError]) -> ImportFileError:
    assert len(errors) == 1, [str(error) for error in errors]
    return errors[0]


def test_detects_each_format(tmp_path: Path) -> None:
    cases = {
        "native.jsonl": json.dumps({"redline": 1, "text": TEXT, "entities": []}),
        "prodigy.jsonl": json.dumps({"text": TEXT, "spans": [], "answer": "accept"}),
        "doccano.jsonl": doccano_line(),
        "doccano1.jsonl": json.dumps(
            {"text": TEXT, "entities": [{"start_offset": 0, "end_offset": 4, "label": "PERSON"}]}
        ),
        "plain.jsonl": json.dumps({"text": TEXT, "title": "Plain"}),
        "tasks.json": "[]",
    }
    for name, content in cases.items():
        (tmp_path / name).write_text(content + "\n")
    (tmp_path / "doc.txt").write_text(TEXT)
    (tmp_path / "doc.ann").write_text("")
    (tmp_path / "plain.txt").write_text(TEXT)
    found = {name: detect_format(tmp_path / name) for name in [*cases, "doc.txt", "plain.txt"]}
    assert found == {
        "native.jsonl": "jsonl", "prodigy.jsonl": "prodigy", "doccano.jsonl": "doccano",
        "doccano1.jsonl": "doccano", "plain.jsonl": None, "tasks.json": "labelstudio",
        "doc.txt": "brat", "plain.txt": None,
    }  # fmt: skip
    assert detect_format(tmp_path) == "brat"


def test_bad_lines_are_reported_and_good_ones_import(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [
        doccano_line(),  # 1 good
        doccano_line("A second article about Astana.", [[0, 99, "PERSON"]]),  # 2 beyond the text
        '{"text": "truncated", "label": [[0, 4',  # 3 truncated JSON
        doccano_line("Third one, Astana.", [[11, 17]]),  # 4 a triple without its label
        doccano_line("Fourth: Astana.", [[8, 14, "GPE"]], id=7),  # 5 good
        doccano_line("Fifth: Astana.", [[7, 13, "GPE"]], id=7),  # 6 duplicate id
        doccano_line("Sixth: Astana.", [[7, 13, "GPE"]], cats="trade"),  # 7 cats not a list
    ]
    path.write_text("\n".join(lines) + "\n")
    report = import_annotated(db, path, annotator="ana")
    assert report.records == 2 and report.spans_added == 2
    by_line = {error.line: error.reason for error in report.errors}
    assert set(by_line) == {2, 3, 4, 6, 7}
    assert all(error.path == path for error in report.errors)
    assert "outside the text" in by_line[2]
    assert "JSON" in by_line[3]
    assert "[start, end, LABEL]" in by_line[4]
    assert "duplicate id 7 (first at line 5)" in by_line[6]
    assert "'cats' must be a list" in by_line[7]
    assert str(report.errors[0]).startswith(f"{path}: line 2: ")
    assert [a.text for a in articles(db)] == [TEXT, "Fourth: Astana."]


def test_label_text_must_match_the_slice(db: Database, tmp_path: Path) -> None:
    tasks = [
        {"id": 1, "data": {"text": TEXT}, "annotations": [{"result": [
            {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 0, "end": 11, "text": "Kaja Kalas", "labels": ["PERSON"]}}]}]},
        {"id": 2, "data": {"text": "Good: Astana."}, "annotations": [{"result": [
            {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 6, "end": 12, "text": "Astana", "labels": ["GPE"]}},
            {"id": "b", "from_name": "topics", "to_name": "text", "type": "choices",
             "value": {"choices": ["diplomacy"]}}]}]},
        {"id": 2, "data": {"text": "Duplicate task id."}, "annotations": []},
    ]  # fmt: skip
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks, indent=1))
    report = import_annotated(db, path, annotator="ana")
    assert report.records == 1 and report.topics_added == 1
    reasons = [str(error) for error in report.errors]
    assert len(reasons) == 2
    # Tasks are named by their index in the array (issue 18, item 18), not by a line.
    assert "does not match the article ('Kaja Kallas')" in reasons[0] and ": task 1: " in reasons[0]
    assert reasons[1].endswith(": task 3: duplicate task id 2 (first at task 2)")


def test_truncated_labelstudio_file_keeps_the_tasks_before(db: Database, tmp_path: Path) -> None:
    good = {"data": {"text": "Complete task."}, "annotations": []}
    path = tmp_path / "cut.json"
    path.write_text("[\n" + json.dumps(good) + ",\n" + json.dumps(good)[:-9])
    report = import_annotated(db, path, annotator="ana")
    assert report.records == 1
    error = only_error(report.errors)
    assert (error.task, error.line) == (2, None)
    assert "truncated" in error.reason and "line 3 column" in error.reason


def test_native_sha256_and_state(db: Database, tmp_path: Path) -> None:
    entity = {"name": "Kaja Kallas", "type": "PERSON", "kb_id": "Q3740786", "aliases": ["Kallas"]}
    span = {"start": 0, "end": 11, "label": "PERSON", "text": "Kaja Kallas", "entity": entity}
    record = {"redline": 1, "id": 1, "text": TEXT, "sha256": sha256(TEXT), "state": "done",
              "annotator": "x", "entities": [span], "figures": [], "topics": []}  # fmt: skip
    wrong = {**record, "id": 2, "text": TEXT + " More."}
    path = tmp_path / "native.jsonl"
    path.write_text(json.dumps(record) + "\n" + json.dumps(wrong) + "\n")
    report = import_annotated(db, path, annotator="ana")
    assert "sha256" in only_error(report.errors).reason and report.errors[0].line == 2
    [article] = articles(db)  # the file's annotator "x" is kept (issue 14): not the importer's
    assert queries.article_state(db, article.id or 0, "x") == "done"
    assert queries.article_state(db, article.id or 0, "ana") == "todo"
    [entity] = queries.entities(db)
    assert (entity.name, entity.kb_id, entity.aliases) == ("Kaja Kallas", "Q3740786", ["Kallas"])


def test_offsets_follow_text_normalisation(db: Database, tmp_path: Path) -> None:
    raw = "\ufeffCafe\u0301 news\r\nKaja Kallas spoke."  # BOM, decomposed é, CRLF
    start = raw.index("Kaja")
    path = tmp_path / "crlf.jsonl"
    path.write_text(doccano_line(raw, [[start, start + 11, "PERSON"], [1, 6, "ORG"]]) + "\n")
    report = import_annotated(db, path, annotator="ana")
    assert report.errors == []
    [article] = articles(db)
    assert article.text == "Café news\nKaja Kallas spoke."
    spans = queries.spans_for(db, article.id or 0, "ana")
    assert sorted((s.text, s.label) for s in spans) == [("Café", "ORG"), ("Kaja Kallas", "PERSON")]


def write_brat(folder: Path, ann: str, text: str = TEXT) -> Path:
    folder.mkdir()
    (folder / "doc.txt").write_text(text)
    (folder / "doc.ann").write_text(ann)
    return folder


@pytest.mark.parametrize(
    ("ann", "line", "reason"),
    [
        ("T1\tPERSON 0 11\tKaja Kalas\n", 1, "does not match the .txt"),
        ("T1\tPERSON 0 11\tKaja Kallas\nT1\tGPE 33 39\tAstana\n", 2, "duplicate id T1"),
        ("T1\tPERSON 0 11\tKaja Kallas\nA1\tApproximate T9\n", 2, "T9, which is not defined"),
        ("T1\tPERSON 5 11;0 4\tKallas Kaja\n", 1, "out of order"),
        ("T1\tPERSON 0 99\tKaja\n", 1, "outside the text"),
        ("T1 PERSON 0 11 Kaja Kallas\n", 1, "not a brat standoff line"),
    ],
)
def test_malformed_brat(db: Database, tmp_path: Path, ann: str, line: int, reason: str) -> None:
    folder = write_brat(tmp_path / "brat", ann)
    report = import_annotated(db, folder, annotator="ana")
    error = only_error(report.errors)
    assert (error.path, error.line) == (folder / "doc.ann", line)
    assert reason in error.reason
    assert articles(db) == []


def test_foreign_brat_with_notes_and_references(db: Database, tmp_path: Path) -> None:
    ann = (
        "T1\tPERSON 0 11\tKaja Kallas\n"
        "N1\tReference T1 Wikidata:Q3740786\tKaja Kallas\n"
        "#1\tAnnotatorNotes T1\tchecked by hand\n"
        "T2\tGPE 33 39\tAstana\n"
        "R1\tLocated Arg1:T1 Arg2:T2\n"
    )
    report = import_annotated(db, write_brat(tmp_path / "b", ann), annotator="ana")
    assert report.errors == [] and report.ignored == {"relation": 1}
    [article] = articles(db)
    spans = queries.spans_for(db, article.id or 0, "ana")
    assert [(s.label, s.note) for s in spans] == [("PERSON", "checked by hand"), ("GPE", None)]
    [entity] = queries.entities(db)
    assert (entity.name, entity.type, entity.kb_id) == ("Kaja Kallas", "PERSON", "Q3740786")


def test_an_import_is_one_undoable_action(db: Database, tmp_path: Path) -> None:
    from storage.repository import Repository

    path = tmp_path / "one.jsonl"
    path.write_text(doccano_line(TEXT, [[0, 11, "PERSON"], [33, 39, "GPE"]], cats=["diplomacy"]))
    import_annotated(db, path, annotator="ana")
    [article] = articles(db)
    assert len(queries.spans_for(db, article.id or 0, "ana")) == 2
    repo = Repository(db, "ana")
    event = repo.undo(article.id)
    assert event is not None and event.action == "import"
    assert queries.spans_for(db, article.id or 0, "ana") == []
    assert queries.topics_for(db, article.id or 0, "ana") == []
    import_annotated(db, path, annotator="ana")  # a new action: the redo stack is gone
    assert repo.redo(article.id) is None
    assert len(queries.spans_for(db, article.id or 0, "ana")) == 2
