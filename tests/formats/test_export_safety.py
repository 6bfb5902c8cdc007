"""What a user sees when an export cannot finish, and what is left on disk afterwards.

An unwritable target, Ctrl-C mid-export, the leftovers of a killed export, a
brat directory swap whose second rename fails, and paths or names that hold
markup or terminal control codes.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from formats_corpus import ROOT, Corpus, build_corpus
from test_export_api import CliContext, cli
from typer.testing import CliRunner

from bench import data as gen
from bench.db import fill
from storage.db import Database
from storage.export import export
from storage.formats.writing import staging
from storage.formats.writing.report import ExportError


@pytest.fixture
def corpus(db: Database) -> Corpus:
    return build_corpus(db)


def leftovers(directory: Path) -> list[str]:
    """Hidden entries an export may leave: staging directories and set-aside copies."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def tree(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(directory.iterdir())}


def dead_pid() -> int:
    """The pid of a process that has exited (and was reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def read_only_to_root(directory: Path) -> bool:
    probe = directory / "redline-probe"
    try:
        probe.mkdir()
    except PermissionError:
        return True
    except OSError:
        return False
    probe.rmdir()
    return False


def redline(*args: str) -> list[str]:
    return [sys.executable, "-c", "from tui.cli import main; main()", *args]


# 1. an unwritable output directory: the error names the target, not the staging path


def test_unwritable_directory_names_the_target(
    db: Database, corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "x.jsonl"
    hidden = tmp_path / ".x.jsonl.1234-abcdefgh.part"

    def refuse(*args: object, **kwargs: object) -> str:
        raise PermissionError(errno.EACCES, "Permission denied", str(hidden))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    with pytest.raises(ExportError) as caught:
        export(db, "jsonl", out, annotator="ana")
    assert str(caught.value) == f"cannot write {out}: permission denied"
    assert not out.exists() and leftovers(tmp_path) == []


def test_a_failed_rename_names_the_target_and_keeps_the_old_file(
    db: Database, corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "x.jsonl"
    out.write_text("good\n")
    real_replace = os.replace

    def replace(source: str | Path, destination: str | Path) -> None:
        if Path(destination) == out:
            raise OSError(errno.ENOSPC, "No space left on device", str(source))
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(ExportError, match=r"^cannot write .*x\.jsonl: no space left on device$"):
        export(db, "jsonl", out, annotator="ana")
    assert out.read_text() == "good\n" and leftovers(tmp_path) == []


def test_cli_read_only_location_is_one_line(sqlite_db: Database, tmp_path: Path) -> None:
    """As root chmod does not stop a write; /sys refuses one even to root (EPERM)."""
    build_corpus(sqlite_db)
    if not read_only_to_root(Path("/sys/kernel")):
        pytest.skip("/sys/kernel is missing or writable here")
    out = "/sys/kernel/x.jsonl"
    result = subprocess.run(
        redline("--db", str(tmp_path / "redline.db"), "--annotator", "ana",
                "export", "-f", "jsonl", "-o", out),
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == f"redline: error: cannot write {out}: permission denied\n"


# 2. Ctrl-C: a message, exit 130, and the target as it was

# The real CLI with records read 10 ms apart, so the export is surely still running when
# the signal arrives (on an idle machine 300 articles export before it can be sent).
SLOW_EXPORT = """
import time
from storage.formats import exporting
from tui.cli import main

records = exporting.load_records


def slowly(*args, **kwargs):
    for record in records(*args, **kwargs):
        time.sleep(0.01)
        yield record


