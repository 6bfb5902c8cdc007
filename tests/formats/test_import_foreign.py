"""Files made by brat, doccano, Prodigy and Label Studio themselves import without editing.

Every fixture is written from the tool's own documentation of its format (the
brat standoff page, doccano's "Import dataset" layouts, Prodigy's task formats
of ``db-out``, Label Studio's JSON export), never from redline's writer; each
import is checked for exact offsets, labels and annotators.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from storage.db import Database
from storage.formats import import_annotated
from storage.formats.importing import UnknownLabelsError
from storage.models import Annotator, Entity, Span, TopicAssignment

# The brat standoff documentation's example sentence, with its offsets.
BRAT_TEXT = "International Business Machines Corporation (IBM) is based in New York.\n"


def spans(db: Database) -> list[tuple[Any, ...]]:
    """(annotator, layer, label, start, end, text, origin, kb id) of every span, sorted."""
    with db.reading() as session:
        names = dict(session.exec(select(Annotator.id, Annotator.name)).all())
        kb = dict(session.exec(select(Entity.id, Entity.kb_id)).all())
        rows = session.exec(select(Span)).all()
        return sorted(
            (names[s.annotator_id], s.layer, s.label, s.start, s.end, s.text, s.origin,
             kb.get(s.entity_id) if s.entity_id else None)
            for s in rows
        )  # fmt: skip


def topics(db: Database) -> list[tuple[str, str, str]]:
    with db.reading() as session:
        names = dict(session.exec(select(Annotator.id, Annotator.name)).all())
        return sorted(
            (names[t.annotator_id], t.topic, t.status)
            for t in session.exec(select(TopicAssignment))
        )


def write_lines(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


# -- brat ---------------------------------------------------------------------------------


def brat_folder(tmp_path: Path, ann: str) -> Path:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "doc.txt").write_text(BRAT_TEXT, encoding="utf-8")
    (folder / "doc.ann").write_text(ann, encoding="utf-8")
    return folder


def test_brat_full_standoff_grammar(db: Database, tmp_path: Path) -> None:
    """Every line kind of the standoff page; what redline cannot hold is counted by kind."""
    ann = (
        "T1\tORG 0 43\tInternational Business Machines Corporation\n"
        "T2\tORG 45 48\tIBM\n"
        "T3\tGPE 62 70\tNew York\n"
        "T4\tLocated 53 61\tbased in\n"  # an event trigger (E1, E2): part of the event
        "T5\tORG 0 13;23 31\tInternational Machines\n"  # truly discontinuous
        "E1\tLocated:T4 Org:T1 Place:T3\n"
        "E2\tLocated:T4 Org:T2\n"
        "R1\tAlias Arg1:T1 Arg2:T2\n"
        "R2\tIn Arg1:T2 Arg2:T3\n"
        "R3\tIn Arg1:T1 Arg2:T3\n"
        "*\tEquiv T1 T2\n"
        "*\tEquiv T2 T5\n"
        "A1\tNegation E1\n"
        "A2\tConfidence E2 High\n"
        "M1\tNegation E2\n"
        "A3\tSpeculation T1\n"
        "N1\tReference T3 Wikidata:Q60\tNew York City\n"
        "N2\tReference T5 Wikidata:Q37156\tIBM\n"
        "#1\tAnnotatorNotes T2\tthe ticker, not the name\n"
        "#2\tAnnotatorNotes E1\tcheck the tense\n"
    )
    report = import_annotated(db, brat_folder(tmp_path, ann), annotator="ana")
    assert report.errors == []
    assert dict(report.ignored) == {
        "relation": 3, "event": 2, "equivalence": 2, "discontinuous span": 1,
        "attribute": 4, "normalization": 1, "note": 1,
    }  # fmt: skip
    assert "ignored: 4 attributes, 3 relations, 2 events, 2 equivalences" in report.line
    assert spans(db) == [
        ("ana", "entity", "GPE", 62, 70, "New York", "import", "Q60"),
        ("ana", "entity", "ORG", 0, 43, "International Business Machines Corporation",
         "import", None),
        ("ana", "entity", "ORG", 45, 48, "IBM", "import", None),
    ]  # fmt: skip
    with db.reading() as session:
        note = session.exec(select(Span.note).where(Span.start == 45)).one()
    assert note == "the ticker, not the name"


def test_brat_reference_to_an_undefined_id_fails_the_document(db: Database, tmp_path: Path) -> None:
    ann = "T1\tORG 45 48\tIBM\nA1\tNegation E7\n"
    report = import_annotated(db, brat_folder(tmp_path, ann), annotator="ana")
    [error] = report.errors
    assert error.line == 2 and "E7, which is not defined" in error.reason
    assert spans(db) == []


# -- doccano ------------------------------------------------------------------------------

DOCCANO_TEXT = "EU rejects German call to boycott British lamb."


def test_doccano_every_documented_layout(db: Database, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "doccano.jsonl", [
        # sequence labelling
        {"text": DOCCANO_TEXT, "label": [[0, 2, "ORG"], [11, 17, "NORP"]]},
        # text classification
        {"text": "Terrible customer service, but trade rose.", "label": ["trade", "economy"]},
        # intent detection and slot filling
        {"text": "Wire 5 euros to Astana.", "entities": [[16, 22, "GPE"]], "cats": ["investment"]},
        # relation extraction
        {"text": "Google was founded on September 4, 1998, by Larry Page.",
         "entities": [{"id": 0, "start_offset": 0, "end_offset": 6, "label": "ORG"},
                      {"id": 1, "start_offset": 44, "end_offset": 54, "label": "PERSON"}],
         "relations": [{"id": 0, "from_id": 0, "to_id": 1, "type": "founded_by"}]},
    ])  # fmt: skip
    report = import_annotated(db, path, annotator="ana")
    assert report.errors == [] and report.records == 4
    assert dict(report.ignored) == {"relation": 1}
    assert [(s[2], s[3], s[4], s[5]) for s in spans(db)] == [
        ("GPE", 16, 22, "Astana"), ("NORP", 11, 17, "German"), ("ORG", 0, 2, "EU"),
        ("ORG", 0, 6, "Google"), ("PERSON", 44, 54, "Larry Page"),
    ]  # fmt: skip
    assert topics(db) == [
        ("ana", "economy", "accepted"), ("ana", "investment", "accepted"),
        ("ana", "trade", "accepted"),
    ]  # fmt: skip


# -- Prodigy -------------------------------------------------------------------------------


def test_prodigy_task_layouts(db: Database, tmp_path: Path) -> None:
    """ner.manual spans, textcat.teach accept/reject, choice, entity linking, reject, ignore."""
    nel = "Douglas Adams wrote it."
    path = write_lines(tmp_path / "prodigy.jsonl", [
        {"text": "Apple sues Samsung.", "spans": [{"start": 0, "end": 5, "label": "ORG"}],
         "answer": "accept", "_annotator_id": "news-ana", "_session_id": "news-ana"},
        {"text": "Tariffs on steel rise.", "label": "trade", "answer": "accept"},
        {"text": "Tariffs on steel rise.", "label": "energy", "answer": "reject"},
        {"text": "A new pipeline opens.", "options": [{"id": "energy", "text": "Energy"},
         {"id": "climate", "text": "Climate"}], "accept": ["energy"], "answer": "accept"},
        {"text": nel, "spans": [{"start": 0, "end": 13, "label": "PERSON"}],
         "options": [{"id": "Q42", "html": "Douglas Adams"}, {"id": "NIL", "text": "None"}],
         "accept": ["Q42"], "answer": "accept", "_session_id": "nel-ben"},
        {"text": "Rejected spans.", "spans": [{"start": 0, "end": 8, "label": "ORG"}],
         "answer": "reject"},
        {"text": "Ignored.", "answer": "ignore"},
    ])  # fmt: skip
    report = import_annotated(db, path, annotator="me")
    assert report.errors == [] and report.records == 5 and report.skipped == 2
    assert "2 rejected or ignored task(s) skipped" in report.line
    assert spans(db) == [
        ("nel-ben", "entity", "PERSON", 0, 13, "Douglas Adams", "import", "Q42"),
        ("news-ana", "entity", "ORG", 0, 5, "Apple", "import", None),
    ]
    assert topics(db) == [
        ("me", "energy", "accepted"), ("me", "energy", "rejected"), ("me", "trade", "accepted"),
    ]  # fmt: skip


# -- Label Studio --------------------------------------------------------------------------


def test_labelstudio_export_keeps_each_annotator_apart(db: Database, tmp_path: Path) -> None:
    """A Label Studio JSON export: two users' annotations of one task stay two annotators."""
    text = "Kaja Kallas met Murat Nurtleu in Astana."

    def region(rid: str, start: int, end: int, label: str) -> dict[str, Any]:
        return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                "value": {"start": start, "end": end, "text": text[start:end],
                          "labels": [label]}}  # fmt: skip

    tasks = [{
        "id": 17, "data": {"text": text},
        "annotations": [
            {"id": 1, "completed_by": 3, "result": [region("a", 0, 11, "PERSON")]},
            {"id": 2, "completed_by": {"id": 4, "email": "ben@example.org"},
             "result": [region("b", 0, 11, "PERSON"), region("c", 33, 39, "GPE"),
                        {"id": "r", "type": "relation", "from_id": "b", "to_id": "c"}]},
        ],
    }]  # fmt: skip
    path = tmp_path / "project-1.json"
    path.write_text(json.dumps(tasks))
    report = import_annotated(db, path, annotator="me")
    assert report.errors == [] and report.records == 2 and report.articles_created == 1
    assert dict(report.ignored) == {"relation": 1}
    assert spans(db) == [
        ("ben@example.org", "entity", "GPE", 33, 39, "Astana", "import", None),
        ("ben@example.org", "entity", "PERSON", 0, 11, "Kaja Kallas", "import", None),
        ("labelstudio-3", "entity", "PERSON", 0, 11, "Kaja Kallas", "import", None),
    ]
    again = import_annotated(db, path, annotator="me", keep_annotators=False)
    assert again.spans_added == 2  # --as me: one PERSON and one GPE, the duplicate merged


