"""Pre-annotation: run the suggesters on articles and store what they find.

The suggesters themselves are pure (``storage.figures.find_figures``,
``storage.suggest``); this module feeds them article text, builds the
gazetteer from entities accepted anywhere in the corpus, drops proposals that
an annotation already covers, and stores the rest as ``suggested`` spans
(rejected ones never come back: ``Repository.add_suggestions`` skips them).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from storage.db import Database
from storage.errors import StorageError
from storage.figure_actions import StoredSpan
from storage.models import Article, Entity, Span
from storage.repository import Repository, SpanSuggestion
from storage.schema import DEFAULT_TRAINED_MODEL, Config, Schema
from storage.suggest.merge import merge_suggestions
from storage.suggest.registry import Runner, SuggesterSpec, build_runners, entity_suggestions

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


_attributes = attrgetter(*FIGURE_ATTRIBUTES)


@dataclass
class SuggestOptions:
    """Which suggesters run."""

    figures: bool = True
    entity_rules: bool = True
    topics: bool = True
    """The schema's topic patterns (``storage.suggest.topics``): suggested topics with evidence."""
    gazetteer: bool = True
    gazetteer_file: Path | None = None
    model: str | None = None
    """An installed spaCy pipeline (``--model``): batch runs only, one fixed score."""
    trained_model: str | None = DEFAULT_TRAINED_MODEL
    """The ``redline train`` pipeline, used when that path exists (``[suggest] model``)."""
    schema: Schema | None = None
    """The schema a trained model must have been trained for (None: ``load_config()``'s)."""

    @classmethod
    def from_config(cls, config: Config, **overrides: Any) -> SuggestOptions:
        """The options ``redline.toml`` sets (``[suggest] model``), with ``overrides``."""
        values: dict[str, Any] = {"trained_model": config.suggest_model, "schema": config.schema}
        return cls(**(values | overrides))


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


def figure_suggestions(text: str, entity_ids: dict[str, int] | None = None) -> list[SpanSuggestion]:
    """Every figure the rules find, with the form's normalisation (one parser).

    ``entity_ids`` (folded name or alias -> entity id) turns the subject the
    rules found ("Kazakhstan") into the figure's ``subject_id``. Without any
    entity no subject can be stored, so the rules do not look for one.
    """
    from storage.figures import find_figures
    from storage.kb import fold

    suggestions = []
    for figure in find_figures(text, subjects=bool(entity_ids)):
        attributes: dict[str, Any] = dict(zip(FIGURE_ATTRIBUTES, _attributes(figure), strict=True))
        subject = fold(figure.subject) if figure.subject and entity_ids else None
        attributes["subject_id"] = entity_ids.get(subject) if entity_ids and subject else None
        # All eight fields, in declaration order, set without the frozen dataclass's
        # ``__init__`` (one ``object.__setattr__`` each: most of this loop's time at
        # 60 figures an article); equality, hash and repr read the fields as usual.
        suggestion = object.__new__(SpanSuggestion)
        suggestion.__dict__.update(
            {
                "start": figure.start,
                "end": figure.end,
                "label": figure.kind,
                "layer": "figure",
                "origin": "rule",
                "score": 0.9,
                "figure": attributes,
                "entity_id": None,
            }
        )
        suggestions.append(suggestion)
    return suggestions


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
        return entity_suggestions(self.gazetteer.find(text), self.entity_ids)


EXISTING_STATUSES = ("accepted", "suggested", "rejected")
"""The spans a proposal is merged against: none of them is suggested again."""


def _existing(db: Database, repository: Repository, article_id: int) -> Sequence[Span]:
    return _existing_of(db, repository, [article_id])[article_id]


def _existing_of(
    db: Database, repository: Repository, article_ids: Sequence[int]
) -> dict[int, list[Span]]:
    """Each article's spans of this annotator (``EXISTING_STATUSES``), in reading order."""
    from storage import queries

    return queries.spans_of_articles(
        db, article_ids, repository.annotator, statuses=EXISTING_STATUSES
    )