exporting.load_records = slowly
main()
"""


def test_sigint_mid_export_says_so_and_leaves_the_target(tmp_path: Path) -> None:
    database = tmp_path / "big.db"
    fill(database, gen.corpus(300))
    out = tmp_path / "x.conll"
    out.write_text("good\n")
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_EXPORT, "--db", str(database), "--annotator", "bench",
         "export", "-f", "conll", "--status", "all", "-o", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # A job started in the background inherits SIGINT ignored (and Python keeps it so):
        # give the export the default a person's terminal gives it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    written: list[Path] = []
    while not written and time.monotonic() < deadline and process.poll() is None:
        written = [p for p in tmp_path.glob(".x.conll.*.part/x.conll") if p.stat().st_size]
        time.sleep(0.02)
    assert written, "the export never started writing"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr == f"export interrupted; {out} unchanged\n"
    assert out.read_text() == "good\n"
    assert leftovers(tmp_path) == []


def test_sigint_during_the_rename_finishes_it(
    db: Database, corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the output is moved into place waits: the target is old or new, never none."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT is not Python's default handler here")
    out = tmp_path / "brat"
    export(db, "brat", out, annotator="ana")
    real_rename = staging._rename

    def interrupted_rename(source: Path, destination: Path) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        real_rename(source, destination)

    monkeypatch.setattr(staging, "_RENAMEAT2", None)
    monkeypatch.setattr(staging, "_rename", interrupted_rename)
    report = export(db, "brat", out, annotator="ana", layers=["entity"])
    assert report.written and (out / "annotation.conf").is_file()
    assert leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# 3. a killed export's staging entries are cleaned on the next export to that target


def test_stale_staging_of_dead_processes_is_cleaned(
    db: Database, corpus: Corpus, tmp_path: Path
) -> None:
    out = tmp_path / "x.jsonl"
    dead = dead_pid()
    stale = tmp_path / f".x.jsonl.{dead}-abcdefgh.part"
    (stale / "x.jsonl").parent.mkdir()
    (stale / "x.jsonl").write_text("half")
    legacy = tmp_path / ".x.jsonl.k3j_9zqa.part"  # redline before pids: mkdtemp's 8 characters
    legacy.mkdir()
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(legacy, (two_days_ago, two_days_ago))
    running = tmp_path / f".x.jsonl.{os.getppid()}-abcdefgh.part"  # a live process's export
    running.mkdir()
    ours = tmp_path / f".x.jsonl.{os.getpid()}-zzzzzzzz.part"  # another export in this process
    ours.mkdir()
    other_target = tmp_path / f".y.jsonl.{dead}-abcdefgh.part"
    other_target.mkdir()
    export(db, "jsonl", out, annotator="ana")
    assert leftovers(tmp_path) == sorted([running.name, ours.name, other_target.name])
    assert out.read_text().count("\n") == 3


def test_a_swap_cut_between_its_renames_gets_the_old_directory_back(
    db: Database, corpus: Corpus, tmp_path: Path
) -> None:
    """A process killed after setting the old brat directory aside left no target."""
    out = tmp_path / "brat"
    export(db, "brat", out, annotator="ana")
    before = tree(out)

    def fail(done: int, total: int) -> None:  # this export fails: the old one must be back
        if done == 1:
            raise RuntimeError("disk pulled")

    stale = tmp_path / f".brat.{dead_pid()}-abcdefgh.part"
    stale.mkdir()
    out.rename(stale / "brat.previous")
    with pytest.raises(RuntimeError):
        export(db, "brat", out, annotator="ana", progress=fail)
    assert tree(out) == before and leftovers(tmp_path) == []
    out.rename(tmp_path / f".brat.old-{dead_pid()}")  # the set-aside name before this fix
    with pytest.raises(RuntimeError):
        export(db, "brat", out, annotator="ana", progress=fail)
    assert tree(out) == before and leftovers(tmp_path) == []


# 4. the brat directory swap: never no target, and the old one back when the move fails


def test_brat_swap_failing_second_rename_keeps_the_old_directory(
    db: Database, corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "brat"
    export(db, "brat", out, annotator="ana")
    (out / f"{corpus.unicode}.ann").write_text("the old one")
    before = tree(out)
    real_replace = os.replace
    into_target: list[Path] = []

    def replace(source: str | Path, destination: str | Path) -> None:
        if Path(destination) == out:
            into_target.append(Path(source))
            if len(into_target) == 1:  # the new directory onto the target's name
                raise OSError(errno.EIO, "Input/output error", str(destination))
        real_replace(source, destination)

    monkeypatch.setattr(staging, "_RENAMEAT2", None)  # the two-rename path used off Linux
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(ExportError, match=r"^cannot write .*brat: input/output error$"):
        export(db, "brat", out, annotator="ana")
    assert tree(out) == before and leftovers(tmp_path) == []


def test_brat_swap_exchanges_in_one_step_on_linux(
    db: Database, corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if staging._RENAMEAT2 is None:
        pytest.skip("no renameat2 here")
    out = tmp_path / "brat"
    export(db, "brat", out, annotator="ana")
    (out / f"{corpus.unicode}.ann").write_text("stale")
    renames: list[tuple[Path, Path]] = []
    real_rename = staging._rename

    def rename(source: Path, destination: Path) -> None:
        renames.append((source, destination))
        real_rename(source, destination)

    monkeypatch.setattr(staging, "_rename", rename)
    export(db, "brat", out, annotator="ana")
    assert renames == []  # the old directory was never moved away from the target first
    assert (out / f"{corpus.unicode}.ann").read_text() != "stale"
    assert leftovers(tmp_path) == []


# 7. user data in export messages is shown literally


def test_cli_messages_show_paths_and_names_literally(sqlite_db: Database, tmp_path: Path) -> None:
    build_corpus(sqlite_db)
    context = CliContext(str(tmp_path / "redline.db"), "ana")
    out = tmp_path / "x[bold]\x1b[2J[@click=app.quit]\x1b]0;owned\x07.jsonl"
    result = CliRunner().invoke(
        cli(), ["export", "-f", "spacy", "-o", str(out)], obj=context, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "x[bold]␛[2J[@click=app.quit]␛]0;owned␇.jsonl" in result.output
    assert "misaligned" in result.output
