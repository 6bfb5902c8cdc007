"""The installed ``redline`` command: real subprocesses, real files, and one clear line
on stderr (never a traceback) for everything a user can get wrong."""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

import storage.db
from storage import queries
from storage.articles import add_article
from storage.db import open_db
from storage.errors import DatabaseError
from storage.repository import Repository
from tests.conftest import SAMPLES
from tests.storage.test_repository import Parsed
from tui import cli

SAMPLE_COUNT = 7  # the articles in sample_articles/ (SOURCES.md is boilerplate)


def redline_command() -> list[str]:
    """The console script of this environment (its bin directory first, then PATH)."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("redline", path=search)
    assert found is not None, "the redline console script is not installed"
    return [found]


def start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
    env.update(REDLINE_DB=str(tmp_path / "redline.db"), REDLINE_ANNOTATOR="tester")
    return subprocess.Popen(
        [*redline_command(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return finish(start(tmp_path, *args))


def run_together(tmp_path: Path, *commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Independent commands in parallel: each one pays the interpreter start-up."""
    return [finish(process) for process in [start(tmp_path, *args) for args in commands]]


def assert_one_error_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert "\n" not in line, result.stderr
    assert line.startswith("redline: error: "), line
    for part in expected:
        assert re.search(part, line), (part, line)
    return line


def test_version(tmp_path: Path) -> None:
    result = run(tmp_path, "--version")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == f"redline {version('redline')}"


def test_import_samples_then_again_skips_them(tmp_path: Path) -> None:
    first = run(tmp_path, "import", str(SAMPLES))
    assert (first.returncode, first.stderr.strip()) == (0, "")
    assert first.stdout.strip() == f"imported {SAMPLE_COUNT}, skipped 0 duplicates, failed 0"
    again = run(tmp_path, "import", str(SAMPLES))
    assert again.returncode == 0
    assert again.stdout.strip() == f"imported 0, skipped {SAMPLE_COUNT} duplicates, failed 0"

    listing, stats, schema = run_together(tmp_path, ["list"], ["stats"], ["schema"])
    assert (listing.returncode, listing.stderr) == (0, "")
    assert f"0 of {SAMPLE_COUNT} done" in listing.stdout
    assert (stats.returncode, stats.stderr) == (0, "")
    assert f"{SAMPLE_COUNT} articles" in stats.stdout
    assert (schema.returncode, schema.stderr) == (0, "")
    assert "PERSON" in schema.stdout and "MONEY" in schema.stdout


def _five_megabytes() -> str:
    rng = random.Random(5)
    words = ["trade", "energy", "minister", "said", "the", "of", "billion", "Astana", "€4.2"]
    sentences = []
    size = 0
    while size < 5 * 1024 * 1024:
        sentence = " ".join(rng.choice(words) for _ in range(14)).capitalize() + ". "
        sentences.append(sentence)
        size += len(sentence)
    return "".join(sentences)


def test_import_a_mix_reports_each_bad_file(tmp_path: Path) -> None:
    folder = tmp_path / "mix"
    folder.mkdir()
    sample = next(SAMPLES.glob("04_*.txt")).read_bytes()
    (folder / "a_good.txt").write_bytes(sample)
    (folder / "b_good.md").write_text("# Second article\n\nTrade rose 5% in 2024.\n")
    (folder / "c_duplicate.txt").write_bytes(sample)
    (folder / "d_large.txt").write_text(_five_megabytes())
    (folder / "e_empty.txt").write_bytes(b"")
    (folder / "f_binary.txt").write_bytes(random.Random(1).randbytes(4096))
    (folder / "g_latin1.txt").write_bytes("Café au lait, déjà vu.\n".encode("latin-1"))
    (folder / "h_no_body.html").write_text("<html><head><title>Only a title</title></head></html>")
    (folder / "i_surrogate.jsonl").write_text('{"title": "t", "text": "broken \\ud800 text"}\n')

    result = run(tmp_path, "import", str(folder))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout.strip() == "imported 3, skipped 1 duplicate, failed 5"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    bad = ["e_empty.txt", "f_binary.txt", "g_latin1.txt", "h_no_body.html", "i_surrogate.jsonl"]
    for name in bad:
        naming = [line for line in lines if name in line]
        assert len(naming) == 1, (name, result.stderr)
    assert len(lines) == len(bad), result.stderr

    database = open_db(str(tmp_path / "redline.db"))
    try:
        assert queries.count_articles(database, "tester") == 3
        lengths = sorted(row.length for row in queries.list_articles(database, "tester"))
        assert lengths[-1] >= 5 * 1024 * 1024
    finally:
        database.dispose()


def _corrupt(tmp_path: Path) -> str:
    path = tmp_path / "corrupt.db"
    path.write_bytes(random.Random(7).randbytes(8192))
    return str(path)


def _bad_schema(tmp_path: Path) -> str:
    path = tmp_path / "bad.toml"
    path.write_text('[schema]\nentity = ["PERSON"\n')
    return str(path)


