"""The repository API on both backends: one transaction and one event per action."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from storage import queries
from storage.articles import add_article
from storage.capture import capture
from storage.db import Database
from storage.errors import Conflict, StorageError
from storage.models import Event, Figure, Span
from storage.repository import Repository, SpanSuggestion
from storage.text import OffsetError

TEXT = "Murat Nurtleu met Kaja Kallas in Astana. Trade reached $49.7 billion in 2024."


@dataclass
class Parsed:
    text: str
    title: str = "Test"
    source: str | None = "Wire"
    url: str | None = None
    published: Any = None
    dateline: str | None = None
    lang: str = "en"
    meta: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def article_id(db: Database) -> int:
    return add_article(db, Parsed(TEXT)).article_id


def test_add_span_checks_text_and_logs_event(db: Database, article_id: int) -> None:
    repo = Repository(db, "ana")
    span = repo.add_span(article_id, 0, 13, "PERSON", text="Murat Nurtleu")
    assert (span.start, span.end, span.text) == (0, 13, "Murat Nurtleu")
    with pytest.raises(OffsetError, match="does not match"):
        repo.add_span(article_id, 0, 13, "PERSON", text="Murat Nurtlev")
    with pytest.raises(OffsetError, match="outside"):
        repo.add_span(article_id, 70, 500, "PERSON")
    with db.reading() as session:
        events = session.exec(select(Event)).all()
    assert [event.action for event in events] == ["add_span"]
    assert queries.article_state(db, article_id, "ana") == "in_progress"


def test_relabel_resize_remove_undo_redo(db: Database, article_id: int) -> None:
    repo = Repository(db, "ana")
    span = repo.add_span(article_id, 18, 22, "PERSON")
    repo.resize_span(span.id, 18, 29)
    repo.relabel_span(span.id, "ORG")
    [stored] = queries.spans_for(db, article_id, "ana")
    assert (stored.label, stored.text) == ("ORG", "Kaja Kallas")
    repo.remove_span(span.id)
    assert queries.spans_for(db, article_id, "ana") == []
    repo.undo(article_id)
    repo.undo(article_id)
    [stored] = queries.spans_for(db, article_id, "ana")
    assert (stored.label, stored.text) == ("PERSON", "Kaja Kallas")
    repo.redo(article_id)
    assert queries.spans_for(db, article_id, "ana")[0].label == "ORG"
    # A new action drops the redo stack.
    repo.add_span(article_id, 33, 39, "GPE")
    assert repo.redo(article_id) is None
    assert [s.text for s in queries.spans_for(db, article_id, "ana")] == ["Kaja Kallas", "Astana"]


def test_undo_is_per_annotator_and_survives_reopen(db: Database, article_id: int) -> None:
    ana, ben = Repository(db, "ana"), Repository(db, "ben")
    ana.add_span(article_id, 0, 13, "PERSON")
    ben.add_span(article_id, 33, 39, "GPE")
    ana.end_session()  # the program closed; undo goes on in the next one
    again = Repository(db, "ana")
    assert again.undo(article_id) is not None
    assert queries.spans_for(db, article_id, "ana") == []
    assert [s.text for s in queries.spans_for(db, article_id, "ben")] == ["Astana"]
    assert again.undo(article_id) is None
    assert queries.article_state(db, article_id, "ana") == "todo"
    assert queries.article_state(db, article_id, "ben") == "in_progress"


def test_undo_refuses_to_overwrite_a_later_change(db: Database, article_id: int) -> None:
    ana = Repository(db, "ana")
    span = ana.add_span(article_id, 0, 13, "PERSON")
    ana.relabel_span(span.id, "ORG")
    ana.undo(article_id)
    ana.redo(article_id)
    with db.transaction() as session:  # someone edits the row behind our back
        row = session.get(Span, span.id)
        row.label = "MISC"
        session.add(row)
    with pytest.raises(Conflict):
        ana.undo(article_id)
    assert queries.spans_for(db, article_id, "ana")[0].label == "MISC"


def test_figure_attributes_are_exact(db: Database, article_id: int) -> None:
    repo = Repository(db, "ana")
    start = TEXT.index("$49.7")
    span = repo.add_span(
        article_id,
        start,
        start + len("$49.7 billion"),
        "MONEY",
        layer="figure",
        figure={"value": Decimal("49700000000"), "unit": "USD", "scale": 10**9},
    )
    repo.set_figure(span.id, metric="trade turnover", period="2024", value=Decimal("0.1"))
    figure = queries.figures_for(db, [span.id])[span.id]
    assert figure.value == Decimal("0.1")
    assert (figure.kind, figure.unit, figure.metric, figure.period) == (
        "MONEY",
        "USD",
        "trade turnover",
        "2024",
    )
    repo.undo(article_id)
    assert queries.figures_for(db, [span.id])[span.id].value == Decimal("49700000000")
    with pytest.raises(StorageError, match="unknown figure attribute"):
        repo.set_figure(span.id, colour="red")
    repo.remove_span(span.id)
    with db.reading() as session:
        assert session.exec(select(Figure)).all() == []
    repo.undo(article_id)
    restored = queries.figures_for(db, [span.id])[span.id]
    assert (restored.value, restored.unit, restored.metric) == (Decimal("49700000000"), "USD", None)


def test_topics_with_evidence(db: Database, article_id: int) -> None:
    repo = Repository(db, "ana")
    repo.assign_topic(article_id, "diplomacy", note="bilateral meeting")
    evidence = repo.add_evidence(article_id, "trade", 41, 77)
    assert evidence.layer == "evidence"
    topics = {t.topic: t.note for t in queries.topics_for(db, article_id, "ana")}
    assert topics == {"diplomacy": "bilateral meeting", "trade": None}
    repo.unassign_topic(article_id, "trade")
    assert [t.topic for t in queries.topics_for(db, article_id, "ana")] == ["diplomacy"]
    assert queries.spans_for(db, article_id, "ana", layers=("evidence",)) == []
    repo.undo(article_id)
    assert len(queries.spans_for(db, article_id, "ana", layers=("evidence",))) == 1


def test_suggestions_accept_reject_never_return(db: Database, article_id: int) -> None:
    repo = Repository(db, "ana")
    suggestions = [
        SpanSuggestion(0, 13, "PERSON", origin="rule", score=0.9),
        SpanSuggestion(18, 29, "PERSON", origin="gazetteer", score=1.0),
    ]
    first, second = repo.add_suggestions(article_id, suggestions)
    repo.accept([first.id])
    repo.reject([second.id])
    assert repo.add_suggestions(article_id, suggestions) == []
    spans = queries.spans_for(db, article_id, "ana", statuses=("accepted", "suggested"))
    assert [(s.text, s.status) for s in spans] == [("Murat Nurtleu", "accepted")]
    repo.undo(article_id)  # the reject
    assert len(queries.spans_for(db, article_id, "ana")) == 2


def test_entities_link_merge_and_undo(db: Database, article_id: int) -> None:
    repo = Repository(db, "ana")
    kallas = repo.add_span(article_id, 18, 29, "PERSON")
    entity = repo.create_and_link(kallas.id, kb_id="Q3336976")
    other = repo.create_entity("K. Kallas", "PERSON")
    assert queries.entities(db, "PERSON")[0].name in {"Kaja Kallas", "K. Kallas"}
    repo.merge_entities(entity.id, other.id)
    assert queries.spans_for(db, article_id, "ana")[0].entity_id == other.id
    merged = {e.id: e for e in queries.entities(db, include_merged=True)}
    assert "Kaja Kallas" in merged[other.id].aliases
    assert merged[other.id].kb_id == "Q3336976"
    repo.undo(None)
    assert queries.spans_for(db, article_id, "ana")[0].entity_id == entity.id
    assert queries.entity_mentions(db) == {entity.id: 1}


def test_library_queries(db: Database) -> None:
    ids = [
        add_article(db, Parsed(f"Article number {n} about {topic}.", title=f"T{n} {topic}"))
        for n, topic in enumerate(["trade", "energy", "trade policy"])
    ]
    assert add_article(db, Parsed("Article number 0 about trade.")).created is False
    repo = Repository(db, "ana")
    repo.set_state(ids[0].article_id, "done")
    repo.add_span(ids[1].article_id, 0, 7, "MISC")
    rows = queries.list_articles(db, "ana", queries.LibraryQuery(search="TRADE"))
    assert [row.title for row in rows] == ["T0 trade", "T2 trade policy"]
    assert rows[0].state == "done"
    rows = queries.list_articles(db, "ana", queries.LibraryQuery(sort="state"))
    assert [row.state for row in rows] == ["todo", "in_progress", "done"]
    assert queries.progress(db, "ana") == (1, 3)
    assert queries.first_not_done(db, "ana") == ids[1].article_id
    assert (
        queries.list_articles(db, "ana", queries.LibraryQuery(state="in_progress"))[0].entities == 1
    )
    stats = queries.stats(db, "ana")
    assert stats.by_state["done"] == 1 and stats.by_state["todo"] == 1
    assert stats.spans_by_label[("entity", "MISC")] == 1


def test_batch_is_one_event_and_one_undo(db: Database, article_id: int) -> None:
    """A dialog confirm (accept + set figure + link an entity) is one undoable action."""
    repo = Repository(db, "ana")
    start = TEXT.index("$49.7")
    [money, person] = repo.add_suggestions(
        article_id,
        [
            SpanSuggestion(start, start + 13, "MONEY", layer="figure", figure={"scale": 10**9}),
            SpanSuggestion(18, 29, "PERSON"),
        ],
    )
    entity = repo.create_entity("Kaja Kallas", "PERSON")
    with capture() as captured, repo.batch("annotate", article_id, "confirm"):
        repo.accept([money.id, person.id])
        repo.set_figure(money.id, unit="USD", subject_id=entity.id)
        repo.link_span(person.id, entity.id)
    with db.reading() as session:
        events = session.exec(select(Event).where(Event.article_id == article_id)).all()
    assert [event.action for event in events] == ["suggest", "annotate"]
    assert {change["table"] for change in captured.changes} == {"span", "figure", "articlestate"}
    assert queries.article_state(db, article_id, "ana") == "in_progress"
    repo.undo(article_id)
    spans = queries.spans_for(db, article_id, "ana")
    assert [(s.status, s.entity_id) for s in spans] == [("suggested", None)] * 2
    assert queries.figures_for(db, [money.id])[money.id].unit is None
    assert queries.article_state(db, article_id, "ana") == "todo"
    repo.redo(article_id)
    assert queries.figures_for(db, [money.id])[money.id].subject_id == entity.id


def test_a_failing_batch_stores_nothing(db: Database, article_id: int) -> None:
    repo = Repository(db, "ana")
    span = repo.add_span(article_id, 0, 13, "PERSON")
    with pytest.raises(StorageError, match="not a figure"), repo.batch("edit", article_id, "x"):
        repo.relabel_span(span.id, "ORG")
        repo.set_figure(span.id, unit="USD")
    assert queries.spans_for(db, article_id, "ana")[0].label == "PERSON"
    with db.reading() as session:
        assert len(session.exec(select(Event)).all()) == 1
    other = add_article(db, Parsed("Another text about Astana.")).article_id
    with pytest.raises(StorageError, match="inside a batch for article"):
        with repo.batch("edit", article_id, "x"):
            repo.add_span(other, 0, 7, "MISC")
    assert queries.spans_for(db, other, "ana") == []


def test_undoing_an_entity_another_article_uses_is_a_conflict(
    db: Database, article_id: int
) -> None:
    """Create and link in article 1, link from article 2, undo in article 1: a Conflict
    that names the span still linked (was: FOREIGN KEY constraint failed)."""
    repo = Repository(db, "ana")
    first = repo.add_span(article_id, 18, 29, "PERSON")
    entity = repo.create_and_link(first.id)
    second_article = add_article(db, Parsed("Kallas spoke in Brussels.")).article_id
    second = repo.add_span(second_article, 0, 6, "PERSON")
    repo.link_span(second.id, entity.id)
    with pytest.raises(Conflict) as caught:
        repo.undo(article_id)
    message = str(caught.value)
    assert message == (
        f'cannot undo: entity "Kaja Kallas" is still used by span "Kallas" in article '
        f"{second_article}"
    )
    assert queries.spans_for(db, article_id, "ana")[0].entity_id == entity.id  # nothing undone
    repo.undo(second_article)  # the other link goes: now the creation can be undone
    assert repo.undo(article_id) is not None
    assert queries.entities(db, include_merged=True) == []
    assert queries.spans_for(db, article_id, "ana")[0].entity_id is None


def test_undo_refuses_to_restore_a_link_to_an_entity_that_is_gone(
    db: Database, article_id: int
) -> None:
    repo = Repository(db, "ana")
    entity = repo.create_entity("Astana", "GPE")
    span = repo.add_span(article_id, 33, 39, "GPE")
    repo.link_span(span.id, entity.id)
    repo.link_span(span.id, None)
    repo.undo(None)  # the entity's creation: nothing links it any more
    with pytest.raises(Conflict, match=r'span "Astana" .* refers to entity \d+, which no longer'):
        repo.undo(article_id)


def test_suggestions_leave_the_article_state_alone(db: Database, article_id: int) -> None:
    """Issue 18 item 20: a machine pre-annotation is not the user's progress."""
    repo = Repository(db, "ana")
    before = queries.progress(db, "ana")
    [span] = repo.add_suggestions(article_id, [SpanSuggestion(0, 13, "PERSON")])
    assert queries.article_state(db, article_id, "ana") == "todo"
    assert queries.progress(db, "ana") == before
    assert queries.first_not_done(db, "ana") == article_id
    assert [row.state for row in queries.list_articles(db, "ana", queries.LibraryQuery())] == [
        "todo"
    ]
    repo.accept([span.id])
    assert queries.article_state(db, article_id, "ana") == "in_progress"


def test_a_trillion_fits_the_figure_scale(db: Database, article_id: int) -> None:
    """Issue 18 item 19: figure.scale is 64-bit (PostgreSQL's int4 overflowed)."""
    repo = Repository(db, "ana")
    start = TEXT.index("$49.7")
    span = repo.add_span(
        article_id, start, start + 13, "MONEY", layer="figure", figure={"scale": 10**12}
    )
    assert queries.figures_for(db, [span.id])[span.id].scale == 10**12
