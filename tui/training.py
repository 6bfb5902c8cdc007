"""Retraining the suggestion model from the app: ``train model`` (key ``T``) and ``[train] every``.

:func:`run_training` runs in a thread worker of the app (group ``train``): it
reads the training data there (``storage.train.loop.prepare``) and trains in a
child process (:mod:`tui.train_process`), because training in the app's own
process held the GIL long enough to delay the reader's keys by up to a
quarter of a second; in a process they stay within a few milliseconds.

The worker never touches a widget or an attribute the screens read: it posts
:class:`TrainingProgress` (one status-bar line, at most every
:data:`PROGRESS_SECONDS`) and one :class:`TrainingFinished` (the notice) to
the app, which turns them into its ``training_status`` reactive (attributes
down) and a notification.

Cancelling (the app exits while training) reaches the child process at its
next step, which then ends without writing anything; a run that got as far as saving writes
``models/<timestamp>/`` in full and only then replaces ``models/latest``
atomically, so ``latest`` never names a half-written model. The next
article opened loads the pipeline ``latest`` names afresh
(``storage.suggest.trained_model`` caches by directory and ``meta.json``
time, and every retrain is a new directory).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message
from textual.worker import get_current_worker

from storage.errors import StorageError
from storage.schema import Config
from tui.literal import visible_line
from tui.services import Services
from tui.train_process import TrainingFailed, train_in_process

if TYPE_CHECKING:
    from storage.train.loop import TrainOptions, TrainProgress, TrainResult
    from tui.app import RedlineApp

PROGRESS_SECONDS = 0.25
"""The status bar is told about a step at most this often (and after every dev score)."""
DEFAULT_MODELS = Path("models")


class TrainingProgress(Message):
    """The training worker's progress, as the status bar shows it."""

    def __init__(self, line: str, step: int = 0) -> None:
        super().__init__()
        self.line = line
        self.step = step


class TrainingFinished(Message):
    """Training ended: saved (``directory``), refused (too little data) or failed."""

    def __init__(self, notice: str, *, directory: Path | None, automatic: bool) -> None:
        super().__init__()
        self.notice = notice
        self.directory = directory
        """The saved pipeline; None when nothing was saved."""
        self.automatic = automatic
        """Started by ``[train] every``, not by the user."""

    @property
    def saved(self) -> bool:
        return self.directory is not None


def model_path(config: Config) -> Path | None:
    """The pipeline suggestions use (``[suggest] model``), None when they use none."""
    return Path(config.suggest_model) if config.suggest_model else None


def train_options(config: Config, base: TrainOptions | None = None) -> TrainOptions:
    """``base`` (default: ``redline train``'s defaults) saving where ``[suggest] model`` looks:
    the folder holding ``models/latest``."""
    from storage.train.loop import TrainOptions

    named = model_path(config)
    out = named.parent if named is not None and named.name == "latest" else DEFAULT_MODELS
    return replace(base or TrainOptions(), out=out)


def progress_line(progress: TrainProgress) -> str:
    """``training 40% · step 80 · loss 3.21 · dev 0.812``: the share of steps or time spent."""
    share = max(
        progress.step / progress.max_steps if progress.max_steps else 0.0,
        progress.elapsed / progress.limit if progress.limit else 0.0,
    )
    parts = [f"training {min(share, 1.0):.0%}", f"step {progress.step}"]
    parts.append(f"loss {progress.loss:.2f}")
    if progress.dev_score is not None:
        parts.append(f"dev {progress.dev_score:.3f}")
    return " · ".join(parts)


def finished_notice(result: TrainResult, used: bool) -> str:
    """Dev F1 (overall and per layer), how training ended and where the model went."""
    layers = ", ".join(
        f"{name} {scores.micro.f1:.2f}" for name, scores in result.evaluation.layers.items()
    )
    use = (
        "the next article opened uses it"
        if used
        else "suggestions do not use it ([suggest] model = false)"
    )
    return (
        f"Model trained: dev F1 {result.evaluation.score:.2f} ({layers}); "
        f"{result.steps} steps in {result.seconds:.0f} s ({result.stopped}). "
        f"Saved {_shown(result.directory)}; {_shown(result.latest)} points at it, so {use}."
    )


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


GROUP = "train"


def running(app: App[Any]) -> bool:
    """Whether a training worker (or its ``[train] every`` check) runs in ``app``."""
    return any(worker.group == GROUP and not worker.is_finished for worker in app.workers)


def start(app: RedlineApp, base: TrainOptions | None, *, every: int = 0) -> None:
    """Run :func:`run_training` in a thread worker of ``app`` (which handles its messages)."""
    options = train_options(app.config, base)
    work = partial(run_training, app.services, options, app.post_message, every=every)
    app.run_worker(
        work, name="train model", group=GROUP, thread=True, exclusive=True, exit_on_error=False
    )


def run_training(
    app: Services,
    options: TrainOptions,
    post: Callable[[Message], Any],
    *,
    every: int = 0,
) -> None:
    """Thread worker: train, posting progress and one :class:`TrainingFinished` through ``post``.

    With ``every`` > 0 (``[train] every``) it first asks
    :func:`storage.train.schedule.retrain_due` and returns quietly when no
    retrain is due. Errors end as one notice: "too little data" and other
    storage errors with their own line, anything else with its type, since a
    failed background retrain must not end the annotating session.
    """
    worker = get_current_worker()
    automatic = every > 0
    try:
        if automatic and not _due(app, every):
            return
        from storage.train.loop import prepare

        post(TrainingProgress("training: reading annotations…"))
        prepared = prepare(app.database, options)
        if worker.is_cancelled:
            return  # the app closed while the data were read: start no process
        post(TrainingProgress("training: starting…"))
        result = train_in_process(
            prepared,
            app.config.schema,
            options,
            progress=_reporter(post),
            cancelled=lambda: worker.is_cancelled,
        )
    except StorageError as error:
        if not worker.is_cancelled:
            post(TrainingFinished(f"Not trained: {error}", directory=None, automatic=automatic))
        return
    except TrainingFailed as error:
        post(TrainingFinished(f"Training failed: {error}", directory=None, automatic=automatic))
        return
    except Exception as error:  # reported, not raised: see the docstring
        notice = f"Training failed: {type(error).__name__}: {error}"
        post(TrainingFinished(notice, directory=None, automatic=automatic))
        return
    used = model_path(app.config) is not None
    notice = finished_notice(result, used)
    post(TrainingFinished(notice, directory=result.directory, automatic=automatic))


def _due(app: Services, every: int) -> bool:
    from storage.train.schedule import retrain_due

    return retrain_due(app.database, every, model_path(app.config))


def _reporter(post: Callable[[Message], Any]) -> Callable[[TrainProgress], None]:
    """The progress callback: the first step, every new dev score, else every PROGRESS_SECONDS."""
    last: dict[str, Any] = {"at": 0.0, "dev": None}

    def report(progress: TrainProgress) -> None:
        now = time.monotonic()
        fresh_score = progress.dev_score != last["dev"]
        if progress.step == 1 or fresh_score or now - last["at"] >= PROGRESS_SECONDS:
            last["at"], last["dev"] = now, progress.dev_score
            post(TrainingProgress(visible_line(progress_line(progress)), progress.step))

    return report
