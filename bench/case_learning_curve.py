"""Case 7, learning curve: a model trained on gold articles vs the rules, on articles it never saw.

The entity gold (``tests/data/gold/entities``) has two kinds of articles:

- *development* articles (the seven in ``sample_articles/``, among them the
  38,619-character State of the Union): the entity rules were written from
  them, so the rules' score there is optimistic;
- *held-out* articles (the two in ``tests/data/articles/``): no rule was
  written from them; their gold was written before any suggester ran.

**Leave one article out** over the development articles: for each article, a
pipeline is trained (``storage.train.loop.fit``, the ``redline train`` loop and
config) on 1, 3 and 6 of the other six (one seeded order) and scored on the
article left out. Counts are pooled, so every article is scored once per row.
**Held out**: one pipeline trained on all seven development articles, scored on
the two held-out ones. Training runs a fixed number of steps and keeps the last
weights: no evaluation article picks weights or stops training.

Columns (entity micro P/R/F1, exact offsets and label):

- ``rules``: the entity rules alone (``storage.suggest.suggest_entities``);
- ``model``: the model alone, beam probability ≥ 0.5;
- ``model + rules``: what ``redline suggest`` does, the higher score wins an
  overlap (``storage.suggest.merge``); model scores are calibrated by the
  per-label precision the model reached on the *other* articles, and proposed
  from the least score ``redline train`` would choose on them
  (``storage.train.threshold``: column "min score");
- ``gaps``: every rule proposal kept, model spans only where no rule span
  overlaps, and only at a beam probability ≥ a threshold *per label* chosen on
  the *other* articles (for the held-out row: on the leave-one-out predictions
  of the development articles). Adding a set of spans raises F1 only when
  their precision is above half the F1 already reached, so a label whose gap
  spans are mostly wrong there gets a threshold above 1 ("none of this label")
  while a label the model has learnt can still fill the rules' gaps; labels
  are chosen one after the other (sorted), each keeping the best pooled F1
  (ties: the higher threshold; a label must show that it helps).

Thresholds and calibration never see the gold of the article scored. The
models that predicted the other articles were trained with the scored article
among their training data (a fold has only seven articles), which leaks
nothing about its gold into the choice but is not a fully nested estimate.

Also timed (``bench.model_rate``): suggesting with a trained model over 1,000
corpus articles against a bare ``nlp.pipe`` (target ≥ 50 articles/s). Output:
tables, ``bench/out/learning_curve.json`` and ``bench/out/learning_curve.png``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import OUT, ROOT
from bench.common import Row

NAME = "learning_curve"
GOLD = Path("tests/data/gold/entities")
HELDOUT = "tests/data/articles"
SEED = 0
STEPS = 300
"""Training steps per model (fixed, last weights kept). A step costs the same CPU whatever the
data (a batch of 4 pieces, ≈ 0.13 CPU-s), so 300 steps are ≈ 40 CPU-s, well inside the
5-minute limit; on the development articles only, the State of the Union scored by a model
trained on the other six rose from F1 0.19 at 120 steps to 0.21 at 200 and 0.22 at 400."""
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)
"""Beam probabilities the ``gaps`` threshold is chosen from (1.01: no model spans)."""
COLUMNS = ("rules", "model", "model_plus_rules", "gaps")


def gold_examples() -> tuple[list[Any], list[str], list[bool]]:
    """The gold articles as training examples (``article_id`` = index), names, held-out flags."""
    from storage.figures.quality import article_text, gold_articles, read_gold
    from storage.train.data import TrainingExample

    examples, names, heldout = [], [], []
    for number, (article, gold_path) in enumerate(gold_articles(ROOT, GOLD)):
        spans = tuple((g["start"], g["end"], g["label"]) for g in read_gold(gold_path))
        examples.append(TrainingExample(number, article_text(article), spans))
        names.append(article.stem)
        heldout.append(article.parent == ROOT / HELDOUT)
    return examples, names, heldout


def _triples(suggestions: Sequence[Any]) -> set[tuple[int, int, str]]:
    return {(s.start, s.end, s.label) for s in suggestions}


def _rules(text: str) -> list[Any]:
    from storage.repository import SpanSuggestion
    from storage.suggest import suggest_entities

    return [
        SpanSuggestion(s.start, s.end, s.label, origin="rule", score=s.score)
        for s in suggest_entities(text)
    ]


def _as_existing(suggestions: Sequence[Any]) -> list[Any]:
    """Proposals as annotations already there: a merge then only fills the gaps they leave."""
    from types import SimpleNamespace

    return [
        SimpleNamespace(layer="entity", label=s.label, start=s.start, end=s.end, status="suggested")
        for s in suggestions
    ]


@dataclass(frozen=True)
class Choice:
    """What is chosen on other articles for one scored article: the per-label precision that
    calibrates model scores, the least calibrated score (``redline train``'s dev choice,
    ``storage.train.threshold``) and the beam probability the ``gaps`` merge needs."""

    precision: dict[str, float]
    min_score: float
    gap_thresholds: dict[str, float]
    """Label → least beam probability of a model span in the gaps (absent: none)."""


class Scoredoc:
    """One evaluated article: its gold, the rules' proposals and the model's beam scores."""

    def __init__(self, example: Any, scored: Any) -> None:
        self.example = example
        self.gold = set(example.entities)
        self.rules = _rules(example.text)
        self.scored = scored

    def predicted(self, column: str, choice: Choice) -> set:
        from storage.suggest.merge import merge_suggestions
        from storage.suggest.trained_model import propose

        if column == "rules":
            return _triples(self.rules)
        raw = propose(self.scored, {})
        if column == "model":
            return _triples(raw)
        if column == "model_plus_rules":
            calibrated = propose(self.scored, choice.precision, choice.min_score)
            return _triples(merge_suggestions([*calibrated, *self.rules]))
        sure = [s for s in raw if (s.score or 0.0) >= choice.gap_thresholds.get(s.label, 2.0)]
        gaps = merge_suggestions(self.rules) + merge_suggestions(sure, _as_existing(self.rules))
        return _triples(gaps)


def _score(docs: Sequence[Scoredoc], column: str, choices: Sequence[Choice]) -> dict:
    from storage.train.evaluate import LayerScores

    scores = LayerScores()
    for doc, choice in zip(docs, choices, strict=True):
        scores.add(doc.gold, doc.predicted(column, choice))
    return scores.micro.as_json()


def _precision(docs: Sequence[Scoredoc]) -> dict[str, float]:
    """Per-label precision of the uncalibrated model on ``docs`` (what meta.json would hold)."""
    from storage.suggest.trained_model import propose
    from storage.train.evaluate import LayerScores

    scores = LayerScores()
    for doc in docs:
        scores.add(doc.gold, _triples(propose(doc.scored, {})))
    return {label: s.precision for label, s in scores.labels.items() if s.predicted}


def choose(docs: Sequence[Scoredoc]) -> Choice:
    """Everything chosen on ``docs`` (ties: the lower threshold, as ``redline train``)."""
    from storage.train.evaluate import LayerScores
    from storage.train.threshold import choose_min_score

    precision = _precision(docs)

    def f1(thresholds: dict[str, float]) -> float:
        scores = LayerScores()
        for doc in docs:
            scores.add(doc.gold, doc.predicted("gaps", Choice({}, 0.5, thresholds)))
        return round(scores.micro.f1, 6)

    labels = sorted({label for doc in docs for *_r, label in doc.scored.entities})
    thresholds = {label: THRESHOLDS[-1] for label in labels}
    for label in labels:
        f1s = {t: f1({**thresholds, label: t}) for t in THRESHOLDS}
        thresholds[label] = max(THRESHOLDS, key=lambda t: (f1s[t], t))  # ties: fewer spans
    examples = [doc.example for doc in docs]
    min_score = choose_min_score(examples, [doc.scored for doc in docs], precision)
    return Choice(precision, min_score, thresholds)


def _fit(train: Sequence[Any], dev: Sequence[Any], options: Any) -> Any:
    from storage.suggest.trained_model import TrainedModel
    from storage.train.data import TrainingData
    from storage.train.loop import fit
    from storage.train.store import ModelMeta

    labels = {"entity": sorted({label for e in train for *_r, label in e.entities})}
    fitted = fit(TrainingData(train=list(train), dev=list(dev)), ["entity"], labels, "en", options)
    return TrainedModel(ModelMeta(Path("."), {}), fitted.nlp), fitted.seconds


def _row(docs: Sequence[Scoredoc], choices: Sequence[Choice], **extra: Any) -> dict:
    return {
        **extra,
        "dev_articles": len(docs),
        "min_scores": [choice.min_score for choice in choices],
        "gaps_thresholds": [choice.gap_thresholds for choice in choices],
        **{column: _score(docs, column, choices) for column in COLUMNS},
    }


def curve(
    console: Console, quick: bool, steps: int | None = None, sizes: Sequence[int] = ()
) -> tuple[list[dict[str, Any]], dict[str, Any], Any]:
    """Leave-one-out rows per training size, the held-out row, and the held-out model
    (``steps``, ``sizes``: other than the bench's, for a longer run by hand)."""
    from storage.train.loop import TrainOptions

    examples, names, heldout = gold_examples()
    development = [e for e, h in zip(examples, heldout, strict=True) if not h]
    unseen = [e for e, h in zip(examples, heldout, strict=True) if h]
    steps = steps or (60 if quick else STEPS)
    options = TrainOptions(max_steps=steps, keep_best=False, batch_size=4)
    pool_size = len(development) - 1
    sizes = list(sizes) or ([pool_size] if quick else sorted({1, 3, pool_size}))
    out_of_fold: dict[int, list[Scoredoc]] = {}
    rows = []
    for size in sizes:
        docs, seconds, chars = [], [], []
        for left_out in development:
            others = [e for e in development if e is not left_out]
            random.Random(SEED + left_out.article_id).shuffle(others)
            model, took = _fit(others[:size], [left_out], options)
            docs.append(Scoredoc(left_out, next(iter(model.score([left_out.text])))))
            seconds.append(took)
            chars.append(sum(len(e.text) for e in others[:size]))
            console.print(
                f"  left out {names[left_out.article_id]}: trained on {size} in {took:.0f} s",
                highlight=False,
                markup=False,
            )
        out_of_fold[size] = docs

        choices = [choose(docs[:n] + docs[n + 1 :]) for n in range(len(docs))]
        rows.append(
            _row(
                docs,
                choices,
                train_articles=size,
                train_chars_mean=round(sum(chars) / len(chars)),
                train_seconds_mean=round(sum(seconds) / len(seconds), 1),
            )
        )
    model, took = _fit(development, unseen, options)
    held = [
        Scoredoc(e, s) for e, s in zip(unseen, model.score([e.text for e in unseen]), strict=True)
    ]
    choice = choose(out_of_fold[pool_size])
    held_row = _row(
        held,
        [choice] * len(held),
        train_articles=len(development),
        train_chars_mean=sum(len(e.text) for e in development),
        train_seconds_mean=round(took, 1),
        articles=[names[e.article_id] for e in unseen],
    )
    return rows, held_row, model


def plot(rows: Sequence[dict[str, Any]], held: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["train_articles"] for r in rows]
    figure, axes = plt.subplots(figsize=(6.5, 4))
    titles = {
        "rules": "rules only",
        "model": "model",
        "model_plus_rules": "model + rules (higher score wins)",
        "gaps": "rules, model in the gaps (dev threshold)",
    }
    for number, (key, title) in enumerate(titles.items()):
        line = axes.plot(sizes, [r[key]["f"] for r in rows], marker="o", label=title)[0]
        axes.plot(
            [held["train_articles"] + 0.15 * number],
            [held[key]["f"]],
            marker="*",
            markersize=11,
            linestyle="",
            color=line.get_color(),
        )
    axes.set_xlabel("development gold articles trained on (★: held-out articles)")
    axes.set_ylabel("entity F1, articles never trained on")
    axes.set_ylim(0, 1)
    axes.set_xticks([*sizes, held["train_articles"]])
    axes.legend(fontsize=8, loc="lower right")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _gap_labels(chosen: Sequence[dict[str, float]]) -> str:
    """The labels the model may fill gaps with, in how many of the choices ("-": none)."""
    counts: dict[str, int] = {}
    for thresholds in chosen:
        for label, threshold in thresholds.items():
            if threshold <= 1:
                counts[label] = counts.get(label, 0) + 1
    if not counts:
        return "-"
    return " ".join(f"{label} {n}/{len(chosen)}" for label, n in sorted(counts.items()))


def _table(console: Console, rows: Sequence[dict[str, Any]], held: dict[str, Any]) -> None:
    table = Table(title="entity F1 (exact match) on gold articles the model never saw")
    headings = ("evaluated on", "trained on", "chars", "rules", "model", "model + rules", "gaps")
    for heading in (*headings, "min score", "gap labels", "train s"):
        table.add_column(heading, justify="right")
    labelled = [("left-out development article", r) for r in rows]
    for label, r in [*labelled, ("held-out articles", held)]:
        table.add_row(
            f"{label} ×{r['dev_articles']}",
            f"{r['train_articles']} articles",
            f"{r['train_chars_mean']:,}",
            *(f"{r[column]['f']:.3f}" for column in COLUMNS),
            "/".join(sorted({f"{t:g}" for t in r["min_scores"]})),
            _gap_labels(r["gaps_thresholds"]),
            f"{r['train_seconds_mean']:.0f}",
        )
    console.print(table)


def run(console: Console, quick: bool) -> list[Row]:
    from bench.model_rate import rate_rows

    rows, held, model = curve(console, quick)
    _table(console, rows, held)
    OUT.mkdir(parents=True, exist_ok=True)
    rate, numbers = rate_rows(model, quick)
    (OUT / "learning_curve.json").write_text(
        json.dumps({"leave_one_out": rows, "held_out": held, "rate": numbers}, indent=2) + "\n",
        "utf-8",
    )
    plot(rows, held, OUT / "learning_curve.png")
    console.print(f"  plot: {OUT / 'learning_curve.png'}", highlight=False, markup=False)
    best = rows[-1]
    return [
        Row(
            NAME,
            f"entity F1 ×100, held-out articles, best merge (trained on {held['train_articles']})",
            max(held["model_plus_rules"]["f"], held["gaps"]["f"]) * 100,
            None,
            "pts",
            note=f"rules alone {held['rules']['f'] * 100:.0f} pts on the same articles",
        ),
        Row(
            NAME,
            f"entity F1 ×100, left-out development articles (trained on {best['train_articles']})",
            max(best["model_plus_rules"]["f"], best["gaps"]["f"]) * 100,
            None,
            "pts",
            note=f"info: rules alone {best['rules']['f'] * 100:.0f} pts (written from these)",
        ),
        *rate,
    ]
