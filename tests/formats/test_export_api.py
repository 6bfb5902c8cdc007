"""The export API and ``redline export``: selection, atomic output, stdout, strict, imports."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
from formats_corpus import ROOT, Corpus, build_corpus
from typer.testing import CliRunner

from storage.db import Database, open_db
from storage.export import export
from storage.formats.registry import FORMATS
from storage.formats.writing.report import ExportError
from storage.schema import builtin_schema
from tui.commands.export_cmd import register


@pytest.fixture
def corpus(db: Database) -> Corpus:
    return build_corpus(db)


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_selection_options(db: Database, corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    export(db, "jsonl", out, annotator="ana")
    assert [r["id"] for r in jsonl(out)] == [corpus.kazakhstan, corpus.hong_kong, corpus.unicode]
    assert all(s["status"] == "accepted" for r in jsonl(out) for s in r["entities"])
    export(db, "jsonl", out, annotator="ana", status="all", include_suggested=True)
    records = jsonl(out)
    assert [r["id"] for r in records][-1] == corpus.unfinished
    assert {s["status"] for r in records for s in r["entities"]} == {"accepted", "suggested"}
    export(db, "jsonl", out, annotator="ben")
    [ben] = jsonl(out)
    assert (ben["annotator"], [t["key"] for t in ben["topics"]]) == ("ben", ["trade"])
    export(db, "jsonl", out, annotator="all")
    assert [(r["id"], r["annotator"]) for r in jsonl(out)][:2] == [
        (corpus.kazakhstan, "ana"), (corpus.kazakhstan, "ben")]  # fmt: skip
    export(db, "jsonl", out, annotator="ana", layers=["entity"])
    assert all(not r["figures"] and not r["topics"] and r["entities"] for r in jsonl(out))
    report = export(db, "jsonl", out, annotator="nobody")
    assert report.records == 0 and out.read_text() == ""


def test_figures_csv(db: Database, corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "figures.csv"
    export(db, "figures-csv", out, annotator="ana")
    rows = list(csv.DictReader(out.open(newline="", encoding="utf-8")))
    assert len(rows) == 4
    money = next(row for row in rows if row["kind"] == "MONEY")
    assert (money["text"], money["value"], money["unit"], money["scale"]) == (
        "$49.7 billion", "49700000000", "USD", "1000000000")  # fmt: skip
    assert money["subject"] == "European Union" and money["subject_kb_id"] == "Q458"
    assert Decimal(money["value"]) == Decimal("49.7e9") and money["bound"] == "lower"
    assert money["article_sha256"] and money["annotator"] == "ana"


def test_stdout_and_unwritable_targets(db: Database, corpus: Corpus, tmp_path: Path) -> None:
    stream = io.StringIO()
    report = export(db, "doccano", "-", annotator="ana", stdout=stream)
    assert report.written and len(stream.getvalue().splitlines()) == 3
    with pytest.raises(ExportError, match="stdout"):
        export(db, "spacy", "-", annotator="ana")
    with pytest.raises(ExportError, match="no directory"):
        export(db, "jsonl", tmp_path / "missing" / "x.jsonl", annotator="ana")
    with pytest.raises(ExportError, match="unknown export format"):
        export(db, "xml", tmp_path / "x.xml", annotator="ana")
    with pytest.raises(ExportError, match="unknown layer"):
        export(db, "jsonl", tmp_path / "x.jsonl", annotator="ana", layers=["sentiment"])


def test_brat_directory_is_swapped_in_whole(db: Database, corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    export(db, "brat", out, annotator="ana")
    (out / f"{corpus.unicode}.ann").write_text("stale")
    export(db, "brat", out, annotator="ana")
    assert (out / f"{corpus.unicode}.ann").read_text() != "stale"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.md").write_text("mine")
    with pytest.raises(ExportError, match="not a brat export"):
        export(db, "brat", precious, annotator="ana")
    assert (precious / "notes.md").read_text() == "mine"


def test_an_interrupted_export_leaves_the_old_file(
    db: Database, corpus: Corpus, tmp_path: Path
) -> None:
    out = tmp_path / "x.jsonl"
    out.write_text("good\n")

    def interrupt(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export(db, "jsonl", out, annotator="ana", progress=interrupt)
    assert out.read_text() == "good\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]


class CliContext:
    """What ``tui.cli.Context`` gives a command: the database, annotator and schema."""

    def __init__(self, location: str, annotator: str) -> None:
        self.location, self.annotator = location, annotator

    def open_db(self) -> Database:
        return open_db(self.location)

    def config(self) -> Any:
        return type("Config", (), {"schema": builtin_schema()})()


def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """redline (test harness)."""

    register(app)
    return app


def test_cli_export_and_strict_exit(sqlite_db: Database, tmp_path: Path) -> None:
    build_corpus(sqlite_db)
    context = CliContext(str(tmp_path / "redline.db"), "ana")
    runner = CliRunner()
    out = tmp_path / "train.spacy"
    result = runner.invoke(cli(), ["export", "--format", "spacy", "--out", str(out)], obj=context)
    assert result.exit_code == 0, result.output
    assert out.is_file() and "exported 3 records" in result.output
    assert "misaligned" in result.output
    strict = tmp_path / "strict.spacy"
    result = runner.invoke(
        cli(), ["export", "-f", "conll", "-o", str(strict), "--strict"], obj=context
    )
    assert result.exit_code != 0 and not strict.exists()
    result = runner.invoke(cli(), ["export", "-f", "jsonl", "--layer", "bogus"], obj=context)
    assert result.exit_code != 0 and "--layer" in result.output
    result = runner.invoke(
        cli(), ["export", "-f", "jsonl", "-o", "-", "--annotator", "ben"], obj=context
    )
    assert result.exit_code == 0 and '"annotator": "ben"' in result.stdout


def test_no_textual_in_storage_or_export_command(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import storage.export, storage.formats, storage.formats.registry\n"
        "from storage.formats import FORMATS\n"
        "import tui.commands.export_cmd\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
        "assert 'spacy' not in sys.modules and 'pyarrow' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert set(FORMATS) == {"jsonl", "spacy", "conll", "conll2003", "conllu", "brat", "prodigy",
                            "doccano", "labelstudio", "figures-csv", "parquet", "hf"}  # fmt: skip


def test_readme_and_export_help_list_the_registry() -> None:
    """The README's formats table and ``redline export --help`` both follow the registry."""
    from tui.cli import app

    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Formats\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    names = [row.split("|")[1].strip().strip("`") for row in rows]
    assert names == list(FORMATS)
    result = CliRunner().invoke(app, ["export", "--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = [line.strip().split(":")[0] for line in result.output.splitlines()
              if line.strip().split(":")[0] in FORMATS]  # fmt: skip
    assert listed == list(FORMATS)
