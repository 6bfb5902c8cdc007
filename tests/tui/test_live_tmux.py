"""The installed ``redline`` in a real terminal follows another program's work (issue 14
item 5): its library counts an article that another process marked done, without a key."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.tui.test_tmux_session import SOCKET, TMUX, _imported, _start, _stop, _wait_for

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")

MARK_DONE = """\
import sys
from storage.db import open_db
from storage.repository import Repository
database = open_db(sys.argv[1])
with Repository(database, "tmux") as repository:
    repository.set_state(1, "done")
database.dispose()
"""


@pytest.fixture(scope="module", autouse=True)
def _own_tmux_server() -> Iterator[None]:
    yield
    subprocess.run([TMUX, "-L", SOCKET, "kill-server"], capture_output=True)  # type: ignore[list-item]


def test_library_counts_another_programs_done_article(tmp_path: Path) -> None:
    database = _imported(tmp_path)
    name = _start(database)
    try:
        _wait_for(name, lambda s: "0 of 7 done" in s, "the library")
        subprocess.run(
            [sys.executable, "-c", MARK_DONE, str(database)], check=True, cwd=ROOT, timeout=60
        )
        # The app polls PRAGMA data_version every 2 s: no key is pressed here.
        _wait_for(name, lambda s: "1 of 7 done" in s, "the count from the other program")
    finally:
        _stop(name)