# -- labels the schema lacks ---------------------------------------------------------------


def conll_style(tmp_path: Path) -> Path:
    return write_lines(tmp_path / "per.jsonl", [
        {"text": "Angela Merkel visited Paris.", "label": [[0, 13, "PER"], [22, 27, "LOCATION"]]},
        {"text": "Merkel spoke.", "label": [[0, 6, "PER"]]},
    ])  # fmt: skip


def test_unknown_labels_fail_once_with_counts_and_nothing_is_imported(
    db: Database, tmp_path: Path
) -> None:
    path = conll_style(tmp_path)
    with pytest.raises(UnknownLabelsError) as caught:
        import_annotated(db, path, annotator="ana")
    reason = caught.value.reason
    assert reason.startswith("labels not in the schema: entity PER (2), entity LOCATION (1)")
    assert "--map" in reason and "--add-labels" in reason
    assert spans(db) == []


def test_map_renames_labels(db: Database, tmp_path: Path) -> None:
    path = conll_style(tmp_path)
    report = import_annotated(
        db, path, annotator="ana", label_map={"PER": "PERSON", "LOCATION": "GPE"}
    )
    assert report.errors == []
    assert [(s[2], s[5]) for s in spans(db)] == [
        ("GPE", "Paris"),
        ("PERSON", "Merkel"),
        ("PERSON", "Angela Merkel"),
    ]


