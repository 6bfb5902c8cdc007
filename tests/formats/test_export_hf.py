"""``--format hf``: a dataset ``datasets.load_from_disk`` opens, typed, with its card."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest
from formats_corpus import build_corpus
from seqeval.metrics.sequence_labeling import get_entities

from storage import queries
from storage.db import Database
from storage.export import export
from storage.formats.writing.report import ExportError


def test_hf_dataset_loads_with_classlabel_iob2_tags_splits_and_card(
    db: Database, tmp_path: Path
) -> None:
    build_corpus(db)
    out = tmp_path / "dataset"
    report = export(db, "hf", out, annotator="ana", split={"train": 0.5, "dev": 0.5}, seed=1)
    loaded = datasets.load_from_disk(str(out))
    assert set(loaded) == {"train", "dev"}
    assert sum(len(part) for part in loaded.values()) == report.records
    features = loaded["train"].features
    tags = features["ner_tags"].feature
    assert isinstance(tags, datasets.ClassLabel) and tags.names[0] == "O"
    assert "B-PERSON" in tags.names and "I-MONEY" in tags.names
    entity = features["entities"]
    struct = entity[0] if isinstance(entity, list) else entity.feature
    assert struct["start"].dtype == "int64" and struct["label"].dtype == "string"
    reported = {(p.article_id, p.start, p.end) for p in report.problems}
    for part in loaded.values():
        for row in part:
            names = [tags.int2str(tag) for tag in row["ner_tags"]]
            assert len(names) == len(row["tokens"])
            tagged = {(label, "".join(row["tokens"][a : b + 1]))
                      for label, a, b in get_entities(names)}  # fmt: skip
            spans = queries.spans_for(db, row["id"], "ana", statuses=("accepted",),
                                      layers=("entity", "figure"))  # fmt: skip
            expected = {(s.label, "".join(s.text.split())) for s in spans
                        if (row["id"], s.start, s.end) not in reported}  # fmt: skip
            assert expected == tagged
            offsets = {(e["start"], e["end"], e["label"]) for e in row["entities"]}
            assert offsets == {(s.start, s.end, s.label) for s in spans if s.layer == "entity"}
    card = (out / "README.md").read_text("utf-8")
    assert card.startswith("---\nlicense: ") and "token-classification" in card
    assert "| PERSON |" in card and "num_examples" in card and "How it was annotated" in card


def test_hf_replaces_only_a_previous_dataset(db: Database, tmp_path: Path) -> None:
    build_corpus(db)
    out = tmp_path / "dataset"
    export(db, "hf", out, annotator="ana")
    again = export(db, "hf", out, annotator="ana")
    assert again.written and set(datasets.load_from_disk(str(out))) == {"train"}
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep")
    with pytest.raises(ExportError, match="not a hf export"):
        export(db, "hf", other, annotator="ana")
    assert (other / "mine.txt").read_text() == "keep"
