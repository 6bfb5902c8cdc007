"""Suggesting with a trained pipeline: batches equal single articles, topics come with evidence."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from storage.figures import split_sentences
from storage.schema import builtin_schema
from storage.suggest.topics import TopicMatcher
from storage.suggest.trained_model import Scored, TrainedModel, calibrated_topics
from storage.train.data import TrainingData, TrainingExample
from storage.train.loop import TrainOptions, fit
from storage.train.store import ModelMeta
from tests.train.fixture import annotated_article


def _example(number: int, rng: random.Random) -> TrainingExample:
    text, mentions, topic = annotated_article(number, rng)
    spans = []
    for surface, label in mentions:
        begin = 0
        while (start := text.find(surface, begin)) >= 0:
            spans.append((start, start + len(surface), label))
            begin = start + len(surface)
    return TrainingExample(number, text, tuple(sorted(spans)), topics=frozenset({topic}))


@pytest.fixture(scope="module")
def trained() -> Any:
    """A tiny entity + topic pipeline fitted on the fixture's sentences (a few seconds)."""
    rng = random.Random(5)
    examples = [_example(n, rng) for n in range(14)]
    labels = {"entity": ["GPE", "ORG", "PERSON"], "topic": ["energy", "trade"]}
    options = TrainOptions(max_steps=40, keep_best=False, batch_size=4)
    data = TrainingData(train=examples[:10], dev=examples[10:])
    return fit(data, ["entity", "topic"], labels, "en", options).nlp


UNSEEN = [
    "Report 90. Marek Novak met officials of the Baltic Grid in Tallinn on Monday "
    "to discuss tariffs on steel. Later Marek Novak flew back from Tallinn.",
    "Report 91. Anna Berg met officials of the Acme Energy in Berlin on Monday "
    "to discuss a new gas pipeline. Later Anna Berg flew back from Berlin.",
    "",
    "Olaf Scholz spoke in Brussels.",
    "Report 93. Kaja Kallas met officials of the European Commission in Samarkand on Monday "
    "to discuss tariffs on steel.",
]


def test_a_batch_suggests_exactly_what_each_article_alone_does(trained: Any) -> None:
    model = TrainedModel(
        ModelMeta(Path("."), {}), trained, TopicMatcher.from_schema(builtin_schema())
    )
    batched = model.suggestions(UNSEEN)
    alone = [model.suggestions([text])[0] for text in UNSEEN]
    assert batched == alone
    assert any(s.layer == "entity" for found in batched for s in found)
    assert batched[2] == []


def test_model_topics_are_evidence_on_the_pattern_sentences(trained: Any) -> None:
    model = TrainedModel(
        ModelMeta(Path("."), {}), trained, TopicMatcher.from_schema(builtin_schema())
    )
    [scored] = model.score([UNSEEN[1]])
    assert scored.topics["energy"] >= 0.5 > scored.topics["trade"]
    [found] = model.suggestions([UNSEEN[1]])
    evidence = [s for s in found if s.layer == "evidence"]
    assert {s.label for s in evidence} == {"energy"}
    assert all(
        s.origin == "model" and s.score == round(scored.topics["energy"], 4) for s in evidence
    )
    # "... to discuss a new gas pipeline.": where the schema's energy patterns match
    assert [(s.start, s.end) for s in evidence] == [split_sentences(UNSEEN[1])[1]]


def test_without_pattern_hits_the_classifiers_best_sentences_are_evidence(trained: Any) -> None:
    """No matcher: the sentences scored highest for the topic on their own, in reading order."""
    model = TrainedModel(ModelMeta(Path("."), {}), trained)
    text = (
        "Report 95. Olaf Scholz spoke in Brussels. The weather was fine. "
        "Officials discussed a new gas pipeline. Marek Novak stayed home. It rained."
    )
    sentences = split_sentences(text)
    assert len(sentences) == 6
    evidence = model.evidence(text, {"energy": 0.8})
    spans = [(s.start, s.end) for s in evidence]
    assert len(spans) == 3 and spans == sorted(spans) and set(spans) <= set(sentences)
    assert sentences[3] in spans  # "Officials discussed a new gas pipeline."
    assert all(s.label == "energy" and s.score == 0.8 and s.origin == "model" for s in evidence)


CALIBRATED = {
    "dev precision scales a topic's probability": (
        {"trade": 0.9, "energy": 0.9},
        {"trade": 0.5, "energy": 0.8},
        {"energy": 0.72},
    ),
    "a topic never predicted on dev keeps its probability": (
        {"trade": 0.6, "energy": 0.4},
        {},
        {"trade": 0.6},
    ),
    "no topic sure enough: none proposed": ({"trade": 0.49}, {}, {}),
}


@pytest.mark.parametrize(("topics", "precision", "expected"), CALIBRATED.values(), ids=CALIBRATED)
def test_topic_scores_are_calibrated_by_dev_precision(
    topics: dict[str, float], precision: dict[str, float], expected: dict[str, float]
) -> None:
    assert calibrated_topics(topics, precision) == pytest.approx(expected)


class FixedTopics(TrainedModel):
    def score(self, texts):  # type: ignore[no-untyped-def]
        for _text in texts:
            yield Scored({}, {"trade": 0.95, "energy": 0.2})


def test_topic_precision_comes_from_meta() -> None:
    meta = ModelMeta(
        Path("."), {"scores": {"topic": {"labels": {"trade": {"p": 0.4, "predicted": 5}}}}}
    )
    model = FixedTopics(meta, nlp=None, matcher=TopicMatcher.from_schema(builtin_schema()))  # type: ignore[arg-type]
    assert model.suggestions(["We discussed tariffs and a trade agreement."]) == [[]]
