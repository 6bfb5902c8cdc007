"""A tiny annotated corpus: generated news sentences with their entities and topics accepted."""

from __future__ import annotations

import random

from storage.articles import add_articles
from storage.db import Database
from storage.importers import ParsedArticle
from storage.repository import Repository

PEOPLE = ["Kaja Kallas", "Murat Nurtleu", "Olaf Scholz", "Anna Berg", "Marek Novak"]
PLACES = ["Astana", "Brussels", "Samarkand", "Berlin", "Tallinn"]
ORGS = ["European Commission", "Acme Energy", "Baltic Grid"]
TOPICS = {"trade": "tariffs on steel", "energy": "a new gas pipeline"}
NEW_PEOPLE = ["Tomas Lind", "Piet Kroon", "Ilse Varga", "Joris Vink"]
"""Names no corpus article has, which the entity rules miss too: the gazetteer (names
accepted in the corpus) cannot know them, so only a trained model can add them
(``redline suggest`` keeps the gazetteer's and the rules' spans, a model only fills
their gaps: ``storage.train.gaps``)."""


def annotated_article(
    number: int, rng: random.Random, people: list[str] = PEOPLE
) -> tuple[str, list[tuple[str, str]], str]:
    """Text, (surface, label) in order of appearance, and its topic."""
    person, place, org = rng.choice(people), rng.choice(PLACES), rng.choice(ORGS)
    topic = rng.choice(sorted(TOPICS))
    text = (
        f"Report {number}. {person} met officials of the {org} in {place} on Monday "
        f"to discuss {TOPICS[topic]}. Later {person} flew back from {place}."
    )
    return text, [(person, "PERSON"), (org, "ORG"), (place, "GPE")], topic


def add_corpus(db: Database, count: int = 12, *, seed: int = 3, done: bool = True) -> list[int]:
    """``count`` articles, every mention labelled and the topic assigned, marked done by ana."""
    rng = random.Random(seed)
    made = [annotated_article(n, rng) for n in range(count)]
    ids = [
        a.article_id
        for a in add_articles(db, [ParsedArticle(text=t, title=t[:9]) for t, *_ in made])
    ]
    with Repository(db, "ana") as repository:
        for article_id, (text, mentions, topic) in zip(ids, made, strict=True):
            for surface, label in mentions:
                begin = 0
                while (start := text.find(surface, begin)) >= 0:
                    repository.add_span(article_id, start, start + len(surface), label)
                    begin = start + len(surface)
            repository.assign_topic(article_id, topic)
            if done:
                repository.set_state(article_id, "done")
    return ids
