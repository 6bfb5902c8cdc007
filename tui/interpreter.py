"""Process-wide interpreter settings the app runs under: GIL hand-over and the garbage collector.

Both are settings of the whole Python process, not of a screen, so the app
sets them when it mounts (:func:`tune`) and puts them back when it goes
(:func:`restore`): several apps run one after another in one process in the
tests and benchmarks.
"""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass

GIL_SWITCH_SECONDS = 0.0005
"""How often a thread holding the GIL hands it over (Python's default: 0.005)."""
GC_YOUNG = 20_000
"""Allocations between two collections of the youngest generation (Python's default: 700)."""


@dataclass(frozen=True)
class Settings:
    """What :func:`tune` replaced, for :func:`restore`."""

    switch_interval: float
    gc_threshold: tuple[int, ...]


def tune() -> Settings:
    """Shorten the GIL switch interval and move the objects alive now out of the GC's reach.

    The writer thread gives the GIL up on every SQLite call and must get it
    back while the screen renders; at Python's default 5 ms switch interval a
    write of ~30 statements can wait 100+ ms for it (the convoy effect).

    The imports, the schema, Textual and the database layer (~100,000 objects)
    live as long as the app; each full collection walked them all, which took
    50-350 ms in the middle of search keystrokes on a loaded 2-core machine.
    ``gc.freeze`` moves them to the permanent generation, never walked again,
    and the youngest generation is collected every ``GC_YOUNG`` allocations
    instead of 700 (a keystroke allocates thousands: it was hundreds of
    collections per word typed). There is no ``gc.collect()`` first: at mount
    it found nothing to free (the automatic collections during the imports
    already ran) and cost ~50 ms of start-up; a frozen object that is not in a
    reference cycle is still freed by its reference count.
    """
    settings = Settings(sys.getswitchinterval(), gc.get_threshold())
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *settings.gc_threshold[1:])
    return settings


def restore(settings: Settings) -> None:
    """Undo :func:`tune`: the frozen objects are seen by the collector again."""
    gc.unfreeze()
    gc.set_threshold(*settings.gc_threshold)
    sys.setswitchinterval(settings.switch_interval)
