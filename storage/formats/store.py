"""Storing a checked annotated record: its article, spans, figures, entities and topics.

The article (sha256 identity: one already present is reused) and its
annotations are written in one transaction, with one ``import`` event holding
the row images, so a failure leaves nothing half-imported, the audit log shows
the import, and undo can take it back like any action.
Re-importing is idempotent: a span with the same annotator, layer, offsets and
label, a topic already assigned, an entity already known are not added again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.articles import add_articles_in, article_row
from storage.db import Database
from storage.events import ChangeSet
from storage.formats.codec import EntityRef
from storage.formats.record import AnnotatedRecord, ImportedTopic
from storage.importers import ParsedArticle
from storage.models import ArticleState, Entity, Event, Figure, Span, TopicAssignment, utcnow
from storage.repository import annotator_id
from storage.text import sha256


@dataclass(frozen=True)
class StoredRecord:
    article_id: int
    created: bool
    spans_added: int
    spans_skipped: int
    topics_added: int


def store_record(db: Database, record: AnnotatedRecord, annotator: str) -> StoredRecord:
    """Write one checked record (see :func:`storage.formats.record.check`)."""
    digest = sha256(record.text)
    if record.sha256 is not None and record.sha256 != digest:
        raise record.fail(f"sha256 {record.sha256[:12]}… does not match the text ({digest[:12]}…)")
    try:
        parsed = ParsedArticle(
            text=record.text, title=record.title or "", source=record.source, url=record.url,
            published=record.published, dateline=record.dateline, lang=record.lang or "en",
            meta=dict(record.meta),
        )  # fmt: skip
    except ValueError as error:
        raise record.fail(str(error)) from None
    with db.transaction() as session:
        [added] = add_articles_in(session, [article_row(parsed)])
        changes = ChangeSet(session)
        who = annotator_id(session, annotator)
        spans_added, spans_skipped = _spans(changes, record, added.article_id, who)
        topics_added = _topics(changes, record, added.article_id, who)
        if record.state is not None:
            _state(changes, added.article_id, who, record.state)
        if changes.changes:
            _discard_redo(session, who, added.article_id)
            session.add(
                Event(
                    annotator_id=who,
                    article_id=added.article_id,
                    action="import",
                    summary=f"import {spans_added} spans, {topics_added} topics from "
                    f"{record.path.name}",
                    changes=list(changes.changes),
                )
            )
    return StoredRecord(added.article_id, added.created, spans_added, spans_skipped, topics_added)


def _discard_redo(session: Session, who: int, article_id: int) -> None:
    """A new action ends the redo stack, as for every repository action."""
    for event in session.exec(
        select(Event).where(
            Event.annotator_id == who,
            Event.article_id == article_id,
            col(Event.undone).is_(True),
            col(Event.discarded).is_(False),
        )
    ).all():
        event.discarded = True
        session.add(event)


def _spans(
    changes: ChangeSet, record: AnnotatedRecord, article_id: int, who: int
) -> tuple[int, int]:
    session = changes.session
    existing = {
        (span.layer, span.start, span.end, span.label)
        for span in session.exec(
            select(Span).where(Span.article_id == article_id, Span.annotator_id == who)
        )
    }
    added = skipped = 0
    for item in record.spans:
        if item.key in existing:
            skipped += 1
            continue
        existing.add(item.key)
        span = Span(
            article_id=article_id, annotator_id=who, layer=item.layer, label=item.label,
            start=item.start, end=item.end, text=item.text or "", status=item.status,
            origin="import", score=item.score, note=item.note,
            topic=item.topic if item.layer == "evidence" else None,
            entity_id=_entity_id(changes, item.entity),
        )  # fmt: skip
        changes.insert(span)
        if item.layer == "figure":
            values = dict(item.figure or {"kind": item.label})
            values["subject_id"] = _entity_id(changes, item.subject)
            changes.insert(Figure(span_id=span.id, **values))
        added += 1
    return added, skipped


def _entity_id(changes: ChangeSet, ref: EntityRef | None) -> int | None:
    """The entity a reference names (same name, type and kb id), created when new."""
    if ref is None:
        return None
    session = changes.session
    statement = select(Entity).where(
        Entity.name == ref.name, Entity.type == ref.type, col(Entity.merged_into).is_(None)
    )
    statement = statement.where(
        col(Entity.kb_id).is_(None) if ref.kb_id is None else Entity.kb_id == ref.kb_id
    )
    found = session.exec(statement.order_by(Entity.id)).first()
    if found is None:
        found = Entity(name=ref.name, type=ref.type, kb_id=ref.kb_id, aliases=list(ref.aliases))
        changes.insert(found)
    else:
        aliases = list(dict.fromkeys([*found.aliases, *ref.aliases]))
        if aliases != found.aliases:
            changes.update(found, aliases=aliases)
    assert found.id is not None
    return found.id


def _topics(changes: ChangeSet, record: AnnotatedRecord, article_id: int, who: int) -> int:
    session = changes.session
    existing = {
        row.topic: row
        for row in session.exec(
            select(TopicAssignment).where(
                TopicAssignment.article_id == article_id, TopicAssignment.annotator_id == who
            )
        )
    }
    wanted = {topic.key: topic for topic in record.topics}
    for span in record.spans:
        if span.layer == "evidence" and span.topic and span.topic not in wanted:
            wanted[span.topic] = ImportedTopic(span.topic)
    added = 0
    for key, topic in wanted.items():
        row = existing.get(key)
        if row is None:
            changes.insert(TopicAssignment(
                article_id=article_id, annotator_id=who, topic=key, status=topic.status,
                note=topic.note,
            ))  # fmt: skip
            added += 1
        elif topic.note is not None and row.note is None:
            changes.update(row, note=topic.note)
    return added


def _state(changes: ChangeSet, article_id: int, who: int, state: str) -> None:
    current = changes.session.get(ArticleState, (article_id, who))
    if current is None:
        changes.insert(ArticleState(article_id=article_id, annotator_id=who, state=state))
    elif current.state != state:
        changes.update(current, state=state, updated_at=utcnow())
