"""Case 7, learning curve: rules vs a model trained on gold articles, on articles nobody chose from.

The entity gold (``tests/data/gold/entities``) has three kinds of articles:

- *development*: the seven in ``sample_articles/`` (among them the 38,619-character
  State of the Union). The entity rules were written from them, so the rules
  are optimistic there: they are only ever *trained on*, never scored or chosen on;
- *unseen*: the Wikinews articles in ``tests/data/wikinews/``, added after the
  rules were written; split by name (sorted, shuffled with ``SEED``, the first
  half rounded up *tuning*, the rest *test*: ``split_unseen``), on the article
  files, so the split does not depend on which gold is in. The tuning articles
  are dealt into ``FOLDS`` folds;
- *held out*: the two in ``tests/data/articles/``, test articles too.

Models (``storage.train.loop.fit``, the ``redline train`` loop and config, a
fixed ``STEPS`` steps, last weights kept: no article picks weights or stops
training), two per training set (seeds ``SEED`` and ``SEED + 1``: the second is
only the ``committee`` diagnostic's partner), per point of the curve:

- **7**: trained on the development articles; everything is chosen on its
  output on all tuning articles (``bench.learning_choice.choose``, through
  ``storage.train.threshold.entity_settings``: what ``redline train`` saves in
  ``meta.json`` when those are its dev split);
- **7 + tuning − one fold**, one model per fold: chosen on its own output on
  the fold it left out; its test counts are pooled over the folds;
- **7 + all tuning**: chosen on the pooled out-of-fold output of the fold
  models (cross-validation), the reported result.

Every model is scored on the same test articles (unseen test + held out),
which no training, threshold or gap choice ever read; the rules are scored on
them too, so the curve compares like with like. Columns are described in
``bench.learning_choice``; "model + rules" is ``redline suggest``'s code path
(``TrainedModel.entity_proposals`` under the saved gap policy, then
``storage.suggest.merge``), the headline. Run of 8 December 2026 (commit
24d184b), 17 training articles, 395 test mentions: rules F1 0.670, model
alone 0.548, model + rules 0.760 (298 of 389 right, against the rules' 215
of 247), score merge 0.670, committee 0.780 (diagnostic).

Cost: 2 × (2 + ``FOLDS``) = 8 fits of ``STEPS`` steps, then ``bench.model_rate``
(suggesting with the final model over 1,000 corpus articles against a bare
``nlp.pipe``, target ≥ 50 articles/s). The whole case took 729 s on the
shared 2-core machine at a load average of 1.4-5.1 (8 December 2026; fits of
41-202 s each). Output: tables, ``bench/out/learning_curve.json`` (every count,
choice, and what the product's merge added on each test article) and
``bench/out/learning_curve.png``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import OUT, ROOT
from bench.common import Row
from bench.learning_choice import (
    COLUMNS,
    Choice,
    Scoredoc,
    choice_json,
    choose,
    gap_labels,
    rule_proposals,
    score_json,
)

NAME = "learning_curve"
GOLD = Path("tests/data/gold/entities")
SEED = 0
FOLDS = 2
STEPS = 600
"""Training steps per model (fixed, last weights kept). A step costs the same CPU whatever the
data (a batch of 4 pieces of ≈ 1,500 characters), 600 steps ≈ 50-65 s on the shared machine,
inside ``redline train``'s 5-minute limit. Chosen on tuning output only: the fold models
(12 articles) alone scored F1 0.437 on their left-out tuning folds at 300 steps and 0.475 at
600 (seed 0; 0.441 with seed 1)."""
REPORTED = COLUMNS
"""Columns in the tables; ``model_plus_rules`` is the product's (``redline suggest``)."""


@dataclass(frozen=True)
class GoldArticle:
    name: str
    group: str
    """``development``, ``unseen`` or ``heldout``."""
    example: Any


