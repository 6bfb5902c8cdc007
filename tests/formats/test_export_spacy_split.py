"""spaCy export: --split by article, --ents-include figures, and ``spacy train`` on the result."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from formats_corpus import build_corpus
from spacy.tokens import DocBin

from storage.db import Database
from storage.export import export
from storage.formats.split import parse_split, partition


def docs(path: Path) -> list:  # type: ignore[type-arg]
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def article_of(doc: object) -> int:
    return doc.user_data[("redline", "article")]["article"]["id"]  # type: ignore[attr-defined, no-any-return]


def test_partition_is_by_article_seeded_and_adds_up() -> None:
    shares = parse_split("train=0.8,dev=0.2")
    parts = partition(list(range(1, 11)), shares, seed=3)
    assert [len(parts["train"]), len(parts["dev"])] == [8, 2]
    assert sorted(parts["train"] + parts["dev"]) == list(range(1, 11))
    assert partition(list(range(1, 11)), shares, seed=3) == parts
    assert partition(list(range(1, 11)), shares, seed=4) != parts
    assert [len(p) for p in partition([1, 2, 3], parse_split("a=0.5,b=0.5"), 0).values()] in (
        [2, 1], [1, 2],
    )  # fmt: skip
    for bad in ("train=0.8", "train=0.8,dev=0.3", "train=x,dev=1", "=0.5,b=0.5"):
        with pytest.raises(ValueError):
            parse_split(bad)


def test_split_writes_one_docbin_per_split_and_figures_join_ents(
    db: Database, tmp_path: Path
) -> None:
    build_corpus(db)
    out = tmp_path / "corpus"
    report = export(db, "spacy", out, annotator="ana", split={"train": 0.5, "dev": 0.5},
                    seed=1, ents_include=("figures",))  # fmt: skip
    train, dev = docs(out / "train.spacy"), docs(out / "dev.spacy")
    assert train and dev and report.records == len(train) + len(dev)
    assert not {article_of(d) for d in train} & {article_of(d) for d in dev}
    figure_kinds = {"MONEY", "PERCENT", "QUANTITY", "COUNT", "DATE"}
    in_ents = [ent for doc in [*train, *dev] for ent in doc.ents if ent.label_ in figure_kinds]
    assert in_ents  # figures are entities now
    for doc in [*train, *dev]:
        figures = {(s.start_char, s.end_char) for s in doc.spans["figures"]}
        assert {(e.start_char, e.end_char) for e in doc.ents if e.label_ in figure_kinds} <= figures
    plain = export(db, "spacy", tmp_path / "plain.spacy", annotator="ana")
    assert plain.records == report.records
    assert not [e for d in docs(tmp_path / "plain.spacy") for e in d.ents
                if e.label_ in figure_kinds]  # fmt: skip


def test_spacy_train_runs_on_the_export(db: Database, tmp_path: Path) -> None:
    from spacy.cli.init_config import init_config
    from spacy.cli.train import train

    build_corpus(db)
    out = tmp_path / "corpus"
    export(db, "spacy", out, annotator="ana", split={"train": 0.5, "dev": 0.5}, seed=2,
           layers=("entity", "figure"))  # fmt: skip
    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency")
    config_path = tmp_path / "config.cfg"
    config.to_disk(config_path)
    overrides = {
        "paths.train": str(out / "train.spacy"),
        "paths.dev": str(out / "dev.spacy"),
        "training.max_steps": 4,
        "training.eval_frequency": 2,
    }
    train(config_path, tmp_path / "model", overrides=overrides)
    nlp = spacy.load(tmp_path / "model" / "model-last")
    assert "ner" in nlp.pipe_names and "PERSON" in nlp.get_pipe("ner").labels
