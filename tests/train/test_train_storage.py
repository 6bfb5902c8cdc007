"""Training data, split, progress, cancelling, uncertainty order (issue 13 items 1, 3, 4)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from storage.db import Database
from storage.errors import StorageError
from storage.repository import Repository
from storage.schema import builtin_schema
from storage.suggest.trained_model import Scored
from storage.train import TrainOptions, TrainProgress, train
from storage.train.data import collect_examples, split_by_article
from storage.train.schedule import retrain_due
from storage.train.store import resolve_model
from storage.train.uncertainty import most_useful_first, uncertainty
from tests.train.fixture import ORGS, PEOPLE, PLACES, add_corpus


def test_examples_are_accepted_annotations_of_done_articles(db: Database) -> None:
    ids = add_corpus(db, 6)
    with Repository(db, "ben") as repository:  # ben's article is not done: not collected
        repository.add_span(ids[0], 0, 6, "ORG")
        suggested = repository.add_span(ids[1], 0, 6, "ORG")
        repository.set_state(ids[1], "done")
        repository.reject([suggested.id])
    examples = collect_examples(db, ("entity", "topic"))
    assert sorted(e.article_id for e in examples) == ids  # ana's six; ben's rejected span only
    first = next(e for e in examples if e.article_id == ids[0])
    assert {first.text[s:e] for s, e, _label in first.entities} <= {*PEOPLE, *PLACES, *ORGS}
    assert len(first.entities) == 5 and len(first.topics) == 1
    assert collect_examples(db, ("entity",), annotator="ben") == []
    assert len(collect_examples(db, ("entity",), status="all", annotator="ben")) == 1


def test_split_is_by_article_and_reproducible(sqlite_db: Database) -> None:
    add_corpus(sqlite_db, 10)
    examples = collect_examples(sqlite_db, ("entity",))
    one = split_by_article(examples, 0.3, seed=5)
    again = split_by_article(examples, 0.3, seed=5)
    assert [e.article_id for e in one.dev] == [e.article_id for e in again.dev]
    assert len(one.dev) == 3 and len(one.train) == 7
    assert not {e.article_id for e in one.dev} & {e.article_id for e in one.train}
    others = {
        tuple(sorted(e.article_id for e in split_by_article(examples, 0.3, s).dev))
        for s in range(6)
    }
    assert len(others) > 1
    with pytest.raises(StorageError, match="--eval-split must be between 0 and 1"):
        split_by_article(examples, 1.0, seed=0)


def test_train_in_a_worker_thread_reports_progress_and_can_be_cancelled(
    sqlite_db: Database, tmp_path: Path
) -> None:
    add_corpus(sqlite_db, 10)
    options = TrainOptions(max_steps=20, eval_every=5, out=tmp_path / "models", eval_split=0.3)
    reports: list[TrainProgress] = []
    results = []
    worker = threading.Thread(
        target=lambda: results.append(
            train(sqlite_db, builtin_schema(), options, progress=reports.append)
        )
    )
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive()
    [result] = results
    assert [r.step for r in reports] == list(range(1, 21))
    assert all(r.max_steps == 20 and r.limit == 300 for r in reports)
    assert reports[-1].dev_score is not None and reports[3].dev_score is None
    assert resolve_model(tmp_path / "models" / "latest") == result.directory.resolve()

    latest = tmp_path / "models" / "latest"
    assert retrain_due(sqlite_db, 10, None) and not retrain_due(sqlite_db, 0, None)
    assert not retrain_due(sqlite_db, 2, latest)
    later = add_corpus(sqlite_db, 2, seed=9, done=False)
    with Repository(sqlite_db, "ana") as repository:
        repository.set_state(later[0], "done")
        assert not retrain_due(sqlite_db, 2, latest)
        repository.set_state(later[1], "done")
    assert retrain_due(sqlite_db, 2, latest)

    with pytest.raises(StorageError, match="training cancelled; nothing was saved"):
        train(
            sqlite_db,
            builtin_schema(),
            TrainOptions(max_steps=20, out=tmp_path / "other", eval_split=0.3),
            cancelled=lambda: len(reports) > 22,
            progress=reports.append,
        )
    assert len(reports) == 23
    assert not (tmp_path / "other" / "latest").exists()


UNCERTAINTY = {
    "a coin toss is most uncertain": ({(0, 1, "ORG"): 0.5}, {}, 1.0),
    "sure either way is certain": ({(0, 1, "ORG"): 1.0}, {"trade": 0.0}, 0.0),
    "entity and topic margins are averaged": ({(0, 1, "ORG"): 0.75}, {"trade": 0.5}, 0.75),
    "nothing proposed: nothing to learn": ({}, {}, 0.0),
}


@pytest.mark.parametrize(("entities", "topics", "expected"), UNCERTAINTY.values(), ids=UNCERTAINTY)
def test_uncertainty(entities: dict, topics: dict, expected: float) -> None:
    assert uncertainty(Scored(entities, topics)) == pytest.approx(expected)


def test_most_useful_first_orders_by_uncertainty_then_id() -> None:
    assert most_useful_first({3: 0.2, 1: 0.9, 2: 0.2}, [1, 2, 3, 4]) == [1, 2, 3, 4]
    assert most_useful_first({4: 0.5, 1: 0.1}, [1, 2, 3, 4]) == [4, 1, 2, 3]
