"""Storing checked annotated records: articles, spans, figures, entities, topics and states.

Records are stored a batch at a time, in one transaction (:func:`store_batch`):
the batch's rows go in as a few multi-row INSERTs (articles, then spans,
figures, topics, states and events), not one statement or ORM object per row,
which was most of an import's time. Each record still gets its own ``import``
event holding the row images of what it added, so undo takes back one record
like any other action, and the audit log shows it.

A batch is written inside a SAVEPOINT. When the database refuses a value (a
string or number one backend cannot hold), the batch is rolled back to it and
written again one record per SAVEPOINT: the bad record rolls back alone and is
reported with its file and line; the others commit.

Re-importing is idempotent: a span with the same annotator, layer, offsets and
label, a topic already assigned, an entity already known are not added again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import DataError
from sqlmodel import Session, SQLModel, col, select

from storage.articles import article_values, insert_articles
from storage.db import Database, translate
from storage.errors import StorageError
from storage.events import Action, ChangeSet, EventLog, new_ids
from storage.formats.codec import EntityRef
from storage.formats.record import AnnotatedRecord, ImportedTopic
from storage.importers import ImportFileError, ParsedArticle
from storage.models import (
    ArticleState,
    Entity,
    Figure,
    Span,
    TopicAssignment,
    utcnow,
)
from storage.row_images import stored_value_converters
from storage.sessions import annotator_id
from storage.text import sha256

REFUSED = (DataError, OverflowError, UnicodeEncodeError)
"""What the database raises for one record's value it cannot hold (OverflowError: an
integer SQLite cannot bind; UnicodeEncodeError: a lone surrogate in a note or name, which
UTF-8 cannot encode): that record fails, the rest of its batch is stored."""
LOOKUP_CHUNK = 500
"""Article ids per ``IN (…)`` look-up of what re-imported articles already hold."""
FIGURE_DEFAULTS = {
    column.key: None if column.default is None else column.default.arg
    for column in Figure.__table__.columns  # type: ignore[attr-defined]
    if column.key != "span_id"
}
"""Every figure column with its default: a multi-row INSERT needs the same keys in each row."""


@dataclass(frozen=True)
class StoredRecord:
    article_id: int
    created: bool
    spans_added: int
    spans_skipped: int
    topics_added: int


@dataclass
class _Pending:
    """A record ready to write: its article's column values and the annotator's name."""

    record: AnnotatedRecord
    annotator: str
    article: dict[str, Any]


Outcome = StoredRecord | ImportFileError


def store_record(db: Database, record: AnnotatedRecord, annotator: str) -> StoredRecord:
    """Write one checked record (see :func:`storage.formats.record.check`); raise if it fails."""
    [outcome] = store_batch(db, [(record, annotator)])
    if isinstance(outcome, ImportFileError):
        raise outcome
    return outcome


def store_batch(db: Database, items: Sequence[tuple[AnnotatedRecord, str]]) -> list[Outcome]:
    """Write checked records in one transaction; per record, what was stored or why not.

    A record that cannot be stored (its text does not match its sha256, a value
    the database refuses) is an :class:`ImportFileError` naming its file and
    line, in its place in the result; the other records are committed.
    """
    outcomes: list[Outcome | None] = [None] * len(items)
    pending: list[tuple[int, _Pending]] = []
    for index, (record, annotator) in enumerate(items):
        try:
            pending.append((index, _prepare(record, annotator)))
        except ImportFileError as error:
            outcomes[index] = error
    if pending:
        with db.transaction() as session:
            # Outside every SAVEPOINT: an annotator created here survives a batch rolled back.
            names = {item.annotator for _, item in pending}
            who = {name: annotator_id(session, name) for name in sorted(names)}
            for run in _runs(pending):
                for index, outcome in _write_run(db, session, who, run):
                    outcomes[index] = outcome
    return [outcome for outcome in outcomes if outcome is not None]


def _prepare(record: AnnotatedRecord, annotator: str) -> _Pending:
    digest = sha256(record.text)
    if record.sha256 is not None and record.sha256 != digest:
        raise record.fail(f"sha256 {record.sha256[:12]}… does not match the text ({digest[:12]}…)")
    try:
        parsed = ParsedArticle(
            text=record.text, title=record.title or "", source=record.source, url=record.url,
            published=record.published, dateline=record.dateline, lang=record.lang or "en",
            meta=dict(record.meta),
        )  # fmt: skip
        return _Pending(record, annotator, article_values(parsed))
    except (ValueError, StorageError) as error:  # OffsetError is a ValueError
        raise record.fail(str(error)) from None


def _runs(pending: list[tuple[int, _Pending]]) -> Iterator[list[tuple[int, _Pending]]]:
    """Consecutive records, cut so no run holds one article twice for one annotator.

    A record's look-ups of what its article already holds (to skip duplicates,
    to update a state) then never miss rows an earlier record of the same run
    is about to insert.
    """
    run: list[tuple[int, _Pending]] = []
    seen: set[tuple[str, str]] = set()
    for index, item in pending:
        key = (item.article["sha256"], item.annotator)
        if key in seen:
            yield run
            run, seen = [], set()
        run.append((index, item))
        seen.add(key)
    if run:
        yield run


def _write_run(
    db: Database, session: Session, who: dict[str, int], run: list[tuple[int, _Pending]]
) -> list[tuple[int, Outcome]]:
    """The run in one SAVEPOINT; if the database refuses it, one SAVEPOINT per record."""
    try:
        with session.begin_nested():
            stored = _Writer(session, who).write([item for _, item in run])
        return [(index, outcome) for (index, _), outcome in zip(run, stored, strict=True)]
    except REFUSED as error:
        if len(run) == 1:
            [(index, item)] = run
            return [(index, item.record.fail(_reason(db, error)))]
    outcomes: list[tuple[int, Outcome]] = []
    for index, item in run:
        try:
            with session.begin_nested():
                [outcome] = _Writer(session, who).write([item])
        except REFUSED as error:
            outcome = item.record.fail(_reason(db, error))
        outcomes.append((index, outcome))
    return outcomes


def _reason(db: Database, error: BaseException) -> str:
    if isinstance(error, OverflowError):  # an integer SQLite cannot bind
        return f"a number is out of range ({error})"
    if isinstance(error, UnicodeEncodeError):
        return f"a text is not valid Unicode (lone surrogate {error.object[error.start]!r})"
    return str(translate(error, db.url, writing=True))


@dataclass
class _Known:
    """What articles stored before this batch already hold, per (article, annotator)."""

    spans: dict[tuple[int, int], set[tuple[str, int, int, str]]] = field(default_factory=dict)
    topics: dict[tuple[int, int], dict[str, TopicAssignment]] = field(default_factory=dict)
    states: dict[tuple[int, int], ArticleState] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, pairs: set[tuple[int, int]]) -> _Known:
        known = cls()
        articles = sorted({article for article, _ in pairs})
        for begin in range(0, len(articles), LOOKUP_CHUNK):
            chunk = articles[begin : begin + LOOKUP_CHUNK]
            for article, who, layer, start, end, label in session.exec(
                select(Span.article_id, Span.annotator_id, Span.layer, Span.start, Span.end,
                       Span.label).where(col(Span.article_id).in_(chunk))
            ):  # fmt: skip
                if (article, who) in pairs:
                    known.spans.setdefault((article, who), set()).add((layer, start, end, label))
            topics = select(TopicAssignment).where(col(TopicAssignment.article_id).in_(chunk))
            for row in session.exec(topics):
                if (row.article_id, row.annotator_id) in pairs:
                    known.topics.setdefault((row.article_id, row.annotator_id), {})[row.topic] = row
            states = select(ArticleState).where(col(ArticleState.article_id).in_(chunk))
            for state in session.exec(states):
                if (state.article_id, state.annotator_id) in pairs:
                    known.states[(state.article_id, state.annotator_id)] = state
        return known


class _Writer:
    """Writes one run of records: bulk inserts, then one ``import`` event per record."""

    def __init__(self, session: Session, who: dict[str, int]) -> None:
        self.session = session
        self.who = who
        self.entities: dict[EntityRef, int] = {}
        """Entity ids resolved in this run (a rolled-back run starts again with none)."""

    def write(self, batch: list[_Pending]) -> list[StoredRecord]:
        session = self.session
        added = insert_articles(session, [item.article for item in batch])
        pairs = [
            (row.article_id, self.who[item.annotator])
            for row, item in zip(added, batch, strict=True)
        ]
        # An article created in this transaction has no annotations, states or events
        # yet (deletes cascade, so no old row can point at its id): no look-ups for it.
        known = _Known.load(
            session, {p for p, row in zip(pairs, added, strict=True) if not row.created}
        )
        changes = [ChangeSet(session) for _ in batch]
        spans, figures, owners, counts = self._spans(batch, pairs, known, changes)
        span_images = _insert(session, Span, spans)
        figure_rows: list[dict[str, Any]] = []
        figure_owners: list[int] = []
        for image, figure, owner in zip(span_images, figures, owners, strict=True):
            _inserted(changes[owner], "span", {"id": image["id"]}, image)
            if figure is not None:
                figure_rows.append({**FIGURE_DEFAULTS, **figure, "span_id": image["id"]})
                figure_owners.append(owner)
        for image, owner in zip(_insert(session, Figure, figure_rows), figure_owners, strict=True):
            _inserted(changes[owner], "figure", {"span_id": image["span_id"]}, image)
        topics = self._topics(batch, pairs, known, changes)
        self._states(batch, pairs, known, changes)
        self._events(batch, pairs, added, changes, counts, topics)
        return [
            StoredRecord(row.article_id, row.created, counts[i][0], counts[i][1], topics[i])
            for i, row in enumerate(added)
        ]

    def _spans(
        self,
        batch: list[_Pending],
        pairs: list[tuple[int, int]],
        known: _Known,
        changes: list[ChangeSet],
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any] | None], list[int], list[list[int]]]:
        """Every new span's row, its figure's attributes and its record; (added, skipped) each.

        Entities are resolved as the spans are read (each new one needs its id
        before a span can point at it), so each event lists entities, then
        spans, then figures: the order redo replays and undo reverses.
        """
        now = utcnow()
        spans: list[dict[str, Any]] = []
        figures: list[dict[str, Any] | None] = []
        owners: list[int] = []
        counts: list[list[int]] = []
        for index, (item, (article_id, who)) in enumerate(zip(batch, pairs, strict=True)):
            existing = known.spans.get((article_id, who), set())
            added = skipped = 0
            for span in item.record.spans:
                if span.key in existing:
                    skipped += 1
                    continue
                existing.add(span.key)
                entity_id = self._entity_id(changes[index], span.entity)
                figure = None
                if span.layer == "figure":
                    figure = dict(span.figure or {"kind": span.label})
                    figure["subject_id"] = self._entity_id(changes[index], span.subject)
                spans.append({
                    "article_id": article_id, "annotator_id": who, "layer": span.layer,
                    "label": span.label, "start": span.start, "end": span.end,
                    "text": span.text or "", "status": span.status, "origin": span.origin,
                    "score": span.score, "note": span.note,
                    "topic": span.topic if span.layer == "evidence" else None,
                    "entity_id": entity_id, "created_at": now, "updated_at": now,
                })  # fmt: skip
                figures.append(figure)
                owners.append(index)
                added += 1
            counts.append([added, skipped])
        return spans, figures, owners, counts

    def _entity_id(self, changes: ChangeSet, ref: EntityRef | None) -> int | None:
        """The entity a reference names (same name, type and kb id), created when new.

        The answer is remembered for the run: asking again for the same
        reference would find the same row (created or merged aliases already).
        """
        if ref is None:
            return None
        if ref in self.entities:
            return self.entities[ref]
        statement = select(Entity).where(
            Entity.name == ref.name, Entity.type == ref.type, col(Entity.merged_into).is_(None)
        )
        statement = statement.where(
            col(Entity.kb_id).is_(None) if ref.kb_id is None else Entity.kb_id == ref.kb_id
        )
        found = self.session.exec(statement.order_by(Entity.id)).first()
        if found is None:
            found = Entity(name=ref.name, type=ref.type, kb_id=ref.kb_id, aliases=list(ref.aliases))
            changes.insert(found)
        else:
            aliases = list(dict.fromkeys([*found.aliases, *ref.aliases]))
            if aliases != found.aliases:
                changes.update(found, aliases=aliases)
        assert found.id is not None
        self.entities[ref] = found.id
        return found.id

    def _topics(
        self,
        batch: list[_Pending],
        pairs: list[tuple[int, int]],
        known: _Known,
        changes: list[ChangeSet],
    ) -> list[int]:
        """Assign each record's topics (and those its evidence names); how many were new."""
        now = utcnow()
        rows: list[dict[str, Any]] = []
        owners: list[int] = []
        for index, (item, (article_id, who)) in enumerate(zip(batch, pairs, strict=True)):
            record = item.record
            existing = known.topics.get((article_id, who), {})
            wanted = {topic.key: topic for topic in record.topics}
            for span in record.spans:
                if span.layer == "evidence" and span.topic and span.topic not in wanted:
                    wanted[span.topic] = ImportedTopic(span.topic)
            for key, topic in wanted.items():
                row = existing.get(key)
                if row is None:
                    rows.append({
                        "article_id": article_id, "annotator_id": who, "topic": key,
                        "status": topic.status, "note": topic.note, "created_at": now,
                    })  # fmt: skip
                    owners.append(index)
                elif topic.note is not None and row.note is None:
                    changes[index].update(row, note=topic.note)
        for image, owner in zip(_insert(self.session, TopicAssignment, rows), owners, strict=True):
            _inserted(changes[owner], "topicassignment", {"id": image["id"]}, image)
        return [owners.count(index) for index in range(len(batch))]

    def _states(
        self,
        batch: list[_Pending],
        pairs: list[tuple[int, int]],
        known: _Known,
        changes: list[ChangeSet],
    ) -> None:
        now = utcnow()
        rows: list[dict[str, Any]] = []
        owners: list[int] = []
        for index, (item, pair) in enumerate(zip(batch, pairs, strict=True)):
            state = item.record.state
            if state is None:
                continue
            current = known.states.get(pair)
            if current is None:
                rows.append({"article_id": pair[0], "annotator_id": pair[1], "state": state,
                             "seconds_spent": 0.0, "updated_at": now})  # fmt: skip
                owners.append(index)
            elif current.state != state:
                changes[index].update(current, state=state, updated_at=utcnow())
        for image, owner in zip(_insert(self.session, ArticleState, rows), owners, strict=True):
            key = {"article_id": image["article_id"], "annotator_id": image["annotator_id"]}
            _inserted(changes[owner], "articlestate", key, image)

    def _events(
        self,
        batch: list[_Pending],
        pairs: list[tuple[int, int]],
        added: Sequence[Any],
        changes: list[ChangeSet],
        counts: list[list[int]],
        topics: list[int],
    ) -> None:
        """One ``import`` event per record that changed anything, appended per annotator."""
        actions: dict[int, list[Action]] = {}
        for index, item in enumerate(batch):
            if not changes[index].changes:
                continue
            article_id, who = pairs[index]
            actions.setdefault(who, []).append(Action(
                changes[index].changes, article_id, "import",
                f"import {counts[index][0]} spans, {topics[index]} topics from "
                f"{item.record.path.name}",
                discard_redo=not added[index].created,
            ))  # fmt: skip
            changes[index].logged = True
        for who, listed in actions.items():
            EventLog(self.session, who, None).append_many(listed)


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[Any]:
    """Insert ``rows`` (every column but ``id`` in each) with one executemany; their images.

    The driver's own ``executemany`` takes the rows as tuples: SQLAlchemy's
    per-row parameter handling cost several times the insert itself. Values
    are converted as the columns' types would (timestamps, exact decimals),
    each distinct value once. Ids are taken up front (:func:`storage.row_ids.new_ids`), not
    read back with ``RETURNING``. ``rows`` become the images: the values as
    stored, equal to :func:`storage.row_images.image` of the rows as loaded (undo
    compares them).
    """
    if not rows:
        return []
    table: Table = model.__table__  # type: ignore[attr-defined]
    columns = list(table.columns)
    if "id" in table.columns:
        for row, new in zip(rows, new_ids(session, table, len(rows)), strict=True):
            row["id"] = new
    dialect = session.get_bind().dialect
    converters = {
        column.key: convert
        for column in columns
        if (convert := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    bound = [dict(row) for row in rows] if converters else rows
    _convert(bound, converters)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{column.name}"' for column in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join([mark] * len(columns))})'
    values = list(map(itemgetter(*[column.key for column in columns]), bound))
    session.connection().exec_driver_sql(statement, values)
    _convert(rows, stored_value_converters(table))
    return rows


def _convert(rows: list[dict[str, Any]], converters: dict[str, Callable[[Any], Any]]) -> None:
    """Apply ``converters`` to the rows' values in place, each distinct value converted once."""
    for name, convert in converters.items():
        done: dict[Any, Any] = {}
        for row in rows:
            value = row[name]
            if value is not None:
                if value not in done:
                    done[value] = convert(value)
                row[name] = done[value]


def _inserted(changes: ChangeSet, table: str, key: dict[str, Any], image: dict[str, Any]) -> None:
    changes.changes.append({"table": table, "key": key, "before": None, "after": image})


__all__ = ["StoredRecord", "store_batch", "store_record"]
