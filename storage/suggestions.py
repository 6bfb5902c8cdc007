"""Pre-annotation: run the suggesters on articles and store what they find.

The suggesters themselves are pure (``storage.figures.find_figures``,
``storage.suggest``); this module feeds them article text, builds the
gazetteer from entities accepted anywhere in the corpus, drops proposals that
an annotation already covers, and stores the rest as ``suggested`` spans
(rejected ones never come back: ``Repository.add_suggestions`` skips them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from storage.db import Database
from storage.errors import StorageError
from storage.models import Entity, Span
from storage.repository import Repository, SpanSuggestion

FIGURE_ATTRIBUTES = (
    "value",
    "value_max",
    "unit",
    "scale",
    "approximate",
    "bound",
    "change",
    "direction",
    "metric",
    "period",
    "date_value",
)


@dataclass
class SuggestOptions:
    """Which suggesters run."""

    figures: bool = True
    entity_rules: bool = True
    gazetteer: bool = True
    gazetteer_file: Path | None = None
    model: str | None = None


@dataclass(frozen=True)
class SuggestFailure:
    """An article the suggesters could not store suggestions for, and why (one line)."""

    article_id: int
    title: str
    reason: str

    @property
    def line(self) -> str:
        return f'article {self.article_id} "{" ".join(self.title.split())}": {self.reason}'


@dataclass
class SuggestReport:
    articles: int = 0
    added: int = 0
    by_origin: dict[str, int] = field(default_factory=dict)
    failed: list[SuggestFailure] = field(default_factory=list)


def figure_suggestions(text: str) -> list[SpanSuggestion]:
    """Every figure the rules find, with the form's normalisation (one parser)."""
    from storage.figures import find_figures

    suggestions = []
    for figure in find_figures(text):
        attributes: dict[str, Any] = {name: getattr(figure, name) for name in FIGURE_ATTRIBUTES}
        suggestions.append(
            SpanSuggestion(
                figure.start,
                figure.end,
                figure.kind,
                layer="figure",
                origin="rule",
                score=0.9,
                figure=attributes,
            )
        )
    return suggestions


def _entity_suggestions(found: Iterable[Any], entity_ids: dict[str, int]) -> list[SpanSuggestion]:
    return [
        SpanSuggestion(
            item.start,
            item.end,
            item.label,
            origin=item.origin,
            score=item.score,
            entity_id=entity_ids.get(item.entity_name) if item.entity_name else None,
        )
        for item in found
    ]


class CorpusGazetteer:
    """The gazetteer of accepted entities (canonical names, aliases, mention texts)."""

    def __init__(self, db: Database, extra_file: Path | None = None) -> None:
        from storage.suggest import Gazetteer, GazetteerEntry
        from storage.suggest.gazetteer import read_entries

        entries: list[Any] = []
        self.entity_ids: dict[str, int] = {}
        with db.reading() as session:
            for entity in session.exec(select(Entity).where(col(Entity.merged_into).is_(None))):
                assert entity.id is not None
                self.entity_ids[entity.name] = entity.id
                for surface in {entity.name, *entity.aliases}:
                    entries.append(GazetteerEntry(surface, entity.type, entity.kb_id, entity.name))
            accepted = session.exec(
                select(Span.text, Span.label)
                .where(Span.layer == "entity", Span.status == "accepted")
                .distinct()
            ).all()
        entries.extend(GazetteerEntry(text, label) for text, label in accepted)
        if extra_file is not None:
            entries.extend(read_entries(extra_file))
        self.gazetteer = Gazetteer(entries)

    def suggestions(self, text: str) -> list[SpanSuggestion]:
        return _entity_suggestions(self.gazetteer.find(text), self.entity_ids)


