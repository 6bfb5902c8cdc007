"""Case 7, learning curve: a model trained on some gold articles vs the rules, on the others.

The project's own entity gold (``tests/data/gold/entities``, six hand-checked
news articles) is split into folds of :data:`DEV_PER_FOLD` articles. For each
fold, pipelines are trained (``storage.train.loop.fit``, the ``redline train``
loop and config) on growing subsets of the *other* articles and scored on the
fold's articles, which they never saw: entity micro P/R/F1, exact offsets and
label. The same dev articles are scored for the entity rules alone
(``storage.suggest.suggest_entities``) and for model + rules merged the way
``redline suggest`` merges them (``storage.suggest.merge``: the higher score wins
an overlap; model scores calibrated by per-label precision measured on the
*other* folds, as ``meta.json``'s dev precision calibrates them in use), and for
rules first with the model only filling the gaps the rules
leave (column "rules, gaps"). Counts are pooled
over folds, so every article is a dev article exactly once per subset size.

Training runs a fixed number of steps and keeps the *last* weights: the dev
articles are not used to pick weights or stop early, so their score is honest.

Also timed: suggesting with a trained model over 1,000 corpus articles
(target ≥ 50 articles/s). Output: a table, ``bench/out/learning_curve.json``
and ``bench/out/learning_curve.png``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import OUT, ROOT
from bench.common import Row

NAME = "learning_curve"
GOLD = Path("tests/data/gold/entities")
DEV_PER_FOLD = 2
SEED = 0
RATE_TARGET = 50.0


def gold_examples() -> tuple[list[Any], list[str]]:
    """The gold articles as training examples (``article_id`` = index), and their names."""
    from storage.figures.quality import article_text, gold_articles, read_gold
    from storage.train.data import TrainingExample

    examples, names = [], []
    for number, (article, gold_path) in enumerate(gold_articles(ROOT, GOLD)):
        spans = tuple((g["start"], g["end"], g["label"]) for g in read_gold(gold_path))
        examples.append(TrainingExample(number, article_text(article), spans))
        names.append(article.stem)
    return examples, names


def _score(gold: Sequence[set[tuple[int, int, str]]], predicted: Sequence[set[Any]]) -> dict:
    from storage.train.evaluate import LayerScores

    scores = LayerScores()
    for gold_set, predicted_set in zip(gold, predicted, strict=True):
        scores.add(gold_set, predicted_set)
    return scores.micro.as_json()


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


def _triples(suggestions: Sequence[Any]) -> set[tuple[int, int, str]]:
    return {(s.start, s.end, s.label) for s in suggestions}


def curve(console: Console, quick: bool) -> tuple[list[dict[str, Any]], Any]:
    """One result per training-set size, pooled over folds; and the last model trained."""
    from storage.suggest.merge import merge_suggestions
    from storage.suggest.trained_model import TrainedModel, propose
    from storage.train.data import TrainingData
    from storage.train.loop import TrainOptions, fit
    from storage.train.store import ModelMeta

    examples, names = gold_examples()
    order = list(range(len(examples)))
    random.Random(SEED).shuffle(order)
    folds = [order[i : i + DEV_PER_FOLD] for i in range(0, len(order), DEV_PER_FOLD)]
    folds = folds[:1] if quick else folds
    pool_size = len(examples) - DEV_PER_FOLD
    sizes = [2, pool_size] if quick else sorted({1, 2, pool_size})
    options = TrainOptions(
        max_steps=60 if quick else 120, keep_best=False, batch_size=4, max_minutes=5.0
    )
    trained: dict[tuple[int, int], dict[str, Any]] = {}
    last_model = None
    for number, fold in enumerate(folds):
        dev = [examples[i] for i in fold]
        pool = [examples[i] for i in order if i not in fold]
        for size in sizes:
            train = pool[:size]
            labels = {"entity": sorted({label for e in train for *_r, label in e.entities})}
            fitted = fit(TrainingData(train=train, dev=dev), ["entity"], labels, "en", options)
            model = TrainedModel(ModelMeta(Path("."), {}), fitted.nlp)
            trained[number, size] = {
                "dev": dev,
                "scored": list(model.score([e.text for e in dev])),
                "seconds": fitted.seconds,
                "chars": sum(len(e.text) for e in train),
                "train": [names[e.article_id] for e in train],
            }
            console.print(
                f"  dev {[names[i] for i in fold]}: trained on {size} in {fitted.seconds:.0f} s",
                highlight=False,
                markup=False,
            )
            last_model = model
    results = []
    for size in sizes:
        run: dict[str, list[Any]] = {key: [] for key in ("gold", "rules", "model", "both", "gaps")}
        for number in range(len(folds)):
            one = trained[number, size]
            others = [trained[n, size] for n in range(len(folds)) if n != number]
            precision = _precision(others) if others else {}
            for example, scored in zip(one["dev"], one["scored"], strict=True):
                rules = _rules(example.text)
                raw, calibrated = propose(scored, {}), propose(scored, precision)
                run["gold"].append(set(example.entities))
                run["rules"].append(_triples(rules))
                run["model"].append(_triples(raw))
                run["both"].append(_triples(merge_suggestions([*calibrated, *rules])))
                gaps = merge_suggestions(rules) + merge_suggestions(raw, _as_existing(rules))
                run["gaps"].append(_triples(gaps))
        ones = [trained[n, size] for n in range(len(folds))]
        results.append(
            {
                "train_articles": size,
                "trained_on": [one["train"] for one in ones],
                "train_chars_mean": round(sum(one["chars"] for one in ones) / len(ones)),
                "train_seconds_mean": round(sum(one["seconds"] for one in ones) / len(ones), 1),
                "dev_articles": len(run["gold"]),
                "rules": _score(run["gold"], run["rules"]),
                "model": _score(run["gold"], run["model"]),
                "model_plus_rules": _score(run["gold"], run["both"]),
                "rules_then_model": _score(run["gold"], run["gaps"]),
            }
        )
    return results, last_model


def _precision(runs: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Per-label precision of the uncalibrated model on *other* folds' dev articles: what
    ``meta.json`` would hold for a model of this size, without this fold's gold."""
    from storage.suggest.trained_model import propose
    from storage.train.evaluate import LayerScores

    scores = LayerScores()
    for run in runs:
        for example, scored in zip(run["dev"], run["scored"], strict=True):
            scores.add(set(example.entities), _triples(propose(scored, {})))
    return {label: s.precision for label, s in scores.labels.items() if s.predicted}


