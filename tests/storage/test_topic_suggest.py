"""Topic suggestions with evidence: patterns matched per sentence, stored, reviewed.

The matcher tests run on the held-out articles (``tests/data/articles``, and
sample articles 06-08), which the schema's patterns were not written from.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from storage import queries
from storage.articles import add_articles
from storage.db import Database
from storage.figures.quality import article_text
from storage.formats.exporting import export
from storage.importers import ParsedArticle
from storage.models import Span, TopicAssignment
from storage.repository import Repository
from storage.schema import SchemaError, builtin_schema, load_config
from storage.suggest.topics import TopicMatcher, normal_form
from storage.suggestions import Suggester, SuggestOptions

ROOT = Path(__file__).resolve().parents[2]
TOPICS_ONLY = SuggestOptions(figures=False, entity_rules=False, gazetteer=False, trained_model=None)


@pytest.fixture(scope="module")
def matcher() -> TopicMatcher:
    return TopicMatcher.from_schema(builtin_schema())


def _text(name: str) -> str:
    for folder in ("sample_articles", "tests/data/articles"):
        path = ROOT / folder / name
        if path.exists():
            return article_text(path)
    raise AssertionError(name)


def test_normal_form_joins_inflections() -> None:
    assert normal_form("sanctions") == normal_form("sanction") == normal_form("sanctioned")
    assert normal_form("negotiating") == normal_form("negotiate") == normal_form("negotiated")
    assert normal_form("Kazakhstan's") == "kazakhstan"
    assert normal_form("policies") == "policy"
    assert normal_form("business") == "business"


def test_held_out_war_article_gets_security_with_evidence(matcher: TopicMatcher) -> None:
    text = _text("06_wikinews_north_korea_quasi_state_of_war_2015.txt")
    found = {t.topic: t for t in matcher.suggest(text)}
    assert {"security", "security.defence"} <= set(found)
    assert "elections" not in found and "trade" not in found
    for start, end in found["security"].evidence:
        sentence = text[start:end].lower()
        assert any(cue.lower() in sentence for cue in found["security"].cues)
    assert len(found["security"].evidence) <= 3


def test_held_out_articles_topics(matcher: TopicMatcher) -> None:
    grain = {t.topic for t in matcher.suggest(_text("heldout_port_grain_deal_2026.txt"))}
    assert {"transport", "agriculture", "trade"} <= grain
    bank = {t.topic for t in matcher.suggest(_text("heldout_central_bank_rates_2026.txt"))}
    assert bank == {"economy"}
    ie6 = _text("08_wikinews_microsoft_ie6_countdown_2011.txt")
    browser = {t.topic for t in matcher.suggest(ie6)}
    assert "digital" in browser


def test_one_incidental_word_suggests_nothing(matcher: TopicMatcher) -> None:
    assert matcher.suggest("The minister said trade was one of many subjects.") == []
    [found] = matcher.suggest("Trade turnover rose. The talks were friendly.")
    assert found.topic == "trade" and found.evidence == ((0, 20),)


def test_patterns_from_config_extend_a_topic() -> None:
    matcher = TopicMatcher({"justice": ["anti-corruption bureau"]})
    [found] = matcher.suggest("The Anti-Corruption Bureau opened a case against him.")
    assert found.topic == "justice"


def _article(db: Database, text: str) -> int:
    [added] = add_articles(db, [ParsedArticle(text=text, title="Topics")])
    return added.article_id


TEXT = (
    "The ministers discussed sanctions and export controls. "
    "Trade turnover grew, and exports of grain rose. "
    "They also spoke about the weather."
)


def test_suggested_topics_are_stored_with_evidence_and_rejected_never_return(
    db: Database,
) -> None:
    article_id = _article(db, TEXT)
    repository = Repository(db, "ana")
    suggester = Suggester(db, repository, TOPICS_ONLY)
    added = suggester.run(article_id, TEXT)
    assert added and {span.layer for span in added} == {"evidence"}
    assert all(span.status == "suggested" and span.origin == "rule" for span in added)
    assert all(span.topic == span.label and span.score for span in added)
    statuses = {t.topic: t.status for t in queries.topics_for(db, article_id, "ana")}
    assert statuses == {"trade": "suggested", "trade.sanctions": "suggested"}
    trade_evidence = [span for span in added if span.topic == "trade"]
    assert [span.text for span in trade_evidence] == [
        "Trade turnover grew, and exports of grain rose."
    ]

    repository.reject_topic(article_id, "trade.sanctions")
    assert suggester.run(article_id, TEXT) == []
    statuses = {t.topic: t.status for t in queries.topics_for(db, article_id, "ana")}
    assert statuses == {"trade": "suggested", "trade.sanctions": "rejected"}
    with db.reading() as session:
        rejected = session.exec(
            select(Span).where(Span.topic == "trade.sanctions", Span.article_id == article_id)
        ).all()
    assert rejected and all(span.status == "rejected" for span in rejected)

    repository.accept_topic(article_id, "trade")
    statuses = {t.topic: t.status for t in queries.topics_for(db, article_id, "ana")}
    assert statuses["trade"] == "accepted"
    spans = queries.spans_for(db, article_id, "ana", statuses=("accepted",))
    assert [span.topic for span in spans] == ["trade"]


def test_accepting_evidence_accepts_its_topic_and_undo_takes_both_back(db: Database) -> None:
    article_id = _article(db, TEXT)
    repository = Repository(db, "ana")
    added = Suggester(db, repository, TOPICS_ONLY).run(article_id, TEXT)
    [evidence] = [span for span in added if span.topic == "trade"]
    repository.accept([evidence.id or 0])
    with db.reading() as session:
        assignment = session.exec(
            select(TopicAssignment).where(
                TopicAssignment.article_id == article_id, TopicAssignment.topic == "trade"
            )
        ).one()
    assert assignment.status == "accepted"
    repository.undo(article_id)
    statuses = {t.topic: t.status for t in queries.topics_for(db, article_id, "ana")}
    assert statuses["trade"] == "suggested"


def test_assigning_a_suggested_topic_accepts_it(db: Database) -> None:
    article_id = _article(db, TEXT)
    repository = Repository(db, "ana")
    Suggester(db, repository, TOPICS_ONLY).run(article_id, TEXT)
    repository.assign_topic(article_id, "trade.sanctions")
    statuses = {t.topic: t.status for t in queries.topics_for(db, article_id, "ana")}
    assert statuses == {"trade": "suggested", "trade.sanctions": "accepted"}


def test_suggested_topics_export_only_with_include_suggested(
    db: Database, tmp_path: Path
) -> None:
    article_id = _article(db, TEXT)
    repository = Repository(db, "ana")
    Suggester(db, repository, TOPICS_ONLY).run(article_id, TEXT)
    repository.accept_topic(article_id, "trade")
    plain, suggested = tmp_path / "plain.jsonl", tmp_path / "suggested.jsonl"
    export(db, "jsonl", plain, annotator="ana", status="all")
    export(db, "jsonl", suggested, annotator="ana", status="all", include_suggested=True)
    assert "trade.sanctions" not in plain.read_text("utf-8")
    assert '"trade"' in plain.read_text("utf-8")
    records = [json.loads(line) for line in suggested.read_text("utf-8").splitlines()]
    assert "trade.sanctions" in json.dumps(records)


def test_every_builtin_topic_has_patterns_and_examples_its_patterns_suggest(
    matcher: TopicMatcher,
) -> None:
    for topic in builtin_schema().layer("topic"):
        assert topic.patterns and topic.examples, topic.key
        for example in topic.examples:
            assert topic.key in {t.topic for t in matcher.suggest(example)}, example


def test_examples_in_redline_toml_are_checked_like_patterns(tmp_path: Path) -> None:
    toml = tmp_path / "redline.toml"
    toml.write_text(
        '[[schema.topic]]\nkey = "trade.tariffs"\npatterns = ["tariff"]\n'
        'examples = ["Tariffs rose."]\n',
        "utf-8",
    )
    topic = load_config(toml).schema.get("topic", "trade.tariffs")
    assert topic is not None and topic.examples == ("Tariffs rose.",)
    toml.write_text('[[schema.topic]]\nkey = "x"\nexamples = "one"\n', "utf-8")
    with pytest.raises(SchemaError, match="'examples' must be a list of non-empty strings"):
        load_config(toml)
    toml.write_text('[[schema.entity]]\nkey = "X"\nexamples = ["a"]\n', "utf-8")
    with pytest.raises(SchemaError, match=r"redline.toml:3: only topics have examples"):
        load_config(toml)
