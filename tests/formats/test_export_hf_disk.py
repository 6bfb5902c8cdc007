"""``--format hf`` written with pyarrow alone reads back as ``datasets.save_to_disk`` output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets
import pytest
from formats_corpus import build_corpus

from storage.db import Database
from storage.export import export
from storage.formats import hf, hf_disk


class DatasetsWriter(hf.HfWriter):
    """The previous writer: the same rows, built and saved by ``datasets`` itself."""

    def _write(self, split: str, row: dict[str, Any]) -> None:
        self.held.setdefault(split, []).append(row)

    def close(self) -> None:
        names = self.tag_names()
        span = [{"start": datasets.Value("int64"), "end": datasets.Value("int64"),
                 "text": datasets.Value("string"), "label": datasets.Value("string")}]  # fmt: skip
        features = datasets.Features({
            "id": datasets.Value("int64"), "title": datasets.Value("string"),
            "text": datasets.Value("string"), "annotator": datasets.Value("string"),
            "state": datasets.Value("string"),
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(datasets.ClassLabel(names=names)),
            "entities": span, "figures": span, "evidence": span,
            "topics": datasets.Sequence(datasets.Value("string")),
        })  # fmt: skip
        parts = {split: datasets.Dataset.from_list(rows, features=features)
                 for split, rows in self.held.items()}  # fmt: skip
        datasets.DatasetDict(parts).save_to_disk(str(self.target))


def _export_both(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: Any
) -> tuple[datasets.DatasetDict, datasets.DatasetDict]:
    ours = tmp_path / "ours"
    export(db, "hf", ours, **kwargs)
    with monkeypatch.context() as patch:
        patch.setattr(DatasetsWriter, "held", {}, raising=False)
        patch.setattr(hf, "HfWriter", DatasetsWriter)
        export(db, "hf", tmp_path / "theirs", **kwargs)
    return datasets.load_from_disk(str(ours)), datasets.load_from_disk(str(tmp_path / "theirs"))


def test_same_splits_features_and_rows_as_datasets_save_to_disk(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_corpus(db)
    ours, theirs = _export_both(db, tmp_path, monkeypatch, annotator="ana",
                                split={"train": 0.5, "dev": 0.5}, seed=1)  # fmt: skip
    assert list(ours) == list(theirs) and set(ours) == {"train", "dev"}
    for split in theirs:
        assert ours[split].features == theirs[split].features
        assert ours[split].to_list() == theirs[split].to_list() and len(ours[split]) > 0
        assert ours[split].info.splits[split].num_examples == len(ours[split])
    names = ours["train"].features["ner_tags"].feature.names
    assert names[0] == "O" and "B-PERSON" in names


def test_a_large_split_is_sharded_in_order(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_corpus(db)
    monkeypatch.setattr(hf, "WRITER_BATCH", 1)
    monkeypatch.setattr(hf_disk, "MAX_SHARD_BYTES", 4000)
    ours, theirs = _export_both(db, tmp_path, monkeypatch, annotator="all", status="all")
    shards = sorted(path.name for path in (tmp_path / "ours" / "train").glob("*.arrow"))
    assert len(shards) > 1 and shards[-1].endswith(f"-of-{len(shards):05d}.arrow")
    assert ours["train"].features == theirs["train"].features
    assert ours["train"].to_list() == theirs["train"].to_list()


def test_no_rows_give_one_empty_typed_split(tmp_path: Path) -> None:
    hf_disk.save_dataset_dict(tmp_path / "empty", {}, "train", ["O", "B-PERSON", "I-PERSON"])
    loaded = datasets.load_from_disk(str(tmp_path / "empty"))
    assert list(loaded) == ["train"] and len(loaded["train"]) == 0
    assert loaded["train"].features["ner_tags"].feature.names == ["O", "B-PERSON", "I-PERSON"]
