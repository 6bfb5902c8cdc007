"""Suggestions go in by Core executemany: their change images equal the rows as loaded."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from storage.articles import add_articles
from storage.db import Database
from storage.errors import StorageError
from storage.events import TRACKED, image
from storage.importers import ParsedArticle
from storage.models import Event, Figure, Span
from storage.repository import Repository, SpanSuggestion
from storage.suggestions import SuggestOptions, suggest_corpus

TEXT = "Exports rose 16.9 percent to $49.7 billion in 2024, Kazakhstan said."


def test_images_equal_the_stored_rows_and_undo_takes_them_back(db: Database) -> None:
    [added] = add_articles(db, [ParsedArticle(text=TEXT, title="Exports")])
    article_id = added.article_id
    with Repository(db, "ana") as repository:
        stored = repository.add_suggestions(
            article_id,
            [
                SpanSuggestion(0, 7, "ORG", score=0.25),
                SpanSuggestion(
                    29,
                    42,
                    "MONEY",
                    layer="figure",
                    score=0.9,
                    figure={"value": Decimal("49700000000"), "unit": "USD", "scale": 10**9},
                ),
            ],
        )
        assert [span.text for span in stored] == ["Exports", "$49.7 billion"]
        assert all(span.id is not None and span.status == "suggested" for span in stored)
        with db.reading() as session:
            event = session.exec(select(Event).where(Event.action == "suggest")).one()
            assert len(event.changes) == 3  # two spans, one figure
            for change in event.changes:
                model = TRACKED[change["table"]]
                row = session.get(model, tuple(change["key"].values()))
                assert row is not None and change["after"] == image(row)
        assert repository.undo(article_id) is not None
        with db.reading() as session:
            assert session.get(Span, stored[0].id) is None
            assert session.get(Figure, stored[1].id) is None


def test_suggest_corpus_stores_figures_with_their_values(db: Database) -> None:
    [added] = add_articles(db, [ParsedArticle(text=TEXT, title="Exports")])
    options = SuggestOptions(entity_rules=False, topics=False, gazetteer=False, trained_model=None)
    with Repository(db, "ana") as repository:
        report = suggest_corpus(db, repository, [added.article_id], options)
    assert report.added >= 2 and not report.failed
    with db.reading() as session:
        money = session.exec(select(Figure).where(Figure.kind == "MONEY")).one()
        assert money.value == Decimal("49700000000") and money.unit == "USD"


def test_a_group_commits_its_actions_together_and_a_failing_one_alone_rolls_back(
    db: Database,
) -> None:
    ids = [
        added.article_id
        for added in add_articles(
            db, [ParsedArticle(text=f"{TEXT} Number {n}.", title=f"A{n}") for n in range(3)]
        )
    ]
    with Repository(db, "ana") as repository:
        with repository.grouped():
            repository.add_suggestions(ids[0], [SpanSuggestion(0, 7, "ORG")])
            unknown_subject = SpanSuggestion(
                29, 42, "MONEY", layer="figure", figure={"subject_id": 999_999}
            )
            try:  # the span goes in, then its figure fails: the savepoint takes both back
                repository.add_suggestions(ids[1], [SpanSuggestion(0, 7, "ORG"), unknown_subject])
            except StorageError:
                pass
            else:
                raise AssertionError("a figure of an unknown entity was stored")
            repository.add_suggestions(ids[2], [SpanSuggestion(0, 7, "ORG")])
        with db.reading() as session:
            events = session.exec(select(Event).where(Event.action == "suggest")).all()
            assert sorted(event.article_id for event in events) == [ids[0], ids[2]]
            stored = session.exec(select(Span.article_id)).all()
            assert sorted(stored) == [ids[0], ids[2]]
        assert repository.undo(ids[2]) is not None  # one article's action, undone alone
        with db.reading() as session:
            assert session.exec(select(Span.article_id)).all() == [ids[0]]
