"""Annotated and JSON-lines files that used to import partly, silently or with a traceback.

Issue 18, items 5 (format detection looks at every line; a bad line is one
``file:line: reason`` and nothing after it is lost), 12 (deep nesting and
huge numbers are per-record errors), 18 (sizes and Label Studio tasks named
precisely) and 14 (two imports of one article racing on PostgreSQL).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlmodel import func, select

import storage.articles
from storage.db import Database
from storage.formats import detect_format, import_annotated
from storage.importers import ImportFileError, ParsedArticle, read_articles
from storage.importers import parsed as parsed_module
from storage.models import Annotator, Article, Span

TEXT = "Kaja Kallas met Murat Nurtleu in Astana."
HUGE = "9" * 5000
DEEP = "[" * 10_000 + "]" * 10_000


def doccano(text: str, labels: list[list[object]] | None = None) -> str:
    record: dict[str, object] = {"text": text}
    if labels is not None:
        record["label"] = labels
    return json.dumps(record)


def count(db: Database, model: type) -> int:
    with db.reading() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def reasons(errors: list[ImportFileError]) -> list[str]:
    return [str(error) for error in errors]


# -- item 5: detection sees every line; nothing after a bad line is dropped -----------


def test_doccano_whose_first_line_has_no_label_keeps_every_label(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "first-unlabelled.jsonl"
    lines = [doccano("An unlabelled first text.")]
    lines += [doccano(f"Text {n}: Kaja Kallas spoke.", [[8, 19, "PERSON"]]) for n in range(2, 10)]
    path.write_text("\n".join(lines) + "\n")
    assert detect_format(path) == "doccano"
    report = import_annotated(db, path, annotator="ana")
    assert report.errors == []
    assert (report.records, report.spans_added) == (9, 8)
    assert count(db, Span) == 8


def test_detection_reads_past_the_first_lines(tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    plain = [json.dumps({"text": f"Plain text number {n}."}) for n in range(40)]
    path.write_text("\n".join([*plain, doccano(TEXT, [[0, 11, "PERSON"]])]) + "\n")
    assert detect_format(path) == "doccano"


def test_a_line_in_another_format_fails_by_name_and_the_rest_imports(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    prodigy = json.dumps({"text": "Murat Nurtleu.", "spans": [{"start": 0, "end": 13,
                          "label": "PERSON"}], "answer": "accept"})  # fmt: skip
    lines = [doccano(TEXT, [[0, 11, "PERSON"]]), prodigy, doccano("Astana again.", [[0, 6, "GPE"]])]
    path.write_text("\n".join(lines) + "\n")
    report = import_annotated(db, path, annotator="ana")
    assert reasons(report.errors) == [
        f"{path}: line 2: a prodigy record in a file read as doccano (one format per file)"
    ]
    assert (report.records, report.spans_added) == (2, 2)


def test_a_five_thousand_digit_number_fails_its_line_only(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    lines = [doccano(f"Line {n}: Kaja Kallas.", [[9, 20, "PERSON"]]) for n in range(1, 11)]
    lines[6] = '{"text": "Line 7.", "label": [[0, 4, "PERSON"]], "n": ' + HUGE + "}"
    path.write_text("\n".join(lines) + "\n")
    assert detect_format(path) == "doccano"
    report = import_annotated(db, path, annotator="ana")
    assert reasons(report.errors) == [
        f"{path}: line 7: a number is too long (5000 digits; the limit is 4300)"
    ]
    assert report.records == 9  # lines 8-10 too
    assert count(db, Article) == 9


# -- item 12: deep nesting and huge numbers in plain JSON lines ----------------------


def test_plain_jsonl_with_deep_and_huge_lines_imports_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    too_nested = json.loads("[" * 150 + "]" * 150)
    lines = [
        DEEP,
        '{"text": "x", "n": ' + HUGE + "}",
        json.dumps({"text": "A good article."}),
        json.dumps({"text": "Nested but fine.", "meta": {"a": [[[1]]]}}),
        json.dumps({"text": "Too nested.", "meta": {"a": too_nested}}),
    ]
    path.write_text("\n".join(lines) + "\n")
    assert detect_format(path) is None
    items = list(read_articles(path))
    errors = [str(item) for item in items if isinstance(item, ImportFileError)]
    assert errors == [
        f"{path}: line 1: JSON nested too deeply (the limit is 100 levels)",
        f"{path}: line 2: a number is too long (5000 digits; the limit is 4300)",
        f"{path}: line 5: JSON nested too deeply (the limit is 100 levels)",
    ]
    texts = [item.text for item in items if isinstance(item, ParsedArticle)]
    assert texts == ["A good article.", "Nested but fine."]


def test_detection_skips_lines_it_cannot_parse(tmp_path: Path) -> None:
    path = tmp_path / "deep-first.jsonl"
    path.write_text("\n".join([DEEP, '{"label": ' + HUGE + "}", doccano(TEXT, [])]) + "\n")
    assert detect_format(path) == "doccano"


# -- item 18: sizes said exactly, Label Studio tasks named ---------------------------


def test_size_just_over_the_limit_is_said_in_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.importers.parsed import size_against_limit

    assert size_against_limit(50 * 1024 * 1024 + 1) == (
        "52,428,801 bytes; the limit is 52,428,800 bytes"
    )
    assert size_against_limit(60 * 1024 * 1024) == "60.0 MB; the limit is 50.0 MB"
    monkeypatch.setattr(parsed_module, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "big.txt"
    path.write_bytes(b"Title\n\n" + b"x" * (1024 * 1024 - 6))
    [error] = list(read_articles(path))
    assert isinstance(error, ImportFileError)
    assert error.reason == "too large (1,048,577 bytes; the limit is 1,048,576 bytes)"


def _task(text: str, start: int, end: int, label: str = "PERSON") -> dict[str, object]:
    value = {"start": start, "end": end, "text": text[start:end], "labels": [label]}
    result = {"id": "r", "from_name": "label", "to_name": "text", "type": "labels", "value": value}
    return {"data": {"text": text}, "annotations": [{"result": [result]}]}


def test_labelstudio_errors_name_the_task_not_line_1(db: Database, tmp_path: Path) -> None:
    tasks = [_task(f"Task {n}: Kaja Kallas.", 9, 20) for n in range(1, 9)]
    tasks[6] = _task("Task 7: too short.", 9, 90)
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks))  # one line, as Label Studio writes it
    report = import_annotated(db, path, annotator="ana")
    assert report.records == 7
    [error] = reasons(report.errors)
    assert error.startswith(f"{path}: task 7: span [9, 90) PERSON is outside the text")


def test_labelstudio_array_with_a_huge_number_keeps_the_tasks_after(
    db: Database, tmp_path: Path
) -> None:
    tasks = [json.dumps(_task(f"Task {n}: Kaja Kallas.", 9, 20)) for n in range(1, 6)]
    tasks[2] = '{"data": {"text": "Task 3."}, "id": ' + HUGE + "}"
    path = tmp_path / "huge.json"
    path.write_text("[" + ",".join(tasks) + "]")
    report = import_annotated(db, path, annotator="ana")
    assert reasons(report.errors) == [
        f"{path}: task 3: a number is too long (5000 digits; the limit is 4300)"
    ]
    assert report.records == 4


def test_labelstudio_array_with_deep_nesting_is_one_error(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" + json.dumps(_task("Task 1: Kaja Kallas.", 9, 20)) + "," + DEEP + "]")
    report = import_annotated(db, path, annotator="ana")
    assert report.records == 1
    assert reasons(report.errors) == [
        f"{path}: task 2: JSON nested too deeply (the limit is 100 levels); "
        "the tasks after it were not read"
    ]


def test_labelstudio_json_lines_errors_name_the_line(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    lines = [json.dumps(_task(f"Task {n}: Kaja Kallas.", 9, 20)) for n in range(1, 4)]
    lines[1] = json.dumps(_task("Task 2: short.", 9, 90))
    path.write_text("\n".join(lines) + "\n")
    assert detect_format(path) == "labelstudio"
    report = import_annotated(db, path, annotator="ana")
    assert report.records == 2
    [error] = reasons(report.errors)
    assert error.startswith(f"{path}: line 2: span [9, 90) PERSON is outside the text")


# -- item 14: two imports of one article at once -------------------------------------


def test_two_imports_racing_on_one_article_both_succeed(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both imports look the article up before either inserts it (a barrier forces it).

    On PostgreSQL the second insert used to fail ``duplicate key … article_sha256_key``;
    now it counts the article as already there. SQLite serialises writers
    (``BEGIN IMMEDIATE``), so there the barrier times out and the imports run in turn.
    """
    path = tmp_path / "one.jsonl"
    path.write_text(doccano(TEXT, [[0, 11, "PERSON"]]) + "\n")
    with db.transaction() as session:  # the annotator race is another fix (annotator_id)
        session.add(Annotator(name="ana"))
    barrier = threading.Barrier(2, timeout=3)
    looked_up = storage.articles._known_ids

    def both_look_first(session, digests):  # type: ignore[no-untyped-def]
        found = looked_up(session, digests)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(storage.articles, "_known_ids", both_look_first)
    outcomes: list[object] = []

    def run() -> None:
        try:
            outcomes.append(import_annotated(db, path, annotator="ana"))
        except Exception as error:  # the failure is what the test reports
            outcomes.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    failures = [str(item) for item in outcomes if isinstance(item, Exception)]
    assert failures == []
    created = sorted(item.articles_created for item in outcomes)  # type: ignore[attr-defined]
    existing = sorted(item.articles_existing for item in outcomes)  # type: ignore[attr-defined]
    assert (created, existing) == ([0, 1], [0, 1])
    assert all(item.errors == [] for item in outcomes)  # type: ignore[attr-defined]
    assert count(db, Article) == 1
    assert count(db, Span) == 1


