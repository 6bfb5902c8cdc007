"""The scale case's measurements inside the app (:mod:`bench.case_scale`): search as you
type in the library, key by key, against a bare Textual app echoing each key, and the
process's peak memory.

Each typed character is timed from its key event to the first paint after the
library's table has been refilled with the new result (the in-app probe,
``bench/probe.py``); the worker's ``list_articles`` call (the query) and
``LibraryScreen._show`` (the table refill) are timed inside it.
"""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from textual.widgets import Input


def rss_mb() -> float:
    """Peak resident memory of this process image, in MiB.

    Linux keeps ``ru_maxrss`` across ``fork``/``exec``: a child starts with its
    parent's high-water mark (the bench runner's, after the other cases), so
    ``VmHWM`` from ``/proc/self/status`` (the peak of this image only) is used
    where it exists, and ``getrusage`` elsewhere.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@contextmanager
def _timed(owner: Any, name: str, into: list[float]) -> Iterator[None]:
    """Replace ``owner.name`` by a wrapper appending each call's seconds to ``into``."""
    from bench.probe import now

    original = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = now()
        try:
            return original(*args, **kwargs)
        finally:
            into.append(now() - started)

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


async def search_times(database: Any, words: list[str]) -> list[dict[str, float]]:
    """Type each word one character at a time: per key, seconds from Input.Changed to
    repaint (``total``), in the worker's page query (``query``) and the refill (``refill``)."""
    from bench.apps import SIZE, redline_app, rows_painted
    from bench.probe import Probe, now
    from storage import queries
    from tui.screens.library import LibraryScreen

    probe = Probe()
    show = LibraryScreen._show
    query_s: list[float] = []
    refill_s: list[float] = []

    def shown(screen: LibraryScreen, *args: Any) -> None:
        started = now()
        show(screen, *args)
        refill_s.append(now() - started)
        probe.marks.setdefault("shown", now())

    def on_paint(screen: Any, at: float) -> None:
        if "shown" in probe.marks:
            probe.finish("painted", at)

    results: list[dict[str, float]] = []
    LibraryScreen._show = shown  # type: ignore[method-assign]
    try:
        with probe, _timed(queries, "list_articles", query_s):
            app = redline_app(database)
            async with app.run_test(size=SIZE, message_hook=probe.message_hook) as pilot:
                probe.reset()
                probe.on_paint = lambda screen, at: rows_painted(screen) and probe.finish("r", at)
                await probe.wait()
                await pilot.press("slash")
                await pilot.pause()
                for word in words:
                    for character in word:
                        probe.reset()
                        query_s.clear()
                        refill_s.clear()
                        probe.on_paint = on_paint
                        await pilot.press(character)
                        await probe.wait(300)
                        pressed = probe.keys[0][1] if probe.keys else probe.messages[Input.Changed]
                        results.append(
                            {
                                "total": probe.marks["painted"] - pressed,
                                "query": query_s[-1] if query_s else 0.0,
                                "refill": refill_s[-1] if refill_s else 0.0,
                            }
                        )
                        await pilot.pause()
                    probe.reset()
                    probe.on_paint = on_paint
                    await pilot.press("escape")
                    await probe.wait(300)
                    await pilot.press("slash")
                    await pilot.pause()
    finally:
        LibraryScreen._show = show  # type: ignore[method-assign]
    return results


async def echo_times(words: list[str]) -> list[float]:
    """The baseline: seconds from each key event to the paint of a bare app whose
    ``Input`` echoes its value into a ``Static`` (the same words typed)."""
    from textual.app import App, ComposeResult
    from textual.content import Content
    from textual.widgets import Static

    from bench.apps import SIZE
    from bench.probe import Probe, now

    probe = Probe()

    class SearchEcho(App[None]):
        def compose(self) -> ComposeResult:
            yield Input(id="search")
            yield Static(id="echo")

        def on_input_changed(self, event: Input.Changed) -> None:
            self.query_one("#echo", Static).update(Content(event.value))
            probe.marks.setdefault("shown", now())

    def on_paint(screen: Any, at: float) -> None:
        if "shown" in probe.marks:
            probe.finish("painted", at)

    results: list[float] = []
    with probe:
        app = SearchEcho()
        async with app.run_test(size=SIZE, message_hook=probe.message_hook) as pilot:
            await pilot.pause()
            for word in words:
                for character in word:
                    probe.reset()
                    probe.on_paint = on_paint
                    await pilot.press(character)
                    await probe.wait(60)
                    results.append(probe.marks["painted"] - probe.keys[0][1])
                    await pilot.pause()
                app.query_one(Input).value = ""
                await pilot.pause()
    return results
