"""Training data from accepted annotations, split by article, reproducibly.

Records come from the exporters' reader (``storage.exporters.records``), so
``--status`` and ``--annotator`` mean what they mean for ``redline export``:
default every annotator's articles marked done, accepted spans only. Each
record (one article as one annotator left it) is one example; the split is by
article id, so two annotators' versions of an article land on the same side.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from storage.db import Database
from storage.errors import StorageError

try:  # the exporters' reader moves to storage.formats.writing (work in progress on main)
    from storage.formats.writing.records import Selection, load_records, plan
except ImportError:
    from storage.exporters.records import Selection, load_records, plan  # type: ignore[no-redef]

MIN_ENTITY_SPANS = 20
MIN_ARTICLES_PER_SPLIT = 2


class TooLittleData(StorageError):
    """Not enough accepted annotations to train and evaluate a model."""


@dataclass(frozen=True)
class TrainingExample:
    """One article as one annotator accepted it."""

    article_id: int
    text: str
    entities: tuple[tuple[int, int, str], ...] = ()
    figures: tuple[tuple[int, int, str], ...] = ()
    topics: frozenset[str] = frozenset()
    lang: str = "en"


@dataclass
class TrainingData:
    train: list[TrainingExample] = field(default_factory=list)
    dev: list[TrainingExample] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        """Articles, examples and spans/topics per label, per split (for meta.json)."""
        result: dict[str, dict[str, int]] = {}
        for name, examples in (("train", self.train), ("dev", self.dev)):
            labels: Counter[str] = Counter()
            for example in examples:
                labels.update(label for _s, _e, label in example.entities)
                labels.update(label for _s, _e, label in example.figures)
                labels.update(example.topics)
            result[name] = {
                "articles": len({example.article_id for example in examples}),
                "examples": len(examples),
                "entity_spans": sum(len(example.entities) for example in examples),
                "figure_spans": sum(len(example.figures) for example in examples),
                "topics": sum(len(example.topics) for example in examples),
                **{f"label:{label}": count for label, count in sorted(labels.items())},
            }
        return result


def collect_examples(
    db: Database, layers: Sequence[str], *, status: str = "done", annotator: str = "all"
) -> list[TrainingExample]:
    """Every record with at least one accepted annotation in ``layers``."""
    selection = Selection(status=status, annotator=annotator, layers=tuple(layers))
    examples = []
    for record in load_records(db, selection, plan(db, selection)):
        if record.annotator is None:
            continue
        example = TrainingExample(
            article_id=record.article.id,
            text=record.article.text,
            entities=tuple((s.start, s.end, s.label) for s in record.entities)
            if "entity" in layers
            else (),
            figures=tuple((s.start, s.end, s.label) for s in record.figures)
            if "figure" in layers
            else (),
            topics=frozenset(t.key for t in record.topics) if "topic" in layers else frozenset(),
            lang=record.article.lang or "en",
        )
        if example.entities or example.figures or example.topics:
            examples.append(example)
    return examples


def split_by_article(
    examples: Sequence[TrainingExample], eval_split: float, seed: int
) -> TrainingData:
    """``eval_split`` of the articles (at least one) go to dev; the same seed, the same split."""
    if not 0 < eval_split < 1:
        raise StorageError(f"--eval-split must be between 0 and 1, not {eval_split}")
    articles = sorted({example.article_id for example in examples})
    random.Random(seed).shuffle(articles)
    dev_count = max(1, round(len(articles) * eval_split)) if articles else 0
    dev_ids = set(articles[:dev_count])
    data = TrainingData()
    for example in examples:
        (data.dev if example.article_id in dev_ids else data.train).append(example)
    return data


def check_enough(data: TrainingData, layers: Sequence[str]) -> None:
    """One clear line when the data cannot train and evaluate a model."""
    counts = data.counts()
    train, dev = counts["train"], counts["dev"]
    if train["articles"] < MIN_ARTICLES_PER_SPLIT or dev["articles"] < MIN_ARTICLES_PER_SPLIT:
        total = train["articles"] + dev["articles"]
        raise TooLittleData(
            f"too little data to train: {total} articles with accepted annotations "
            f"({train['articles']} train, {dev['articles']} dev); need at least "
            f"{MIN_ARTICLES_PER_SPLIT} in each split (mark more articles done, or use --status all)"
        )
    spans = train["entity_spans"] + dev["entity_spans"]
    if "entity" in layers and spans < MIN_ENTITY_SPANS:
        raise TooLittleData(
            f"too little data to train: {spans} accepted entity spans; need at least "
            f"{MIN_ENTITY_SPANS} (annotate more, or train only topics with --layer topic)"
        )