def split_unseen(
    names: Sequence[str], seed: int = SEED, folds: int = FOLDS
) -> tuple[list[list[str]], list[str]]:
    """Tuning folds and test articles, from names only: the same names, the same split."""
    ordered = sorted(names)
    random.Random(seed).shuffle(ordered)
    tuning, test = ordered[: (len(ordered) + 1) // 2], ordered[(len(ordered) + 1) // 2 :]
    return [sorted(tuning[k::folds]) for k in range(folds)], sorted(test)


def gold_articles() -> list[GoldArticle]:
    """Every entity gold file with its article, as training examples (``article_id`` =
    index), in the order of ``storage.figures.quality.gold_articles``."""
    from storage.figures.quality import (
        ARTICLE_DIRS,
        HELDOUT_DIR,
        UNSEEN_DIR,
        article_text,
        read_gold,
    )
    from storage.figures.quality import gold_articles as pairs
    from storage.train.data import TrainingExample

    groups = {ROOT / HELDOUT_DIR: "heldout", ROOT / UNSEEN_DIR: "unseen"}
    found = []
    for number, (article, gold_path) in enumerate(pairs(ROOT, GOLD, ARTICLE_DIRS)):
        spans = tuple((g["start"], g["end"], g["label"]) for g in read_gold(gold_path))
        example = TrainingExample(number, article_text(article), spans)
        found.append(GoldArticle(article.stem, groups.get(article.parent, "development"), example))
    return found


@dataclass(frozen=True)
class Plan:
    development: list[GoldArticle]
    folds: list[list[GoldArticle]]
    test: list[GoldArticle]
    missing: list[str]
    """Unseen articles without gold yet (left out of every set)."""

    def names(self) -> dict[str, Any]:
        return {
            "development": [a.name for a in self.development],
            "tuning_folds": [[a.name for a in fold] for fold in self.folds],
            "test": [a.name for a in self.test],
            "unseen_without_gold": self.missing,
        }


def plan() -> Plan:
    from storage.figures.quality import UNSEEN_DIR

    articles = gold_articles()
    by_name = {a.name: a for a in articles}
    names = [path.stem for path in sorted((ROOT / UNSEEN_DIR).glob("*.txt"))]
    folds, test = split_unseen(names)
    test_articles = [by_name[n] for n in test if n in by_name]
    return Plan(
        [a for a in articles if a.group == "development"],
        [[by_name[n] for n in fold if n in by_name] for fold in folds],
        test_articles + [a for a in articles if a.group == "heldout"],
        [n for n in names if n not in by_name],
    )


def _fit(train: Sequence[GoldArticle], options: Any) -> tuple[Any, float]:
    from storage.suggest.trained_model import TrainedModel
    from storage.train.data import TrainingData
    from storage.train.loop import fit
    from storage.train.store import ModelMeta

    examples = [a.example for a in train]
    labels = {"entity": sorted({label for e in examples for *_r, label in e.entities})}
    fitted = fit(TrainingData(train=examples, dev=[]), ["entity"], labels, "en", options)
    return TrainedModel(ModelMeta(Path("."), {}), fitted.nlp), fitted.seconds


Pair = tuple[Any, Any]
"""A model and its committee partner (same articles, another seed)."""


class Runner:
    """Fits models and scores articles with them, the rules' proposals computed once."""

    def __init__(self, console: Console, steps: int) -> None:
        from storage.train.loop import TrainOptions

        self.console = console
        self.options = TrainOptions(max_steps=steps, keep_best=False, batch_size=4)
        self._rules: dict[str, list[Any]] = {}

    def fit(self, train: Sequence[GoldArticle], why: str) -> tuple[Pair, float]:
        """The model (seed ``SEED``) and its committee partner (seed ``SEED + 1``), and the
        seconds one fit took (mean of the two)."""
        from dataclasses import replace

        model, took = _fit(train, replace(self.options, seed=SEED))
        partner, took_partner = _fit(train, replace(self.options, seed=SEED + 1))
        self.console.print(
            f"  trained 2 models on {len(train)} articles ({why}) in {took:.0f} + "
            f"{took_partner:.0f} s",
            highlight=False,
            markup=False,
        )
        return (model, partner), (took + took_partner) / 2

    def docs(self, pair: Pair, articles: Sequence[GoldArticle]) -> list[Scoredoc]:
        model, partner = pair
        texts = [a.example.text for a in articles]
        return [
            Scoredoc(
                a.example, s, self._rules.setdefault(a.name, rule_proposals(a.example.text)), p
            )
            for a, s, p in zip(articles, model.score(texts), partner.score(texts), strict=True)
        ]


def _columns(docs: Sequence[Scoredoc], choices: Sequence[Choice]) -> dict[str, Any]:
    return {column: score_json(docs, column, choices) for column in REPORTED}


def _point(
    runs: Sequence[tuple[Sequence[GoldArticle], float, Choice, list[Scoredoc]]],
    test: Sequence[GoldArticle],
) -> dict[str, Any]:
    """One point of the curve: its models' test scores pooled (each model with its choice)."""
    docs = [doc for *_r, run_docs in runs for doc in run_docs]
    choices = [choice for _t, _s, choice, run_docs in runs for _ in run_docs]
    groups = [a.group for _run in runs for a in test]
    by_group = {
        group: _columns(
            [d for d, g in zip(docs, groups, strict=True) if g == group],
            [c for c, g in zip(choices, groups, strict=True) if g == group],
        )
        for group in sorted(set(groups))
    }
    sizes = [len(train) for train, *_r in runs]
    return {
        "train_articles": sum(sizes) / len(sizes),
        "train_chars": round(sum(len(a.example.text) for t, *_r in runs for a in t) / len(runs)),
        "train_seconds": round(sum(seconds for _t, seconds, *_r in runs) / len(runs), 1),
        "models": len(runs),
        "choices": [choice_json(choice) for _t, _s, choice, _d in runs],
        "test": _columns(docs, choices),
        "test_by_group": by_group,
    }


def _added(
    choice: Choice, docs: Sequence[Scoredoc], test: Sequence[GoldArticle]
) -> list[dict[str, Any]]:
    """What the product's merge adds to the rules on each test article, right or wrong (for the
    README's account of the gain; nothing chooses from it)."""
    added = []
    for article, doc in zip(test, docs, strict=True):
        rules = {(s.start, s.end, s.label) for s in doc.rules}
        for start, end, label in sorted(doc.predicted("model_plus_rules", choice) - rules):
            text = doc.example.text[start:end]
            right = (start, end, label) in doc.gold
            added.append({"article": article.name, "text": text, "label": label, "right": right})
    return added


def curve(console: Console, quick: bool, steps: int | None = None) -> tuple[dict[str, Any], Any]:
    """The curve's points on the test articles, the plan, and the final model."""
    chosen = plan()
    if not all(chosen.folds) or not chosen.test:
        raise SystemExit("learning curve: too little unseen gold for tuning folds and a test set")
    runner = Runner(console, steps or (60 if quick else STEPS))
    development, folds, test = chosen.development, chosen.folds, chosen.test
    tuning = [a for fold in folds for a in fold]

    model, took = runner.fit(development, "development")
    first = (development, took, choose(runner.docs(model, tuning)), runner.docs(model, test))
    fold_runs, out_of_fold = [], []
    for k, fold in enumerate(folds):
        train = [*development, *(a for j, f in enumerate(folds) if j != k for a in f)]
        model, took = runner.fit(train, f"tuning fold {k + 1} left out")
        fold_docs = runner.docs(model, fold)
        out_of_fold += fold_docs
        fold_runs.append((train, took, choose(fold_docs), runner.docs(model, test)))
    model, took = runner.fit([*development, *tuning], "development + tuning")
    final = ([*development, *tuning], took, choose(out_of_fold), runner.docs(model, test))
    points = [_point([first], test), _point(fold_runs, test), _point([final], test)]
    points[-1]["added_on_test"] = _added(final[2], final[3], test)
    result = {
        "articles": chosen.names(),
        "seed": SEED,
        "folds": FOLDS,
        "steps": runner.options.max_steps,
        "test_mentions": sum(len(a.example.entities) for a in test),
        "points": points,
    }
    return result, model[0]


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = result["points"]
    sizes = [p["train_articles"] for p in points]
    figure, axes = plt.subplots(figsize=(6.5, 4))
    titles = {
        "rules": "rules only",
        "model": "model",
        "model_plus_rules": "model + rules (redline suggest: model in the rules' gaps)",
        "score": "model + rules, higher score wins (older meta.json)",
        "committee": "rules, two models agreeing in the gaps (diagnostic)",
    }
    for key, title in titles.items():
        style = {"color": "black", "linestyle": "--", "zorder": 5} if key == "rules" else {}
        axes.plot(sizes, [p["test"][key]["f"] for p in points], marker="o", label=title, **style)
    axes.set_xlabel("gold articles trained on (7 development + tuning Wikinews)")
    axes.set_ylabel(f"entity F1 on {len(result['articles']['test'])} test articles")
    axes.set_ylim(0, 1)
    axes.set_xticks(sizes)
    axes.legend(fontsize=8, loc="lower right")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _table(console: Console, result: dict[str, Any]) -> None:
    table = Table(title="entity F1 (exact match) on test articles no choice or training read")
    headings = ("evaluated on", "mentions", "trained on", "chars", "rules", "model")
    merges = ("model + rules (suggest)", "score merge", "committee", "gap labels", "dev F1")
    for heading in (*headings, *merges):
        table.add_column(heading, justify="right")
    table.add_column("train s", justify="right")
    final = result["points"][-1]
    rows = [("test", p["test"], p) for p in result["points"]]
    rows += [(f"  {group}", scores, final) for group, scores in final["test_by_group"].items()]
    for label, scores, p in rows:
        dev = [c["suggest"]["entity_gaps_dev"] for c in p["choices"]]
        table.add_row(
            label,
            str(scores["rules"]["gold"] // p["models"]),
            f"{p['train_articles']:g}",
            f"{p['train_chars']:,}",
            *(f"{scores[column]['f']:.3f}" for column in COLUMNS),
            gap_labels([c["suggest"]["entity_gaps"] for c in p["choices"]]),
            "/".join(f"{d['rules_f1']:.2f}→{d['merged_f1']:.2f}" for d in dev),
            f"{p['train_seconds']:.0f}",
        )
    console.print(table)


def run(console: Console, quick: bool) -> list[Row]:
    from bench.model_rate import rate_rows

    began = time.monotonic()
    result, model = curve(console, quick)
    _table(console, result)
    OUT.mkdir(parents=True, exist_ok=True)
    rate, numbers = rate_rows(model, quick)
    result["rate"] = numbers
    result["seconds"] = round(time.monotonic() - began)
    (OUT / "learning_curve.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    plot(result, OUT / "learning_curve.png")
    console.print(f"  plot: {OUT / 'learning_curve.png'}", highlight=False, markup=False)
    final = result["points"][-1]["test"]
    return [
        Row(
            NAME,
            f"entity F1 ×100, {len(result['articles']['test'])} test articles, model + rules "
            f"(redline suggest's gap policy, chosen on tuning; trained on "
            f"{result['points'][-1]['train_articles']:g})",
            final["model_plus_rules"]["f"] * 100,
            None,
            "pts",
            note=f"rules alone {final['rules']['f'] * 100:.1f} pts on the same articles",
        ),
        *rate,
    ]
