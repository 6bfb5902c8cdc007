"""Within-article linking: the rules, one mention's component, links applied as one undo step."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from storage import queries
from storage.articles import add_articles
from storage.db import Database
from storage.figures.quality import article_text, read_gold
from storage.importers import ParsedArticle
from storage.repository import Repository
from storage.suggest.linking import (
    Mention,
    apply_links,
    linked_component,
    suggest_links,
    within_article_links,
)

ROOT = Path(__file__).resolve().parents[2]


def _gold_mentions(stem: str) -> list[Mention]:
    gold = read_gold(ROOT / "tests/data/gold/entities" / f"{stem}.jsonl")
    return [Mention(g["start"], g["end"], g["text"], g.get("label", g.get("kind"))) for g in gold]


def test_held_out_article_links_acronyms_and_surnames() -> None:
    """Sample 06 and 05 (the rules were written from the reference article)."""
    links = within_article_links(_gold_mentions("06_wikinews_north_korea_quasi_state_of_war_2015"))
    pairs = {(link.mention.text, link.canonical.text, link.reason) for link in links}
    assert ("KCNA", "Korean Central News Agency", "acronym") in pairs
    assert ("KPA", "Korean People's Army", "acronym") in pairs
    links = within_article_links(_gold_mentions("05_wikinews_uk_asylum_questionnaire_2023"))
    pairs = {(link.mention.text, link.canonical.text, link.reason) for link in links}
    assert ("Sunak", "Rishi Sunak", "surname") in pairs
    assert ("UK", "United Kingdom", "acronym") in pairs
    assert all(link.mention.label != "NORP" for link in links)


def test_norp_is_not_a_link_and_shared_surnames_link_nothing() -> None:
    text = "Joe Biden met Jill Biden. Biden said Kazakhstani firms like Kazakhstan."
    mentions = [
        Mention(0, 9, "Joe Biden", "PERSON"),
        Mention(14, 24, "Jill Biden", "PERSON"),
        Mention(26, 31, "Biden", "PERSON"),
        Mention(37, 48, "Kazakhstani", "NORP"),
        Mention(60, 70, "Kazakhstan", "GPE"),
    ]
    assert [m.text for m in mentions] == [text[m.start : m.end] for m in mentions]
    assert within_article_links(mentions) == []


def test_repeated_name_links_to_its_first_mention_through_the_surname() -> None:
    mentions = [
        Mention(0, 13, "Murat Nurtleu", "PERSON"),
        Mention(20, 27, "Nurtleu", "PERSON"),
        Mention(40, 47, "Nurtleu", "PERSON"),
    ]
    links = within_article_links(mentions)
    assert [(link.mention.start, link.canonical.text) for link in links] == [
        (20, "Murat Nurtleu"),
        (40, "Murat Nurtleu"),
    ]


def _reference(db: Database) -> tuple[int, str]:
    text = article_text(ROOT / "sample_articles" / "kazakhstan-eu-kallas.md")
    [added] = add_articles(db, [ParsedArticle(text=text, title="Kallas")])
    return added.article_id, text


def test_suggest_links_uses_the_entity_of_an_accepted_mention(db: Database) -> None:
    article_id, text = _reference(db)
    repository = Repository(db, "ana")
    full = text.index("Murat Nurtleu")
    surname = text.index("Nurtleu pointed")
    union = text.index("European Union")
    eu = text.index("EU High")
    first = repository.add_span(article_id, full, full + 13, "PERSON")
    second = repository.add_span(article_id, surname, surname + 7, "PERSON")
    repository.add_span(article_id, union, union + 14, "ORG")
    acronym = repository.add_span(article_id, eu, eu + 2, "ORG")
    proposals = {p.span_id: p for p in suggest_links(db, article_id, "ana")}
    assert proposals[acronym.id or 0].name == "European Union"
    assert proposals[acronym.id or 0].entity_id is None
    entity = repository.create_and_link(first.id or 0)
    proposals = {p.span_id: p for p in suggest_links(db, article_id, "ana")}
    assert proposals[second.id or 0].entity_id == entity.id
    assert proposals[second.id or 0].reason == "surname"
    assert first.id not in proposals


def test_apply_links_creates_the_canonical_entity_once_and_undoes_in_one_step(
    db: Database,
) -> None:
    article_id, text = _reference(db)
    repository = Repository(db, "ana")
    union = text.index("European Union")
    spans = [repository.add_span(article_id, union, union + 14, "ORG")]
    for start in [i for i in range(len(text)) if text.startswith("EU ", i)]:
        spans.append(repository.add_span(article_id, start, start + 2, "ORG"))
    proposals = suggest_links(db, article_id, "ana")
    assert len(proposals) == len(spans) - 1 >= 2
    assert apply_links(repository, article_id, proposals) == len(proposals)
    linked = {s.entity_id for s in queries.spans_for(db, article_id, "ana")}
    assert len(linked) == 1 and None not in linked
    [entity] = queries.entities(db)
    assert (entity.name, entity.type) == ("European Union", "ORG")
    assert suggest_links(db, article_id, "ana") == []
    repository.undo(article_id)
    assert {s.entity_id for s in queries.spans_for(db, article_id, "ana")} == {None}


def test_a_shouted_dateline_links_to_the_name_as_written() -> None:
    mentions = [
        Mention(0, 6, "ASTANA", "GPE"),
        Mention(30, 36, "Astana", "GPE"),
        Mention(50, 52, "EU", "ORG"),
        Mention(60, 62, "EU", "ORG"),
    ]
    links = within_article_links(mentions)
    assert [(k.mention.text, k.canonical.start, k.reason) for k in links] == [
        ("ASTANA", 30, "same name"),
        ("EU", 50, "same name"),
    ]


_NAMES = [
    ("PERSON", "Murat Nurtleu"), ("PERSON", "Nurtleu"), ("PERSON", "Joe Biden"),
    ("PERSON", "Jill Biden"), ("PERSON", "Biden"), ("PERSON", "NURTLEU"),
    ("ORG", "European Union"), ("ORG", "EU"), ("GPE", "EU"), ("ORG", "Economic Union"),
    ("ORG", "Bank of England"), ("ORG", "BoE"), ("ORG", "BOE"), ("GPE", "United Kingdom"),
    ("GPE", "UK"), ("NORP", "Kazakhstani"), ("ORG", "european union"), ("LAW", "Union Act"),
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=25), st.data())
def test_one_mentions_group_from_its_component_equals_the_whole_articles(
    names: list[tuple[str, str]], data: st.DataObject
) -> None:
    """``linked_component`` keeps every mention a group depends on (the reader's per-key path)."""
    mentions, at = [], 0
    for index, (label, name) in enumerate(names):
        mentions.append(Mention(at, at + len(name), name, label, span_id=index))
        at += len(name) + 1
    mention = data.draw(st.sampled_from(mentions))

    def group(among: list[Mention]) -> set[Mention]:
        canonical_of = {link.mention: link.canonical for link in within_article_links(among)}
        root = canonical_of.get(mention, mention)
        return {m for m in among if m == root or canonical_of.get(m) == root}

    component = linked_component(mentions, mention)
    assert mention in component
    assert group(component) == group(mentions)
