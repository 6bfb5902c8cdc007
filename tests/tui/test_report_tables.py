"""``redline list``/``stats``/``schema`` read well: words for states, 80 columns for the schema."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from storage.articles import add_articles
from storage.db import Database
from storage.repository import Repository
from storage.schema import load_config, schema_rows
from tests.tui.app_fixtures import sample_articles
from tui.commands.report import print_articles, print_schema, print_stats

ROOT = Path(__file__).parents[2]


def _printed(draw, width: int = 120) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    draw(Console(file=out, width=width, color_system=None))
    return out.getvalue()


def test_states_read_as_words_in_list_and_stats(db: Database) -> None:
    add_articles(db, sample_articles()[:2])
    with Repository(db, "ana") as repository:
        repository.set_state(1, "in_progress")
    listed = _printed(lambda console: print_articles(console, db, "ana", "", None, 10))
    assert "in progress" in listed and "in_progress" not in listed
    stats = _printed(lambda console: print_stats(console, db, "ana"))
    assert "in progress" in stats and "in_progress" not in stats


def test_schema_fits_80_columns_with_every_key_whole(tmp_path: Path) -> None:
    config = load_config(None, cwd=tmp_path)
    printed = _printed(lambda console: print_schema(console, config), width=80)
    lines = printed.splitlines()
    assert max(len(line) for line in lines) <= 80
    starts = {line.split()[0] for line in lines if line.strip()}
    for _, key, *_ in schema_rows(config.schema):
        assert key in starts  # a key is never broken across lines
    person = next(i for i, line in enumerate(lines) if line.split()[:1] == ["PERSON"])
    assert "1" in lines[person].split() and "Person" in lines[person]
    # the description takes the room: PERSON's fits in two lines, not five
    assert "(not by job title alone)" in " ".join(lines[person : person + 2])


def test_schema_in_a_pipe_without_columns_is_80_wide(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(tmp_path / "r.db"), "schema"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert "Entity labels" in lines and "Topics" in lines
    assert max(len(line) for line in lines) <= 80
