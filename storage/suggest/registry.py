"""One list of every suggester: what it proposes, what it costs, when it runs.

Each :class:`SuggesterSpec` names a suggester, the layer it proposes for, a
rough cost per article and whether it is cheap enough to run when an article
is opened (``on_open``) or only in ``redline suggest`` batches. ``build`` turns
the options of one run into a *runner* (texts → proposals per text, in order),
or None when the options switch the suggester off, so the rules, the
gazetteer, an installed spaCy pipeline and a model trained by ``redline train``
plug in one way: add a spec to :data:`SUGGESTERS`.

A runner takes a batch of texts so a spaCy pipeline can ``nlp.pipe`` them; the
rule suggesters simply loop. Runners are built once per run (the gazetteer is
read from the database, a model is loaded) and reused for every article.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.db import Database
    from storage.repository import SpanSuggestion
    from storage.suggestions import SuggestOptions

Runner = Callable[[Sequence[str]], list[list["SpanSuggestion"]]]
"""Proposals for each text of a batch, in the order of the texts."""


@dataclass(frozen=True)
class SuggestContext:
    """What a suggester may read while it is built."""

    db: Database
    options: SuggestOptions


@dataclass(frozen=True)
class SuggesterSpec:
    """A suggester as the registry knows it."""

    name: str
    layer: str
    """``entity``, ``figure`` or ``topic``: the layer of the spans it proposes."""
    cost: float
    """Rough milliseconds per article on one core; runners run cheapest first."""
    on_open: bool
    """Cheap enough to run when the reader opens an article (else batch only)."""
    build: Callable[[SuggestContext], Runner | None]
    """The runner for one run, or None when the options leave this suggester off."""
    fork_safe: bool = True
    """Its runner may be inherited by a forked worker (``storage.suggest.parallel``):
    pure Python and plain C tables, no threads or native library state of a loaded model."""


def entity_suggestions(found: Sequence[Any], entity_ids: dict[str, int]) -> list[SpanSuggestion]:
    """``storage.suggest.Suggestion`` values as storable suggestions of the entity layer."""
    from storage.repository import SpanSuggestion

    return [
        SpanSuggestion(
            item.start,
            item.end,
            item.label,
            origin=item.origin,
            score=item.score,
            entity_id=entity_ids.get(item.entity_name) if item.entity_name else None,
        )
        for item in found
    ]


def _each(function: Callable[[str], list[SpanSuggestion]]) -> Runner:
    return lambda texts: [function(text) for text in texts]


def _figures(context: SuggestContext) -> Runner | None:
    from storage.suggest.linking import entity_surfaces
    from storage.suggestions import figure_suggestions

    if not context.options.figures:
        return None
    subjects = entity_surfaces(context.db)
    return _each(lambda text: figure_suggestions(text, subjects))


def _gazetteer(context: SuggestContext) -> Runner | None:
    from storage.suggestions import CorpusGazetteer

    if not context.options.gazetteer:
        return None
    gazetteer = CorpusGazetteer(context.db, context.options.gazetteer_file)
    return _each(gazetteer.suggestions)


def _entity_rules(context: SuggestContext) -> Runner | None:
    from storage.suggest.entity_rules import suggest_entities

    if not context.options.entity_rules:
        return None
    return _each(lambda text: entity_suggestions(suggest_entities(text), {}))


def _topics(context: SuggestContext) -> Runner | None:
    from storage.schema import load_config
    from storage.suggest.topics import TopicMatcher, topic_suggestions

    if not context.options.topics:
        return None
    matcher = TopicMatcher.from_schema(context.options.schema or load_config().schema)
    return _each(lambda text: topic_suggestions(text, matcher))


def _spacy_pipeline(context: SuggestContext) -> Runner | None:
    from storage.suggest.spacy_model import suggest_with_model

    name = context.options.model
    if not name:
        return None
    suggest_with_model([], name)  # loads now: a missing pipeline fails the run, not an article
    return lambda texts: [
        entity_suggestions(found, {}) for found in suggest_with_model(texts, name)
    ]


def _trained_model(context: SuggestContext) -> Runner | None:
    """Entities, and topic evidence when the pipeline classifies topics (its spec's layer
    says ``entity``, where its cost lies)."""
    from storage.suggest.trained_model import trained_runner

    return trained_runner(context.options)


SUGGESTERS: tuple[SuggesterSpec, ...] = (
    SuggesterSpec("figures", "figure", cost=2.0, on_open=True, build=_figures),
    SuggesterSpec("gazetteer", "entity", cost=0.5, on_open=True, build=_gazetteer),
    SuggesterSpec("entity_rules", "entity", cost=1.5, on_open=True, build=_entity_rules),
    SuggesterSpec("topics", "topic", cost=3.0, on_open=True, build=_topics),
    SuggesterSpec(
        "spacy", "entity", cost=20.0, on_open=False, build=_spacy_pipeline, fork_safe=False
    ),
    SuggesterSpec(
        "trained", "entity", cost=10.0, on_open=True, build=_trained_model, fork_safe=False
    ),
)


def build_runners(
    db: Database, options: SuggestOptions, *, on_open: bool = False
) -> list[tuple[SuggesterSpec, Runner]]:
    """The runners the options switch on, cheapest first (``on_open``: only those specs)."""
    context = SuggestContext(db, options)
    runners = []
    for spec in sorted(SUGGESTERS, key=lambda spec: spec.cost):
        if on_open and not spec.on_open:
            continue
        runner = spec.build(context)
        if runner is not None:
            runners.append((spec, runner))
    return runners
