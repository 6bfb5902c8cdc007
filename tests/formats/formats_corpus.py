"""A small annotated corpus for the format tests, and a comparable snapshot of a database.

The corpus uses the real sample articles (read by the real importer) with
their gold entities, plus a synthetic article with emoji, combining marks, CJK
and RTL text, so every exporter meets what annotators actually produce:
linked entities, nested and misaligned spans, figures with attributes, topics
with notes and evidence, two annotators and articles that are not done.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import select

from storage.articles import add_article
from storage.db import Database
from storage.importers import ParsedArticle, read_articles
from storage.models import Annotator, Article, ArticleState, Entity, Figure, Span, TopicAssignment
from storage.repository import Repository, SpanSuggestion

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_articles"
GOLD = ROOT / "tests" / "data" / "gold" / "entities"
UNICODE_TEXT = (
    "Trade reached $49.7 billion 🇪🇺 in 2024. Café Zoë met 東京 officials.\n"
    "\n"
    "مرحبا بالعالم said the Ministry.\tDone"
)


@dataclass
class Corpus:
    kazakhstan: int
    hong_kong: int
    unicode: int
    unfinished: int
    misaligned: list[tuple[int, int, int]] = field(default_factory=list)
    """(article id, start, end) of spans that do not fall on spaCy token edges."""
    nested: list[tuple[int, int, int]] = field(default_factory=list)
    """(article id, start, end) of entity spans inside another entity span."""


def sample(name: str) -> ParsedArticle:
    [article] = [item for item in read_articles(SAMPLES / name)]
    assert isinstance(article, ParsedArticle)
    return article


def gold(stem: str) -> list[dict[str, Any]]:
    lines = (GOLD / f"{stem}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _add_gold(repo: Repository, article_id: int, stem: str) -> list[Span]:
    """Gold mentions as accepted spans, in two transactions (suggest, then accept)."""
    mentions = [SpanSuggestion(m["start"], m["end"], m["label"]) for m in gold(stem)]
    spans = repo.add_suggestions(article_id, mentions)
    repo.accept([span.id for span in spans if span.id is not None])
    return spans


def build_corpus(db: Database) -> Corpus:
    """Four articles; three done by "ana", one in progress; "ben" did one."""
    ana, ben = Repository(db, "ana"), Repository(db, "ben")
    kz = add_article(db, sample("kazakhstan-eu-kallas.md")).article_id
    hk = add_article(db, sample("04_wikinews_hong_kong_legislative_election_2016.txt")).article_id
    uni = add_article(db, ParsedArticle(UNICODE_TEXT, "Unicode", source="Test")).article_id
    todo = add_article(db, sample("08_wikinews_microsoft_ie6_countdown_2011.txt")).article_id
    corpus = Corpus(kz, hk, uni, todo)

    kz_spans = {}
    for span in _add_gold(ana, kz, "kazakhstan-eu-kallas"):
        kz_spans.setdefault(span.text, span)
    kallas = ana.create_and_link(kz_spans["Kaja Kallas"].id, kb_id="Q3740786")
    ana.link_span(kz_spans["Kallas"].id, kallas.id)
    eu = ana.create_entity("European Union", "ORG", kb_id="Q458", aliases=["EU"])
    ana.link_span(kz_spans["European Union"].id, eu.id)
    kz_text = sample("kazakhstan-eu-kallas.md").text
    sentence = "Special attention was given"
    start = kz_text.index(sentence)
    ana.add_evidence(kz, "transport", start, kz_text.index(".", start) + 1)
    ana.assign_topic(kz, "diplomacy", note="EU–Kazakhstan talks; visas=yes")
    date = kz_text.index("March 28")
    ana.add_span(kz, date, date + 8, "DATE", layer="figure",
                 figure={"date_value": "2025-03-28", "period": "2025"})  # fmt: skip
    ana.set_state(kz, "done")

    hk_text = sample("04_wikinews_hong_kong_legislative_election_2016.txt").text
    _add_gold(ana, hk, "04_wikinews_hong_kong_legislative_election_2016")
    turnout = hk_text.index("2 million")
    ana.add_span(hk, turnout, turnout + 9, "COUNT", layer="figure",
                 figure={"value": Decimal("2000000"), "scale": 1000000, "approximate": True,
                         "metric": "voters"})  # fmt: skip
    rate = hk_text.index("58%")
    percent = {"value": Decimal("58"), "unit": "%", "metric": "turnout rate"}
    ana.add_span(hk, rate, rate + 3, "PERCENT", layer="figure", figure=percent)
    hong_kong = hk_text.index("Hong Kong legislative election was")
    # The gold GPE "Hong Kong" is nested in this EVENT.
    ana.add_span(hk, hong_kong, hong_kong + 30, "EVENT")
    corpus.nested.append((hk, hong_kong, hong_kong + 9))
    ana.add_span(hk, hong_kong + 1, hong_kong + 4, "MISC", note="part of a word")
    corpus.misaligned.append((hk, hong_kong + 1, hong_kong + 4))
    ana.assign_topic(hk, "elections")
    ana.set_state(hk, "done")

    money = UNICODE_TEXT.index("$49.7 billion")
    ana.add_span(uni, money, money + 13, "MONEY", layer="figure",
                 figure={"value": Decimal("49700000000"), "unit": "USD", "scale": 10**9,
                         "metric": "trade turnover", "period": "2024", "change": False,
                         "bound": "lower", "direction": "up", "subject_id": eu.id})  # fmt: skip
    flag = UNICODE_TEXT.index("🇪🇺")
    ana.add_span(uni, flag, flag + 2, "NORP", note="flag emoji")
    for word, label in (("Café Zoë", "PERSON"), ("東京", "GPE"), ("Ministry", "ORG")):
        at = UNICODE_TEXT.index(word)
        ana.add_span(uni, at, at + len(word), label)
    rtl = UNICODE_TEXT.index("مرحبا")
    ana.add_span(uni, rtl, rtl + len("مرحبا بالعالم"), "MISC")
    ana.add_evidence(uni, "trade", 0, UNICODE_TEXT.index(". ") + 1)
    ana.add_span(uni, len(UNICODE_TEXT) - 4, len(UNICODE_TEXT), "MISC")  # at the very end
    ana.add_span(uni, 0, 5, "MISC", status="suggested", origin="rule")
    ana.set_state(uni, "done")

    ana.add_span(todo, 0, 9, "ORG")
    ana.set_state(todo, "in_progress")
    ben.add_span(kz, 8, 18, "GPE")
    ben.assign_topic(kz, "trade")
    ben.set_state(kz, "done")
    return corpus


def snapshot(db: Database, annotators: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Articles and annotations keyed by content, free of ids, origins and timestamps."""
    with db.reading() as session:
        names = dict(session.exec(select(Annotator.id, Annotator.name)).all())
        keep = {i for i, n in names.items() if annotators is None or n in annotators}
        entities = {e.id: e for e in session.exec(select(Entity))}
        figures = {f.span_id: f for f in session.exec(select(Figure))}

        def entity(entity_id: int | None) -> tuple[Any, ...] | None:
            if entity_id is None:
                return None
            found = entities[entity_id]
            return (found.name, found.type, found.kb_id, tuple(found.aliases))

        result: dict[str, Any] = {}
        for article in session.exec(select(Article)):
            result[article.sha256] = {
                "article": (article.title, article.text, article.source, article.url,
                            article.published, article.dateline, article.lang,
                            json.dumps(article.meta, sort_keys=True)),
                "spans": [], "topics": [], "states": [],
            }  # fmt: skip
        shas = {a.id: a.sha256 for a in session.exec(select(Article))}
        for span in session.exec(select(Span)):
            if span.annotator_id not in keep:
                continue
            figure = figures.get(span.id)
            figure_values = None
            if figure is not None:
                values = figure.model_dump(exclude={"span_id", "subject_id"})
                figure_values = (tuple(sorted(values.items())), entity(figure.subject_id))
            result[shas[span.article_id]]["spans"].append(
                (names[span.annotator_id], span.layer, span.label, span.start, span.end,
                 span.text, span.status, span.score, span.note, span.topic,
                 entity(span.entity_id), figure_values)
            )  # fmt: skip
        for topic in session.exec(select(TopicAssignment)):
            if topic.annotator_id in keep:
                result[shas[topic.article_id]]["topics"].append(
                    (names[topic.annotator_id], topic.topic, topic.status, topic.note)
                )
        for state in session.exec(select(ArticleState)):
            if state.annotator_id in keep:
                result[shas[state.article_id]]["states"].append(
                    (names[state.annotator_id], state.state)
                )
        for value in result.values():
            for key in ("spans", "topics", "states"):
                value[key].sort(key=repr)
        return result
