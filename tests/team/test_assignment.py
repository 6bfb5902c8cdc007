"""``redline assign``: exactly ``overlap`` annotators per article, balanced, reproducible;
stored per (article, annotator); "my queue" and per-annotator progress read it back."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from storage.articles import add_articles
from storage.db import Database
from storage.errors import StorageError
from storage.models import Assignment
from storage.repository import Repository
from storage.team.assignment import assign, plan_assignment, progress, queue
from tests.insight.corpus import NewArticle
from tests.team import corpus

TEAM = ["ana", "ben", "cleo"]


def check_plan(plan: dict[int, list[str]], articles: list[int], names: list[str], k: int) -> None:
    assert sorted(plan) == sorted(set(articles))
    for chosen in plan.values():
        assert len(chosen) == len(set(chosen)) == k and set(chosen) <= set(names)
    counts = Counter({name: 0 for name in names})
    counts.update(name for chosen in plan.values() for name in chosen)
    assert max(counts.values()) - min(counts.values()) <= 1


@settings(max_examples=150, deadline=None)
@given(
    articles=st.lists(st.integers(1, 10_000), max_size=80, unique=True),
    team=st.integers(1, 7),
    data=st.data(),
)
def test_every_article_gets_exactly_overlap_annotators_and_loads_balance(
    articles: list[int], team: int, data: st.DataObject
) -> None:
    names = [f"a{n}" for n in range(team)]
    overlap = data.draw(st.integers(1, team))
    seed = data.draw(st.integers(0, 2**32))
    plan = plan_assignment(articles, names, overlap, seed)
    check_plan(plan, articles, names, overlap)
    assert plan_assignment(list(reversed(articles)), names, overlap, seed) == plan


def test_the_seed_decides_the_plan() -> None:
    articles = list(range(1, 31))
    plans = {str(plan_assignment(articles, TEAM, 2, seed)) for seed in range(5)}
    assert len(plans) > 1
    assert plan_assignment(articles, TEAM, 2, 3) == plan_assignment(articles, TEAM, 2, 3)


@pytest.mark.parametrize("overlap", [0, 4])
def test_overlap_outside_the_team_is_refused(overlap: int) -> None:
    with pytest.raises(StorageError, match="overlap must be between 1 and the number"):
        plan_assignment([1, 2], TEAM, overlap)


def add_plain_articles(db: Database, count: int) -> list[int]:
    return [
        added.article_id
        for added in add_articles(
            db, [NewArticle(text=f"Article number {n} text.", title=f"A{n}") for n in range(count)]
        )
    ]


def test_assign_stores_the_plan_and_queues_read_it(db: Database) -> None:
    ids = add_plain_articles(db, 10)
    report = assign(db, TEAM, 2, seed=11)
    assert report.plan == plan_assignment(ids, TEAM, 2, 11) and report.skipped == []
    with db.reading() as session:
        rows = session.exec(select(Assignment.article_id, Assignment.annotator_id)).all()
    assert len(rows) == len(set(rows)) == 20
    for name in TEAM:
        assert queue(db, name) == sorted(a for a, names in report.plan.items() if name in names)
    assert sorted(report.counts.values()) == [6, 7, 7]
    assert queue(db, "nobody") == []


def test_a_second_assign_keeps_what_was_assigned_and_evens_the_loads(db: Database) -> None:
    ids = add_plain_articles(db, 7)
    first = assign(db, TEAM, 1, ids[:4], seed=1)
    second = assign(db, TEAM, 1, seed=1)
    assert second.skipped == ids[:4] and sorted(second.plan) == ids[4:]
    total = Counter(first.counts) + Counter(second.counts)
    assert sorted(total.values()) == [2, 2, 3]
    replaced = assign(db, ["dan"], 1, ids[:2], replace=True)
    assert replaced.plan == {ids[0]: ["dan"], ids[1]: ["dan"]}
    assert queue(db, "dan") == ids[:2]
    assert all(ids[0] not in queue(db, name) for name in TEAM)


def test_unknown_article_is_an_error_and_nothing_is_stored(db: Database) -> None:
    ids = add_plain_articles(db, 2)
    with pytest.raises(StorageError, match=f"no article {ids[-1] + 1}"):
        assign(db, TEAM, 2, [ids[0], ids[-1] + 1])
    assert all(queue(db, name) == [] for name in TEAM)


def test_progress_counts_each_annotators_queue_by_state(db: Database) -> None:
    ids = add_plain_articles(db, 6)
    report = assign(db, TEAM, 2, seed=5)
    ana = Repository(db, "ana")
    mine = queue(db, "ana")
    ana.set_state(mine[0], "done")
    ana.set_state(mine[1], "in_progress")
    outside = next(article for article in ids if article not in mine)
    ana.set_state(outside, "done")  # not in her queue: not counted
    rows = {row.annotator: row for row in progress(db)}
    assert list(rows) == TEAM
    assert (rows["ana"].assigned, rows["ana"].done, rows["ana"].in_progress) == (len(mine), 1, 1)
    assert rows["ana"].todo == len(mine) - 2
    assert rows["ben"].assigned == report.counts["ben"] and rows["ben"].todo == rows["ben"].assigned


def test_cli_assigns_and_prints_progress(db: Database, tmp_path: Path) -> None:
    add_plain_articles(db, 9)
    result = corpus.redline(
        db,
        tmp_path,
        "assign",
        "--annotators",
        "ana,ben,cleo",
        "--overlap",
        "2",
        "--all",
        "--seed",
        "4",
    )
    assert result.returncode == 0, result.stderr
    assert "assigned 9 articles × 2 (seed 4): ana 6, ben 6, cleo 6" in result.stdout
    assert "progress" in result.stdout
    again = corpus.redline(db, tmp_path, "assign", "--annotators", "ana,ben", "--all")
    assert "9 already assigned, kept" in again.stdout
    bad = corpus.redline(db, tmp_path, "assign", "--annotators", "ana", "--overlap", "2")
    assert bad.returncode == 1 and "overlap must be between 1" in bad.stderr
    assert "Traceback" not in bad.stderr
