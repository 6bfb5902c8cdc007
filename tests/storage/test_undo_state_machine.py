"""Undo and redo behave like an editor's, per annotator and article (stateful test).

The model holds the whole database's meaningful content (every span, figure,
entity, topic assignment and article state, ids included, timestamps left
out) and the list of steps: the row differences each action made, with the
session, annotator and article (None: corpus-wide entity actions) it was made
in. A program undoes the latest step of its annotator and article that is its
own or belongs to a session that has ended, writing its ``before`` rows back;
redo takes the earliest undone one again; a new action drops the redo steps
the program could see. Two programs run as "ana" at once (and never undo each
other's steps); a restart ends them all — or crashes them, leaving their
sessions live, so nobody may undo their steps.

Entities are shared by every scope (a link or a merge in one scope changes
rows another scope's step also changed), so the model also predicts when an
undo or redo must be refused with a ``Conflict`` — and the database must then
be left exactly as it was: a row changed since (and not already as the step
would leave it), an entity deleted while a span, figure or entity still
refers to it, a link restored to an entity that is gone, or a topic restored
that another program assigned again since.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import SQLModel, select

from storage import queries
from storage.articles import add_article
from storage.db import Database, open_db
from storage.errors import Conflict
from storage.events import VOLATILE
from storage.models import Annotator, ArticleState, Entity, Figure, Span, TopicAssignment
from storage.repository import Repository, SpanSuggestion
from tests.storage.test_repository import Parsed

TEXTS = (
    "Murat Nurtleu met Kaja Kallas in Astana. Trade reached $49.7 billion in 2024.",
    "Exports rose 12% to 3 mln tonnes; 北京 signed with 🇰🇿 on 5 May.",
)
ANNOTATORS = ("ana", "ben")
PROGRAMS = (0, 0, 1)  # the annotator of each running program: two run as "ana"
LABELS = ("PERSON", "ORG", "GPE", "MISC")
FIGURE_KINDS = ("MONEY", "PERCENT", "QUANTITY")
TOPICS = ("trade", "energy", "diplomacy")
STATES = ("todo", "in_progress", "done", "skipped")
ENTITY_NAMES = ("Kaja Kallas", "Astana", "European Union", "K. Kallas")
ENTITY_EDITS = ("create", "create_and_link", "link", "unlink", "rename", "merge")

ROUND_TRIPS = (
    *(f"add:{layer}" for layer in ("entity", "figure", "evidence")),
    *(f"change_span:{edit}" for edit in ("remove", "relabel", "resize", "figure", "figure_kind")),
    *(f"topic:{note}" for note in ("", "why", "unassign")),
    *(f"suggestions:{review}" for review in (0, 1, 2)),
    *(f"set_state:{state}" for state in STATES),
    *(f"entity:{edit}" for edit in ENTITY_EDITS),
    "batch:",
)
Scope = tuple[int, int | None]  # (program index, article index or None: corpus-wide)
RowKey = tuple[str, tuple[Any, ...]]  # (table, primary key)
Row = dict[str, Any]
State = dict[RowKey, Row]
Diff = dict[RowKey, tuple[Row | None, Row | None]]  # key → (before, after)

TABLES = (Span, Figure, Entity, TopicAssignment, ArticleState)
# Rows that refer to entities without a cascade: (table, column).
ENTITY_REFERENCES = (("span", "entity_id"), ("figure", "subject_id"), ("entity", "merged_into"))

# Most steps go to one article of "ana" (from either of her programs), so undo, redo
# and new actions meet there; the rest roam.
SCOPES = st.one_of(
    st.just((0, 0)),
    st.just((1, 0)),
    st.tuples(st.integers(0, len(PROGRAMS) - 1), st.integers(0, len(TEXTS) - 1)),
)
PICK = st.integers(0, 10_000)


@dataclass
class Step:
    """One stored action as the model knows it."""

    seq: int
    session: int  # index into UndoMachine.sessions
    annotator: int
    article: int | None  # article index
    diff: Diff
    status: str = "done"  # done | undone | discarded


def snapshot(db: Database) -> State:
    """Every meaningful row of the database (core rows, not ORM objects: this runs
    every step)."""
    state: State = {}
    with db.reading() as session:
        for model in TABLES:
            table = model.__table__  # type: ignore[attr-defined]
            key_columns = [column.key for column in table.primary_key]
            for row in session.execute(select(table)).mappings():
                values = {k: v for k, v in row.items() if k not in VOLATILE}
                state[(table.name, tuple(values[k] for k in key_columns))] = values
    return state


def difference(before: State, after: State) -> Diff:
    return {
        key: (before.get(key), after.get(key))
        for key in before.keys() | after.keys()
        if before.get(key) != after.get(key)
    }


def applied(state: State, diff: Diff, *, undo: bool) -> State | None:
    """``state`` with the step taken back (or again), or None when it must be refused."""
    result = dict(state)
    for key, (before, after) in diff.items():
        expected, target = (after, before) if undo else (before, after)
        now = state.get(key)
        if now == target:
            continue
        if now != expected:
            return None
        if target is None:
            del result[key]
        else:
            result[key] = target
    topics: set[tuple[Any, ...]] = set()
    for (table, _), row in result.items():
        for referring_table, column in ENTITY_REFERENCES:
            if table == referring_table and row[column] is not None:
                if ("entity", (row[column],)) not in result:
                    return None
        if table == "topicassignment":  # unique per article, annotator and topic
            unique = (row["article_id"], row["annotator_id"], row["topic"])
            if unique in topics:
                return None
            topics.add(unique)
    return result


class UndoMachine(RuleBasedStateMachine):
    """Random editing sessions against one database, checked against an editor model."""

    open_database: Any = None  # set by the test: () -> Database on a fresh, empty schema

    def __init__(self) -> None:
        super().__init__()
        self.db: Database = type(self).open_database()
        self.articles = [add_article(self.db, Parsed(body)).article_id for body in TEXTS]
        self.sessions: list[str] = []  # every session id so far; programs index into it
        self.ended: set[int] = set()
        self.program_session: list[int] = []
        self._start_programs()
        self.state: State = snapshot(self.db)
        self.steps: list[Step] = []
        self.pending: Scope | None = None

    def _start_programs(self) -> None:
        self.repos = [Repository(self.db, ANNOTATORS[who]) for who in PROGRAMS]
        self.program_session = []
        for repo in self.repos:
            self.program_session.append(len(self.sessions))
            self.sessions.append(repo.session_id)

    def teardown(self) -> None:
        self.db.dispose()

    # -- model helpers ----------------------------------------------------------------

    def _applied(self, scope: Scope) -> None:
        """An action ran on ``scope``; the invariant decides whether it was an undo step."""
        self.pending = scope

    def _rows(self, table: str, **where: Any) -> list[Row]:
        rows = [row for (name, _), row in sorted(self.state.items()) if name == table]
        return [row for row in rows if all(row[k] == v for k, v in where.items())]

    def _pick_span(self, scope: Scope, pick: int, **where: Any) -> int | None:
        """The id of one span of the scope matching ``where`` (by column)."""
        who, which = scope
        assert which is not None
        matching = self._rows(
            "span",
            annotator_id=self.repos[who].annotator_id,  # any program of the annotator
            article_id=self.articles[which],
            **where,
        )
        return matching[pick % len(matching)]["id"] if matching else None

    def _pick_entity(self, pick: int) -> int | None:
        entities = self._rows("entity")
        return entities[pick % len(entities)]["id"] if entities else None

    def _offsets(self, scope: Scope, pick: int) -> tuple[int, int]:
        assert scope[1] is not None
        length = len(TEXTS[scope[1]])
        start = pick % (length - 1)
        return start, min(length, start + 1 + (pick // 7) % 12)

    def _article(self, scope: Scope) -> int:
        assert scope[1] is not None
        return self.articles[scope[1]]

    # -- actions ----------------------------------------------------------------------
    # Few rules with parameters rather than one rule per method: Hypothesis picks rules
    # evenly, and undo/redo must come up often enough to meet every kind of action. A
    # rule that finds nothing to work on does the action that creates it instead, so
    # no step is wasted (one repository action per step, always).

    @initialize()
    def start(self) -> None:
        """The initial state: the two articles and nothing else."""
        assert self.state == {}

    @rule(scope=SCOPES, pick=PICK, layer=st.sampled_from(("entity", "figure", "evidence")))
    def add(self, scope: Scope, pick: int, layer: str) -> None:
        """add_span (entity or figure with attributes) or add_evidence."""
        repo, article_id = self.repos[scope[0]], self._article(scope)
        start, end = self._offsets(scope, pick)
        if layer == "entity":
            repo.add_span(article_id, start, end, LABELS[pick % len(LABELS)])
        elif layer == "figure":
            figure = {"value": Decimal(pick) / 10, "unit": "USD"}
            kind = FIGURE_KINDS[pick % len(FIGURE_KINDS)]
            repo.add_span(article_id, start, end, kind, layer="figure", figure=figure)
        else:
            repo.add_evidence(article_id, TOPICS[pick % len(TOPICS)], start, end)
        self._applied(scope)

    @rule(
        scope=SCOPES,
        pick=PICK,
        edit=st.sampled_from(("remove", "relabel", "resize", "figure", "figure_kind")),
    )
    def change_span(self, scope: Scope, pick: int, edit: str) -> None:
        """remove_span, relabel_span, resize_span or set_figure on an existing span."""
        repo = self.repos[scope[0]]
        layer = {"figure": "figure", "figure_kind": "figure"}.get(edit)
        span_id = self._pick_span(scope, pick, **({"layer": layer} if layer else {}))
        if span_id is None:
            self.add(scope, pick, layer or "entity")
            return
        if edit == "remove":
            repo.remove_span(span_id)
        elif edit == "relabel":
            labels = (*LABELS, *FIGURE_KINDS)  # a figure span's relabel changes its Figure too
            repo.relabel_span(span_id, labels[pick % len(labels)])
        elif edit == "resize":
            repo.resize_span(span_id, *self._offsets(scope, pick // 3))
        elif edit == "figure":
            metric = ("trade turnover", "exports", None)[pick % 3]
            subject = self._pick_entity(pick) if pick % 2 else None
            repo.set_figure(
                span_id, metric=metric, value=Decimal(pick % 100) / 100, subject_id=subject
            )
        else:
            repo.set_figure(span_id, kind=FIGURE_KINDS[pick % len(FIGURE_KINDS)], unit="%")
        self._applied(scope)

    @rule(
        scope=SCOPES,
        topic=st.sampled_from(TOPICS),
        note=st.sampled_from((None, "", "why", "unassign")),
    )
    def topic(self, scope: Scope, topic: str, note: str | None) -> None:
        """assign_topic (with or without a note) or unassign_topic."""
        repo, article_id = self.repos[scope[0]], self._article(scope)
        if note == "unassign":
            repo.unassign_topic(article_id, topic)
        else:
            repo.assign_topic(article_id, topic, note=note)
        self._applied(scope)

    @rule(scope=SCOPES, picks=st.lists(PICK, min_size=1, max_size=3), review=st.integers(0, 2))
    def suggestions(self, scope: Scope, picks: list[int], review: int) -> None:
        """add_suggestions, or accept / reject a pending one."""
        repo = self.repos[scope[0]]
        if review == 0:
            suggestions = [
                SpanSuggestion(*self._offsets(scope, pick), LABELS[pick % len(LABELS)])
                for pick in picks
            ]
            repo.add_suggestions(self._article(scope), suggestions)
        else:
            span_id = self._pick_span(scope, picks[0], status="suggested")
            if span_id is None:
                self.suggestions(scope, picks, 0)
                return
            (repo.accept if review == 1 else repo.reject)([span_id])
        self._applied(scope)

    @rule(scope=SCOPES, state=st.sampled_from(STATES), seconds=st.sampled_from((0.0, 1.5)))
    def set_state(self, scope: Scope, state: str, seconds: float) -> None:
        self.repos[scope[0]].set_state(self._article(scope), state, seconds)
        self._applied(scope)

    @rule(scope=SCOPES, pick=PICK, edit=st.sampled_from(ENTITY_EDITS))
    def entity(self, scope: Scope, pick: int, edit: str) -> None:
        """create_entity, rename_entity and merge_entities (corpus-wide: the annotator's
        scope without an article); create_and_link and link_span (the span's article)."""
        who = scope[0]
        repo = self.repos[who]
        entity_id = self._pick_entity(pick)
        if edit == "create" or (edit in ("link", "rename", "merge") and entity_id is None):
            name = ENTITY_NAMES[pick % len(ENTITY_NAMES)]
            repo.create_entity(name, LABELS[pick % len(LABELS)], kb_id=f"Q{pick % 5}")
            self._applied((who, None))
        elif edit == "rename":
            assert entity_id is not None
            repo.rename_entity(entity_id, ENTITY_NAMES[(pick // 3) % len(ENTITY_NAMES)])
            self._applied((who, None))
        elif edit == "merge":
            target = self._pick_entity(pick // 7)
            if target is None or target == entity_id:
                repo.create_entity(ENTITY_NAMES[pick % len(ENTITY_NAMES)], "PERSON")
            else:
                assert entity_id is not None
                repo.merge_entities(entity_id, target)
            self._applied((who, None))
        else:
            span_id = self._pick_span(scope, pick, layer="entity")
            if span_id is None:
                self.add(scope, pick, "entity")
                return
            if edit == "create_and_link":
                repo.create_and_link(span_id, accept=bool(pick % 2))
            else:
                repo.link_span(span_id, entity_id if edit == "link" else None)
            self._applied(scope)

    @rule(scope=SCOPES, pick=PICK)
    def batch(self, scope: Scope, pick: int) -> None:
        """Several calls in one Repository.batch: one event, one undo step."""
        repo, article_id = self.repos[scope[0]], self._article(scope)
        span_id = self._pick_span(scope, pick, layer="entity")
        with repo.batch("annotate", article_id, "confirm"):
            if span_id is None:
                span_id = repo.add_span(article_id, *self._offsets(scope, pick), "PERSON").id
            assert span_id is not None
            repo.relabel_span(span_id, LABELS[pick % len(LABELS)], accept=True)
            repo.create_and_link(span_id, name=ENTITY_NAMES[pick % len(ENTITY_NAMES)])
            repo.assign_topic(article_id, TOPICS[pick % len(TOPICS)])
        self._applied(scope)

    @rule(scope=SCOPES, who=st.integers(0, len(PROGRAMS) - 1), pick=PICK)
    def shared_entity(self, scope: Scope, who: int, pick: int) -> None:
        """Create an entity here, refer to it from another article, then undo here: the
        entity (or its aliases) is now shared, so the step must be refused. Random steps
        rarely line this up on their own."""
        assert scope[1] is not None
        elsewhere: Scope = (who, 1 - scope[1])
        span_id = self._pick_span(scope, pick, layer="entity")
        if span_id is None:
            self.add(scope, pick, "entity")
            self._settle()
            span_id = self._pick_span(scope, pick, layer="entity")
        assert span_id is not None
        entity = self.repos[scope[0]].create_and_link(span_id)
        self._applied(scope)
        self._settle()
        # A figure's subject refers to the entity without changing it (a link adds the
        # span's text to its aliases), so that refusal is for the reference alone.
        layer = "figure" if pick % 2 else "entity"
        other = self._pick_span(elsewhere, pick, layer=layer)
        if other is None:
            self.add(elsewhere, pick, layer)
            self._settle()
            other = self._pick_span(elsewhere, pick, layer=layer)
        assert other is not None
        repo = self.repos[elsewhere[0]]
        if layer == "figure":
            repo.set_figure(other, subject_id=entity.id)
        else:
            repo.link_span(other, entity.id)
        self._applied(elsewhere)
        self._settle()
        self._step_once(scope, undo=True)

    @rule(scope=SCOPES, pick=PICK, action=st.sampled_from(ROUND_TRIPS))
    def round_trip(self, scope: Scope, pick: int, action: str) -> None:
        """Any action, then an undo and a redo at once: the pattern most undo bugs need,
        made common instead of waiting for three random steps to line up."""
        rule_name, argument = action.split(":")
        if rule_name == "add":
            self.add(scope, pick, argument)
        elif rule_name == "change_span":
            self.change_span(scope, pick, argument)
        elif rule_name == "topic":
            self.topic(scope, TOPICS[pick % len(TOPICS)], argument or None)
        elif rule_name == "suggestions":
            self.suggestions(scope, [pick, pick // 3], int(argument))
        elif rule_name == "set_state":
            self.set_state(scope, argument, 1.5 if pick % 2 else 0.0)
        elif rule_name == "entity":
            self.entity(scope, pick, argument)
        else:
            self.batch(scope, pick)
        acted = self.pending
        assert acted is not None
        self._settle()
        # Even after an action that changed nothing: it must have left no event behind,
        # so this undo takes back the previous real step.
        self._step_once(acted, undo=True)
        self._step_once(acted, undo=False)

    # -- undo / redo ------------------------------------------------------------------

    def _visible(self, scope: Scope) -> list[Step]:
        """The steps the scope's program may undo or redo: its own and ended sessions'."""
        program, which = scope
        return [
            step
            for step in self.steps
            if step.annotator == PROGRAMS[program]
            and step.article == which
            and step.status != "discarded"
            and (step.session == self.program_session[program] or step.session in self.ended)
        ]

    def _next(self, scope: Scope, *, undo: bool) -> Step | None:
        candidates = [
            step for step in self._visible(scope) if step.status == ("done" if undo else "undone")
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda step: step.seq * (1 if undo else -1))

    def _step_once(self, scope: Scope, *, undo: bool) -> None:
        """One undo (redo) in ``scope``, checked against the model's prediction."""
        repo = self.repos[scope[0]]
        article_id = None if scope[1] is None else self.articles[scope[1]]
        step = repo.undo if undo else repo.redo
        chosen = self._next(scope, undo=undo)
        if chosen is None:
            assert step(article_id) is None
        else:
            expected = applied(self.state, chosen.diff, undo=undo)
            if expected is None:
                with pytest.raises(Conflict):
                    step(article_id)
            else:
                assert step(article_id) is not None
                chosen.status = "undone" if undo else "done"
                self.state = expected
        assert snapshot(self.db) == self.state

    def _with_history(self, pick: int, *, undo: bool) -> Scope:
        """A scope that has something to undo (redo) when any has: steps into an empty
        history are still tried, but most steps should move through a real one."""
        everything = [
            (program, which)
            for program in range(len(PROGRAMS))
            for which in (*range(len(TEXTS)), None)
        ]
        scopes = [scope for scope in everything if self._next(scope, undo=undo) is not None]
        return scopes[pick % len(scopes)] if scopes and pick % 5 else everything[pick % 9]

    @rule(pick=PICK, times=st.integers(1, 3))
    def undo(self, pick: int, times: int) -> None:
        scope = self._with_history(pick, undo=True)
        for _ in range(times):
            self._step_once(scope, undo=True)

    @rule(pick=PICK, times=st.integers(1, 3))
    def redo(self, pick: int, times: int) -> None:
        scope = self._with_history(pick, undo=False)
        for _ in range(times):
            self._step_once(scope, undo=False)

    @precondition(lambda self: bool(self.steps))
    @rule(crash=st.booleans())
    def restart(self, crash: bool) -> None:
        """Undo history is persisted: fresh programs after the old ones ended see their
        steps. After a crash the old sessions stay live (their process — this one —
        runs and their heartbeat is fresh), so their steps stay theirs."""
        if not crash:
            for program, repo in enumerate(self.repos):
                repo.end_session()
                self.ended.add(self.program_session[program])
        self._start_programs()

    def _settle(self) -> None:
        """Fold the last action into the model, then compare the database with it."""
        current = snapshot(self.db)
        if self.pending is not None:
            # An action that changed something is a new undo step of its scope and drops
            # that scope's redo stack; one that changed nothing is no step at all (the
            # repository logs no event).
            scope, self.pending = self.pending, None
            diff = difference(self.state, current)
            if diff:
                for step in self._visible(scope):
                    if step.status == "undone":
                        step.status = "discarded"
                program, which = scope
                self.steps.append(
                    Step(
                        len(self.steps),
                        self.program_session[program],
                        PROGRAMS[program],
                        which,
                        diff,
                    )
                )
                self.state = current
        assert current == self.state

    @invariant()
    def database_matches_the_model(self) -> None:
        self._settle()


def _sqlite_opener(template: Path) -> Any:
    """Fresh SQLite databases copied from a migrated template (migrating costs ~0.1 s)."""
    open_db(str(template)).dispose()  # migrated, and its WAL checkpointed on close

    def fresh() -> Database:
        directory = Path(tempfile.mkdtemp(prefix="redline-undo-"))
        shutil.copyfile(template, directory / "redline.db")
        database = open_db(str(directory / "redline.db"))
        original = database.dispose

        def dispose() -> None:
            original()
            shutil.rmtree(directory, ignore_errors=True)

        database.dispose = dispose  # type: ignore[method-assign]
        return database

    return fresh


def _emptied(database: Database) -> Database:
    """The shared PostgreSQL database, emptied (DELETE: TRUNCATE costs ~0.25 s a call)."""
    with database.engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    with database.reading() as session:
        assert session.exec(select(Annotator)).all() == []
    return database


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_undo_redo_matches_an_editor_model(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    shared: Database | None = None
    if backend == "sqlite":
        opener = _sqlite_opener(tmp_path / "template.db")
    else:
        shared = open_db(request.getfixturevalue("postgres_url"))

        def opener() -> Database:
            assert shared is not None
            return _emptied(shared)

    machine = type("UndoMachineOn" + backend.title(), (UndoMachine,), {})
    machine.open_database = staticmethod(opener)
    try:
        # PostgreSQL round trips make each example ~3x slower; fewer examples keep it quick.
        examples = 35 if backend == "sqlite" else 10
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=examples,
                stateful_step_count=20,
                deadline=None,
                # No "explain" phase: re-running a failure under coverage tracing takes
                # minutes here, and the shrunk steps already tell the story.
                phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
            ),
        )
    finally:
        if shared is not None:
            shared.dispose()


@pytest.mark.parametrize("step", ["redo_add", "undo_remove"])
def test_undo_and_redo_survive_ids_taken_elsewhere(db: Database, step: str) -> None:
    """Deleting the newest row in one scope must not let another scope take its id
    (SQLite reuses the largest rowid unless the table has AUTOINCREMENT)."""
    first = add_article(db, Parsed(TEXTS[0])).article_id
    second = add_article(db, Parsed(TEXTS[1])).article_id
    ana, ben = Repository(db, "ana"), Repository(db, "ben")
    span = ana.add_span(first, 0, 5, "PERSON")
    if step == "redo_add":
        ana.undo(first)  # the span row is gone; redo must bring back this very id
    else:
        ana.remove_span(span.id)  # undo must bring back this very id
    ben.add_span(second, 0, 7, "ORG")
    (ana.redo if step == "redo_add" else ana.undo)(first)
    [restored] = queries.spans_for(db, first, "ana")
    assert (restored.id, restored.layer, restored.label, restored.start, restored.end) == (
        span.id,
        "entity",
        "PERSON",
        0,
        5,
    )


def test_an_article_can_be_set_back_to_todo(db: Database) -> None:
    """Found by the state machine: set_state("todo") used to be turned back into
    "in_progress" by the same action, leaving an undo step that changed nothing."""
    article_id = add_article(db, Parsed(TEXTS[0])).article_id
    repo = Repository(db, "ana")
    repo.add_span(article_id, 0, 5, "PERSON")
    repo.set_state(article_id, "todo")
    assert queries.article_state(db, article_id, "ana") == "todo"
    assert repo.undo(article_id) is not None
    assert queries.article_state(db, article_id, "ana") == "in_progress"
    assert len(queries.spans_for(db, article_id, "ana")) == 1