def _articles(db: Database, article_ids: Sequence[int]) -> list[Article]:
    """The articles of ``article_ids`` that exist, in that order, read with one query."""
    with db.reading() as session:
        rows = session.exec(select(Article).where(col(Article.id).in_(list(article_ids)))).all()
    by_id = {article.id: article for article in rows}
    return [by_id[article_id] for article_id in article_ids if article_id in by_id]


class Suggester:
    """Runs the configured suggesters for one annotator and stores their output.

    ``on_open`` keeps to the suggesters cheap enough for opening an article
    (``SuggesterSpec.on_open``); ``redline suggest`` runs them all.
    """

    def __init__(
        self,
        db: Database,
        repository: Repository,
        options: SuggestOptions,
        *,
        on_open: bool = True,
    ) -> None:
        self.db = db
        self.repository = repository
        self.options = options
        self.on_open = on_open
        self._runners: list[tuple[SuggesterSpec, Runner]] | None = None

    def prepare(self) -> list[tuple[SuggesterSpec, Runner]]:
        """Build the runners now: a bad gazetteer file or model fails the run, not each article."""
        if self._runners is None:
            self._runners = build_runners(self.db, self.options, on_open=self.on_open)
        return self._runners

    def proposals_for(self, texts: Sequence[str]) -> list[list[SpanSuggestion]]:
        """Every runner's proposals for each text, in text order."""
        merged: list[list[SpanSuggestion]] = [[] for _ in texts]
        for _spec, runner in self.prepare():
            for found, proposals in zip(merged, runner(texts), strict=True):
                found.extend(proposals)
        return merged

    def proposals(self, text: str) -> list[SpanSuggestion]:
        return self.proposals_for([text])[0]

    def store(
        self,
        article_id: int,
        proposals: Sequence[SpanSuggestion],
        existing: Sequence[Span] | None = None,
    ) -> list[StoredSpan]:
        """Store the merged proposals for one article; one transaction, nothing stored twice.

        ``existing``: the article's spans (``EXISTING_STATUSES``) when the caller read them
        already, for a batch of articles at once.
        """
        if existing is None:
            existing = _existing(self.db, self.repository, article_id)
        return self.repository.add_suggestions(article_id, merge_suggestions(proposals, existing))

    def run(
        self, article_id: int, text: str, extra: Sequence[SpanSuggestion] = ()
    ) -> list[StoredSpan]:
        """Suggest for one article; one transaction, nothing stored twice."""
        return self.store(article_id, [*self.proposals(text), *extra])


BATCH = 32
"""Articles whose texts go to the runners together (spaCy pipes a batch)."""


def suggest_corpus(
    db: Database,
    repository: Repository,
    article_ids: Sequence[int],
    options: SuggestOptions,
    on_article: Callable[[int, int], None] | None = None,
    *,
    jobs: int = 1,
) -> SuggestReport:
    """Pre-annotate articles with every suggester; ``on_article(article_id, added)`` reports
    progress.

    An article that fails (a database error, a suggester bug on odd text) is
    reported in ``SuggestReport.failed`` by id and title and the run goes on:
    ``BATCH`` articles are committed together (``Repository.grouped``), each in
    a savepoint of its own with its own event, so a failing article rolls back
    alone and the others keep their suggestions. Progress is reported once a
    batch is committed.
    ``jobs`` > 1 computes the proposals in that many worker processes
    (``storage.suggest.parallel``); they are stored here, in article order, so
    the result is the same as with one job.
    """

    suggester = Suggester(db, repository, options, on_open=False)
    suggester.prepare()  # a bad gazetteer file or model fails the run here, before any worker
    report = SuggestReport()
    chunk: list[tuple[Article, Any]] = []
    for item in _proposals(db, suggester, article_ids, options, jobs):
        chunk.append(item)
        if len(chunk) >= BATCH:
            _store_chunk(suggester, chunk, report, on_article)
            chunk = []
    _store_chunk(suggester, chunk, report, on_article)
    return report


