"""Dataset quality checks: what an annotation lead looks for before an export.

    >>> report = run_checks(database, schema, annotator="ana")
    >>> [finding.check for finding in report.findings]
    ['figure-value-mismatch', 'span-inside-token']

Every check is listed once, in :mod:`storage.checks.registry`, with its id,
severity and title; ``[check] ignore = [...]`` in ``redline.toml`` turns
checks off by id. The checks only read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from storage.checks.base import SEVERITIES, CheckData, Finding, unknown_annotator
from storage.checks.registry import CHECK_IDS, CHECKS
from storage.db import Database
from storage.errors import StorageError
from storage.models import Annotator, Article, ArticleState, Entity, Figure, Span, TopicAssignment
from storage.schema import Schema

__all__ = ["CHECKS", "CHECK_IDS", "CheckReport", "Finding", "load_data", "run_checks"]


@dataclass
class CheckReport:
    """The findings of one run, most severe first, and which checks ran."""

    findings: list[Finding] = field(default_factory=list)
    ran: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    articles: int = 0

    @property
    def counts(self) -> Counter[str]:
        return Counter(finding.severity for finding in self.findings)

    @property
    def has_errors(self) -> bool:
        return self.counts["error"] > 0

    def to_json(self) -> dict[str, Any]:
        counts = self.counts
        return {
            "articles": self.articles,
            "checks": list(self.ran),
            "ignored": list(self.skipped),
            "counts": {severity: counts[severity] for severity in SEVERITIES},
            "findings": [finding.to_json() for finding in self.findings],
        }


def load_data(
    database: Database,
    schema: Schema,
    *,
    annotator: str | None = None,
    article_ids: Collection[int] | None = None,
) -> CheckData:
    """Read what the checks need: ``annotator`` None means every annotator."""
    with database.reading() as session:
        names = {a.id: a.name for a in session.exec(select(Annotator)).all() if a.id is not None}
        annotator_ids: list[int] | None = None
        if annotator is not None:
            annotator_ids = [key for key, name in names.items() if name == annotator]
            if not annotator_ids:
                raise StorageError(unknown_annotator(annotator, names.values()))
        texts = dict(session.exec(select(Article.id, Article.text)).all())
        articles_query = select(Article)
        if article_ids is not None:
            missing = sorted(set(article_ids) - set(texts))
            if missing:
                raise StorageError(f"no article with id {missing[0]}")
            articles_query = articles_query.where(col(Article.id).in_(list(article_ids)))
        articles = {a.id: a for a in session.exec(articles_query).all() if a.id is not None}

        def scoped(statement: Any, table: Any) -> Any:
            if annotator_ids is not None:
                statement = statement.where(col(table.annotator_id).in_(annotator_ids))
            if article_ids is not None:
                statement = statement.where(col(table.article_id).in_(list(article_ids)))
            return statement

        spans = list(
            session.exec(
                scoped(select(Span), Span)
                .where(col(Span.status).in_(("accepted", "suggested")))
                .order_by(Span.article_id, Span.start, Span.end, Span.id)
            ).all()
        )
        figure_rows = session.exec(
            scoped(select(Figure).join(Span, col(Span.id) == Figure.span_id), Span)
        ).all()
        topics = list(
            session.exec(
                scoped(select(TopicAssignment), TopicAssignment)
                .where(TopicAssignment.status == "accepted")
                .order_by(TopicAssignment.article_id, TopicAssignment.id)
            ).all()
        )
        states = list(session.exec(scoped(select(ArticleState), ArticleState)).all())
        entities = {e.id: e for e in session.exec(select(Entity)).all() if e.id is not None}
        mentioned = set(
            session.exec(
                select(Span.entity_id)
                .where(col(Span.entity_id).is_not(None), col(Span.status) != "rejected")
                .distinct()
            ).all()
        )
    return CheckData(
        schema=schema,
        articles=articles,
        all_texts=texts,
        spans=spans,
        figures={figure.span_id: figure for figure in figure_rows},
        topics=topics,
        states=states,
        entities=entities,
        mentioned_entities={entity_id for entity_id in mentioned if entity_id is not None},
        annotator_names=names,
        corpus_wide=article_ids is None,
    )


def run_checks(
    database: Database,
    schema: Schema,
    *,
    annotator: str | None = None,
    article_ids: Collection[int] | None = None,
    ignore: Collection[str] = (),
) -> CheckReport:
    """Run every check not in ``ignore`` and return the findings, most severe first."""
    unknown = sorted(set(ignore) - set(CHECK_IDS))
    if unknown:
        raise StorageError(f"unknown check {unknown[0]!r} ({', '.join(CHECK_IDS)})")
    data = load_data(database, schema, annotator=annotator, article_ids=article_ids)
    report = CheckReport(articles=len(data.articles))
    ran: list[str] = []
    for check in CHECKS:
        if check.id in ignore:
            continue
        ran.append(check.id)
        report.findings.extend(check.run(data, check.finding))
    report.findings.sort(key=Finding.sort_key)
    report.ran = tuple(ran)
    report.skipped = tuple(check_id for check_id in CHECK_IDS if check_id in ignore)
    return report