ERROR_CASES: dict[str, tuple[Callable[[Path], list[str]], list[str]]] = {
    "missing directory": (
        lambda tmp: ["--db", str(tmp / "no" / "such" / "dir" / "x.db"), "import", "a.txt"],
        ["no directory"],
    ),
    "no database": (
        lambda tmp: ["--db", str(tmp / "absent.db"), "list"],
        [r"no database at \S*absent\.db; run `redline import` to create one"],
    ),
    "corrupt file": (lambda tmp: ["--db", _corrupt(tmp), "list"], ["not a redline database"]),
    "unreachable server": (
        lambda tmp: ["--db", "postgresql://postgres@127.0.0.1:1/test", "list"],
        ["cannot reach the database server", "127.0.0.1:1"],
    ),
    "unsupported url": (lambda tmp: ["--db", "mysql://x", "list"], ["unsupported database"]),
    "malformed url": (lambda tmp: ["--db", "postgresql://:::", "list"], ["not a database URL"]),
    "malformed schema": (
        lambda tmp: ["--schema", _bad_schema(tmp), "schema"],
        [r"bad\.toml:\d+: \S"],
    ),
}


@pytest.fixture(scope="module")
def error_results(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every error case, run in parallel once for the module."""
    folders = {case: tmp_path_factory.mktemp(case.replace(" ", "_")) for case in ERROR_CASES}
    processes = {
        case: start(folders[case], *make_args(folders[case]))
        for case, (make_args, _) in ERROR_CASES.items()
    }
    return {case: finish(process) for case, process in processes.items()}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_one_line_without_traceback(
    error_results: dict[str, subprocess.CompletedProcess[str]], case: str
) -> None:
    assert_one_error_line(error_results[case], *ERROR_CASES[case][1])


# -- a locked database, in-process with a short busy timeout (the real one is 10 s) ------


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A database another program is writing to: it holds the write lock throughout."""
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    location = tmp_path / "locked.db"
    database = open_db(str(location))
    article_id = add_article(database, Parsed("Kaja Kallas visited Astana.")).article_id
    repository = Repository(database, "tester")
    other = sqlite3.connect(location, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    yield database, repository, article_id, location
    other.execute("ROLLBACK")
    other.close()
    database.dispose()


def test_a_write_to_a_locked_database_is_one_clear_error(locked) -> None:  # type: ignore[no-untyped-def]
    database, repository, article_id, _ = locked
    with pytest.raises(DatabaseError, match="is locked by another program") as caught:
        repository.add_span(article_id, 0, 4, "PERSON")
    assert "\n" not in str(caught.value)
    # Reading goes on meanwhile (WAL): the library and the article still load.
    assert queries.count_articles(database, "tester") == 1
    assert queries.spans_for(database, article_id, "tester") == []


def _main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["redline", *args])
    try:
        cli.main()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_cli_on_a_locked_database(
    locked, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    _, _, _, location = locked
    monkeypatch.setenv("REDLINE_DB", str(location))
    article = tmp_path / "new.txt"
    article.write_text("A new article about trade.\n")
    assert _main(monkeypatch, "import", str(article)) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "is locked by another program" in captured.err and "new.txt" in captured.err
    assert captured.out.strip() == "imported 0, skipped 0 duplicates, failed 1"
    assert _main(monkeypatch, "list") == 0
    assert "0 of 1 done" in capsys.readouterr().out


# -- issue 18, item 3: only `import` and `db upgrade` create a database -----------------


@pytest.mark.parametrize(
    "command_line",
    [
        [],  # the TUI: the library screen needs a database to list
        ["list"],
        ["stats"],
        ["open", "1"],
        ["suggest", "--all"],
        ["export", "--format", "jsonl", "--out", "out.jsonl"],
    ],
)
def test_commands_other_than_import_create_no_database(
    tmp_path: Path, command_line: list[str]
) -> None:
    result = run(tmp_path, *command_line)
    location = tmp_path / "redline.db"
    line = assert_one_error_line(result, "no database at ")
    assert line == f"redline: error: no database at {location}; run `redline import` to create one"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_an_empty_database_file_is_not_filled_by_a_read(tmp_path: Path) -> None:
    (tmp_path / "redline.db").write_bytes(b"")
    assert_one_error_line(run(tmp_path, "list"), "is an empty database; run `redline import`")
    assert (tmp_path / "redline.db").stat().st_size == 0
    imported = run(tmp_path, "import", str(next(SAMPLES.glob("04_*.txt"))))
    assert imported.returncode == 0, imported.stderr
    assert run(tmp_path, "list").returncode == 0


# -- issue 18, items 13 and 17: a damaged database is one line, for every command --------


@pytest.fixture(scope="module")
def damaged_results(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    from tests.storage.test_migrations import damaged_database

    folder = tmp_path_factory.mktemp("damaged")
    damaged_database(folder / "redline.db")
    garbled = tmp_path_factory.mktemp("garbled")
    damaged_database(garbled / "redline.db", keep_page_header=True)
    article = folder / "new.txt"
    article.write_text("A new article about trade.\n")
    commands = {
        "list": (folder, ["list"]),
        "export": (folder, ["export", "--format", "jsonl", "--status", "all", "--out", "o.jsonl"]),
        "import": (folder, ["import", str(article)]),
        "stats": (folder, ["stats"]),
        "export rows": (
            garbled,
            ["export", "--format", "jsonl", "--status", "all", "--out", "o.jsonl"],
        ),
    }
    processes = {name: start(where, *args) for name, (where, args) in commands.items()}
    return {name: finish(process) for name, process in processes.items()}


@pytest.mark.parametrize("command", ["list", "export", "import", "stats", "export rows"])
def test_damaged_database_is_one_line_and_a_failure(
    damaged_results: dict[str, subprocess.CompletedProcess[str]], command: str
) -> None:
    result = damaged_results[command]
    line = assert_one_error_line(result, r"^redline: error: database is damaged: ")
    assert "not a redline database" not in line
    assert "imported" not in result.stdout and "exported" not in result.stdout