def _store_chunk(
    suggester: Suggester,
    chunk: Sequence[tuple[Article, Any]],
    report: SuggestReport,
    on_article: Callable[[int, int], None] | None,
) -> None:
    """Store the proposals of a few articles in one commit, then report each in order."""
    from storage.suggest.parallel import ProposalError

    results: list[tuple[Article, list[StoredSpan] | str]] = []
    try:
        existing = _existing_of(
            suggester.db, suggester.repository, [article.id or 0 for article, _ in chunk]
        )
        with suggester.repository.grouped():
            for article, outcome in chunk:
                assert article.id is not None
                try:
                    if isinstance(outcome, ProposalError):
                        raise outcome
                    stored = suggester.store(article.id, outcome, existing[article.id])
                    results.append((article, stored))
                except Exception as exc:  # reported per article; the run goes on
                    reason = exc.reason if isinstance(exc, ProposalError) else _reason(exc)
                    results.append((article, reason))
    except Exception as exc:  # the group's transaction failed: none of these articles is stored
        reason = _reason(exc)
        earlier = {article.id: found for article, found in results if isinstance(found, str)}
        results = [(article, earlier.get(article.id, reason)) for article, _ in chunk]
    for article, found in results:
        assert article.id is not None
        if isinstance(found, str):
            report.failed.append(SuggestFailure(article.id, article.title, found))
            if on_article is not None:
                on_article(article.id, 0)
            continue
        report.articles += 1
        report.added += len(found)
        for span in found:
            report.by_origin[span.origin] = report.by_origin.get(span.origin, 0) + 1
        if on_article is not None:
            on_article(article.id, len(found))


def _proposals(
    db: Database,
    suggester: Suggester,
    article_ids: Sequence[int],
    options: SuggestOptions,
    jobs: int,
) -> Iterator[tuple[Article, Any]]:
    """(article, its proposals or a ``ProposalError``) in ``article_ids`` order."""
    from storage.suggest.parallel import propose, propose_in_pool

    batches = (
        _articles(db, article_ids[begin : begin + BATCH])
        for begin in range(0, len(article_ids), BATCH)
    )
    location = _location(db)
    if jobs <= 1 or location is None or len(article_ids) <= BATCH:
        for articles in batches:
            texts = [article.text for article in articles]
            yield from zip(articles, propose(suggester.prepare(), texts), strict=True)
        return
    sent: deque[list[Article]] = deque()

    def texts_of_batches() -> Iterator[list[str]]:
        for articles in batches:
            sent.append(articles)
            yield [article.text for article in articles]

    with _wal_kept(db):
        built = (db, suggester.prepare())  # forked workers inherit them: nothing is rebuilt
        for outcomes in propose_in_pool(location, options, texts_of_batches(), jobs, built):
            yield from zip(sent.popleft(), outcomes, strict=True)


@contextmanager
def _wal_kept(db: Database) -> Iterator[None]:
    """Hold a SQLite connection that has read the file (so it has the WAL open) for the run.

    A worker closing the last connection that has the WAL open deletes the WAL;
    the next write here would find a new WAL file, which ``Database.check_file``
    takes for a replaced database, refusing every write after it.
    """
    if not db.is_sqlite:
        yield
        return
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
        connection.commit()  # ends the read; the connection (and its WAL handle) stays open
        yield


def _location(db: Database) -> str | None:
    """What a worker process opens to read the same database (None: an in-memory one)."""
    if db.is_sqlite:
        return db.file or db.path
    return db.url.render_as_string(hide_password=False)


def _reason(exc: Exception) -> str:
    reason = str(exc) if isinstance(exc, StorageError) else f"{type(exc).__name__}: {exc}"
    return reason.strip().splitlines()[0] if reason.strip() else type(exc).__name__
