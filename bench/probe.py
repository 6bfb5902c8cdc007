"""Hooks that time a Textual app from the inside: paints, key events and actions.

Headless ``App.run_test`` still composites every frame (``Screen._compositor_refresh``
renders the changed lines); only the write to the terminal is skipped. So the
moment that method returns is "painted", and patching it (class-wide, for the
duration of a measurement) timestamps every paint of every app measured the
same way, redline and baselines alike. Times use ``textual._time.get_time``,
the clock Textual stamps messages with, so a key's ``event.time`` and a paint
time can be subtracted.

Pilot's own ``press`` + ``pause`` waits for the CPU to go idle (tens of ms on
a bare app), which is why in-app times come from these hooks instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from textual import _time
from textual.app import App
from textual.message import Message
from textual.screen import Screen

now = _time.get_time
"""Textual's clock (monotonic): the one ``Message.time`` uses."""


@dataclass
class Probe:
    """Paint times, action spans and the latest key event, while the probe is entered.

    ``on_paint(screen, time)`` is called after every paint; it may set
    :attr:`done` (an :class:`asyncio.Event`) to release :meth:`wait`.
    """

    on_paint: Callable[[Screen[Any], float], None] | None = None
    paints: list[float] = field(default_factory=list)
    actions: list[tuple[str, float, float]] = field(default_factory=list)
    keys: list[tuple[str, float]] = field(default_factory=list)
    messages: dict[type[Message], float] = field(default_factory=dict)
    marks: dict[str, float] = field(default_factory=dict)
    done: asyncio.Event | None = None
    _saved: tuple[Any, Any] | None = None

    def __enter__(self) -> Probe:
        refresh = Screen._compositor_refresh
        dispatch = App._dispatch_action
        probe = self

        def compositor_refresh(screen: Screen[Any]) -> None:
            refresh(screen)
            painted = now()
            probe.paints.append(painted)
            if probe.on_paint is not None:
                probe.on_paint(screen, painted)

        async def dispatch_action(app: App[Any], namespace: Any, name: str, params: Any) -> bool:
            started = now()
            try:
                return await dispatch(app, namespace, name, params)
            finally:
                probe.actions.append((name, started, now()))

        self._saved = (refresh, dispatch)
        Screen._compositor_refresh = compositor_refresh  # type: ignore[method-assign]
        App._dispatch_action = dispatch_action  # type: ignore[method-assign]
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._saved is not None
        Screen._compositor_refresh, App._dispatch_action = self._saved  # type: ignore[method-assign]
        self._saved = None

    def message_hook(self, message: Message) -> None:
        """Pass to ``run_test(message_hook=...)``: records keys and first sightings of messages."""
        from textual import events

        if isinstance(message, events.Key):
            if not self.keys or self.keys[-1][1] != message.time:
                self.keys.append((message.key, message.time))
        self.messages.setdefault(type(message), now())

    def reset(self) -> None:
        self.paints.clear()
        self.actions.clear()
        self.keys.clear()
        self.messages.clear()
        self.marks.clear()
        self.done = asyncio.Event()

    async def wait(self, timeout: float = 120.0) -> None:
        """Wait until ``on_paint`` sets :attr:`done`."""
        assert self.done is not None
        await asyncio.wait_for(self.done.wait(), timeout)

    def finish(self, name: str, when: float | None = None) -> None:
        """Record mark ``name`` (first time only) and release :meth:`wait`."""
        self.marks.setdefault(name, now() if when is None else when)
        if self.done is not None:
            self.done.set()


@dataclass(frozen=True)
class KeyTiming:
    """One key press measured inside the app (seconds)."""

    key: str
    handled: float
    """Key event created → its action returned (the work the key does)."""
    painted: float
    """Key event created → the last paint it caused (the frame showing the result)."""


def key_timing(probe: Probe, key: str) -> KeyTiming:
    """Read the timing of the key pressed since the last :meth:`Probe.reset`."""
    if not probe.keys:
        raise RuntimeError(f"key {key!r} never reached the app")
    _, pressed = probe.keys[0]
    action_end = max((end for _, _, end in probe.actions), default=pressed)
    last_paint = max((t for t in probe.paints if t >= pressed), default=action_end)
    return KeyTiming(key, action_end - pressed, max(last_paint, action_end) - pressed)
