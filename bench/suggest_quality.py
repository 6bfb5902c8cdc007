"""Suggestion quality against the gold set: precision / recall / F1 per kind.

Also: topic precision/recall per article (``tests/data/gold/topics``, one
``{"topic": ...}`` a line) and, for figures whose gold line carries them,
metric / period / subject accuracy per figure (case and spacing ignored).

Run from the project root: ``.venv/bin/python bench/suggest_quality.py``.
Every ``tests/data/gold/<layer>/*.jsonl`` file is scored with the suggester
registered for its layer in ``SUGGESTERS``; kinds are read from the gold and
predictions, so a new layer (e.g. entities) only needs a gold folder and an
entry here. A hit needs equal offsets, kind and (when present) value.

Articles in ``sample_articles/`` are *development* articles: the rules were
written from them, so their scores are optimistic. Articles in
``tests/data/articles/`` are held out (no rule was written from them), and so
are the Wikinews articles of ``tests/data/wikinews/`` (entities only; added after
the rules were written, gold written by reading); a layer with gold for several
groups is printed once per group, development first.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage.figures import find_figures  # noqa: E402
from storage.figures.quality import (  # noqa: E402
    ARTICLE_DIRS,
    article_text,
    figure_record,
    gold_articles,
    read_gold,
    score,
)
from storage.suggest import suggest_entities  # noqa: E402

Suggester = Callable[[str], list[dict[str, Any]]]

#: Gold folder (under tests/data/gold) -> function giving gold-style dicts for a text.
SUGGESTERS: dict[str, Suggester] = {
    "figures": lambda text: [figure_record(figure) for figure in find_figures(text)],
    "entities": lambda text: [
        {"start": s.start, "end": s.end, "kind": s.label} for s in suggest_entities(text)
    ],
}
ATTRIBUTES = ("value_max", "unit", "approximate", "bound", "change", "direction", "date_value")


HELDOUT = ROOT / "tests/data/articles"
UNSEEN = ROOT / "tests/data/wikinews"
GROUPS = (
    ("development articles: the rules were written from them", None),
    ("held-out articles: no rule was written from them", HELDOUT),
    ("unseen Wikinews articles: added after the rules, no rule was written from them", UNSEEN),
)


def evaluate(layer: str, suggester: Suggester) -> None:
    """The per-kind table of one layer, once per group of articles that has gold for it."""
    pairs = gold_articles(ROOT, Path("tests/data/gold") / layer, ARTICLE_DIRS)
    outside = {folder for _, folder in GROUPS if folder is not None}
    grouped = [
        (title, [p for p in pairs if (p[0].parent if p[0].parent in outside else None) == folder])
        for title, folder in GROUPS
    ]
    grouped = [(title, group) for title, group in grouped if group]
    if len(grouped) == 1:
        evaluate_pairs(layer, grouped[0][1], suggester)
        return
    for title, group in grouped:
        evaluate_pairs(f"{layer} ({title})", group, suggester)


def evaluate_pairs(title: str, pairs: list[tuple[Path, Path]], suggester: Suggester) -> None:
    """Print the per-kind table of some articles and the attribute agreement on hits."""
    gold: list[dict[str, Any]] = []
    predicted: list[dict[str, Any]] = []
    for number, (article, gold_path) in enumerate(pairs):
        shift = number * 10_000_000
        text = article_text(article)
        gold += [
            {
                **g,
                "kind": g.get("kind", g.get("label")),
                "start": g["start"] + shift,
                "end": g["end"] + shift,
            }
            for g in read_gold(gold_path)
        ]
        predicted += [
            {**p, "start": p["start"] + shift, "end": p["end"] + shift} for p in suggester(text)
        ]
    print(f"\n{title}: {len(pairs)} articles, {len(gold)} gold spans, {len(predicted)} predicted")
    print(f"{'kind':<10} {'gold':>5} {'pred':>5} {'hits':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for kind, result in score(gold, predicted).items():
        print(
            f"{kind:<10} {result.gold:>5} {result.predicted:>5} {result.true_positives:>5} "
            f"{result.precision:>6.3f} {result.recall:>6.3f} {result.f1:>6.3f}"
        )
    by_key = {(p["start"], p["end"], p["kind"]): p for p in predicted}
    matched = [
        (g, by_key[(g["start"], g["end"], g["kind"])])
        for g in gold
        if (g["start"], g["end"], g["kind"]) in by_key
    ]
    agreement = []
    for name in ATTRIBUTES:
        pairs_with = [(g, p) for g, p in matched if name in g and name in p]
        if pairs_with:
            same = sum(g[name] == p[name] for g, p in pairs_with)
            agreement.append(f"{name} {same}/{len(pairs_with)}")
    if agreement:
        print("attributes on matched spans: " + ", ".join(agreement))


CONTEXT = ("metric", "period", "subject")


def _same(gold: Any, predicted: Any) -> bool:
    def fold(value: Any) -> str:
        return " ".join(str(value).lower().split()) if value is not None else ""

    return fold(gold) == fold(predicted)


def evaluate_context() -> None:
    """Metric, period and subject of each gold figure that states them, one line a figure."""
    right = dict.fromkeys(CONTEXT, 0)
    asked = dict.fromkeys(CONTEXT, 0)
    print("\nfigure context (gold lines with metric/period/subject):")
    for article, gold_path in gold_articles(ROOT, Path("tests/data/gold/figures")):
        found = {(f.start, f.end): f for f in find_figures(article_text(article))}
        for gold in read_gold(gold_path):
            wanted = [name for name in CONTEXT if name in gold]
            if not wanted:
                continue
            figure = found.get((gold["start"], gold["end"]))
            marks = []
            for name in wanted:
                value = getattr(figure, name) if figure is not None else None
                ok = _same(gold[name], value)
                asked[name] += 1
                right[name] += ok
                marks.append(f"{name}={value!r}{'' if ok else f' (gold {gold[name]!r})'}")
            print(f"  {article.stem[:28]:<28} {gold['text'][:16]:<16} " + "; ".join(marks))
    print(
        "accuracy: "
        + ", ".join(f"{name} {right[name]}/{asked[name]}" for name in CONTEXT if asked[name])
    )


def evaluate_topics() -> None:
    """Topic precision / recall per article, and over all articles."""
    from storage.schema import builtin_schema
    from storage.suggest.topics import TopicMatcher

    matcher = TopicMatcher.from_schema(builtin_schema())
    pairs = gold_articles(ROOT, Path("tests/data/gold/topics"))
    print(f"\ntopics: {len(pairs)} articles")
    print(f"{'article':<48} {'gold':>4} {'pred':>4} {'hits':>4} {'P':>6} {'R':>6}")
    totals = [0, 0, 0]
    for article, gold_path in pairs:
        gold = {line["topic"] for line in read_gold(gold_path)}
        predicted = {found.topic for found in matcher.suggest(article_text(article))}
        hits = len(gold & predicted)
        precision = hits / len(predicted) if predicted else 1.0
        recall = hits / len(gold) if gold else 1.0
        print(
            f"{article.stem[:48]:<48} {len(gold):>4} {len(predicted):>4} {hits:>4} "
            f"{precision:>6.3f} {recall:>6.3f}"
        )
        totals = [totals[0] + len(gold), totals[1] + len(predicted), totals[2] + hits]
    gold_n, predicted_n, hits_n = totals
    print(
        f"{'ALL':<48} {gold_n:>4} {predicted_n:>4} {hits_n:>4} "
        f"{hits_n / max(predicted_n, 1):>6.3f} {hits_n / max(gold_n, 1):>6.3f}"
    )


def main() -> None:
    """Score every layer that has both a gold folder and a suggester."""
    for layer, suggester in SUGGESTERS.items():
        if (ROOT / "tests/data/gold" / layer).is_dir():
            evaluate(layer, suggester)
    evaluate_context()
    evaluate_topics()


if __name__ == "__main__":
    main()
