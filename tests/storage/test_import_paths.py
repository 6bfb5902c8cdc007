"""What ``redline import`` walks, and how it reports what it cannot read.

Issue 18, items 9 (markup in a path printed literally, the good file still
imported), 11 (symlink loops and FIFOs never hang an import), 15 (unreadable
files and directories fail alone, each named) and 12 (the summary always
prints and the exit code says a record failed).

Unreadable files need a user the kernel checks permissions for. The tests run
as root, which reads a ``chmod 000`` file anyway, so those cases run ``redline``
under ``setpriv --bounding-set=-dac_override,-dac_read_search``: still uid 0,
but without the capabilities that bypass file permissions (as a non-root user
they run as they are).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from sqlmodel import func, select

from storage.db import Database
from storage.importers import expand_paths
from storage.models import Span
from tui.commands.import_files import import_files

REDLINE = str(Path(sys.executable).parent / "redline")
ARTICLE = "A headline\n\nThe article text, long enough to be one.\n"


def redline(
    tmp_path: Path, *args: str, privileged: bool = True
) -> subprocess.CompletedProcess[str]:
    """``redline ARGS`` in ``tmp_path`` on its own database, killed after 60 s (a hang fails)."""
    command = [REDLINE, *args]
    if not privileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: no way to make a file unreadable")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
    env.update(REDLINE_DB=str(tmp_path / "redline.db"), REDLINE_ANNOTATOR="tester")
    return subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )


def article(path: Path, title: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.replace("A headline", title))
    return path


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if line.strip()]


# -- item 11: symlink loops and FIFOs ------------------------------------------------


def test_glob_over_symlink_loops_ends_and_finds_each_file_once(tmp_path: Path) -> None:
    article(tmp_path / "in" / "a.txt", "A")
    article(tmp_path / "in" / "sub" / "b.txt", "B")
    for name in ("loop", "again"):
        (tmp_path / "in" / name).symlink_to(".")
    (tmp_path / "in" / "sub" / "up").symlink_to("..")
    probe = (
        "import json, os; from storage.importers import expand_paths\n"
        "paths, errors = expand_paths(['in/loop/**/*.txt', 'in/**'])\n"
        "print(json.dumps([sorted(os.path.realpath(p) for p in paths), [str(e) for e in errors]]))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    # The standard glob took minutes (and hundreds of MB) on this tree: the timeout fails it.
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=30,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    paths, errors = json.loads(result.stdout)
    real = os.path.realpath(tmp_path / "in")
    assert paths == [f"{real}/a.txt", f"{real}/sub/b.txt"]
    assert errors == []


def test_directory_walk_follows_links_but_never_round_a_loop(tmp_path: Path) -> None:
    article(tmp_path / "in" / "a.txt", "A")
    article(tmp_path / "elsewhere" / "c.txt", "C")
    (tmp_path / "in" / "loop").symlink_to(".")
    (tmp_path / "in" / "linked").symlink_to(tmp_path / "elsewhere")
    paths, errors = expand_paths([str(tmp_path / "in")])
    assert sorted(path.name for path in paths) == ["a.txt", "c.txt"]
    assert errors == []


def test_fifo_in_a_directory_is_reported_and_never_opened(tmp_path: Path) -> None:
    good = article(tmp_path / "in" / "good.txt", "Good")
    os.mkfifo(tmp_path / "in" / "pipe.txt")
    paths, errors = expand_paths([str(tmp_path / "in")])
    assert paths == [good]
    assert [str(error) for error in errors] == [f"{tmp_path}/in/pipe.txt: not a regular file"]


def test_importing_fifos_never_blocks(tmp_path: Path) -> None:
    article(tmp_path / "in" / "good.txt", "Good")
    os.mkfifo(tmp_path / "in" / "pipe.txt")
    os.mkfifo(tmp_path / "fifo.jsonl")
    result = redline(tmp_path, "import", "in", "fifo.jsonl")  # used to block forever
    assert result.returncode == 1
    assert error_lines(result) == [
        "✗ in/pipe.txt: not a regular file",
        "✗ fifo.jsonl: not a regular file",
    ]
    assert result.stdout.strip() == "imported 1, skipped 0 duplicates, failed 2"


def test_links_that_loop_or_dangle_say_so(tmp_path: Path) -> None:
    (tmp_path / "self.txt").symlink_to("self.txt")
    (tmp_path / "gone.txt").symlink_to("nowhere.txt")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "self.txt").symlink_to("self.txt")
    article(tmp_path / "dir" / "good.txt", "Good")
    paths, errors = expand_paths([str(tmp_path / name) for name in ("self.txt", "gone.txt", "dir")])
    assert [path.name for path in paths] == ["good.txt"]
    assert [str(error) for error in errors] == [
        f"{tmp_path}/self.txt: symbolic link loop (too many levels of symbolic links)",
        f"{tmp_path}/gone.txt: broken symbolic link (its target does not exist)",
        f"{tmp_path}/dir/self.txt: symbolic link loop (too many levels of symbolic links)",
    ]


# -- item 15: unreadable files and directories ---------------------------------------


def test_unreadable_directories_are_named_and_the_rest_imports(tmp_path: Path) -> None:
    article(tmp_path / "in" / "good.txt", "Good")
    article(tmp_path / "in" / "locked" / "hidden.txt", "Hidden")
    article(tmp_path / "closed" / "other.txt", "Other")
    for name in ("in/locked", "closed"):
        (tmp_path / name).chmod(0)
    try:
        result = redline(tmp_path, "import", "in", "closed", privileged=False)
    finally:
        for name in ("in/locked", "closed"):
            (tmp_path / name).chmod(0o755)
    assert error_lines(result) == [
        "✗ in/locked: cannot read directory: permission denied",
        "✗ closed: cannot read directory: permission denied",
    ]
    assert result.stdout.strip() == "imported 1, skipped 0 duplicates, failed 2"
    assert result.returncode == 1


def test_unreadable_files_fail_alone(tmp_path: Path) -> None:
    article(tmp_path / "plain" / "good.txt", "Good")
    article(tmp_path / "plain" / "bad.txt", "Bad")
    brat = tmp_path / "brat"
    brat.mkdir()
    for name, text, ann in (("a", "Paris is big.", "T1\tGPE 0 5\tParis"),
                            ("b", "Rome is old.", "T1\tGPE 0 4\tRome")):  # fmt: skip
        (brat / f"{name}.txt").write_text(text)
        (brat / f"{name}.ann").write_text(ann + "\n")
    unreadable = [tmp_path / "plain" / "bad.txt", brat / "a.ann"]
    for path in unreadable:
        path.chmod(0)
    try:
        result = redline(tmp_path, "import", "plain", "brat", privileged=False)
    finally:
        for path in unreadable:
            path.chmod(0o644)
    lines = error_lines(result)
    assert "✗ brat/a.ann: permission denied" in lines  # it used to abort the whole import
    assert "✗ plain/bad.txt: permission denied" in lines
    assert result.stdout.splitlines()[-1] == "imported 2, skipped 0 duplicates, failed 2"
    assert "brat (brat): 1 record(s), 1 new article(s), 1 span(s) added" in result.stdout
    assert result.returncode == 1


# -- item 9: markup in paths ---------------------------------------------------------


def test_markup_and_controls_in_paths_are_printed_literally(db: Database, tmp_path: Path) -> None:
    good = article(tmp_path / "sample.md", "Sample")
    odd = article(tmp_path / "[red]odd[/].txt", "Odd name")
    buffer = io.StringIO()
    console = Console(file=buffer, width=300, color_system=None)
    missing = str(tmp_path / "x[/]y.txt")
    hostile = str(tmp_path / "\x1b[2Jclear.txt")
    summary = import_files(db, [str(good), missing, str(odd), hostile], console=console)
    assert (summary.imported, summary.failed) == (2, 2)
    output = buffer.getvalue()
    assert f"✗ {missing}: no importable files match this pattern" in output
    assert f"✗ {tmp_path}/\u241b[2Jclear.txt: no importable files match this pattern" in output
    assert "\x1b" not in output


# -- item 12: the summary always prints, failures make the exit code ----------------


def test_bad_records_fail_alone_and_the_summary_prints(tmp_path: Path) -> None:
    article(tmp_path / "first.txt", "First")
    (tmp_path / "deep.jsonl").write_text("[" * 10_000 + "]" * 10_000 + "\n")
    lines = [json.dumps({"text": f"Doccano {n}.", "label": [[0, 7, "PERSON"]]}) for n in range(3)]
    lines.insert(1, '{"text": "Huge.", "label": [], "n": ' + "9" * 5000 + "}")
    (tmp_path / "doccano.jsonl").write_text("\n".join(lines) + "\n")
    article(tmp_path / "last.txt", "Last")
    result = redline(tmp_path, "import", "first.txt", "deep.jsonl", "doccano.jsonl", "last.txt")
    assert error_lines(result) == [
        "✗ doccano.jsonl: line 2: a number is too long (5000 digits; the limit is 4300)",
        "✗ deep.jsonl: line 1: JSON nested too deeply (the limit is 100 levels)",
    ]
    assert result.stdout.splitlines()[-1] == "imported 5, skipped 0 duplicates, failed 2"
    assert result.returncode == 1


def test_annotated_jsonl_found_in_a_directory_keeps_its_labels(
    db: Database, tmp_path: Path
) -> None:
    """Found by a walk or a glob, a doccano file is still read as doccano (item 5)."""
    article(tmp_path / "in" / "plain.txt", "Plain")
    lines = [json.dumps({"text": "No label on the first line."})]
    label = [[0, 11, "PERSON"]]
    lines += [json.dumps({"text": f"Kaja Kallas {n}.", "label": label}) for n in (1, 2)]
    (tmp_path / "in" / "labelled.jsonl").write_text("\n".join(lines) + "\n")
    patterns = (str(tmp_path / "in"), str(tmp_path / "in" / "*.jsonl"))
    expected = ("2 span(s) added, 0 already present", "0 span(s) added, 2 already present")
    for pattern, spans in zip(patterns, expected, strict=True):
        console = Console(file=io.StringIO(), width=300)
        summary = import_files(db, [pattern], console=console, annotator="ana")
        assert summary.failed == 0
        [line] = summary.annotated
        assert "(doccano): 3 record(s)" in line and spans in line
    with db.reading() as session:
        assert session.exec(select(func.count()).select_from(Span)).one() == 2


def test_a_file_named_like_markup_imports_under_a_live_progress_bar(
    db: Database, tmp_path: Path
) -> None:
    """A path that exists is a path, not a glob; the progress bar shows its name as text."""
    named = article(tmp_path / "[red]x.txt", "Markup name")
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    summary = import_files(db, [str(named)], console=console)
    assert (summary.imported, summary.failed) == (1, 0)
    assert "[red]x.txt" in buffer.getvalue()


def test_an_interrupted_import_says_what_it_stored(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.commands.import_files as command

    first = article(tmp_path / "a.txt", "First")
    second = article(tmp_path / "b.txt", "Second")
    stored = command.add_articles
    calls: list[int] = []

    def interrupted_on_the_second(database, articles):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return stored(database, articles)

    monkeypatch.setattr(command, "add_articles", interrupted_on_the_second)
    buffer = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        import_files(db, [str(first), str(second)], console=Console(file=buffer, width=200))
    assert "import interrupted: imported 1, skipped 0 duplicates, failed 0 so far" in (
        buffer.getvalue()
    )
