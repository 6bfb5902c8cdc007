"""``redline train`` then ``redline suggest`` on a tiny annotated fixture (issue 13 items 1-2)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storage import queries
from storage.articles import add_articles
from storage.db import open_db
from storage.importers import ParsedArticle
from storage.repository import Repository
from storage.schema import builtin_schema, load_config
from storage.suggestions import Suggester, SuggestOptions
from storage.train.store import resolve_model, schema_hash
from storage.train.threshold import CANDIDATES
from tests.train.fixture import add_corpus
from tui import cli

UNSEEN = [
    "Report 91. Piet Kroon met officials of the Acme Energy in Berlin on Monday "
    "to discuss a new gas pipeline. Later Piet Kroon flew back from Berlin.",
    "Report 90. Ilse Varga met officials of the Nordic Cable in Tallinn on Monday "
    "to discuss tariffs on steel. Later Ilse Varga flew back from Tallinn.",
]
"""Names the corpus never had: the gazetteer (every name accepted in the corpus) and the rules
win wherever they propose, so a trained model only adds what they miss (``storage.train.gaps``)."""


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def redline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Run]:
    """``redline --db DATABASE --annotator ana ARGS`` in this process, run as the console
    script runs it (``tui.cli.main``: an error is one line on stderr and an exit code)."""

    def run(database: Path, *args: str) -> Run:
        capsys.readouterr()
        argv = ["redline", "--db", str(database), "--annotator", "ana", *args]
        monkeypatch.setattr(sys, "argv", argv)
        try:
            cli.main()
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def test_train_saves_a_model_that_suggest_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redline: Callable[..., Run]
) -> None:
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "redline.db"
    db = open_db(str(database))
    try:
        train_ids = add_corpus(db, 12)
        result = CliRunner().invoke(
            cli.app,
            ["--db", str(database), "train", "--max-steps", "40", "--eval-split", "0.25"],
        )
        assert result.exit_code == 0, result.output
        assert "dev scores" in result.stdout and "PERSON" in result.stdout
        assert "trained on 9 articles, evaluated on 3" in result.stdout

        latest = resolve_model(Path("models/latest"))
        assert latest is not None and latest.parent == (tmp_path / "models").resolve()
        meta = json.loads((latest / "meta.json").read_text("utf-8"))
        assert meta["schema_hash"] == schema_hash(builtin_schema())
        assert meta["labels"] == {"entity": ["GPE", "ORG", "PERSON"], "topic": ["energy", "trade"]}
        assert meta["counts"]["train"]["articles"] == 9 and meta["counts"]["dev"]["articles"] == 3
        assert sorted(meta["train_articles"] + meta["dev_articles"]) == train_ids
        assert meta["counts"]["dev"]["entity_spans"] == 3 * 5
        assert 0 <= meta["scores"]["entity"]["micro"]["f"] <= 1
        assert meta["redline_version"] and meta["stopped"] == "max steps"
        assert meta["suggest"]["entity_min_score"] in CANDIDATES  # chosen on the dev split
        gaps = meta["suggest"]["entity_gaps"]  # the gap policy, chosen on the dev split too
        assert set(gaps) <= {"GPE", "ORG", "PERSON"} and all(0.5 <= t <= 1 for t in gaps.values())
        dev = meta["suggest"]["entity_gaps_dev"]
        assert dev["articles"] == 3 and dev["merged_f1"] >= dev["rules_f1"]

        [first, second] = [
            a.article_id
            for a in add_articles(db, [ParsedArticle(text=t, title="new") for t in UNSEEN])
        ]
        suggested = CliRunner().invoke(
            cli.app,
            ["--db", str(database), "--annotator", "ana", "suggest", str(first), str(second)],
        )
        assert suggested.exit_code == 0, suggested.output
        model = [s for s in queries.spans_for(db, first, "ana") if s.origin == "model"]
        assert model, "the trained model suggested nothing"
        assert all(gaps[s.label] <= (s.score or 0) <= 1 for s in model)
        assert all(s.text == UNSEEN[0][s.start : s.end] for s in model)
        others = [s for s in queries.spans_for(db, first, "ana") if s.origin != "model"]
        assert others, "the rules and the gazetteer proposed nothing"
        assert not [
            (m.text, o.text)
            for m in model
            for o in others
            if o.layer == "entity" and o.start < m.end and m.start < o.end
        ], "a model span took the place of a rule or gazetteer span"

        opened = add_articles(db, [ParsedArticle(text=UNSEEN[0].replace("91", "92"), title="o")])
        [opened_id] = [a.article_id for a in opened]
        with Repository(db, "ana") as repository:  # what the reader runs when it opens one
            options = SuggestOptions.from_config(load_config())
            on_open = Suggester(db, repository, options).run(
                opened_id, UNSEEN[0].replace("91", "92")
            )
        assert "model" in {s.origin for s in on_open}
        assert "spacy" not in [
            spec.name for spec, _run in Suggester(db, repository, options).prepare()
        ]

        with Repository(db, "ana") as repository:
            repository.reject([model[0].id])
        again = CliRunner().invoke(
            cli.app, ["--db", str(database), "--annotator", "ana", "suggest", str(first)]
        )
        assert again.exit_code == 0, again.output
        assert again.stdout.startswith("suggested 0 spans")
        same_place = [
            s
            for s in queries.spans_for(
                db, first, "ana", statuses=("accepted", "suggested", "rejected")
            )
            if s.start < model[0].end and model[0].start < s.end and s.layer == "entity"
        ]
        assert [(s.id, s.status) for s in same_place] == [(model[0].id, "rejected")]
        ordered = CliRunner().invoke(
            cli.app, ["--db", str(database), "--annotator", "ana", "list", "--sort", "useful"]
        )
        assert ordered.exit_code == 0, ordered.output
        words = [line.split() for line in ordered.stdout.splitlines()]
        listed = [int(w[0]) for w in words if len(w) > 2 and w[0].isdigit() and w[1] != "of"]
        assert set(listed[:3]) == {first, second, opened_id} and set(listed[3:]) == set(train_ids)
        assert (latest / "uncertainty.json").is_file()
    finally:
        db.dispose()

    Path("redline.toml").write_text('[[schema.entity]]\nkey = "VESSEL"\n', "utf-8")
    refused = redline(database, "suggest", "--all")
    assert refused.returncode == 1
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("redline: error: models/latest: trained with another label schema")

    Path("redline.toml").write_text("[suggest]\nmodel = false\n", "utf-8")
    without = redline(database, "suggest", "--all")
    assert without.returncode == 0, without.stderr


def test_too_little_data_is_one_line_and_saves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redline: Callable[..., Run]
) -> None:
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "redline.db"
    db = open_db(str(database))
    add_corpus(db, 3)
    db.dispose()
    result = redline(database, "train")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "redline: error: too little data to train: 3 articles with accepted annotations "
        "(2 train, 1 dev); need at least 2 in each split (mark more articles done, "
        "or use --status all)"
    ]
    assert not (tmp_path / "models").exists()


def test_sort_useful_without_a_model_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redline: Callable[..., Run]
) -> None:
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "redline.db"
    open_db(str(database)).dispose()
    result = redline(database, "list", "--sort", "useful")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "redline: error: --sort useful needs a trained model: run redline train first"
    ]


def test_unknown_layer_is_one_line(tmp_path: Path, redline: Callable[..., Run]) -> None:
    database = tmp_path / "redline.db"
    open_db(str(database)).dispose()
    result = redline(database, "train", "--layer", "entity,relations")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "redline: error: --layer: unknown layer relations (choose from entity, topic, figure)"
    ]
