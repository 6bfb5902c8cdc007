"""Retraining from the app (issue 13 item 3): ``Train model`` (palette), ``T``, ``[train] every``.

Training is real (in its own process, on the tiny fixture of ``tests.train``)
but short: at most 40 steps. Where a test must know training is still running
when a key is handled, a gate holds it at one step (the training process waits
for the app to take each step's progress) until the test lets it go; nothing
here depends on timing.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.worker import get_current_worker

from storage import queries
from storage.articles import add_articles
from storage.db import Database, open_db
from storage.importers import ParsedArticle
from storage.schema import load_config
from storage.train.loop import TrainOptions, prepare
from storage.train.store import resolve_model
from tests.train.fixture import NEW_PEOPLE, add_corpus, annotated_article
from tests.tui.conftest import find, open_reader
from tui import train_process, training
from tui.app import RedlineApp
from tui.dialogs.choice import ChoiceDialog
from tui.messages import AnnotationSaved
from tui.training import TrainingFinished, TrainingProgress
from tui.widgets.status_bar import StatusBar

TINY = TrainOptions(max_steps=40, eval_every=20, max_minutes=2)
"""Enough for the model to suggest on the fixture's unseen articles."""
TINIER = TrainOptions(max_steps=6, eval_every=3, max_minutes=2)
"""Enough to save a model and show a dev score."""


class Gate:
    """Holds the training at ``step``: wraps the worker's progress callback, which the
    training process waits for after every step, until ``release`` is set (or the worker
    is cancelled); ``ended`` is set when the worker's function returns."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, step: int = 2) -> None:
        self.step = step
        self.reached = threading.Event()
        self.release = threading.Event()
        self.ended = threading.Event()
        reporter, run = training._reporter, training.run_training

        def gated_reporter(post: Callable[[Message], Any]) -> Callable[[Any], None]:
            report = reporter(post)

            def gated(progress: Any) -> None:
                report(progress)
                if progress.step == self.step:
                    self.reached.set()
                    worker = get_current_worker()
                    while not self.release.wait(0.01) and not worker.is_cancelled:
                        pass

            return gated

        def tracked(*args: Any, **kwargs: Any) -> None:
            try:
                run(*args, **kwargs)
            finally:
                self.ended.set()

        monkeypatch.setattr(training, "_reporter", gated_reporter)
        monkeypatch.setattr(training, "run_training", tracked)


def unseen_texts(count: int) -> list[str]:
    return [annotated_article(90 + n, random.Random(n), NEW_PEOPLE)[0] for n in range(count)]


def reading_app(
    tmp_path: Path,
    done: int,
    unseen: int,
    *,
    every: int = 0,
    auto_suggest: bool = False,
    options: TrainOptions = TINIER,
) -> tuple[RedlineApp, Database, list[int]]:
    """The reader on ``unseen`` new articles of a database holding ``done`` annotated ones."""
    database = open_db(str(tmp_path / "redline.db"))
    add_corpus(database, done)
    added = add_articles(
        database, [ParsedArticle(text=t, title="new") for t in unseen_texts(unseen)]
    )
    ids = [item.article_id for item in added]
    config = replace(
        load_config(None, cwd=tmp_path),
        auto_suggest=auto_suggest,
        suggest_model=str(tmp_path / "models" / "latest"),
        train_every=every,
    )
    app = RedlineApp(database, "ana", config, open_articles=ids)
    app.train_base = options
    return app, database, ids


async def _keep_pending(pilot: Pilot[Any]) -> None:
    """``d`` with suggestions pending asks first: keep them (the article is done either way)."""
    await pilot.pause()
    if isinstance(pilot.app.screen, ChoiceDialog):
        await pilot.press("k")


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition`` holds (fails after a generous 60 s)."""
    for _ in range(1200):
        if condition():
            return
        await pilot.pause(0.05)
    notices = [n.message for n in pilot.app._notifications]
    raise AssertionError(f"never happened: {what} (notices: {notices})")


def of_type(messages: list[Message], kind: type[Message]) -> list[int]:
    return [index for index, message in enumerate(messages) if isinstance(message, kind)]


async def test_train_from_the_palette_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch, step=2)
    app, database, _ids = reading_app(tmp_path, done=12, unseen=2)
    messages: list[Message] = []
    async with app.run_test(size=(140, 40), message_hook=messages.append) as pilot:
        screen = await open_reader(pilot)
        await pilot.press("ctrl+p", *"train model")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, gate.reached.is_set, "training reached step 2")
        status = screen.query_one(StatusBar)
        await until(pilot, lambda: "step" in status.training, "progress in the status bar")
        assert status.training.startswith("training ") and "%" in status.training
        assert "⟳ training" in status.render().plain
        await pilot.press("T")  # a second request while one trains is refused, not queued
        await pilot.pause()
        assert any(n.message.startswith("Already training") for n in app._notifications)
        assert len([w for w in app.workers if w.group == "train"]) == 1

        await find(pilot, "officials")
        await pilot.press("1")  # label PERSON while the worker is still training
        await until(pilot, lambda: bool(of_type(messages, AnnotationSaved)), "label saved")
        assert not of_type(messages, TrainingFinished)
        assert [s.label for s in queries.spans_for(database, screen.article_id, "ana")] == [
            "PERSON"
        ]

        gate.release.set()
        await until(pilot, lambda: bool(of_type(messages, TrainingFinished)), "training ended")
        [finished] = [messages[i] for i in of_type(messages, TrainingFinished)]
        assert isinstance(finished, TrainingFinished) and finished.saved
        assert of_type(messages, AnnotationSaved)[0] < of_type(messages, TrainingFinished)[0]
        assert finished.notice.startswith("Model trained: dev F1 ")
        assert str(finished.directory) in finished.notice
        assert resolve_model(tmp_path / "models" / "latest") == finished.directory
        assert (finished.directory / "meta.json").is_file()
        await pilot.pause()
        assert status.training == ""
        progress_lines = [messages[i].line for i in of_type(messages, TrainingProgress)]
        assert any("step 1" in line for line in progress_lines)
    database.dispose()


