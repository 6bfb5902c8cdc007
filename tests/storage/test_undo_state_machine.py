"""Undo and redo behave like an editor's, per annotator and article (stateful test).

The model keeps, for every (annotator, article) scope, the stack of snapshots
after each applied action and a redo stack: undo must bring back the previous
snapshot, redo the next one, and a new action drops the redo stack. A snapshot
is the meaningful content of the scope (spans, figures, topic assignments and
the article state, ids included, timestamps left out). Two annotators on two
articles make sure an undo in one scope never touches another.
"""

from __future__ import annotations

import shutil
import tempfile
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
from storage.models import Annotator, ArticleState, Figure, Span, TopicAssignment
from storage.repository import Repository, SpanSuggestion
from tests.storage.test_repository import Parsed

TEXTS = (
    "Murat Nurtleu met Kaja Kallas in Astana. Trade reached $49.7 billion in 2024.",
    "Exports rose 12% to 3 mln tonnes; 北京 signed with 🇰🇿 on 5 May.",
)
ANNOTATORS = ("ana", "ben")
LABELS = ("PERSON", "ORG", "GPE", "MISC")
FIGURE_KINDS = ("MONEY", "PERCENT", "QUANTITY")
TOPICS = ("trade", "energy", "diplomacy")
STATES = ("todo", "in_progress", "done", "skipped")

ROUND_TRIPS = (
    *(f"add:{layer}" for layer in ("entity", "figure", "evidence")),
    *(f"change_span:{edit}" for edit in ("remove", "relabel", "resize", "figure", "figure_kind")),
    *(f"topic:{note}" for note in ("", "why", "unassign")),
    *(f"suggestions:{review}" for review in (0, 1, 2)),
    *(f"set_state:{state}" for state in STATES),
)
Scope = tuple[int, int]  # (annotator index, article index) in the model
Key = tuple[int, int]  # (annotator id, article id) in the database
Snapshot = tuple[tuple[Any, ...], ...]

# Most steps go to one scope, so undo, redo and new actions meet there; the rest roam.
SCOPES = st.one_of(
    st.just((0, 0)),
    st.just((0, 0)),
    st.tuples(st.integers(0, len(ANNOTATORS) - 1), st.integers(0, len(TEXTS) - 1)),
)
PICK = st.integers(0, 10_000)


def snapshots(db: Database) -> dict[Key, Snapshot]:
    """Everything each (annotator id, article id) scope means, as sorted tuples."""
    scopes: dict[Key, list[list[tuple[Any, ...]]]] = {}

    def add(scope: Key, part: int, row: tuple[Any, ...]) -> None:
        scopes.setdefault(scope, [[], [], [], []])[part].append(row)

    with db.reading() as session:  # column tuples, not ORM objects: this runs every step
        owner: dict[int, Key] = {}
        span_columns = (Span.id, Span.layer, Span.label, Span.start, Span.end, Span.text)
        span_columns += (Span.status, Span.origin, Span.topic)
        for annotator_id, article_id, *row in session.exec(
            select(Span.annotator_id, Span.article_id, *span_columns)
        ):
            owner[row[0]] = (annotator_id, article_id)
            add((annotator_id, article_id), 0, tuple(row))
        figure_columns = (Figure.span_id, Figure.kind, Figure.value, Figure.unit, Figure.scale)
        figure_columns += (Figure.metric, Figure.period, Figure.approximate)
        for row in session.exec(select(*figure_columns)):
            add(owner[row[0]], 1, tuple(row))
        topic_columns = (TopicAssignment.id, TopicAssignment.topic, TopicAssignment.status)
        for annotator_id, article_id, *row in session.exec(
            select(
                TopicAssignment.annotator_id,
                TopicAssignment.article_id,
                *topic_columns,
                TopicAssignment.note,
            )
        ):
            add((annotator_id, article_id), 2, tuple(row))
        for annotator_id, article_id, *row in session.exec(
            select(
                ArticleState.annotator_id,
                ArticleState.article_id,
                ArticleState.state,
                ArticleState.seconds_spent,
            )
        ):
            add((annotator_id, article_id), 3, tuple(row))
    return {scope: tuple(tuple(sorted(part)) for part in parts) for scope, parts in scopes.items()}


EMPTY: Snapshot = ((), (), (), ())


