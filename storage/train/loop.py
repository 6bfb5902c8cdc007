"""``train()``: accepted annotations → a spaCy pipeline saved under ``models/<timestamp>/``.

The pipeline starts from ``spacy.blank(lang)`` with the components
``spacy init config --optimize efficiency`` gives (tok2vec CNN + ``ner``,
``textcat_multilabel`` for topics, ``spancat`` for figures): see
:mod:`storage.train.pipeline_config`. The loop is ours, not ``spacy train``'s,
so it can report progress to a callback (the CLI's Rich bar, the app's status
bar), stop at a wall-clock limit and be cancelled from another thread. It keeps
the weights of the best dev score seen and saves those.

Storage code: no Rich, no Textual; safe to run in a worker thread.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.db import Database
from storage.errors import StorageError
from storage.schema import Schema
from storage.train.data import (
    TrainingData,
    TrainingExample,
    check_enough,
    collect_examples,
    split_by_article,
)
from storage.train.evaluate import FIGURE_SPANS_KEY, Evaluation, evaluate
from storage.train.pipeline_config import COMPONENTS, blank_pipeline
from storage.train.store import (
    new_run_directory,
    point_latest,
    redline_version,
    schema_hash,
    write_meta,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.training import Example

DEFAULT_LAYERS = ("entity", "topic")


@dataclass(frozen=True)
class TrainOptions:
    """The ``redline train`` options."""

    layers: tuple[str, ...] = DEFAULT_LAYERS
    annotator: str = "all"
    status: str = "done"
    eval_split: float = 0.2
    seed: int = 0
    max_minutes: float = 5.0
    out: Path = Path("models")
    max_steps: int = 2000
    eval_every: int = 50
    patience: int = 600
    """Stop after this many steps without a better dev score."""
    batch_size: int = 8
    dropout: float = 0.1
    keep_best: bool = True
    """Keep the weights of the best dev score (else the last weights)."""
    tok2vec: tuple[int, int, int] | None = None
    """Width, depth and maxout pieces of the tok2vec (None: ``pipeline_config.TOK2VEC``)."""


@dataclass(frozen=True)
class TrainProgress:
    """One report to the progress callback."""

    step: int
    max_steps: int
    loss: float
    dev_score: float | None
    elapsed: float
    limit: float


@dataclass
class TrainResult:
    directory: Path
    latest: Path
    evaluation: Evaluation
    counts: dict[str, dict[str, int]]
    steps: int
    stopped: str
    """Why training ended: ``max steps``, ``time limit``, ``no improvement`` or ``cancelled``."""
    seconds: float
    meta: dict[str, Any] = field(default_factory=dict)


def _layers_present(data: TrainingData, wanted: Sequence[str]) -> list[str]:
    present = []
    for layer in wanted:
        if layer == "entity" and any(example.entities for example in data.train):
            present.append(layer)
        elif layer == "topic" and any(example.topics for example in data.train):
            present.append(layer)
        elif layer == "figure" and any(example.figures for example in data.train):
            present.append(layer)
    if not present:
        raise StorageError(
            f"nothing to train: no accepted {', '.join(wanted)} annotations in the training split"
        )
    return present


CHUNK_CHARS = 1500
"""Span layers learn from pieces of about this many characters (whole lines), not whole
articles: a few long documents make few, slow updates; their paragraphs make many."""


def _chunks(item: TrainingExample) -> list[TrainingExample]:
    """``item`` cut at line ends into pieces of at most ~``CHUNK_CHARS``, spans shifted;
    a span across a cut is dropped (spans rarely cross a line end)."""
    pieces: list[tuple[int, int]] = []
    begin = 0
    while begin < len(item.text):
        end = len(item.text)
        if end - begin > CHUNK_CHARS:
            cut = item.text.rfind("\n", begin, begin + CHUNK_CHARS)
            end = cut + 1 if cut > begin else begin + CHUNK_CHARS
        pieces.append((begin, end))
        begin = end

    def inside(triples: Sequence[tuple[int, int, str]], lo: int, hi: int):
        return tuple((s - lo, e - lo, label) for s, e, label in triples if lo <= s and e <= hi)

    return [
        TrainingExample(
            item.article_id,
            item.text[lo:hi],
            inside(item.entities, lo, hi),
            inside(item.figures, lo, hi),
            lang=item.lang,
        )
        for lo, hi in pieces
        if item.text[lo:hi].strip()
    ]


def _example(
    nlp: Language, item: TrainingExample, layers: Sequence[str], topics: Sequence[str]
) -> Example:
    """A spaCy ``Example``; spans not on token boundaries snap inwards, overlaps keep the longer.

    Layers not in ``layers`` are left *missing* (not "none here"), so a whole
    article can teach topics without teaching the NER that it has no entities.
    """
    from spacy.tokens import Span
    from spacy.training import Example
    from spacy.util import filter_spans

    predicted, reference = nlp.make_doc(item.text), nlp.make_doc(item.text)

    def spans(triples: Sequence[tuple[int, int, str]]) -> list[Span]:
        found = (
            reference.char_span(s, e, label=label, alignment_mode="contract")
            for s, e, label in triples
        )
        return [span for span in found if span is not None and len(span)]

    if "entity" in layers:
        reference.ents = filter_spans(spans(item.entities))
    else:
        reference.set_ents([], default="missing")
    if "figure" in layers:
        reference.spans[FIGURE_SPANS_KEY] = spans(item.figures)
    if "topic" in layers:
        reference.cats = {key: float(key in item.topics) for key in topics}
    return Example(predicted, reference)


def _training_examples(
    nlp: Language, items: Sequence[TrainingExample], layers: Sequence[str], topics: Sequence[str]
) -> list[Example]:
    """Span layers from article pieces; topics from whole articles (a topic is the article's)."""
    span_layers = [layer for layer in layers if layer != "topic"]
    examples = []
    if span_layers:
        examples += [
            _example(nlp, piece, span_layers, topics) for item in items for piece in _chunks(item)
        ]
    if "topic" in layers:
        examples += [_example(nlp, item, ["topic"], topics) for item in items]
    return examples


def _labels(data: TrainingData, layers: Sequence[str]) -> dict[str, list[str]]:
    examples = [*data.train, *data.dev]
    labels: dict[str, list[str]] = {}
    if "entity" in layers:
        labels["entity"] = sorted({label for e in examples for *_r, label in e.entities})
    if "figure" in layers:
        labels["figure"] = sorted({label for e in examples for *_r, label in e.figures})
    if "topic" in layers:
        labels["topic"] = sorted({key for e in examples for key in e.topics})
    return labels


def _batches(examples: list[Example], size: int, rng: random.Random):
    """Endless shuffled batches, one epoch after another."""
    while True:
        order = examples[:]
        rng.shuffle(order)
        for begin in range(0, len(order), size):
            yield order[begin : begin + size]


def train(
    db: Database,
    schema: Schema,
    options: TrainOptions = TrainOptions(),
    *,
    progress: Callable[[TrainProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> TrainResult:
    """Train, evaluate and save a pipeline; ``progress`` is called after each step.

    Raises ``TooLittleData`` (one line) before any training when the data are too few.
    """
    prepared = prepare(db, options)
    return train_prepared(prepared, schema, options, progress=progress, cancelled=cancelled)


@dataclass(frozen=True)
class Prepared:
    """What training reads from the database, split and checked (picklable: the app sends
    it to a training process, which then never opens the database)."""

    data: TrainingData
    layers: list[str]
    labels: dict[str, list[str]]
    lang: str
    done: int
    """Records marked done when the data were read (``meta.json`` ``done_records``)."""


def prepare(db: Database, options: TrainOptions) -> Prepared:
    """Read, split and check the training data; raises ``TooLittleData`` when too few."""
    unknown = set(options.layers) - set(COMPONENTS)
    if unknown or not options.layers:
        raise StorageError(
            f"unknown layer(s) {', '.join(sorted(unknown)) or '(none)'} "
            f"(choose from {', '.join(COMPONENTS)})"
        )
    from storage.train.schedule import done_records

    done = done_records(db)  # before collecting: an article done meanwhile counts next time
    examples = collect_examples(
        db, options.layers, status=options.status, annotator=options.annotator
    )
    data = split_by_article(examples, options.eval_split, options.seed)
    check_enough(data, options.layers)
    layers = _layers_present(data, options.layers)
    labels = _labels(data, layers)
    lang = max({e.lang for e in examples}, key=[e.lang for e in examples].count)
    return Prepared(data, layers, labels, lang, done)


def train_prepared(
    prepared: Prepared,
    schema: Schema,
    options: TrainOptions,
    *,
    progress: Callable[[TrainProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> TrainResult:
    """Train on data :func:`prepare` read, evaluate and save (no database needed)."""
    data, layers, labels = prepared.data, prepared.layers, prepared.labels
    fitted = fit(
        data, layers, labels, prepared.lang, options, progress=progress, cancelled=cancelled
    )
    return _save(fitted, schema, options, data, labels, prepared.done)


@dataclass
class Fitted:
    """A trained pipeline, not saved yet, and its dev evaluation."""

    nlp: Language
    evaluation: Evaluation
    steps: int
    stopped: str
    seconds: float


def fit(
    data: TrainingData,
    layers: Sequence[str],
    labels: dict[str, list[str]],
    lang: str,
    options: TrainOptions,
    *,
    progress: Callable[[TrainProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Fitted:
    """The training loop over ``data.train``, scored on ``data.dev`` every ``eval_every`` steps.

    With ``options.keep_best`` the weights of the best dev score are kept (what
    ``spacy train`` does); the learning-curve bench turns it off so the dev
    score it reports was not also used to choose the weights.
    """
    import spacy

    spacy.util.fix_random_seed(options.seed)
    nlp = blank_pipeline(lang, layers, labels, options.tok2vec)
    topics = labels.get("topic", [])
    train_examples = _training_examples(nlp, data.train, layers, topics)
    optimizer = nlp.initialize(lambda: train_examples)
    rng = random.Random(options.seed)
    limit = options.max_minutes * 60
    began = time.monotonic()
    best: tuple[float, bytes] | None = None
    best_step = step = 0
    stopped = "max steps"
    loss = 0.0
    score: float | None = None
    for step, batch in enumerate(_batches(train_examples, options.batch_size, rng), start=1):
        losses: dict[str, float] = {}
        nlp.update(batch, drop=options.dropout, sgd=optimizer, losses=losses)
        loss = float(sum(losses.values()))
        elapsed = time.monotonic() - began
        last = step >= options.max_steps or elapsed >= limit or bool(cancelled and cancelled())
        if options.keep_best and (step % options.eval_every == 0 or last):
            score = evaluate(nlp, data.dev, layers).score
            if best is None or score > best[0]:
                best, best_step = (score, nlp.to_bytes()), step
        if progress is not None:
            progress(TrainProgress(step, options.max_steps, loss, score, elapsed, limit))
        if cancelled is not None and cancelled():
            stopped = "cancelled"
            break
        if step >= options.max_steps:
            break
        if elapsed >= limit:
            stopped = "time limit"
            break
        if options.keep_best and step - best_step >= options.patience:
            stopped = "no improvement"
            break
    if stopped == "cancelled":
        raise StorageError("training cancelled; nothing was saved")
    if best is not None:
        nlp.from_bytes(best[1])
    evaluation = evaluate(nlp, data.dev, layers)
    return Fitted(nlp, evaluation, step, stopped, time.monotonic() - began)


def _save(
    fitted: Fitted,
    schema: Schema,
    options: TrainOptions,
    data: TrainingData,
    labels: dict[str, list[str]],
    done: int,
) -> TrainResult:
    from storage.train.threshold import suggest_settings

    nlp, evaluation = fitted.nlp, fitted.evaluation
    steps, stopped, seconds = fitted.steps, fitted.stopped, fitted.seconds
    suggest = suggest_settings(nlp, evaluation, data.dev, list(labels))
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    directory = new_run_directory(out)
    nlp.meta["name"] = "redline_trained"
    nlp.to_disk(directory)
    counts = data.counts()
    meta = {
        "redline_version": redline_version(),
        "schema_hash": schema_hash(schema),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "lang": nlp.lang,
        "layers": list(labels),
        "labels": labels,
        "counts": counts,
        "dev_articles": sorted({e.article_id for e in data.dev}),
        "train_articles": sorted({e.article_id for e in data.train}),
        "scores": evaluation.as_json(),
        "suggest": suggest,
        "options": {
            "annotator": options.annotator,
            "status": options.status,
            "eval_split": options.eval_split,
            "seed": options.seed,
            "max_minutes": options.max_minutes,
        },
        "done_records": done,
        "steps": steps,
        "stopped": stopped,
        "seconds": round(seconds, 1),
    }
    write_meta(directory, meta)
    latest = point_latest(out, directory)
    return TrainResult(directory, latest, evaluation, counts, steps, stopped, seconds, meta)