def test_brat_offsets_and_sidecar_with_huge_numbers_fail_their_document(
    db: Database, tmp_path: Path
) -> None:
    for name, text, ann in (
        ("a", "Paris is big.", f"T1\tGPE {HUGE} 5\tParis"),
        ("b", "Rome is old.", "T1\tGPE 0 4\tRome"),
        ("c", "Oslo is cold.", "T1\tGPE 0 4\tOslo"),
    ):
        (tmp_path / f"{name}.txt").write_text(text)
        (tmp_path / f"{name}.ann").write_text(ann + "\n")
    (tmp_path / "c.json").write_text('{"article": {"meta": {"n": ' + HUGE + "}}}")
    report = import_annotated(db, tmp_path, annotator="ana")
    assert report.records == 1
    assert [error.path.name for error in report.errors] == ["a.ann", "c.json"]
    assert "not a brat standoff line" in report.errors[0].reason
    assert report.errors[1].reason == "a number is too long (5000 digits; the limit is 4300)"


def test_figure_numbers_the_database_cannot_hold_fail_their_line(
    db: Database, tmp_path: Path
) -> None:
    """A scale past 64 bits and a 100-digit value were a database error that ended the import."""
    text = "Kaja Kallas pledged 5 million."

    def native(scale: object, value: str, suffix: str) -> str:
        figure = {"start": 20, "end": 29, "label": "MONEY",
                  "figure": {"value": value, "scale": scale}}  # fmt: skip
        return json.dumps({"redline": 1, "text": text + suffix, "figures": [figure]})

    path = tmp_path / "figures.jsonl"
    lines = [native(10**20, "5", " A"), native(1, "1" * 100, " B"), native(10**6, "5", " C")]
    path.write_text("\n".join(lines) + "\n")
    report = import_annotated(db, path, annotator="ana")
    assert reasons(report.errors) == [
        f"{path}: line 1: figure 'scale' is out of range (at most 9,223,372,036,854,775,807 "
        "either way)",
        f"{path}: line 2: figure 'value' is too long (over 64 characters)",
    ]
    assert (report.records, report.spans_added) == (1, 1)


def test_brat_normalisation_of_an_undefined_id_fails_its_document(
    db: Database, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("Paris is big.")
    (tmp_path / "a.ann").write_text("T1\tGPE 0 5\tParis\nN1\tReference T9 Wikidata:Q90\tParis\n")
    (tmp_path / "b.txt").write_text("Rome is old.")
    (tmp_path / "b.ann").write_text("T1\tGPE 0 4\tRome\n")
    report = import_annotated(db, tmp_path, annotator="ana")
    assert reasons(report.errors) == [
        f"{tmp_path}/a.ann: line 2: refers to T9, which is not defined in this file"
    ]
    assert report.records == 1
