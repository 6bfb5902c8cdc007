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
from typing import Any

from sqlmodel import col, select

from storage.articles import article_values, insert_articles
from storage.db import Database
from storage.events import ChangeSet, EventLog
from storage.formats.codec import EntityRef
from storage.formats.record import AnnotatedRecord, ImportedTopic
from storage.importers import ParsedArticle
from storage.models import ArticleState, Entity, Figure, Span, TopicAssignment, utcnow
from storage.sessions import annotator_id
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
        [added] = insert_articles(session, [article_values(parsed)])
        changes = ChangeSet(session)
        who = annotator_id(session, annotator)
        # An article created in this transaction has no annotations, states or
        # events yet (deletes cascade, so no old row can point at its id): the
        # look-ups for what is already there are skipped, a third of the queries.
        known = not added.created
        spans_added, spans_skipped = _spans(changes, record, added.article_id, who, known)
        topics_added = _topics(changes, record, added.article_id, who, known)
        if record.state is not None:
            _state(changes, added.article_id, who, record.state, known)
        if changes.changes:
            EventLog(session, who, None).append(
                changes.changes,
                article_id=added.article_id,
                action="import",
                summary=f"import {spans_added} spans, {topics_added} topics from "
                f"{record.path.name}",
                discard_redo=known,
            )
    return StoredRecord(added.article_id, added.created, spans_added, spans_skipped, topics_added)


def _spans(
    changes: ChangeSet, record: AnnotatedRecord, article_id: int, who: int, known: bool
) -> tuple[int, int]:
    """Add the record's new spans, then their figures: one insert each, not one per row.

    Entities are resolved first (each new one needs its id before a span can
    point at it), so the event lists entities, then spans, then figures: the
    order redo replays and undo reverses.
    """
    session = changes.session
    existing: set[tuple[str, int, int, str]] = set()
    if known:
        existing = {
            (layer, start, end, label)
            for layer, start, end, label in session.exec(
                select(Span.layer, Span.start, Span.end, Span.label).where(
                    Span.article_id == article_id, Span.annotator_id == who
                )
            )
        }
    entity_ids: dict[EntityRef, int] = {}
    spans: list[dict[str, Any]] = []
    figures: list[dict[str, Any] | None] = []
    skipped = 0
    for item in record.spans:
        if item.key in existing:
            skipped += 1
            continue
        existing.add(item.key)
        entity_id = _entity_id(changes, item.entity, entity_ids)
        figure = None
        if item.layer == "figure":
            figure = dict(item.figure or {"kind": item.label})
            figure["subject_id"] = _entity_id(changes, item.subject, entity_ids)
        spans.append({
            "article_id": article_id, "annotator_id": who, "layer": item.layer,
            "label": item.label, "start": item.start, "end": item.end, "text": item.text or "",
            "status": item.status, "origin": item.origin, "score": item.score, "note": item.note,
            "topic": item.topic if item.layer == "evidence" else None, "entity_id": entity_id,
        })  # fmt: skip
        figures.append(figure)
    rows = changes.insert_values(Span, spans)
    changes.insert_values(Figure, [
        {"span_id": row.id, **figure}
        for row, figure in zip(rows, figures, strict=True)
        if figure is not None
    ])  # fmt: skip
    return len(rows), skipped


def _entity_id(
    changes: ChangeSet, ref: EntityRef | None, known: dict[EntityRef, int]
) -> int | None:
    """The entity a reference names (same name, type and kb id), created when new.

    ``known`` remembers the answers within one record: asking again for the
    same reference would find the same row (created or merged aliases already).
    """
    if ref is None:
        return None
    if ref in known:
        return known[ref]
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
    known[ref] = found.id
    return found.id


def _topics(
    changes: ChangeSet, record: AnnotatedRecord, article_id: int, who: int, known: bool
) -> int:
    session = changes.session
    existing: dict[str, TopicAssignment] = {}
    if known:
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


def _state(changes: ChangeSet, article_id: int, who: int, state: str, known: bool) -> None:
    current = changes.session.get(ArticleState, (article_id, who)) if known else None
    if current is None:
        changes.insert(ArticleState(article_id=article_id, annotator_id=who, state=state))
    elif current.state != state:
        changes.update(current, state=state, updated_at=utcnow())
