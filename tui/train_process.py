"""Training in a child process, so the GIL stays with the app's screen.

In a thread of the app, training held the GIL enough to delay the reader's
keys by 14-25 ms at the 95th percentile and 60-250 ms at worst (in a separate
process: 2-3 ms and 30-55 ms; see the README). :func:`train_in_process` runs
``storage.train.loop.train_prepared`` in a new Python process on data the app
has already read (``storage.train.loop.prepare``), so the child never opens
the database.

The child is started with :mod:`subprocess`, not :mod:`multiprocessing`:
inside a Textual app ``sys.stderr`` is Textual's print capture, whose
``fileno()`` is -1, and multiprocessing's resource tracker fails on it
("bad value(s) in fds_to_keep"). Two pipes carry pickled messages
(``multiprocessing.connection.Connection`` framing), in lockstep: the child
sends each step's ``TrainProgress`` and waits for the parent's answer, True to
go on or False to stop (the app is closing). So the child never runs ahead of a
parent that stopped listening, a parent that died (the pipe breaks) stops it,
a stop before saving saves nothing, and a save in progress finishes
(``models/latest`` only ever names a complete model). No Textual here: the
child imports only this module and ``storage.train``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.errors import StorageError

if TYPE_CHECKING:
    from storage.schema import Schema
    from storage.train.loop import Prepared, TrainOptions, TrainProgress, TrainResult

POLL_SECONDS = 0.1
"""How often the parent looks at whether the child is still alive while it waits."""
EXIT_SECONDS = 30.0
"""How long the parent waits for the child to end once it has its outcome (or stopped it)."""
ROOT = Path(__file__).resolve().parents[1]
BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from tui.train_process import child_main; child_main(int(sys.argv[2]), int(sys.argv[3]))"
)


class TrainingFailed(Exception):
    """Training raised something other than a ``StorageError`` (carried back as its line)."""


def train_in_process(
    prepared: Prepared,
    schema: Schema,
    options: TrainOptions,
    *,
    progress: Callable[[TrainProgress], None],
    cancelled: Callable[[], bool],
) -> TrainResult:
    """``train_prepared`` in a child process; ``progress`` and ``cancelled`` run here.

    Raises ``StorageError`` (too little data, cancelled, the child died) or
    :class:`TrainingFailed` with the child's line.
    """
    to_child, child_in = os.pipe()
    child_out, from_child = os.pipe()
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", BOOT, str(ROOT), str(to_child), str(from_child)],
            pass_fds=(to_child, from_child),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # the terminal is the app's screen
            start_new_session=True,  # ctrl+c in the terminal is the app's, not the child's
        )
    finally:
        os.close(to_child)
        os.close(from_child)
    outbox, inbox = Connection(child_in, readable=False), Connection(child_out, writable=False)
    try:
        outbox.send((prepared, schema, options))
        return _relay(inbox, outbox, child, progress, cancelled)
    except (BrokenPipeError, EOFError):
        raise StorageError(_ended(child)) from None
    finally:
        outbox.close()  # a child still waiting for an answer reads the end and stops
        inbox.close()
        try:
            child.wait(EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _relay(
    inbox: Connection,
    outbox: Connection,
    child: subprocess.Popen[bytes],
    progress: Callable[[TrainProgress], None],
    cancelled: Callable[[], bool],
) -> TrainResult:
    while True:
        if not inbox.poll(POLL_SECONDS):
            if child.poll() is not None and not inbox.poll():
                raise StorageError(_ended(child))
            continue
        kind, value = inbox.recv()
        if kind == "progress":
            progress(value)
            outbox.send(not cancelled())
        elif kind == "saved":
            return value
        elif kind == "refused":
            raise StorageError(value)
        else:
            raise TrainingFailed(value)


def _ended(child: subprocess.Popen[bytes]) -> str:
    code = child.poll()
    return f"training process ended without a result (exit code {code})"


def child_main(read_fd: int, write_fd: int) -> None:
    """The child: read the job, train, send each step and wait for the answer, send the outcome."""
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    try:
        prepared, schema, options = inbox.recv()
    except EOFError:
        return
    from storage.train.loop import train_prepared

    go_on = [True]

    def step(report: TrainProgress) -> None:
        outbox.send(("progress", report))
        go_on[0] = bool(inbox.recv())  # EOFError when the parent is gone: ends unsaved

    try:
        result = train_prepared(
            prepared, schema, options, progress=step, cancelled=lambda: not go_on[0]
        )
    except (EOFError, BrokenPipeError):
        return  # the parent is gone: nobody to tell
    except StorageError as error:
        _send(outbox, ("refused", str(error)))
    except Exception as error:  # carried back as one line, not a traceback on the app's screen
        _send(outbox, ("failed", f"{type(error).__name__}: {error}"))
    else:
        _send(outbox, ("saved", result))


def _send(outbox: Connection, message: tuple[str, Any]) -> None:
    try:
        outbox.send(message)
    except (BrokenPipeError, EOFError):
        pass  # the parent is gone
