"""Moving between the reader's articles: where this one is, stepping, finishing one.

Functions of the :class:`~tui.screens.reader.screen.ReaderScreen` (its
``action_*`` methods call them). ``d``/``s`` finish the article: its state is
stored with the seconds spent on it, then the next article opens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.services import redline_app, services

if TYPE_CHECKING:
    from tui.screens.reader.screen import ReaderScreen


def position(sequence: list[int], article_id: int) -> int:
    """1-based place of ``article_id`` in ``sequence``; 0 when it is not in it."""
    return sequence.index(article_id) + 1 if article_id in sequence else 0


def step(reader: ReaderScreen, delta: int) -> None:
    """Open the article ``delta`` places on in the reader's sequence, if there is one."""
    if reader.article_id not in reader.sequence:
        return
    index = reader.sequence.index(reader.article_id) + delta
    if 0 <= index < len(reader.sequence):
        reader.open_article(reader.sequence[index])
    else:
        reader.notify("No more articles this way.", timeout=2)


def finish(
    reader: ReaderScreen, state: str, first: Callable[[], Any] | None = None, what: str = ""
) -> None:
    """Mark the article ``state`` and open the next; ``first`` (e.g. accept all) runs in
    the same action: one event, one undo step."""
    now = time.monotonic()
    seconds, reader.opened_at = now - reader.opened_at, now
    article_id, repository = reader.article_id, services(reader).repository
    description = f"{what}, mark {state}" if what else f"mark {state}"

    def marked(_: object) -> None:
        reader.notify(f"Marked {state.replace('_', ' ')}", timeout=2)
        if state == "done":
            redline_app(reader).article_done()
        reader.action_step_article(1)

    def write() -> Any:
        if first is None:
            return repository.set_state(article_id, state, seconds)
        with repository.batch("annotate", article_id, description):
            first()
            return repository.set_state(article_id, state, seconds)

    reader.save(write, description, marked)
