"""The review stream in a real terminal (tmux): a, a, r and the wrap, on the installed redline."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import queries
from storage.db import open_db
from tests.tui.test_tmux_session import REDLINE, SOCKET, TMUX, _start, _stop, _tmux, _wait_for

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")

TEXT = "Kallas in Astana\n\nKaja Kallas met Murat Nurtleu in Astana on Monday to discuss trade.\n"
"""Five suggestions from the built-in rules: Kallas, Astana, Kaja Kallas, Murat Nurtleu, Astana."""


@pytest.fixture(scope="module", autouse=True)
def _own_tmux_server() -> Iterator[None]:
    yield
    subprocess.run([TMUX, "-L", SOCKET, "kill-server"], capture_output=True)  # type: ignore[list-item]


def _statuses(path: Path) -> dict[tuple[int, str], str]:
    database = open_db(str(path))
    try:
        statuses = ("accepted", "suggested", "rejected")
        spans = queries.spans_for(database, 1, "tmux", statuses=statuses)
        return {(span.start, span.text): span.status for span in spans}
    finally:
        database.dispose()


def test_accept_accept_reject_wraps_in_tmux(tmp_path: Path) -> None:
    article = tmp_path / "meeting.txt"
    article.write_text(TEXT, encoding="utf-8")
    database = tmp_path / "redline.db"
    subprocess.run(
        [str(REDLINE), "--db", str(database), "import", str(article)],
        check=True,
        capture_output=True,
    )
    name = _start(database)
    try:
        _wait_for(name, lambda s: "0 of 1 done" in s, "the library")
        _tmux("send-keys", "-t", name, "Enter")
        _wait_for(name, lambda s: "5 pending" in s, "the suggestions in the status bar")
        _tmux("send-keys", "-t", name, "/")
        _wait_for(name, lambda s: "search in article" in s, "the search bar")
        _tmux("send-keys", "-t", name, "Murat")
        _wait_for(name, lambda s: "1 match" in s, "the match")
        _tmux("send-keys", "-t", name, "Enter")
        _wait_for(name, lambda s: "1 match" not in s, "the search bar to close")

        _tmux("send-keys", "-t", name, "a")  # Murat Nurtleu; on to the last Astana
        _wait_for(name, lambda s: "4 pending" in s, "one accepted")
        _tmux("send-keys", "-t", name, "a")  # the last Astana; wraps to the first suggestion
        screen = _wait_for(name, lambda s: "3 pending" in s, "two accepted")
        if "Wrapped to the first pending" not in screen:
            _wait_for(name, lambda s: "Wrapped to the first pending" in s, "the wrap notice")
        _tmux("send-keys", "-t", name, "r")  # "Kallas" in the title line
        _wait_for(name, lambda s: "2 pending" in s, "one rejected")
        assert _statuses(database) == {
            (0, "Kallas"): "rejected",
            (10, "Astana"): "suggested",
            (18, "Kaja Kallas"): "suggested",
            (34, "Murat Nurtleu"): "accepted",
            (51, "Astana"): "accepted",
        }
    finally:
        _stop(name)
