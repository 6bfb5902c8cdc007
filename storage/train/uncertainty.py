"""Active learning order: the articles whose model suggestions are least certain first.

For one article the trained model gives a probability ``p`` to every entity
candidate its NER beam considered (``TrainedModel.score``: the beam mass of the
parses containing that span and label) and to every topic
(``textcat_multilabel``). The *margin* of a probability is ``|2p - 1|``: 1 when
the model is sure either way, 0 at a coin toss. An article's uncertainty is
``1 - mean margin`` over all its candidates and topics (0 when the model
proposes nothing at all). Annotating the most uncertain articles first teaches
the model most per article (uncertainty sampling, as in Prodigy's ``ner.teach``).

Scores are cached per model in ``<model>/uncertainty.json`` by article sha256,
so sorting a library again costs only the articles not scored yet.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from storage import queries
from storage.db import Database
from storage.suggest.trained_model import Scored, TrainedModel

CACHE_FILE = "uncertainty.json"


def uncertainty(scored: Scored) -> float:
    """``1 - mean |2p - 1|`` over the entity candidates and topics of one article."""
    probabilities = [*scored.entities.values(), *scored.topics.values()]
    if not probabilities:
        return 0.0
    margins = [abs(2 * min(max(p, 0.0), 1.0) - 1) for p in probabilities]
    return 1 - sum(margins) / len(margins)


def _read_cache(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


def article_uncertainty(
    db: Database, model: TrainedModel, article_ids: Iterable[int]
) -> dict[int, float]:
    """Uncertainty per article id (see the module docstring), cached beside the model."""
    cache_path = model.meta.directory / CACHE_FILE
    cache = _read_cache(cache_path)
    result: dict[int, float] = {}
    pending: list[tuple[int, str, str]] = []
    for article_id in article_ids:
        article = queries.get_article(db, article_id)
        if article is None:
            continue
        if article.sha256 in cache:
            result[article_id] = cache[article.sha256]
        else:
            pending.append((article_id, article.sha256, article.text))
    if pending:
        for (article_id, sha, _text), scored in zip(
            pending, model.score([text for *_i, text in pending]), strict=True
        ):
            result[article_id] = cache[sha] = round(uncertainty(scored), 6)
        try:
            cache_path.write_text(json.dumps(cache, sort_keys=True), "utf-8")
        except OSError:
            pass  # a read-only model directory only loses the cache
    return result


def most_useful_first(scores: dict[int, float], ids: Sequence[int]) -> list[int]:
    """``ids`` by uncertainty, highest first; ties (and unscored ids) by id."""
    return sorted(ids, key=lambda article_id: (-scores.get(article_id, 0.0), article_id))
