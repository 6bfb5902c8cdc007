"""Review and adjudication: conflicts found, versions taken into ``gold`` (its own undo),
topics and figures reconciled, and a Pilot run that resolves three conflicts and exports gold."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from storage.articles import add_articles
from storage.db import Database
from storage.errors import StorageError
from storage.export import export
from storage.models import Annotator, ArticleState, Span, TopicAssignment
from storage.repository import Repository
from storage.schema import load_config
from storage.team import adjudication
from tests.insight.corpus import NewArticle
from tests.team.corpus import redline
from tui.screens.review import ReviewScreen, review_app

TEXT = "Emmanuel Macron met officials in Paris. The fund holds $3 million. Berlin agreed."


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def two_annotators(db: Database, *, topics: bool = False) -> int:
    """ana and ben disagree on a boundary (Macron), a label (Paris) and a figure value."""
    [added] = add_articles(db, [NewArticle(text=TEXT, title="Summit")])
    article = added.article_id
    versions = {
        "ana": [("Emmanuel Macron", "PERSON"), ("Paris", "GPE"), ("Berlin", "GPE")],
        "ben": [("Macron", "PERSON"), ("Paris", "LOC"), ("Berlin", "GPE")],
    }
    values = {"ana": "3000000", "ben": "3500000"}
    for name, spans in versions.items():
        repo = Repository(db, name)
        for phrase, label in spans:
            repo.add_span(article, *at(phrase), label)
        repo.add_span(
            article,
            *at("$3 million"),
            "MONEY",
            layer="figure",
            figure={"value": Decimal(values[name]), "unit": "USD"},
        )
        repo.assign_topic(article, "economy")
        if topics and name == "ben":
            repo.assign_topic(article, "diplomacy")
        repo.set_state(article, "done")
        repo.end_session()
    return article


def gold_spans(db: Database, gold: str = "gold") -> set[tuple[int, int, str]]:
    with db.reading() as session:
        rows = session.exec(
            select(Span.start, Span.end, Span.label)
            .join(Annotator, Annotator.id == Span.annotator_id)  # type: ignore[arg-type]
            .where(Annotator.name == gold)
        ).all()
    return set(rows)


def gold_topics(db: Database) -> set[str]:
    with db.reading() as session:
        return set(
            session.exec(
                select(TopicAssignment.topic)
                .join(Annotator, Annotator.id == TopicAssignment.annotator_id)  # type: ignore[arg-type]
                .where(Annotator.name == "gold")
            ).all()
        )


def test_compare_finds_each_kind_of_conflict(db: Database) -> None:
    article = two_annotators(db, topics=True)
    comparison = adjudication.compare(db, article)
    assert comparison.annotators == ["ana", "ben"]
    statuses = [(c.start, c.end, c.status) for c in comparison.clusters]
    assert statuses == [
        (*at("Emmanuel Macron"), "conflict"),
        (*at("Paris"), "conflict"),
        (*at("$3 million"), "conflict"),
        (*at("Berlin"), "agreed"),
    ]
    assert [t.key for t in comparison.topic_conflicts] == ["diplomacy"]
    Repository(db, "cleo").set_state(article, "done")  # done, with nothing: only-one everywhere
    three = adjudication.compare(db, article)
    assert {c.status for c in three.clusters} == {"only-one"}


def test_takes_write_gold_with_its_own_undo(db: Database) -> None:
    article = two_annotators(db, topics=True)
    gold = Repository(db, "gold")
    comparison = adjudication.compare(db, article)
    assert adjudication.seed_agreed(gold, comparison)
    assert gold_spans(db) == {(*at("Berlin"), "GPE")} and gold_topics(db) == {"economy"}
    comparison = adjudication.compare(db, article)
    assert not adjudication.seed_agreed(gold, comparison)  # seeded once
    _macron, paris, _money = comparison.conflicts
    adjudication.take(gold, comparison, paris, "ben")
    adjudication.take(gold, comparison, paris, "ana")  # changing one's mind replaces it
    adjudication.take_topic(gold, comparison, comparison.topic_conflicts[0], "ben")
    assert gold_spans(db) == {(*at("Berlin"), "GPE"), (*at("Paris"), "GPE")}
    assert gold_topics(db) == {"economy", "diplomacy"}
    gold.undo(article)  # the topic take
    gold.undo(article)  # ana's Paris → ben's again
    assert gold_spans(db) == {(*at("Berlin"), "GPE"), (*at("Paris"), "LOC")}
    assert gold_topics(db) == {"economy"}
    ana_spans = {(s, e, label) for s, e, label in gold_spans(db, "ana")}
    assert len(ana_spans) == 4  # the annotators' own spans are never touched
    adjudication.take_all(gold, adjudication.compare(db, article), "ben")
    assert gold_spans(db) == gold_spans(db, "ben")
    with pytest.raises(StorageError, match="1 conflict left"):
        adjudication.mark_reviewed(gold, comparison, 1)


def test_review_needs_two_finished_annotators(db: Database) -> None:
    [added] = add_articles(db, [NewArticle(text=TEXT, title="Summit")])
    Repository(db, "ana").set_state(added.article_id, "done")
    with pytest.raises(StorageError, match="needs two annotators who marked it done"):
        adjudication.compare(db, added.article_id)
    assert adjudication.reviewable_articles(db) == []


@pytest.mark.parametrize("gold_name", ["gold", "adjudicated"])
async def test_pilot_resolves_three_conflicts_and_exports_gold(
    db: Database, tmp_path: Path, gold_name: str
) -> None:
    article = two_annotators(db)
    assert adjudication.reviewable_articles(db) == [(article, "Summit")]
    config = replace(load_config(None, cwd=tmp_path), auto_suggest=False)
    app = review_app(db, "reviewer", config, article, gold_name)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.writes_settled()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert len(screen.conflicts) == 3 and screen.unresolved == 3
        await pilot.press("r")  # refused: conflicts left
        await app.writes_settled()
        for keys in (["1"], ["down", "2"], ["down", "1"]):  # boundary: ana; label: ben; value: ana
            await pilot.press(*keys)
            await app.writes_settled()
            await pilot.pause()
        assert screen.unresolved == 0
        await pilot.press("r")
        await app.writes_settled()
        await pilot.pause()
        assert screen.comparison is not None and screen.comparison.reviewed
    out = tmp_path / "gold.jsonl"
    report = export(db, "jsonl", out, annotator=gold_name)
    assert report.records == 1
    [record] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    spans = {(s["start"], s["end"], s["label"]) for s in record["entities"] + record["figures"]}
    assert spans == {
        (*at("Emmanuel Macron"), "PERSON"),
        (*at("Paris"), "LOC"),
        (*at("$3 million"), "MONEY"),
        (*at("Berlin"), "GPE"),
    }
    [money] = record["figures"]
    assert money["figure"]["value"] == "3000000" and money["figure"]["unit"] == "USD"
    assert [topic["key"] for topic in record["topics"]] == ["economy"]
    with db.reading() as session:
        states = session.exec(
            select(Annotator.name, ArticleState.state).join(
                Annotator,
                Annotator.id == ArticleState.annotator_id,  # type: ignore[arg-type]
            )
        ).all()
    assert (gold_name, "done") in states and ("reviewer", "done") not in states


def test_cli_review_refuses_an_article_with_one_annotator(db: Database, tmp_path: Path) -> None:
    [added] = add_articles(db, [NewArticle(text=TEXT, title="Summit")])
    Repository(db, "ana").set_state(added.article_id, "done")
    result = redline(db, tmp_path, "review", str(added.article_id))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "needs two annotators who marked it done to review (has: ana)" in result.stderr
    missing = redline(db, tmp_path, "review", str(added.article_id + 1))
    assert (
        missing.returncode == 1
        and missing.stderr == f"redline: error: no article {added.article_id + 1}\n"
    )


async def test_palette_opens_the_review(sqlite_db: Database, tmp_path: Path) -> None:
    from tui.app import RedlineApp

    article = two_annotators(sqlite_db)
    config = replace(load_config(None, cwd=tmp_path), auto_suggest=False)
    app = RedlineApp(sqlite_db, "reviewer", config)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"review article")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        await app.writes_settled()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.article_id == article
        assert len(app.screen.conflicts) == 3


async def test_names_and_text_are_shown_literally(sqlite_db: Database, tmp_path: Path) -> None:
    hostile_text = "[bold]Eve[/] met \x1b[2JBob."
    [added] = add_articles(sqlite_db, [NewArticle(text=hostile_text, title="[red]T\x07")])
    for name, label in (("[b]ana\x1b", "PERSON"), ("ben[/]", "ORG")):
        repo = Repository(sqlite_db, name)
        repo.add_span(added.article_id, 0, 14, label)
        repo.set_state(added.article_id, "done")
    config = replace(load_config(None, cwd=tmp_path), auto_suggest=False)
    app = review_app(sqlite_db, "reviewer", config, added.article_id)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.writes_settled()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        title = str(screen.query_one("#review-title").render())
        assert "[red]T␇" in title and "[b]ana␛" in title and "ben[/]" in title
        texts = [str(widget.render()) for widget in screen.query(".review-text")]
        assert all("[bold]Eve[/] met ␛[2JBob." in text for text in texts)
        assert len(screen.conflicts) == 1


async def test_columns_scroll_to_the_highlighted_conflict(
    sqlite_db: Database, tmp_path: Path
) -> None:
    filler = "Nothing happened on this quiet day at all. " * 60
    text = f"Paris opened. {filler}Berlin closed."
    [added] = add_articles(sqlite_db, [NewArticle(text=text, title="Long")])
    berlin = text.index("Berlin")
    for name, label in (("ana", "GPE"), ("ben", "LOC")):
        repo = Repository(sqlite_db, name)
        repo.add_span(added.article_id, 0, 5, label)
        repo.add_span(added.article_id, berlin, berlin + 6, label)
        repo.set_state(added.article_id, "done")
    config = replace(load_config(None, cwd=tmp_path), auto_suggest=False)
    app = review_app(sqlite_db, "reviewer", config, added.article_id)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await app.writes_settled()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and len(screen.conflicts) == 2
        columns = list(screen.query(".review-column"))
        assert all(column.scroll_y == 0 for column in columns)
        await pilot.press("down")
        await pilot.pause()
        await pilot.pause()
        columns = list(screen.query(".review-column"))
        assert all(column.scroll_y > 10 for column in columns)
        assert all(column.max_scroll_y > 10 for column in columns)


async def test_undo_in_the_screen_reopens_the_conflict(sqlite_db: Database, tmp_path: Path) -> None:
    article = two_annotators(sqlite_db)
    Repository(sqlite_db, "cleo").set_state(article, "done")  # cleo has nothing: only-one
    config = replace(load_config(None, cwd=tmp_path), auto_suggest=False)
    app = review_app(sqlite_db, "reviewer", config, article)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.writes_settled()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.unresolved == 5  # 4 spans, 1 topic
        await pilot.press("a", "3")  # all of cleo: gold keeps nothing anywhere
        await app.writes_settled()
        await pilot.pause()
        assert screen.unresolved == 0 and gold_spans(sqlite_db) == set()
        await pilot.press("u")
        await app.writes_settled()
        await pilot.pause()
        assert gold_spans(sqlite_db) == set()  # Berlin is only-one now: nothing was seeded
        assert screen.unresolved == 5