def suggest_rate(model: Any, quick: bool) -> float:
    """Articles per second the trained model suggests for, over corpus articles."""
    from bench.case_suggest import texts

    corpus = texts(200 if quick else 1_000)
    started = time.perf_counter()
    model.suggestions(corpus)
    return len(corpus) / (time.perf_counter() - started)


def plot(results: Sequence[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["train_articles"] for r in results]
    figure, axes = plt.subplots(figsize=(6, 4))
    for key, title in (
        ("rules", "rules only"),
        ("model", "model"),
        ("model_plus_rules", "model + rules (higher score wins)"),
        ("rules_then_model", "rules, model in the gaps"),
    ):
        axes.plot(sizes, [r[key]["f"] for r in results], marker="o", label=title)
    axes.set_xlabel("gold articles trained on")
    axes.set_ylabel("entity F1 on held-out gold articles (exact)")
    axes.set_ylim(0, 1)
    axes.set_xticks(sizes)
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def run(console: Console, quick: bool) -> list[Row]:
    results, model = curve(console, quick)
    table = Table(title="entity F1 on held-out gold articles (exact match, pooled over folds)")
    headings = ("trained on", "chars", "dev", "rules", "model", "model + rules", "rules, gaps")
    for heading in (*headings, "train s"):
        table.add_column(heading, justify="right")
    for r in results:
        table.add_row(
            f"{r['train_articles']} articles",
            f"{r['train_chars_mean']:,}",
            str(r["dev_articles"]),
            f"{r['rules']['f']:.3f}",
            f"{r['model']['f']:.3f}",
            f"{r['model_plus_rules']['f']:.3f}",
            f"{r['rules_then_model']['f']:.3f}",
            f"{r['train_seconds_mean']:.0f}",
        )
    console.print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    rate = suggest_rate(model, quick)
    (OUT / "learning_curve.json").write_text(
        json.dumps({"results": results, "model_articles_per_s": rate}, indent=2) + "\n", "utf-8"
    )
    plot(results, OUT / "learning_curve.png")
    console.print(f"  plot: {OUT / 'learning_curve.png'}", highlight=False, markup=False)
    best = results[-1]
    return [
        Row(
            NAME,
            f"entity F1 ×100, model + rules, trained on {best['train_articles']} articles",
            best["model_plus_rules"]["f"] * 100,
            None,
            "pts",
            note=f"rules alone {best['rules']['f'] * 100:.0f} pts on the same dev articles",
        ),
        Row(NAME, "suggest with the trained model", rate, None, "art/s", target_value=RATE_TARGET),
    ]
