"""Suggesters over many articles on every core: worker processes propose, the caller stores.

``redline suggest --jobs N`` sends batches of article texts to N worker
processes. Each worker opens the database once, builds the runners once (the
gazetteer, the matchers, a spaCy pipeline) and then only computes proposals;
it never writes. The caller gets the batches back in submission order and
stores them itself, one transaction per article as in a single-process run,
so ``--jobs 2`` stores exactly what ``--jobs 1`` stores.

Where the platform forks (Linux) and every runner is fork-safe
(``SuggesterSpec.fork_safe``: the rules, the gazetteer, the topic patterns),
the runners the parent already built are *inherited* by forked workers, so no
worker reads the database or rebuilds a 50,000-entry gazetteer (building it
once per worker made two jobs slower than one). A forked worker drops the
engine's pooled connections it inherited without closing them (they are the
parent's) and never opens one. With a loaded model (spaCy, a trained
pipeline: threads and native state that do not survive a fork) or where fork
is unavailable, workers are *spawned* and each builds its own runners.
Workers ignore SIGINT: Ctrl-C reaches the parent, which cancels what is queued
and shuts the pool down, instead of every worker printing a traceback.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from storage.db import Database
    from storage.repository import SpanSuggestion
    from storage.suggest.registry import Runner, SuggesterSpec
    from storage.suggestions import SuggestOptions

Outcome = Union[list["SpanSuggestion"], "ProposalError"]
"""One article's proposals, or why the suggesters failed on its text."""

_runners: list[tuple[SuggesterSpec, Runner]] = []
_databases: list[object] = []
"""Kept open for the worker's lifetime (see ``_start_worker``)."""


class ProposalError(Exception):
    """A suggester raised on one article's text (carried back from a worker as a value)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __reduce__(self) -> tuple[type[ProposalError], tuple[str]]:
        return (ProposalError, (self.reason,))


def default_jobs() -> int:
    """The cores this process may use (``--jobs`` default)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def propose(runners: Sequence[tuple[SuggesterSpec, Runner]], texts: Sequence[str]) -> list[Outcome]:
    """Every runner's proposals per text; a text that breaks a suggester gets its error alone."""
    try:
        return list(_run(runners, texts))
    except Exception:  # one text breaks a suggester: find it text by text
        pass
    outcomes: list[Outcome] = []
    for text in texts:
        try:
            outcomes.append(_run(runners, [text])[0])
        except Exception as exc:
            outcomes.append(ProposalError(_reason(exc)))
    return outcomes


def _run(
    runners: Sequence[tuple[SuggesterSpec, Runner]], texts: Sequence[str]
) -> list[list[SpanSuggestion]]:
    merged: list[list[SpanSuggestion]] = [[] for _ in texts]
    for _spec, runner in runners:
        for found, proposals in zip(merged, runner(texts), strict=True):
            found.extend(proposals)
    return merged


def _reason(exc: Exception) -> str:
    from storage.errors import StorageError

    reason = str(exc) if isinstance(exc, StorageError) else f"{type(exc).__name__}: {exc}"
    return reason.strip().splitlines()[0] if reason.strip() else type(exc).__name__


def _start_worker(location: str, options: SuggestOptions) -> None:
    """Pool initializer: ignore Ctrl-C, open the database, build the runners once.

    The database stays open until the worker exits (after the parent's last
    write): a worker closing its SQLite connection mid-run could drop the WAL
    file under the parent, whose next write then reads as "database replaced".
    """
    global _runners
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from storage.db import open_db
    from storage.suggest.registry import build_runners

    database = open_db(location, migrate=False, create=False)
    _runners = build_runners(database, options, on_open=False)
    _databases.append(database)  # open until the worker exits: see ``_start_worker``


def _start_forked_worker() -> None:
    """Pool initializer of a forked worker: ignore Ctrl-C, let go of the parent's connections.

    The runners are the parent's (``_runners`` was set before the fork). The
    inherited engine's pool is emptied without closing its connections, which
    belong to the parent; the runners never open a new one.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for database in _inherited:
        database.engine.dispose(close=False)


_inherited: list[Database] = []
"""The parent's database while a forked pool runs (see ``_start_forked_worker``)."""


def _propose_in_worker(texts: Sequence[str]) -> list[Outcome]:
    return propose(_runners, texts)


def can_fork(runners: Sequence[tuple[SuggesterSpec, Runner]]) -> bool:
    """Workers may inherit these runners: the platform forks and every runner is fork-safe."""
    return (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and all(spec.fork_safe for spec, _runner in runners)
    )


def propose_in_pool(
    location: str,
    options: SuggestOptions,
    batches: Iterable[Sequence[str]],
    jobs: int,
    built: tuple[Database, Sequence[tuple[SuggesterSpec, Runner]]] | None = None,
) -> Iterator[list[Outcome]]:
    """The outcomes of each batch of texts, in batch order, computed by ``jobs`` workers.

    ``built``: the caller's database and the runners it built from it; forked
    workers inherit them when :func:`can_fork` allows, else spawned workers open
    ``location`` and build runners from ``options`` themselves.
    At most ``2 * jobs`` batches are in flight, so memory stays bounded however
    many articles there are. Closing the iterator early (an exception or Ctrl-C
    in the caller) cancels the queued batches and stops the workers.
    """
    global _runners
    if built is not None and can_fork(built[1]):
        _runners = list(built[1])
        _inherited[:] = [built[0]]
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_forked_worker,
        )
    else:
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(location, options),
        )
    pending: deque[Future[list[Outcome]]] = deque()
    finished = False
    try:
        source = iter(batches)
        for batch in source:
            pending.append(pool.submit(_propose_in_worker, list(batch)))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
        finished = True
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=finished, cancel_futures=True)
        _inherited.clear()
        _runners = []