def test_add_labels_callback_gets_the_counts_and_its_schema_is_used(
    db: Database, tmp_path: Path
) -> None:
    from storage.schema import parse_config

    seen = []

    def add(counts):  # type: ignore[no-untyped-def]
        seen.append(dict(counts))
        extra = "".join(f'[[schema.{layer}]]\nkey = "{key}"\n' for layer, key in counts)
        return parse_config(extra, tmp_path / "redline.toml").schema

    report = import_annotated(db, conll_style(tmp_path), annotator="ana", add_labels=add)
    assert seen == [{("entity", "PER"): 2, ("entity", "LOCATION"): 1}]
    assert report.labels_added == [("entity", "LOCATION"), ("entity", "PER")]
    assert [(s[2], s[5]) for s in spans(db)] == [
        ("LOCATION", "Paris"),
        ("PER", "Merkel"),
        ("PER", "Angela Merkel"),
    ]


# -- the command line ----------------------------------------------------------------------


def redline(tmp_path: Path, *args: str) -> Any:
    from tests.test_cli import run

    return run(tmp_path, *args)


def test_cli_unknown_labels_map_and_add_labels(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    path = conll_style(work)
    failed = redline(work, "import", str(path))
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    [line] = [x for x in failed.stderr.splitlines() if "labels not in the schema" in x]
    assert "entity PER (2), entity LOCATION (1)" in line and "--add-labels" in line

    mapped = redline(work, "import", "--map", "PER=PERSON,LOCATION=GPE", "--as", "cleo", str(path))
    assert mapped.returncode == 0, mapped.stderr
    assert "imported 2" in mapped.stdout

    other = tmp_path / "other"
    other.mkdir()
    added = redline(other, "import", "--add-labels", str(path))
    assert added.returncode == 0, added.stderr
    toml = other / "redline.toml"
    assert f"added 2 label(s) to {toml}: entity LOCATION, entity PER" in added.stderr
    from storage.schema import load_config

    schema = load_config(toml).schema
    assert schema.get("entity", "PER") is not None and schema.get("entity", "LOCATION")
    bad = redline(other, "import", "--map", "PER", str(path))
    assert bad.returncode != 0 and "--map" in bad.stderr and "Traceback" not in bad.stderr