def _without_covered(
    suggestions: list[SpanSuggestion], existing: Sequence[Span]
) -> list[SpanSuggestion]:
    """Drop proposals that overlap an annotation of their layer, or each other."""
    taken: dict[str, list[tuple[int, int]]] = {}
    for span in existing:
        if span.status in ("accepted", "suggested", "rejected"):
            taken.setdefault(span.layer, []).append((span.start, span.end))
    kept: list[SpanSuggestion] = []
    for suggestion in sorted(suggestions, key=lambda s: (-(s.score or 0), s.start)):
        ranges = taken.setdefault(suggestion.layer, [])
        if any(start < suggestion.end and suggestion.start < end for start, end in ranges):
            continue
        ranges.append((suggestion.start, suggestion.end))
        kept.append(suggestion)
    return sorted(kept, key=lambda s: (s.start, s.end))


class Suggester:
    """Runs the configured suggesters for one annotator and stores their output."""

    def __init__(self, db: Database, repository: Repository, options: SuggestOptions) -> None:
        self.db = db
        self.repository = repository
        self.options = options
        self._gazetteer: CorpusGazetteer | None = None

    def prepare(self) -> None:
        """Build the gazetteer now: a bad gazetteer file fails the run, not each article."""
        if self.options.gazetteer and self._gazetteer is None:
            self._gazetteer = CorpusGazetteer(self.db, self.options.gazetteer_file)

    def proposals(self, text: str) -> list[SpanSuggestion]:
        options = self.options
        proposals: list[SpanSuggestion] = []
        if options.figures:
            proposals += figure_suggestions(text)
        if options.gazetteer:
            self.prepare()
            assert self._gazetteer is not None
            proposals += self._gazetteer.suggestions(text)
        if options.entity_rules:
            from storage.suggest import suggest_entities

            proposals += _entity_suggestions(suggest_entities(text), {})
        return proposals

    def run(self, article_id: int, text: str, extra: Sequence[SpanSuggestion] = ()) -> list[Span]:
        """Suggest for one article; one transaction, nothing stored twice."""
        from storage import queries

        existing = queries.spans_for(
            self.db,
            article_id,
            self.repository.annotator,
            statuses=("accepted", "suggested", "rejected"),
        )
        proposals = _without_covered([*self.proposals(text), *extra], existing)
        return self.repository.add_suggestions(article_id, proposals)


def suggest_corpus(
    db: Database,
    repository: Repository,
    article_ids: Sequence[int],
    options: SuggestOptions,
    on_article: Callable[[int, int], None] | None = None,
) -> SuggestReport:
    """Pre-annotate articles; ``on_article(article_id, added)`` reports progress.

    An article that fails (a database error, a suggester bug on odd text) is
    reported in ``SuggestReport.failed`` by id and title and the run goes on:
    each article is its own transaction, so the others keep their suggestions.
    """
    from storage import queries

    suggester = Suggester(db, repository, options)
    suggester.prepare()
    report = SuggestReport()
    model_output: dict[int, list[SpanSuggestion]] = {}
    if options.model:
        from storage.suggest import suggest_with_model

        texts = []
        for article_id in article_ids:
            article = queries.get_article(db, article_id)
            texts.append(article.text if article else "")
        for article_id, found in zip(
            article_ids, suggest_with_model(texts, options.model), strict=True
        ):
            model_output[article_id] = _entity_suggestions(found, {})
    for article_id in article_ids:
        article = queries.get_article(db, article_id)
        if article is None:
            continue
        try:
            added = suggester.run(article_id, article.text, model_output.get(article_id, ()))
        except Exception as exc:  # reported per article; the run goes on with the rest
            reason = str(exc) if isinstance(exc, StorageError) else f"{type(exc).__name__}: {exc}"
            first_line = reason.strip().splitlines()[0] if reason.strip() else type(exc).__name__
            report.failed.append(SuggestFailure(article_id, article.title, first_line))
            if on_article is not None:
                on_article(article_id, 0)
            continue
        report.articles += 1
        report.added += len(added)
        for span in added:
            report.by_origin[span.origin] = report.by_origin.get(span.origin, 0) + 1
        if on_article is not None:
            on_article(article_id, len(added))
    return report
