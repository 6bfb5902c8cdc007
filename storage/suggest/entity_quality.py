"""Exact-match precision, recall and F1 per label for entity suggestions.

A predicted mention counts as correct only when its start, end and label all
equal a gold mention's (the CoNLL/seqeval "exact" criterion). Shared by the
gold test and ``bench/suggest_quality.py``.

Mentions may be given as objects with ``start``/``end``/``label`` attributes
(``Suggestion``), dicts with those keys (gold JSONL lines), or tuples
``(start, end, label)``. To score several documents at once, tag each mention
with its document: a ``doc`` attribute or key, or a tuple
``(doc, start, end, label)``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

MentionKey = tuple[Any, int, int, str]

ALL = "ALL"
"""Key of the micro-average over every label in ``score_entities``'s result."""


def mention_key(mention: Any) -> MentionKey:
    """``(doc, start, end, label)`` of a mention in any accepted shape (doc is None
    when the mention names none)."""
    if isinstance(mention, Mapping):
        return (
            mention.get("doc"),
            int(mention["start"]),
            int(mention["end"]),
            str(mention["label"]),
        )
    if isinstance(mention, tuple):
        if len(mention) == 3:
            start, end, label = mention
            return (None, int(start), int(end), str(label))
        if len(mention) == 4:
            doc, start, end, label = mention
            return (doc, int(start), int(end), str(label))
        raise ValueError(f"a mention tuple has 3 or 4 items, not {len(mention)}")
    return (getattr(mention, "doc", None), int(mention.start), int(mention.end), str(mention.label))


def _prf(true_positives: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score_entities(
    gold: Iterable[Any], predicted: Iterable[Any]
) -> dict[str, tuple[float, float, float]]:
    """``{label: (precision, recall, f1)}`` for every label in gold or predicted, plus
    ``"ALL"``, the micro-average. A label never predicted has precision 0.0; duplicate
    mentions count once."""
    gold_keys = {mention_key(m) for m in gold}
    predicted_keys = {mention_key(m) for m in predicted}
    hits = gold_keys & predicted_keys
    gold_count = Counter(key[3] for key in gold_keys)
    predicted_count = Counter(key[3] for key in predicted_keys)
    hit_count = Counter(key[3] for key in hits)
    labels = sorted(set(gold_count) | set(predicted_count))
    result = {
        label: _prf(hit_count[label], predicted_count[label], gold_count[label]) for label in labels
    }
    result[ALL] = _prf(len(hits), len(predicted_keys), len(gold_keys))
    return result


def restrict(mentions: Iterable[Any], labels: Iterable[str]) -> list[MentionKey]:
    """Only the mentions whose label is in ``labels`` (to score a label subset)."""
    wanted = set(labels)
    return [key for key in map(mention_key, mentions) if key[3] in wanted]
