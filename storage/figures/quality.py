"""Scoring suggestions against hand-checked gold spans, for any span kinds.

Gold files are JSON lines (one span a line, with at least ``start``, ``end``,
``kind`` and, for numeric kinds, ``value`` as a string). A prediction counts as
correct only when offsets, kind and value all match, so a right span with a
wrong normalisation is both a false positive and a false negative. The same
``score`` works for entity kinds later (their lines simply carry no value).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from storage.text import normalise

#: Where the shipped articles and the figure gold live, relative to the project root.
SAMPLE_DIR = Path("sample_articles")
HELDOUT_DIR = Path("tests/data/articles")
"""Articles written only to measure the suggesters (no rule was written from them)."""
UNSEEN_DIR = Path("tests/data/wikinews")
"""Wikinews articles added after the rules were written (entity gold only; no rule was
written from them): the learning curve's tuning and test articles."""
ARTICLE_DIRS = (SAMPLE_DIR, HELDOUT_DIR, UNSEEN_DIR)
FIGURE_GOLD_DIR = Path("tests/data/gold/figures")


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 of one kind, with the counts they come from."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    gold: int
    predicted: int


def article_text(path: Path) -> str:
    """The exact string gold offsets index into, for a shipped article file.

    ``.txt``: the whole file, normalised (``storage.text.normalise``), title line
    included. ``.md``: the normalised file with its leading YAML front matter
    (``---`` line, fields, ``---`` line) and the line breaks right after it removed.
    """
    text = normalise(path.read_text("utf-8"))
    if path.suffix == ".md" and text.startswith("---\n"):
        closing = text.find("\n---\n", 4)
        if closing >= 0:
            text = text[closing + len("\n---\n") :].lstrip("\n")
    return text


def read_gold(path: Path) -> list[dict[str, Any]]:
    """The gold spans of one JSON-lines file."""
    lines = path.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _key(span: Mapping[str, Any]) -> tuple[int, int, str, Decimal | None]:
    value = span.get("value")
    return (
        int(span["start"]),
        int(span["end"]),
        str(span["kind"]),
        None if value is None else Decimal(str(value)),
    )


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def score(
    gold: Iterable[Mapping[str, Any]], predicted: Iterable[Mapping[str, Any]]
) -> dict[str, Scores]:
    """Per-kind precision/recall/F1 (plus "ALL"): a hit needs offsets, kind and value equal."""
    gold_keys = [_key(span) for span in gold]
    predicted_keys = [_key(span) for span in predicted]
    kinds = sorted({key[2] for key in gold_keys} | {key[2] for key in predicted_keys})
    results: dict[str, Scores] = {}
    for kind in [*kinds, "ALL"]:
        wanted = {key for key in gold_keys if kind in ("ALL", key[2])}
        found = {key for key in predicted_keys if kind in ("ALL", key[2])}
        hits = len(wanted & found)
        precision, recall = _ratio(hits, len(found)), _ratio(hits, len(wanted))
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        results[kind] = Scores(precision, recall, f1, hits, len(wanted), len(found))
    return results


def figure_record(figure: Any) -> dict[str, Any]:
    """A ``ParsedFigure`` as a gold-style dict (values as strings)."""
    return {
        "start": figure.start,
        "end": figure.end,
        "text": figure.text,
        "kind": figure.kind,
        "value": None if figure.value is None else str(figure.value),
        "value_max": None if figure.value_max is None else str(figure.value_max),
        "unit": figure.unit,
        "approximate": figure.approximate,
        "bound": figure.bound,
        "change": figure.change,
        "direction": figure.direction,
        "date_value": figure.date_value,
        "metric": figure.metric,
        "period": figure.period,
        "subject": figure.subject,
    }


def gold_articles(
    root: Path,
    gold_dir: Path = FIGURE_GOLD_DIR,
    folders: Sequence[Path] = (SAMPLE_DIR, HELDOUT_DIR),
) -> list[tuple[Path, Path]]:
    """(article, gold file) pairs: every gold file with the article of the same stem, looked
    for in ``folders`` (default: development and held-out articles; pass
    :data:`ARTICLE_DIRS` for the unseen Wikinews articles too, which callers that report
    development and held-out articles apart would otherwise count as development)."""
    pairs: list[tuple[Path, Path]] = []
    for gold_path in sorted((root / gold_dir).glob("*.jsonl")):
        candidates = [
            root / folder / f"{gold_path.stem}{suffix}"
            for folder in folders
            for suffix in (".txt", ".md")
        ]
        article = next((path for path in candidates if path.exists()), None)
        if article is not None:
            pairs.append((article, gold_path))
    return pairs
