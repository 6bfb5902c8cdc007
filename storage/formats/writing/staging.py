"""Where an export is written before it replaces its target, and how it gets there.

An export writes into a staging directory beside its target,
``.<name>.<pid>-<random>.part``, and only a finished export is moved into
place: a file with one atomic rename; a brat directory by swapping it with the
old one (``renameat2(RENAME_EXCHANGE)`` on Linux, so there is no moment without
a target; elsewhere two renames, undone when the second fails). The old target
is never removed before the new one is in place.

A process killed mid-export (SIGKILL, power loss) cannot clean up after itself,
so every export first removes the staging entries of *its* target left by
processes that are no longer running (the pid in the name says whose it is).
If such a process died between the two renames of a directory swap, the old
directory it had set aside is put back where it was.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.formats.writing.report import ExportError

PROCESS_STARTED = time.time()
"""When this process loaded the exporters: nothing of ours in a directory is older."""
LEGACY_MAX_AGE = 24 * 3600.0
"""Staging entries without a pid (written by redline before pids were recorded)
count as stale once this much older than this process."""
ASIDE_SUFFIX = ".previous"
"""The old target directory, set aside inside the staging directory during a swap."""


def cannot_write(out: str | Path, exc: OSError) -> ExportError:
    """The one line for a failed write: it names the user's target, not the staging path."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        reason = "permission denied"
    elif exc.errno is not None:
        reason = os.strerror(exc.errno).lower()
    else:
        reason = str(exc) or type(exc).__name__
    return ExportError(f"cannot write {out}: {reason}")


@contextmanager
def writes_to(out: str | Path) -> Iterator[None]:
    """Turn an ``OSError`` raised inside the block into :func:`cannot_write`'s error."""
    try:
        yield
    except OSError as exc:
        raise cannot_write(out, exc) from exc


class Staging:
    """One export's staging directory; ``output`` is the file or directory the writer fills."""

    def __init__(self, parent: Path, name: str) -> None:
        self.name = name
        self.directory = Path(
            tempfile.mkdtemp(dir=parent, prefix=f".{name}.{os.getpid()}-", suffix=".part")
        )
        self.output = self.directory / name
        self.aside = self.directory / (name + ASIDE_SUFFIX)

    def put_in_place(self, target: Path) -> None:
        """Move the finished output to ``target``; on failure ``target`` is as it was.

        The output is flushed to disk first and the directory entry after, so a
        power cut leaves the old export or the whole new one, never an empty file.
        """
        make_durable(self.output)
        if self.output.is_dir() and os.path.lexists(target):
            swap_directory(self.output, target, self.aside)
        else:
            _rename(self.output, target)
        sync_directory(target.absolute().parent)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def make_durable(path: Path) -> None:
    """``fsync`` a written file, or every file of a written directory and the directory.

    Writers close their files before the export moves them; ``fsync`` on a new
    descriptor flushes the same inode, so no writer has to do it itself.
    """
    if path.is_dir() and not path.is_symlink():
        for root, _dirs, files in os.walk(path):
            for name in files:
                _fsync_file(Path(root) / name)
            sync_directory(Path(root))
    else:
        _fsync_file(path)


def _fsync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sync_directory(path: Path) -> None:
    """``fsync`` a directory, so the renames into it survive a crash (POSIX only)."""
    if os.name != "posix":  # pragma: no cover - Windows cannot open a directory
        return
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def swap_directory(new: Path, target: Path, aside: Path) -> None:
    """Replace the directory ``target`` by ``new``, never leaving no ``target``.

    After it returns, ``new`` or ``aside`` holds the old directory (the caller
    removes the staging directory that contains them). If the move fails,
    ``target`` is the old directory, unchanged, and the error propagates.
    """
    if _exchange(new, target):
        return
    _rename(target, aside)
    try:
        _rename(new, target)
    except BaseException:
        _rename(aside, target)
        raise


def _rename(source: Path, destination: Path) -> None:
    """``os.replace``; one name so the tests can make a particular rename fail."""
    os.replace(source, destination)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def _renameat2() -> object | None:
    """glibc's ``renameat2`` (Linux ≥ 3.15, glibc ≥ 2.28), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]  # fmt: skip
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step; False when the system cannot."""
    if _RENAMEAT2 is None:
        return False
    result = _RENAMEAT2(  # type: ignore[operator]
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(second))


def _pid_alive(pid: int) -> bool:
    """Whether a process with this pid runs (another user's counts: we may not signal it)."""
    if pid <= 0:
        return False
    if os.name != "posix":  # pragma: no cover - no cheap check; never remove another's work
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _staging_patterns(name: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    escaped = re.escape(name)
    return (
        re.compile(rf"\.{escaped}\.(\d+)-[A-Za-z0-9_]+\.part"),
        re.compile(rf"\.{escaped}\.[a-z0-9_]{{8}}\.part"),  # mkdtemp's name, before pids
        re.compile(rf"\.{escaped}\.old-(\d+)"),  # the old directory swap's set-aside copy
    )


def _is_stale(pid: int | None, path: Path) -> bool:
    try:
        modified = path.lstat().st_mtime
    except OSError:
        return False
    if pid is None:
        return modified < PROCESS_STARTED - LEGACY_MAX_AGE
    if pid == os.getpid():  # a reused pid: ours only if made since this process started
        return modified < PROCESS_STARTED
    return not _pid_alive(pid)


def clean_stale(target: Path) -> list[Path]:
    """Remove the staging leftovers of ``target`` from processes that died; return them.

    A set-aside old directory is moved back to ``target`` first when the dead
    process left no ``target`` (it was killed between the two renames of a swap).
    Nothing here raises: a leftover that cannot be removed stays for next time.
    """
    parent = target.absolute().parent
    current, legacy, old_aside = _staging_patterns(target.name)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        path = Path(entry.path)
        aside: Path | None = None
        if match := current.fullmatch(entry.name):
            pid: int | None = int(match.group(1))
            aside = path / (target.name + ASIDE_SUFFIX)
        elif match := old_aside.fullmatch(entry.name):
            pid, aside = int(match.group(1)), path
        elif legacy.fullmatch(entry.name):
            pid = None
        else:
            continue
        if not _is_stale(pid, path):
            continue
        try:
            if aside is not None and aside.is_dir() and not os.path.lexists(target):
                os.rename(aside, target)
            _remove(path)
        except OSError:
            continue
        removed.append(path)
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


@contextmanager
def sigint_deferred() -> Iterator[list[int]]:
    """Hold Ctrl-C back for the block (a rename and a cleanup must not be cut in half).

    Yields the list of signals that arrived; the caller decides what an
    interrupt means once the block is done. Only the main thread can handle
    signals, and only Python's own handler is replaced (an app's is left alone).
    """
    arrived: list[int] = []
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield arrived
        return
    signal.signal(signal.SIGINT, lambda number, _frame: arrived.append(number))
    try:
        yield arrived
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
