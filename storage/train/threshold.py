"""The least score a trained model's entity suggestion needs, chosen on the dev split.

(Since issue 13, ``redline suggest`` applies the gap policy of ``storage.train.gaps``
instead, chosen on the same dev split; the least score below is still chosen and
saved, and it is what a model whose ``meta.json`` has no gap policy uses.)

``redline suggest`` merges the model's entity proposals with the rules' and the
gazetteer's (``storage.suggest.merge``: the higher score wins an overlap). A
young model's confident mistakes can push correct rule spans out, so after
training the merge is replayed on the dev articles for each of
:data:`CANDIDATES`: the model's calibrated proposals at or above it, merged
with the entity rules' proposals for the same text, scored against the dev
gold (exact offsets and label). The best pooled F1 wins (ties: the lower
score, which keeps more model suggestions); above 1 means the dev articles say
the model's entity spans only cost F1, so it proposes none. Stored in
``meta.json`` as ``suggest.entity_min_score``. Only dev articles are read:
no article the model is later scored on (the learning curve) chooses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.suggest.trained_model import Scored, propose
from storage.train.data import TrainingExample
from storage.train.evaluate import Evaluation, LayerScores

if TYPE_CHECKING:
    from spacy.language import Language

    from storage.repository import SpanSuggestion

CANDIDATES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)


def merged_f1(
    examples: Sequence[TrainingExample],
    scored: Sequence[Scored],
    precision: dict[str, float],
    min_score: float,
    rules: Sequence[Sequence[SpanSuggestion]] | None = None,
) -> float:
    """Entity micro F1 of rules + the model's proposals at ``min_score``, merged as in use;
    ``rules``: the examples' rule proposals, when already computed."""
    from storage.suggest.merge import merge_suggestions
    from storage.train.gaps import rule_proposals

    if rules is None:
        rules = [rule_proposals(example.text) for example in examples]
    scores = LayerScores()
    for example, one, found in zip(examples, scored, rules, strict=True):
        merged = merge_suggestions([*propose(one, precision, min_score), *found])
        scores.add(set(example.entities), {(s.start, s.end, s.label) for s in merged})
    return scores.micro.f1


def choose_min_score(
    examples: Sequence[TrainingExample],
    scored: Sequence[Scored],
    precision: dict[str, float],
    rules: Sequence[Sequence[SpanSuggestion]] | None = None,
) -> float:
    """The candidate with the best merged F1 on ``examples`` (ties: the lowest)."""
    from storage.train.gaps import rule_proposals

    if rules is None:
        rules = [rule_proposals(example.text) for example in examples]
    results = {t: round(merged_f1(examples, scored, precision, t, rules), 6) for t in CANDIDATES}
    return max(CANDIDATES, key=lambda t: (results[t], -t))


def suggest_settings(
    nlp: Language, evaluation: Evaluation, dev: Sequence[TrainingExample], layers: Sequence[str]
) -> dict[str, Any]:
    """``meta.json``'s ``suggest`` part for a pipeline just trained (empty without entity dev):
    the gap policy ``redline suggest`` applies (``storage.train.gaps``), and the least score
    of the older score merge, kept for the record."""
    from storage.suggest.trained_model import TrainedModel
    from storage.train.store import ModelMeta

    dev = [example for example in dev if example.entities]
    if "entity" not in layers or not dev:
        return {}
    model = TrainedModel(ModelMeta(Path("."), {"scores": evaluation.as_json()}), nlp)
    scored = list(model.score([example.text for example in dev]))
    return entity_settings(dev, scored, model.precision())


def entity_settings(
    dev: Sequence[TrainingExample],
    scored: Sequence[Scored],
    precision: dict[str, float],
    rules: Sequence[Sequence[SpanSuggestion]] | None = None,
) -> dict[str, Any]:
    """The ``suggest`` fields chosen on ``dev`` from the model's output ``scored`` on it;
    the rules run once per article for both choices (``rules``: already run)."""
    from storage.train.gaps import gap_settings, rule_proposals

    if rules is None:
        rules = [rule_proposals(example.text) for example in dev]
    return {
        "entity_min_score": choose_min_score(dev, scored, precision, rules),
        **gap_settings(dev, scored, rules),
    }