async def test_every_n_done_retrains_and_the_next_article_uses_the_model(
    tmp_path: Path,
) -> None:
    app, database, ids = reading_app(
        tmp_path, done=12, unseen=4, every=14, auto_suggest=True, options=TINY
    )
    messages: list[Message] = []
    async with app.run_test(size=(140, 40), message_hook=messages.append) as pilot:
        screen = await open_reader(pilot)
        await pilot.press("d")  # 13 done: one short of [train] every = 14
        await _keep_pending(pilot)
        await until(pilot, lambda: screen.article_id == ids[1], "the next article opened")
        await app.workers.wait_for_complete()
        assert not of_type(messages, TrainingProgress)

        await pilot.press("d")  # 14 done: a retrain is due
        await _keep_pending(pilot)
        await until(pilot, lambda: bool(of_type(messages, TrainingFinished)), "training ended")
        [finished] = [messages[i] for i in of_type(messages, TrainingFinished)]
        assert isinstance(finished, TrainingFinished) and finished.saved and finished.automatic
        assert of_type(messages, TrainingProgress)
        assert screen.article_id == ids[2]  # opened while training: the rules' suggestions

        await pilot.press("right_square_bracket")
        await until(pilot, lambda: screen.article_id == ids[3], "the article after it opened")
        await app.workers.wait_for_complete()
        await pilot.pause()
        origins = {span.origin for span in queries.spans_for(database, ids[3], "ana")}
        assert "model" in origins

        progressed = len(of_type(messages, TrainingProgress))
        await pilot.press("d")  # 15 done, one more than the new model saw: not due
        await _keep_pending(pilot)

        def last_done() -> bool:
            return queries.article_state(database, ids[3], "ana") == "done"

        await until(pilot, last_done, "the last article marked done")
        await pilot.pause()  # the write's outcome handled: a due retrain would have started
        await app.workers.wait_for_complete()
        assert len(of_type(messages, TrainingProgress)) == progressed
        assert len(of_type(messages, TrainingFinished)) == 1
    database.dispose()


def test_a_failure_in_the_training_process_comes_back_as_one_line(tmp_path: Path) -> None:
    database = open_db(str(tmp_path / "redline.db"))
    add_corpus(database, 12)
    (tmp_path / "models").write_text("not a folder", "utf-8")
    options = replace(TINIER, out=tmp_path / "models")
    prepared = prepare(database, options)
    database.dispose()
    steps: list[int] = []
    with pytest.raises(train_process.TrainingFailed) as failed:
        train_process.train_in_process(
            prepared,
            load_config(None, cwd=tmp_path).schema,
            options,
            progress=lambda step: steps.append(step.step),
            cancelled=lambda: False,
        )
    assert str(failed.value).startswith("FileExistsError: ")
    assert "\n" not in str(failed.value)
    assert steps == list(range(1, TINIER.max_steps + 1))


async def test_too_little_data_is_one_notice(tmp_path: Path) -> None:
    app, database, _ids = reading_app(tmp_path, done=3, unseen=1)
    messages: list[Message] = []
    async with app.run_test(size=(140, 40), message_hook=messages.append) as pilot:
        await open_reader(pilot)
        await pilot.press("T")
        await until(pilot, lambda: bool(of_type(messages, TrainingFinished)), "training ended")
        [finished] = [messages[i] for i in of_type(messages, TrainingFinished)]
        assert isinstance(finished, TrainingFinished) and not finished.saved
        assert finished.notice.startswith("Not trained: too little data to train: 3 articles")
        assert "\n" not in finished.notice
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert finished.notice in shown
    assert not (tmp_path / "models").exists()
    database.dispose()


async def test_quitting_while_training_saves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch, step=2)
    children: list[subprocess.Popen[bytes]] = []
    relay = train_process._relay

    def spy(inbox: Any, outbox: Any, child: subprocess.Popen[bytes], *rest: Any) -> Any:
        children.append(child)
        return relay(inbox, outbox, child, *rest)

    monkeypatch.setattr(train_process, "_relay", spy)
    app, database, _ids = reading_app(tmp_path, done=12, unseen=1)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_reader(pilot)
        await pilot.press("T")
        await until(pilot, gate.reached.is_set, "training reached step 2")
        await pilot.press("ctrl+q")
    assert await asyncio.to_thread(gate.ended.wait, 60)
    assert not (tmp_path / "models").exists()
    [child] = children
    assert child.returncode == 0  # it stopped when told to: not killed, nothing saved
    database.dispose()
