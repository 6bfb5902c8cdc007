"""The change log behind undo, redo and the audit trail.

Each user action is one :class:`~storage.models.Event` whose ``changes`` hold
row images: ``{"table", "key", "before", "after"}`` where an image is the
row as JSON (``None`` when the row did not exist). Undo writes the ``before``
images back in reverse order, redo the ``after`` images in order. Before
either, the current rows must still equal the images they replace (or already
equal the images they write), so an undo never silently overwrites someone
else's later change, and no row may be
deleted while another still refers to it (nor restored pointing at a row that
is gone): both are a :class:`~storage.errors.Conflict` naming the rows.

:class:`EventLog` is the one writer of events (the repository and the
importer both append through it) and the one reader of the undo/redo stacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from pydantic_core import PydanticUndefined, to_jsonable_python
from sqlalchemy import (
    ColumnElement,
    Float,
    Table,
    UniqueConstraint,
    insert,
    or_,
    text,
    true,
    update,
)
from sqlmodel import Session, SQLModel, col, select

from storage import live, sessions
from storage.errors import Conflict
from storage.models import (
    Article,
    ArticleState,
    Entity,
    Event,
    ExactDecimal,
    Figure,
    Span,
    TopicAssignment,
    utcnow,
)

TRACKED: dict[str, type[SQLModel]] = {
    model.__tablename__: model  # type: ignore[misc]
    for model in (Span, Figure, Entity, TopicAssignment, ArticleState, Article)
}
# Timestamps change on every write and say nothing about whether the row's
# meaning changed, so conflict checks ignore them.
VOLATILE = frozenset({"created_at", "updated_at"})
Row = TypeVar("Row", bound=SQLModel)


def image(row: SQLModel) -> dict[str, Any]:
    """A JSON-safe copy of a row."""
    return row.model_dump(mode="json")


def primary_key(row: SQLModel) -> dict[str, Any]:
    mapper = row.__mapper__  # type: ignore[attr-defined]
    return {column.key: getattr(row, column.key) for column in mapper.primary_key}


class ChangeSet:
    """Collects the row changes of one action, inside one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.changes: list[dict[str, Any]] = []
        self.logged = False
        """Whether an event holding these changes was appended."""

    def _record(self, row: SQLModel, before: dict[str, Any] | None, after: dict[str, Any] | None):
        self.changes.append(
            {
                "table": row.__tablename__,
                "key": primary_key(row),
                "before": before,
                "after": after,
            }
        )

    def insert(self, row: SQLModel) -> SQLModel:
        self.session.add(row)
        self.session.flush()
        self._record(row, None, image(row))
        return row

    def insert_values(self, model: type[Row], values: Sequence[dict[str, Any]]) -> list[Row]:
        """Insert one ``model`` row per dict in one statement; the stored rows, in input order.

        A bulk ``INSERT … RETURNING`` hands back loaded rows (ids, defaults),
        so many rows cost neither an ORM constructor each (most of the time of
        an import) nor a flush each. Keys left out take the column defaults;
        rows that need each other's ids go in separate calls, parents first.
        """
        if not values:
            return []
        statement = (
            insert(model)
            .returning(model, sort_by_parameter_order=True)
            .execution_options(render_nulls=True)
        )
        rows = list(self.session.scalars(statement, list(values)).all())
        for row in rows:
            self._record(row, None, image(row))
        return rows

    def insert_rows(
        self, model: type[SQLModel], values: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Insert one ``model`` row per dict with one Core ``executemany``; the rows as stored.

        For many rows of one action (an article's suggestions): no ORM object
        is loaded back, which cost most of ``insert_values``. Ids are taken up
        front (:func:`new_ids`), keys left out get the model's defaults, and
        the changes recorded hold the same images :func:`image` gives of the
        rows as loaded (undo compares them). The returned dicts are the Python
        values inserted, ids included, in input order.
        """
        if not values:
            return []
        table: Table = model.__table__  # type: ignore[attr-defined]
        columns = [column.key for column in table.columns]
        defaults = _defaults(model)
        rows = [
            {key: row[key] if key in row else defaults[key]() for key in columns} for row in values
        ]
        if "id" in table.columns:
            for row, new in zip(rows, new_ids(self.session, table, len(rows)), strict=True):
                row["id"] = new
        self.session.execute(insert(table), rows)
        keys = [column.key for column in table.primary_key.columns]
        for after in to_jsonable_python([_as_stored(table, row) for row in rows]):
            self.changes.append(
                {
                    "table": table.name,
                    "key": {key: after[key] for key in keys},
                    "before": None,
                    "after": after,
                }
            )
        return rows

    def update(self, row: SQLModel, **values: Any) -> SQLModel:
        before = image(row)
        for name, value in values.items():
            setattr(row, name, value)
        self.session.add(row)
        self.session.flush()
        after = image(row)
        if _meaningful(before) != _meaningful(after):
            self._record(row, before, after)
        return row

    def delete(self, row: SQLModel) -> None:
        before = image(row)
        self._record(row, before, None)
        self.session.delete(row)
        self.session.flush()


def _defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Column key -> a callable giving the model's default for a row that leaves it out."""
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            found[name] = info.default_factory
        elif info.default is not PydanticUndefined:
            found[name] = lambda default=info.default: default
    return found


def _as_stored(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` as the database hands it back: exact decimals as their text, floats as floats."""
    stored = dict(row)
    for column in table.columns:
        value = stored[column.key]
        if value is None:
            continue
        if isinstance(column.type, ExactDecimal):
            stored[column.key] = str(Decimal(value))
        elif isinstance(column.type, Float):
            stored[column.key] = float(value)
    return stored


def new_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` unused ids of ``table``, never an id a deleted row had (undo restores those).

    PostgreSQL: from the table's sequence. SQLite: past both the AUTOINCREMENT
    counter and the largest id; a write transaction holds the lock (``BEGIN
    IMMEDIATE``), so nobody else takes them meanwhile, and inserting them
    moves the counter on.
    """
    if session.get_bind().dialect.name == "postgresql":
        statement = text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        return list(session.execute(statement, {"table": table.name, "n": count}).scalars())
    last = session.execute(
        text(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = :table), 0), "
            f'coalesce((SELECT max(id) FROM "{table.name}"), 0))'
        ),
        {"table": table.name},
    ).scalar_one()
    return list(range(last + 1, last + 1 + count))


def _meaningful(row_image: dict[str, Any] | None) -> dict[str, Any] | None:
    if row_image is None:
        return None
    return {k: v for k, v in row_image.items() if k not in VOLATILE}


Change = dict[str, Any]


class Action(NamedTuple):
    """One action for :meth:`EventLog.append_many` (the arguments of :meth:`EventLog.append`)."""

    changes: Sequence[Change]
    article_id: int | None
    action: str
    summary: str
    discard_redo: bool = True


REFERENCES: tuple[tuple[type[SQLModel], str, type[SQLModel]], ...] = tuple(
    (child, fk.parent.name, TRACKED[fk.column.table.name])
    for child in TRACKED.values()
    for fk in child.__table__.foreign_keys  # type: ignore[attr-defined]
    if fk.column.table.name in TRACKED and fk.ondelete is None
)
"""(child model, column, parent model) for every reference between tracked rows that
the database does not cascade: deleting a parent some child still names would fail."""


class EventLog:
    """Appends the actions of one annotator (and session) and walks their undo stacks.

    A session sees — may undo or redo — its own events and those of sessions
    that are no longer live (:mod:`storage.sessions`); ``session_id=None``
    (the importer) sees only those of ended sessions and legacy events.
    """

    def __init__(self, session: Session, annotator_id: int, session_id: str | None) -> None:
        self.session = session
        self.annotator_id = annotator_id
        self.session_id = session_id

    def _visible(self) -> ColumnElement[bool]:
        others = sessions.live_others(self.session, self.annotator_id, self.session_id)
        if not others:
            return true()
        return or_(col(Event.session_id).is_(None), col(Event.session_id).not_in(others))

    def _scope(self, article_id: int | None) -> list[ColumnElement[bool]]:
        return [
            Event.annotator_id == self.annotator_id,  # type: ignore[list-item]
            Event.article_id == article_id,  # type: ignore[list-item]
            col(Event.discarded).is_(False),
            self._visible(),
        ]

    def append(
        self,
        changes: Sequence[Change],
        *,
        article_id: int | None,
        action: str,
        summary: str,
        discard_redo: bool = True,
    ) -> Event:
        """Store one action; a new action ends the redo stack of its (annotator, article).

        ``discard_redo=False`` skips that look-up when nothing can be undone
        there yet (an article created in the same transaction).
        """
        if discard_redo:
            stale = self.session.exec(
                select(Event).where(*self._scope(article_id), col(Event.undone).is_(True))
            ).all()
            for event in stale:
                event.discarded = True
                self.session.add(event)
        event = Event(
            annotator_id=self.annotator_id,
            session_id=self.session_id,
            article_id=article_id,
            action=action,
            summary=summary,
            changes=list(changes),
        )
        # Before the event joins the session: the statement then flushes nothing (a
        # refused flush inside it leaves psycopg's pipeline to complain on stderr).
        live.announce(
            self.session,
            article_id=article_id,
            annotator_id=self.annotator_id,
            session_id=self.session_id,
        )
        self.session.add(event)
        return event

    def append_many(self, actions: Sequence[Action]) -> None:
        """Store several actions as :meth:`append` would, in one INSERT (an import's batch).

        The redo stacks they end are discarded with one UPDATE, not a look-up per action.
        """
        stale = sorted({a.article_id for a in actions if a.discard_redo and a.article_id})
        for begin in range(0, len(stale), LOCK_CHUNK):
            self.session.execute(
                update(Event)
                .where(
                    Event.annotator_id == self.annotator_id,  # type: ignore[arg-type]
                    col(Event.article_id).in_(stale[begin : begin + LOCK_CHUNK]),
                    col(Event.discarded).is_(False),
                    col(Event.undone).is_(True),
                    self._visible(),
                )
                .values(discarded=True)
                .execution_options(synchronize_session=False)
            )
        if not actions:
            return
        now = utcnow()
        rows = [
            {
                "annotator_id": self.annotator_id,
                "session_id": self.session_id,
                "article_id": action.article_id,
                "action": action.action,
                "summary": action.summary,
                "changes": list(action.changes),
                "undone": False,
                "discarded": False,
                "at": now,
            }
            for action in actions
        ]
        self.session.execute(insert(Event.__table__), rows)  # type: ignore[arg-type]
        for action in actions:
            live.announce(
                self.session,
                article_id=action.article_id,
                annotator_id=self.annotator_id,
                session_id=self.session_id,
            )

    def step(self, article_id: int | None, *, undo: bool) -> tuple[Event, list[Change]] | None:
        """Undo (or redo) the latest (earliest undone) visible action of ``article_id``.

        The event row is locked (``FOR UPDATE``; SQLite's write lock already
        serialises writers), so two programs undoing at once never take back the
        same action twice: the second waits, then sees it undone and picks the
        next. Returns the event and its row changes as they now stand (undo:
        inverted, ``after`` = state now).
        """
        order = col(Event.id).desc() if undo else col(Event.id).asc()
        event = self.session.exec(
            select(Event)
            .where(*self._scope(article_id), col(Event.undone).is_(not undo))
            .order_by(order)
            .limit(1)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if event is None:
            return None
        apply_images(self.session, event.changes, undo=undo)  # flushes its writes
        live.announce(
            self.session,
            article_id=article_id,
            annotator_id=self.annotator_id,
            session_id=self.session_id,
        )
        event.undone = undo
        self.session.add(event)
        if undo:
            return event, [
                {**change, "before": change["after"], "after": change["before"]}
                for change in reversed(event.changes)
            ]
        return event, list(event.changes)


def _one_line(text: str, limit: int = 40) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe(table: str, row: dict[str, Any]) -> str:
    """A row as a user knows it, for conflict messages."""
    if table == "span":
        return f'span "{_one_line(row["text"])}" in article {row["article_id"]}'
    if table == "entity":
        return f'entity "{_one_line(row["name"])}"'
    if table == "figure":
        return f"the figure of span {row['span_id']}"
    if table == "topicassignment":
        return f'topic "{_one_line(row["topic"])}" of article {row["article_id"]}'
    if table == "articlestate":
        return f"the state of article {row['article_id']}"
    return f"{table} {row.get('id', '')}".strip()


LOCK_CHUNK = 500
"""Rows locked per SELECT … FOR UPDATE (well under SQLite's and psycopg's parameter limits)."""


def _locked_rows(
    session: Session, wanted: list[tuple[str, dict[str, Any]]]
) -> dict[tuple[str, str], SQLModel]:
    """The rows as committed now, locked until the end of the transaction (PostgreSQL).

    One ``SELECT … WHERE id IN (…) FOR UPDATE`` per table and chunk rather than
    one per row (an undo of 5,000 suggestions); the result also keeps the rows
    alive in the session's (weak) identity map for the writes that follow.
    """
    found: dict[tuple[str, str], SQLModel] = {}
    by_table: dict[str, list[dict[str, Any]]] = {}
    for table, key in wanted:
        by_table.setdefault(table, []).append(key)
    for table, keys in by_table.items():
        model = TRACKED[table]
        columns = [column.key for column in model.__mapper__.primary_key]  # type: ignore[attr-defined]
        if len(columns) > 1:
            for key in keys:
                identity = tuple(key[name] for name in columns)
                row = session.get(model, identity, with_for_update=True, populate_existing=True)
                if row is not None:
                    found[_row_id(table, key)] = row
            continue
        [name] = columns
        values = [key[name] for key in keys]
        for start in range(0, len(values), LOCK_CHUNK):
            chunk = values[start : start + LOCK_CHUNK]
            statement = (
                select(model)
                .where(getattr(model, name).in_(chunk))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            for row in session.exec(statement):
                found[_row_id(table, {name: getattr(row, name)})] = row
    return found


def _row_id(table: str, key: dict[str, Any]) -> tuple[str, str]:
    return table, repr(sorted(key.items()))


def _check_not_referenced(
    session: Session,
    verb: str,
    table: str,
    row: SQLModel,
    besides: frozenset[tuple[str, str]] = frozenset(),
) -> None:
    """Refuse to delete ``row`` while a row outside ``besides`` still refers to it."""
    for child, column, parent in REFERENCES:
        if parent.__tablename__ != table:
            continue
        referring = getattr(child, column) == row.id  # type: ignore[attr-defined]
        found = session.exec(select(child).where(referring).limit(len(besides) + 2)).all()
        users = [
            user
            for user in found
            if _row_id(child.__tablename__, primary_key(user)) not in besides  # type: ignore[arg-type]
        ]
        if users:
            more = " (and others)" if len(users) > 1 else ""
            raise Conflict(
                f"cannot {verb}: {describe(table, image(row))} is still used by "
                f"{describe(child.__tablename__, image(users[0]))}{more}"  # type: ignore[arg-type]
            )


def _check_targets_exist(
    session: Session, verb: str, table: str, target: dict[str, Any], current: SQLModel | None
) -> None:
    for child, column, parent in REFERENCES:
        if child.__tablename__ != table or target.get(column) is None:
            continue
        if current is not None and getattr(current, column) == target[column]:
            continue
        if session.get(parent, target[column]) is None:
            raise Conflict(
                f"cannot {verb}: {describe(table, target)} refers to "
                f"{parent.__tablename__} {target[column]}, which no longer exists"
            )


def _check_unique(session: Session, verb: str, table: str, target: dict[str, Any]) -> None:
    """A row coming back must not collide with one made since (e.g. the same topic
    assigned again by another program of the annotator)."""
    model = TRACKED[table]
    for constraint in model.__table__.constraints:  # type: ignore[attr-defined]
        if not isinstance(constraint, UniqueConstraint):
            continue
        columns = [column.key for column in constraint.columns]
        same = [getattr(model, name) == target[name] for name in columns]
        if session.exec(select(model).where(*same).limit(1)).first() is not None:
            raise Conflict(f"cannot {verb}: {describe(table, target)} is there again")


def apply_images(session: Session, changes: list[Change], *, undo: bool) -> None:
    """Roll ``changes`` back (``undo=True``) or forward again, checking for conflicts.

    The check is on the action's effect on each row — its image before the
    action's first change to it and after the last (a batch may change a row
    several times) — so the action is refused as a whole when any row it
    touched was changed since; a row already as the step would leave it is
    left alone. Then the changes are written in their order (reversed for
    undo), which keeps parents before the rows that refer to them.
    """
    verb = "undo" if undo else "redo"
    ordered = list(reversed(changes)) if undo else list(changes)
    effect: dict[tuple[str, str], list[Any]] = {}  # row → [expected now, target]
    for change in ordered:
        expected, target = (
            (change["after"], change["before"]) if undo else (change["before"], change["after"])
        )
        row = _row_id(change["table"], change["key"])
        if row in effect:
            effect[row][1] = target
        else:
            effect[row] = [expected, target, change]
    already: set[tuple[str, str]] = set()
    rows = _locked_rows(
        session, [(change["table"], change["key"]) for _, _, change in effect.values()]
    )
    for row, (expected, target, change) in effect.items():
        table = change["table"]
        current = rows.get(row)
        now = _meaningful(image(current) if current is not None else None)
        if now == _meaningful(target):
            already.add(row)  # e.g. another program set the same article state
            continue
        if now != _meaningful(expected):
            if target is None and current is not None:
                # The likelier cause, and the one to name: a row elsewhere still refers to it.
                _check_not_referenced(session, verb, table, current, frozenset(effect))
            what = describe(table, image(current)) if current is not None else f"the {table}"
            gone = " was deleted" if current is None else " was changed"
            raise Conflict(f"cannot {verb}: {what}{gone} since")
    unflushed: set[tuple[str, str]] = set()
    for change in ordered:
        table = change["table"]
        row = _row_id(table, change["key"])
        if row in already:
            continue
        # Write what is pending when the table changes (the unit of work knows no
        # foreign keys between these models: parents must go first by hand) or a
        # row comes again; a run of rows of one table goes out as one batch.
        if unflushed and (row in unflushed or next(iter(unflushed))[0] != table):
            session.flush()
            unflushed.clear()
        unflushed.add(row)
        model = TRACKED[table]
        target = change["before"] if undo else change["after"]
        current = rows.get(row)  # as locked above, then as this loop left it
        if target is None:
            assert current is not None
            _check_not_referenced(session, verb, table, current)
            session.delete(current)
            del rows[row]
        else:
            _check_targets_exist(session, verb, table, target, current)
            restored = model.model_validate(target)
            if current is None:
                _check_unique(session, verb, table, target)
                session.add(restored)
                rows[row] = restored
            else:
                for name in target:
                    setattr(current, name, getattr(restored, name))
                session.add(current)
    session.flush()
