"""Suggestion quality against the gold set: precision / recall / F1 per kind.

Run from the project root: ``.venv/bin/python bench/suggest_quality.py``.
Every ``tests/data/gold/<layer>/*.jsonl`` file is scored with the suggester
registered for its layer in ``SUGGESTERS``; kinds are read from the gold and
predictions, so a new layer (e.g. entities) only needs a gold folder and an
entry here. A hit needs equal offsets, kind and (when present) value.
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


def evaluate(layer: str, suggester: Suggester) -> None:
    """Print the per-kind table of one layer and the attribute agreement on hits."""
    gold: list[dict[str, Any]] = []
    predicted: list[dict[str, Any]] = []
    pairs = gold_articles(ROOT, Path("tests/data/gold") / layer)
    for number, (article, gold_path) in enumerate(pairs):
        shift = number * 10_000_000
        text = article_text(article)
        gold += [{**g, "kind": g.get("kind", g.get("label")),
                  "start": g["start"] + shift, "end": g["end"] + shift}
                 for g in read_gold(gold_path)]
        predicted += [{**p, "start": p["start"] + shift, "end": p["end"] + shift}
                      for p in suggester(text)]
    print(f"\n{layer}: {len(pairs)} articles, {len(gold)} gold spans, {len(predicted)} predicted")
    print(f"{'kind':<10} {'gold':>5} {'pred':>5} {'hits':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for kind, result in score(gold, predicted).items():
        print(
            f"{kind:<10} {result.gold:>5} {result.predicted:>5} {result.true_positives:>5} "
            f"{result.precision:>6.3f} {result.recall:>6.3f} {result.f1:>6.3f}"
        )
    by_key = {(p["start"], p["end"], p["kind"]): p for p in predicted}
    matched = [(g, by_key[(g["start"], g["end"], g["kind"])]) for g in gold
               if (g["start"], g["end"], g["kind"]) in by_key]
    agreement = []
    for name in ATTRIBUTES:
        pairs_with = [(g, p) for g, p in matched if name in g and name in p]
        if pairs_with:
            same = sum(g[name] == p[name] for g, p in pairs_with)
            agreement.append(f"{name} {same}/{len(pairs_with)}")
    if agreement:
        print("attributes on matched spans: " + ", ".join(agreement))


def main() -> None:
    """Score every layer that has both a gold folder and a suggester."""
    for layer, suggester in SUGGESTERS.items():
        if (ROOT / "tests/data/gold" / layer).is_dir():
            evaluate(layer, suggester)


if __name__ == "__main__":
    main()
