"""The headless core stays headless (harlequin's trick): ``storage`` and the non-TUI
commands never import Textual, and storage leaves the heavy libraries to the
functions that need them. Each check runs in a fresh interpreter, because this
test process has long since imported everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import typer

from tests.conftest import SAMPLES
from tui import cli

ROOT = Path(__file__).resolve().parent.parent
# storage.migrations.env is an Alembic script run by the migration runner, not a module.
NOT_MODULES = ["storage.migrations.env"]
HEAVY = ["textual", "tui", "spacy", "thinc", "pyarrow", "datasets", "trafilatura"]

STORAGE_PROBE = """
import importlib, json, pkgutil, sys
import storage
imported = []
for info in pkgutil.walk_packages(storage.__path__, "storage."):
    if info.name not in NOT_MODULES:
        importlib.import_module(info.name)
        imported.append(info.name)
print(json.dumps({"imported": imported, "loaded": [m for m in HEAVY if m in sys.modules]}))
"""

CLI_PROBE = """
import json, sys
from tui import cli
results = []
for argv in COMMANDS:
    sys.argv = ["redline", *argv]
    try:
        cli.main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    textual = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
    results.append({"argv": argv, "code": code, "textual": textual[:3]})
sys.stdout.flush()
print("PROBE " + json.dumps(results))
"""


def python(code: str, cwd: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT), **extra_env},
        timeout=120,
    )


def test_storage_imports_no_ui_and_no_heavy_library(tmp_path: Path) -> None:
    code = f"NOT_MODULES = {NOT_MODULES!r}\nHEAVY = {HEAVY!r}\n" + STORAGE_PROBE
    result = python(code, tmp_path)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    report = json.loads(result.stdout)
    assert {"storage.db", "storage.repository", "storage.queries"} <= set(report["imported"])
    assert len(report["imported"]) > 20  # the walk really reached the subpackages
    assert report["loaded"] == []


def _commands() -> set[str]:
    group = typer.main.get_command(cli.app)
    return set(getattr(group, "commands", {}))


def test_headless_commands_never_import_textual(tmp_path: Path) -> None:
    sample = next(SAMPLES.glob("06_*.txt"))
    commands: list[list[str]] = [
        ["--help"],
        ["import", str(sample)],
        ["list"],
        ["stats"],
        ["schema"],
        ["db", "upgrade"],
    ]
    for name in ("export", "suggest"):
        if name in _commands():
            commands.append([name, "--help"])
    code = f"COMMANDS = {commands!r}\n" + CLI_PROBE
    result = python(code, tmp_path, REDLINE_DB=str(tmp_path / "r.db"), REDLINE_ANNOTATOR="t")
    assert "Traceback" not in result.stderr, result.stderr
    [probe] = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    for outcome in json.loads(probe.removeprefix("PROBE ")):
        assert outcome["code"] == 0, (outcome, result.stderr)
        assert outcome["textual"] == [], f"redline {' '.join(outcome['argv'])} imported Textual"
