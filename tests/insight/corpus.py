"""A small corpus with one planted case of every quality check, and its clean twin.

``build(database, planted=True)`` plants one finding per check; ``planted=False``
builds the same articles annotated correctly, which no check may flag.
``PLANTED`` says where each planted finding must be: (check id, article id,
span text or None) — the span text is turned into offsets by :func:`place`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from storage.articles import add_articles
from storage.db import Database
from storage.repository import Repository, SpanSuggestion
from storage.schema import Config, parse_config

ANNOTATOR = "ana"
TOML = """
[[schema.topic]]
key = "trade"
patterns = ["trade", "export", "tariff"]

[[schema.topic]]
key = "investment"
patterns = ["investment", "fund"]
"""

TEXTS = {
    1: "Kazakhstan and the European Union agreed on closer trade ties in Astana. "
    "The EU will invest more in the region. Trade turnover reached $49.7 billion in 2024. "
    "Exports grew by 12 percent in 2024.",
    2: "Officials from Astana visited Brussels on Monday. More than 3,000 companies now work "
    "in both markets. A fund of $2 million was announced for small firms.",
    3: "Kaja Kallas met ministers in Brussels. The talks in Astana covered energy. "
    "Kazakhstan wants more investment.",
}
DUPLICATE = TEXTS[3].replace(" met ", "  met ").replace(". The", ".\nThe")
"""Article 4 (planted only): article 3 again, re-wrapped: a different sha256."""

PLANTED: dict[str, tuple[int | None, str | None]] = {
    "label-conflict": (2, "Astana"),
    "entity-label-mismatch": (1, "EU"),
    "figure-no-unit": (1, "$49.7 billion"),
    "figure-no-metric": (1, "12 percent"),
    "figure-no-period": (2, "3,000"),
    "figure-value-mismatch": (2, "$2 million"),
    "topic-no-evidence": (2, None),
    "evidence-off-topic": (1, "The EU will invest more in the region."),
    "entity-overlap": (3, "Kallas"),
    "span-crosses-sentence": (3, "Brussels. The"),
    "span-inside-token": (3, "Kazakhsta"),
    "done-with-suggestions": (2, "Brussels"),
    "duplicate-article": (4, None),
    "entity-orphan": (None, None),
}


@dataclass(frozen=True)
class NewArticle:
    text: str
    title: str
    source: str | None = "Wire"
    url: str | None = None
    published: Any = None
    dateline: str | None = None
    lang: str = "en"
    meta: dict[str, Any] = field(default_factory=dict)


def config(tmp_path: Path) -> Config:
    path = tmp_path / "redline.toml"
    path.write_text(TOML, encoding="utf-8")
    return parse_config(TOML, path)


def place(article_id: int | None, phrase: str | None) -> tuple[int | None, int | None]:
    """Offsets of the first ``phrase`` in the article (a span in article 3 after position 5
    for "Kallas", the nested one)."""
    if article_id is None or phrase is None:
        return None, None
    text = TEXTS[article_id]
    start = text.index(phrase, 5) if phrase == "Kallas" else text.index(phrase)
    return start, start + len(phrase)


def build(database: Database, *, planted: bool) -> None:
    articles = [NewArticle(TEXTS[i], f"Article {i}") for i in (1, 2, 3)]
    if planted:
        articles.append(NewArticle(DUPLICATE, "Article 4 (again)"))
    add_articles(database, articles)
    repo = Repository(database, ANNOTATOR)

    def span(article_id: int, phrase: str, label: str, **options: Any) -> int:
        start, end = place(article_id, phrase)
        assert start is not None and end is not None
        stored = repo.add_span(article_id, start, end, label, **options)
        assert stored.id is not None
        return stored.id

    def figure(article_id: int, phrase: str, kind: str, **values: Any) -> None:
        span(article_id, phrase, kind, layer="figure", figure=values)

    eu = repo.create_entity("European Union", "ORG", aliases=["EU"])
    kallas = repo.create_entity("Kaja Kallas", "PERSON")
    surname = repo.create_entity("Kallas", "PERSON")
    repo.merge_entities(surname.id, kallas.id)  # type: ignore[arg-type]
    if planted:
        repo.create_entity("Josep Borrell", "PERSON")

    # Article 1
    repo.link_span(span(1, "European Union", "ORG"), eu.id)
    span(1, "EU", "GPE" if planted else "ORG")
    span(1, "Astana", "GPE")
    figure(1, "$49.7 billion", "MONEY", value=Decimal("49700000000"),
           unit=None if planted else "USD", metric="trade turnover", period="2024")
    figure(1, "12 percent", "PERCENT", value=Decimal("12"), unit="%",
           metric=None if planted else "exports", period="2024")
    evidence = "The EU will invest more in the region." if planted else "Trade turnover"
    start, end = place(1, evidence)
    repo.add_evidence(1, "trade", start, end)  # type: ignore[arg-type]

    # Article 2
    span(2, "Astana", "ORG" if planted else "GPE")
    figure(2, "3,000", "COUNT", value=Decimal("3000"), metric="companies",
           period=None if planted else "2024")
    figure(2, "$2 million", "MONEY", value=Decimal("20000" if planted else "2000000"),
           unit="USD", metric="fund", period="2024")
    if planted:
        repo.assign_topic(2, "investment")
    else:
        start, end = place(2, "A fund of $2 million was announced for small firms.")
        repo.add_evidence(2, "investment", start, end)  # type: ignore[arg-type]
    start, end = place(2, "Brussels")
    [suggestion] = repo.add_suggestions(2, [SpanSuggestion(start, end, "GPE")])  # type: ignore[arg-type]
    if not planted:
        repo.reject([suggestion.id])  # type: ignore[list-item]
    repo.set_state(2, "done")

    # Article 3
    repo.link_span(span(3, "Kaja Kallas", "PERSON"), kallas.id)
    if planted:
        span(3, "Kallas", "PERSON")
    span(3, "Brussels. The" if planted else "Brussels", "GPE")
    span(3, "Astana", "GPE")
    span(3, "Kazakhsta" if planted else "Kazakhstan", "GPE")
    repo.set_state(3, "done")


DAYS = {  # (annotator, article) → the day it was marked done, and minutes spent
    ("ana", 2): ("2026-03-02", 4.0),
    ("ana", 3): ("2026-03-04", 12.5),
    ("bob", 1): ("2026-03-02", 0.5),
    ("bob", 2): ("2026-03-03", 31.0),
}


def build_team(database: Database) -> None:
    """The clean corpus, a second annotator, and fixed done dates and times (for charts)."""
    import datetime as dt

    from sqlmodel import select

    from storage.models import Annotator, ArticleState

    build(database, planted=False)
    bob = Repository(database, "bob")
    bob.add_span(1, *place(1, "Astana"), "GPE")  # type: ignore[arg-type]
    bob.add_span(1, *place(1, "European Union"), "ORG")  # type: ignore[arg-type]
    bob.add_span(2, *place(2, "Astana"), "GPE")  # type: ignore[arg-type]
    bob.add_span(2, *place(2, "Brussels"), "GPE")  # type: ignore[arg-type]
    bob.assign_topic(2, "investment")
    for article_id in (1, 2):
        bob.set_state(article_id, "done")
    with database.transaction() as session:
        ids = {a.name: a.id for a in session.exec(select(Annotator)).all()}
        for (who, article_id), (day, minutes) in DAYS.items():
            state = session.get(ArticleState, (article_id, ids[who]))
            assert state is not None and state.state == "done"
            state.updated_at = dt.datetime.fromisoformat(day + "T12:00:00+00:00")
            state.seconds_spent = minutes * 60
            session.add(state)