class UndoMachine(RuleBasedStateMachine):
    """Random editing sessions against one database, checked against an editor model."""

    open_database: Any = None  # set by the test: () -> Database on a fresh, empty schema

    def __init__(self) -> None:
        super().__init__()
        self.db: Database = type(self).open_database()
        self.articles = [add_article(self.db, Parsed(body)).article_id for body in TEXTS]
        self.repos = [Repository(self.db, name) for name in ANNOTATORS]
        self.done: dict[Scope, list[Snapshot]] = {}
        self.redo_stack: dict[Scope, list[Snapshot]] = {}
        for who in range(len(ANNOTATORS)):
            for which in range(len(TEXTS)):
                self.done[(who, which)] = [EMPTY]
                self.redo_stack[(who, which)] = []
        self.pending: Scope | None = None

    def teardown(self) -> None:
        self.db.dispose()

    # -- model helpers ----------------------------------------------------------------

    def _current(self) -> dict[Scope, Snapshot]:
        """The database's state per model scope; no row may live outside them."""
        found = snapshots(self.db)
        current = {}
        for who, which in self.done:
            key = (self.repos[who].annotator_id, self.articles[which])
            current[(who, which)] = found.pop(key, EMPTY)
        assert found == {}, f"rows outside every scope: {found}"
        return current

    def _applied(self, scope: Scope) -> None:
        """An action ran on ``scope``; the invariant decides whether it was an undo step."""
        self.pending = scope

    def _pick_span(self, scope: Scope, pick: int, **where: Any) -> int | None:
        """The id of one span of the scope matching ``where`` (by snapshot field name)."""
        fields = ("id", "layer", "label", "start", "end", "text", "status", "origin", "topic")
        rows = [dict(zip(fields, row, strict=True)) for row in self.done[scope][-1][0]]
        matching = [row for row in rows if all(row[k] == v for k, v in where.items())]
        return matching[pick % len(matching)]["id"] if matching else None

    def _offsets(self, scope: Scope, pick: int) -> tuple[int, int]:
        length = len(TEXTS[scope[1]])
        start = pick % (length - 1)
        return start, min(length, start + 1 + (pick // 7) % 12)

    # -- actions ----------------------------------------------------------------------
    # Few rules with parameters rather than one rule per method: Hypothesis picks rules
    # evenly, and undo/redo must come up often enough to meet every kind of action. A
    # rule that finds nothing to work on does the action that creates it instead, so
    # no step is wasted (one repository action per step, always).

    @initialize()
    def start(self) -> None:
        """The initial state is the empty one for every scope."""
        assert all(snapshot == EMPTY for snapshot in self._current().values())

    @rule(scope=SCOPES, pick=PICK, layer=st.sampled_from(("entity", "figure", "evidence")))
    def add(self, scope: Scope, pick: int, layer: str) -> None:
        """add_span (entity or figure with attributes) or add_evidence."""
        repo, article_id = self.repos[scope[0]], self.articles[scope[1]]
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
            repo.set_figure(span_id, metric=metric, value=Decimal(pick % 100) / 100)
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
        repo, article_id = self.repos[scope[0]], self.articles[scope[1]]
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
            repo.add_suggestions(self.articles[scope[1]], suggestions)
        else:
            span_id = self._pick_span(scope, picks[0], status="suggested")
            if span_id is None:
                self.suggestions(scope, picks, 0)
                return
            (repo.accept if review == 1 else repo.reject)([span_id])
        self._applied(scope)

    @rule(scope=SCOPES, state=st.sampled_from(STATES), seconds=st.sampled_from((0.0, 1.5)))
    def set_state(self, scope: Scope, state: str, seconds: float) -> None:
        self.repos[scope[0]].set_state(self.articles[scope[1]], state, seconds)
        self._applied(scope)

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
        else:
            self.set_state(scope, argument, 1.5 if pick % 2 else 0.0)
        self._settle()
        # Even after an action that changed nothing: it must have left no event behind,
        # so this undo takes back the previous real step.
        self._undo_once(scope)
        self._redo_once(scope)

    # -- undo / redo ------------------------------------------------------------------

    def _undo_once(self, scope: Scope) -> None:
        event = self.repos[scope[0]].undo(self.articles[scope[1]])
        if len(self.done[scope]) > 1:
            assert event is not None
            self.redo_stack[scope].append(self.done[scope].pop())
        else:
            assert event is None
        assert self._current()[scope] == self.done[scope][-1]

    def _redo_once(self, scope: Scope) -> None:
        event = self.repos[scope[0]].redo(self.articles[scope[1]])
        if self.redo_stack[scope]:
            assert event is not None
            self.done[scope].append(self.redo_stack[scope].pop())
        else:
            assert event is None
        assert self._current()[scope] == self.done[scope][-1]

    def _with_history(self, pick: int, *, undo: bool) -> Scope:
        """A scope that has something to undo (redo) when any has: steps into an empty
        history are still tried, but most steps should move through a real one."""
        scopes = [
            scope
            for scope in self.done
            if (len(self.done[scope]) > 1 if undo else self.redo_stack[scope])
        ]
        return scopes[pick % len(scopes)] if scopes and pick % 5 else list(self.done)[pick % 4]

    @rule(pick=PICK, times=st.integers(1, 3))
    def undo(self, pick: int, times: int) -> None:
        scope = self._with_history(pick, undo=True)
        for _ in range(times):
            self._undo_once(scope)

    @rule(pick=PICK, times=st.integers(1, 3))
    def redo(self, pick: int, times: int) -> None:
        scope = self._with_history(pick, undo=False)
        for _ in range(times):
            self._redo_once(scope)

    @precondition(lambda self: any(len(stack) > 1 for stack in self.done.values()))
    @rule()
    def restart(self) -> None:
        """Undo history is persisted: fresh repositories (a restart, after the old
        programs ended) see the same stacks."""
        for repo in self.repos:
            repo.end_session()
        self.repos = [Repository(self.db, name) for name in ANNOTATORS]

    def _settle(self) -> None:
        """Fold the last action into the model, then compare every scope with it."""
        current = self._current()
        if self.pending is not None:
            # An action that changed its scope is a new undo step and drops the redo stack;
            # one that changed nothing is no step at all (the repository logs no event).
            scope, self.pending = self.pending, None
            if current[scope] != self.done[scope][-1]:
                self.done[scope].append(current[scope])
                self.redo_stack[scope].clear()
        for scope, stack in self.done.items():
            assert current[scope] == stack[-1], f"scope {scope}"

    @invariant()
    def every_scope_matches_the_model(self) -> None:
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
    assert [s[:5] for s in snapshots(db)[(ana.annotator_id, first)][0]] == [
        (span.id, "entity", "PERSON", 0, 5)
    ]


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
