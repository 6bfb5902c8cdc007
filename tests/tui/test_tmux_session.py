"""The installed ``redline`` in a real terminal (tmux): open → tag → done; a locked database."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storage import queries
from storage.db import open_db

TMUX = shutil.which("tmux")
REDLINE = Path(sys.executable).parent / "redline"
SAMPLES = Path(__file__).resolve().parents[2] / "sample_articles"

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


SOCKET = f"redline-tests-{os.getpid()}"
"""A tmux server of our own: other programs' tmux sessions (or a kill-server) never touch it."""


def _tmux(*args: str) -> str:
    assert TMUX is not None
    command = [TMUX, "-L", SOCKET, *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module", autouse=True)
def _own_tmux_server() -> Iterator[None]:
    yield
    subprocess.run([TMUX, "-L", SOCKET, "kill-server"], capture_output=True)  # type: ignore[list-item]


def _wait_for(
    session: str, predicate: Callable[[str], bool], what: str, timeout: float = 30
) -> str:
    """Poll the pane until ``predicate`` holds on its text (the app runs at its own pace)."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if predicate(screen):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; screen was:\n{screen}")


def _imported(tmp_path: Path) -> Path:
    database = tmp_path / "redline.db"
    for target in (SAMPLES / "kazakhstan-eu-kallas.md", SAMPLES):
        subprocess.run(
            [str(REDLINE), "--db", str(database), "import", str(target)],
            check=True,
            capture_output=True,
        )
    return database


def _start(database: Path, *options: str) -> str:
    """``redline`` as annotator "tmux" in a new detached tmux session; its name."""
    name = f"redline-test-{uuid.uuid4().hex[:8]}"
    command = " ".join([f"{REDLINE} --db {database} --annotator tmux", *options])
    # Fix the window at 120x40 before redline starts: a detached session may
    # otherwise take the server's default size (80x24) or another client's.
    _tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40", "cat")
    _tmux("set-option", "-t", name, "window-size", "manual")
    _tmux("resize-window", "-t", name, "-x", "120", "-y", "40")
    _tmux("respawn-pane", "-k", "-t", name, command)
    return name


def _stop(name: str) -> None:
    subprocess.run([TMUX, "-L", SOCKET, "kill-session", "-t", name], capture_output=True)  # type: ignore[list-item]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    database = _imported(tmp_path)
    name = _start(database)
    try:
        yield name, database
    finally:
        _stop(name)


def test_open_tag_done_in_tmux(session: tuple[str, Path]) -> None:
    name, path = session
    _wait_for(name, lambda s: "0 of 7 done" in s and "Kazakhstan" in s, "the library")
    _tmux("send-keys", "-t", name, "Enter")
    _wait_for(name, lambda s: "article 1 of 7" in s, "the reader")
    _tmux("send-keys", "-t", name, "/")
    # Keys that arrive in the same burst as "/" are already queued for the
    # reading pane; a person types slower than the focus moves.
    _wait_for(name, lambda s: "search in article" in s, "the search bar")
    _tmux("send-keys", "-t", name, "Murat")
    _wait_for(name, lambda s: "1 match" in s, "the search result")
    _tmux("send-keys", "-t", name, "Enter")  # closes the bar, "Murat" selected
    _wait_for(name, lambda s: "1 match" not in s, "the search bar to close")
    _tmux("send-keys", "-t", name, ">", "1")  # the selection's end one token on: PERSON
    # Accepted, the mention loses the " ?" that marks a suggestion in the panel.
    accepted = re.compile(r"PERSON\s+Murat Nurtleu\s+│")
    _wait_for(name, lambda s: bool(accepted.search(s)), "the entity in the panel")
    database = open_db(str(path))
    try:
        [span] = queries.spans_for(database, 1, "tmux", statuses=("accepted",))
        assert (span.text, span.label) == ("Murat Nurtleu", "PERSON")
        _tmux("send-keys", "-t", name, "d")  # suggestions are still pending: keep them
        _wait_for(name, lambda s: "still pending" in s, "the question about pending suggestions")
        _tmux("send-keys", "-t", name, "k")
        _wait_for(name, lambda s: "article 2 of 7" in s, "the next article")
        assert queries.article_state(database, 1, "tmux") == "done"
    finally:
        database.dispose()


def _search(name: str, word: str) -> None:
    """Select the only match of ``word`` (as a person would: /, word, enter)."""
    _tmux("send-keys", "-t", name, "/")
    _wait_for(name, lambda s: "search in article" in s, "the search bar")
    _tmux("send-keys", "-t", name, word)
    _wait_for(name, lambda s: "1 match" in s, f"the match for {word}")
    _tmux("send-keys", "-t", name, "Enter")  # the count goes with the bar
    _wait_for(name, lambda s: "1 match" not in s, "the search bar to close")


def test_two_labels_during_a_lock_are_saved_in_order_in_tmux(session: tuple[str, Path]) -> None:
    """Issue 18 item 1 in a real terminal: lock the file, label two words, release, ctrl+s."""
    name, path = session
    _wait_for(name, lambda s: "0 of 7 done" in s, "the library")
    _tmux("send-keys", "-t", name, "Enter")
    _wait_for(name, lambda s: "article 1 of 7" in s and "● saved" in s, "the reader")
    time.sleep(1.0)  # let the suggesters that run on open finish their write
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        _search(name, "Brussels")
        _tmux("send-keys", "-t", name, "1")
        _wait_for(name, lambda s: "saving" in s, "the first write to start")
        _search(name, "Murat")  # the screen answers while the writer waits on the lock
        _tmux("send-keys", "-t", name, "2")
        # redline's busy timeout is 10 s; then both actions wait in the queue.
        _wait_for(name, lambda s: "2 unsaved" in s, "two unsaved actions", timeout=40)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    _tmux("send-keys", "-t", name, "C-s")
    _wait_for(name, lambda s: "● saved" in s, "both actions saved")
    database = open_db(str(path))
    try:
        spans = queries.spans_for(database, 1, "tmux", statuses=("accepted",))
        # "Murat" may sit inside a suggested "Murat Nurtleu": 2 then relabels that one.
        brussels = next(span for span in spans if span.text == "Brussels")
        murat = next(span for span in spans if span.text.startswith("Murat"))
        assert (brussels.label, murat.label) == ("PERSON", "ORG")
        assert brussels.updated_at < murat.updated_at  # stored in the order typed
    finally:
        database.dispose()


def _accepted(path: Path) -> list[str]:
    database = open_db(str(path))
    try:
        spans = queries.spans_for(database, 1, "tmux", statuses=("accepted",))
        return sorted(span.text for span in spans)
    finally:
        database.dispose()


def _wait_for_rows(path: Path, expected: list[str], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while (found := _accepted(path)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert found == expected, f"waiting for {what}: accepted spans are {found}"


def test_two_programs_same_annotator_undo_only_their_own_in_tmux(tmp_path: Path) -> None:
    """Issue 18 item 2 in real terminals: two redline, one annotator; u stays in its program."""
    path = _imported(tmp_path)
    # Suggestions on open are an undoable action of whichever program stores them first, at a
    # moment that depends on the machine's load: leave them out, so `u` meets only the labels.
    settings = tmp_path / "redline.toml"
    settings.write_text("[suggest]\non_open = false\n", encoding="utf-8")
    first = _start(path, "--schema", str(settings))
    second = _start(path, "--schema", str(settings))
    try:
        for name in (first, second):
            _wait_for(name, lambda s: "0 of 7 done" in s, "the library")
            _tmux("send-keys", "-t", name, "Enter")
            _wait_for(name, lambda s: "article 1 of 7" in s, "the reader")
        _search(first, "negotiations")
        _tmux("send-keys", "-t", first, "1")
        _wait_for_rows(path, ["negotiations"], "the first program's label")
        _search(second, "welcomed")
        _tmux("send-keys", "-t", second, "1")
        _wait_for_rows(path, ["negotiations", "welcomed"], "the second program's label")
        _tmux("send-keys", "-t", first, "u")  # the annotator's latest action is the second's
        _wait_for_rows(path, ["welcomed"], "undo in the first program")
        _wait_for(first, lambda s: "Undone" in s, "the first program's undo notice")
        _tmux("send-keys", "-t", second, "u")
        _wait_for_rows(path, [], "undo in the second program")
    finally:
        _stop(first)
        _stop(second)
