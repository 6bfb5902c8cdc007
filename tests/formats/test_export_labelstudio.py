"""Label Studio export, checked by Label Studio's own converter (``label-studio-converter``).

The converter needs the project's labelling config: redline writes it beside the
tasks (``labelstudio-config.xml``). JSON → CONLL2003 and JSON → JSON_MIN must
succeed and keep every entity and figure span, evidence never in the CoNLL tags.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from formats_corpus import build_corpus
from label_studio_converter import converter

from storage import queries
from storage.db import Database
from storage.export import export
from storage.formats.writing.report import ExportError


def exported_spans(db: Database) -> dict[int, set[tuple[int, int, str]]]:
    """Per done article of ana: its accepted entity and figure spans."""
    found: dict[int, set[tuple[int, int, str]]] = {}
    for article_id in queries.article_ids(db):
        if queries.article_state(db, article_id, "ana") == "done":
            spans = queries.spans_for(db, article_id, "ana", statuses=("accepted",),
                                      layers=("entity", "figure"))  # fmt: skip
            found[article_id] = {(s.start, s.end, s.label) for s in spans}
    return found


def test_converter_reads_every_entity_with_the_written_config(db: Database, tmp_path: Path) -> None:
    build_corpus(db)
    tasks = tmp_path / "tasks.json"
    report = export(db, "labelstudio", tasks, annotator="ana")
    config = tmp_path / "labelstudio-config.xml"
    assert config.is_file()
    assert any(str(config) in note for note in report.notes)
    expected = exported_spans(db)
    assert any(expected.values())

    ls = converter.Converter(config=str(config), project_dir=str(tmp_path))
    ls.convert_to_json_min(str(tasks), str(tmp_path / "min"), is_dir=False)
    records = json.loads((tmp_path / "min" / "result.json").read_text("utf-8"))
    assert {record["id"] for record in records} == set(expected)
    for record in records:
        got = {(r["start"], r["end"], r["labels"][0]) for r in record.get("label", [])}
        assert got == expected[record["id"]]
        assert all(r["labels"][0].startswith("Topic_") for r in record.get("evidence", []))

    ls.convert_to_conll2003(str(tasks), str(tmp_path / "conll"), is_dir=False)
    lines = (tmp_path / "conll" / "result.conll").read_text("utf-8").splitlines()
    tags = [line.rsplit(" ", 1)[-1] for line in lines[1:] if line]
    assert tags and not [tag for tag in tags if "Topic_" in tag]
    begins = sum(tag.startswith("B-") for tag in tags)
    assert begins >= sum(len(spans) for spans in expected.values()) * 0.9  # its own tokenizer


def test_config_option_puts_it_elsewhere_and_other_formats_refuse_it(
    db: Database, tmp_path: Path
) -> None:
    build_corpus(db)
    elsewhere = tmp_path / "project" / "config.xml"
    elsewhere.parent.mkdir()
    export(db, "labelstudio", tmp_path / "tasks.json", annotator="ana", config=elsewhere)
    text = elsewhere.read_text("utf-8")
    assert '<Labels name="label" toName="text">' in text and '<Labels name="evidence"' in text
    assert '<Label value="PERSON"/>' in text and '<Choice value="trade"/>' in text
    assert not (tmp_path / "labelstudio-config.xml").exists()
    with pytest.raises(ExportError, match="--config"):
        export(db, "jsonl", tmp_path / "x.jsonl", annotator="ana", config=elsewhere)
