"""Which annotator labels which article (``redline assign``), "my queue" and progress.

:func:`plan_assignment` is the pure algorithm: every article gets exactly
``overlap`` distinct annotators, and annotators' loads differ by at most one.
Articles are visited in a seeded shuffled order and each takes the
least-loaded annotators (ties broken by a seeded order), which keeps the
spread at most one after every article: the same seed gives the same plan.
Loads already stored count, so a second ``assign`` evens out the first.

:func:`assign` stores a plan in the ``assignment`` table (one row per article
and annotator); :func:`queue` and :func:`progress` read it back.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from storage import live, sessions
from storage.db import Database
from storage.errors import StorageError
from storage.models import Annotator, Article, ArticleState, Assignment


def plan_assignment(
    articles: Sequence[int],
    annotators: Sequence[str],
    overlap: int,
    seed: int = 0,
    loads: Mapping[str, int] | None = None,
) -> dict[int, list[str]]:
    """``{article: [annotators]}``: ``overlap`` annotators per article, balanced loads."""
    names = list(dict.fromkeys(annotators))
    if not names:
        raise StorageError("no annotators given")
    if not 1 <= overlap <= len(names):
        raise StorageError(
            f"overlap must be between 1 and the number of annotators ({len(names)}), not {overlap}"
        )
    rng = random.Random(seed)
    order = sorted(set(articles))
    rng.shuffle(order)
    tie_break = {name: rng.random() for name in names}
    counts = Counter({name: (loads or {}).get(name, 0) for name in names})
    plan: dict[int, list[str]] = {}
    for article in order:
        chosen = sorted(names, key=lambda name: (counts[name], tie_break[name]))[:overlap]
        for name in chosen:
            counts[name] += 1
        plan[article] = sorted(chosen, key=names.index)
    return dict(sorted(plan.items()))


@dataclass(frozen=True)
class AssignReport:
    plan: dict[int, list[str]]
    skipped: list[int]
    """Articles that already had annotators (kept as they were; ``replace`` reassigns them)."""

    @property
    def counts(self) -> Counter[str]:
        return Counter(name for names in self.plan.values() for name in names)


def _loads(session: Session, names: Sequence[str]) -> dict[str, int]:
    rows = session.exec(
        select(Annotator.name, func.count())
        .join(Assignment, col(Assignment.annotator_id) == col(Annotator.id))
        .where(col(Annotator.name).in_(names))
        .group_by(col(Annotator.name))
    ).all()
    return dict(rows)


def assign(
    db: Database,
    annotators: Sequence[str],
    overlap: int,
    articles: Iterable[int] | None = None,
    *,
    seed: int = 0,
    replace: bool = False,
) -> AssignReport:
    """Assign ``articles`` (default: every article) in one transaction.

    Articles that already have annotators are skipped unless ``replace``, which
    first removes their assignments. Unknown article ids are an error.
    """
    with db.transaction() as session:
        known = set(session.exec(select(Article.id)).all())
        wanted = sorted(known if articles is None else set(articles))
        missing = [article for article in wanted if article not in known]
        if missing:
            raise StorageError(
                f"no article {missing[0]}"
                + (f" (and {len(missing) - 1} more ids)" if len(missing) > 1 else "")
            )
        assigned = set(session.exec(select(Assignment.article_id).distinct()).all())
        if replace:
            session.execute(delete(Assignment).where(col(Assignment.article_id).in_(wanted)))
            skipped: list[int] = []
        else:
            skipped = [article for article in wanted if article in assigned]
        todo = [article for article in wanted if replace or article not in assigned]
        plan = plan_assignment(todo, annotators, overlap, seed, _loads(session, annotators))
        ids = {name: sessions.annotator_id(session, name) for name in dict.fromkeys(annotators)}
        # New queues, told at commit; sent before the rows are added, so the statement does
        # not flush them (a refused flush there leaves psycopg's pipeline to complain).
        live.announce(session, article_id=None, annotator_id=0, session_id=None)
        session.add_all(
            Assignment(article_id=article, annotator_id=ids[name])
            for article, names in plan.items()
            for name in names
        )
    return AssignReport(plan, skipped)


def queue(db: Database, annotator: str) -> list[int]:
    """The ids of the articles assigned to ``annotator``, in id order."""
    with db.reading() as session:
        return list(
            session.exec(
                select(Assignment.article_id)
                .join(Annotator, col(Annotator.id) == col(Assignment.annotator_id))
                .where(Annotator.name == annotator)
                .order_by(col(Assignment.article_id))
            ).all()
        )


def has_assignments(db: Database) -> bool:
    with db.reading() as session:
        return session.exec(select(Assignment.article_id).limit(1)).first() is not None


@dataclass(frozen=True)
class Progress:
    """One annotator's assigned articles by state (an article never opened is ``todo``)."""

    annotator: str
    assigned: int
    done: int
    in_progress: int
    skipped: int

    @property
    def todo(self) -> int:
        return self.assigned - self.done - self.in_progress - self.skipped


def progress(db: Database) -> list[Progress]:
    """Per annotator with assignments, in name order: how far they are through their queue."""
    with db.reading() as session:
        rows = session.exec(
            select(Annotator.name, ArticleState.state, func.count())
            .select_from(Assignment)
            .join(Annotator, col(Annotator.id) == col(Assignment.annotator_id))
            .join(
                ArticleState,
                (col(ArticleState.article_id) == col(Assignment.article_id))
                & (col(ArticleState.annotator_id) == col(Assignment.annotator_id)),
                isouter=True,
            )
            .group_by(col(Annotator.name), col(ArticleState.state))
        ).all()
    states: dict[str, Counter[str]] = {}
    for name, state, count in rows:
        states.setdefault(name, Counter())[state or "todo"] += count
    return [
        Progress(
            name, sum(counts.values()), counts["done"], counts["in_progress"], counts["skipped"]
        )
        for name, counts in sorted(states.items())
    ]
