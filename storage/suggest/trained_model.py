"""Entity suggestions from the pipeline ``redline train`` saved (``models/latest``).

Used automatically by ``redline suggest`` and on open when the directory
exists (``[suggest] model = "models/latest"``, the default; ``false`` turns it
off). Unlike an installed spaCy pipeline, each entity gets the model's own
score: the probability mass of the NER beam parses that contain it
(``EntityRecognizer.scored_ents``), times the precision the model reached
on its dev split for that label (``meta.json``), so the score estimates how
often such a suggestion is right and compares fairly with the rules' fixed
scores in the merge. Entities under :data:`MIN_SCORE` are not proposed. The
model was trained for one label schema; another schema's model is refused with
one line (``storage.train.store.checked_meta``).

When the pipeline has a ``textcat_multilabel``, its topic scores are used the
same way: a topic whose probability times its dev precision is at least
:data:`MIN_SCORE` is proposed as ``evidence`` spans (origin ``model``), the
same shape as the pattern suggester's (``storage.suggest.topics``). The evidence
is the sentences where the schema's patterns found the topic, when they did;
otherwise the sentences the classifier alone scores highest for it (each
sentence classified on its own), at most :data:`MAX_EVIDENCE`.

Loaded pipelines are cached per process by directory and modification time,
so a retrained ``models/latest`` is picked up by the next article opened.
Articles go through ``nlp.pipe`` in batches of :data:`BATCH`, and the beam is
:data:`BEAM_WIDTH` wide: 2 parses give each entity a probability, where a
4-wide beam cost more than the tok2vec itself (2.4× slower overall with the
64 × 2 tok2vec; ``python -m bench learning_curve`` times suggesting against a
bare ``nlp.pipe``). The beam parse is most of the cost: per ≈ 5,000-character
article about 34 ms of CPU against 15 ms for the tok2vec and 1–4 ms for the
tokenizer (the greedy parser would take 21 ms, but gives no probabilities).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.repository import SpanSuggestion
from storage.train.store import ModelMeta, checked_meta, resolve_model

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from storage.schema import Schema
    from storage.suggest.topics import TopicMatcher
    from storage.suggestions import SuggestOptions

BEAM_WIDTH = 2
BATCH = 32
"""Articles per ``nlp.pipe`` batch and beam parse (the parses do not depend on it). Same 200
texts, interleaved, in CPU time: 32 gave 23–24 articles per CPU-second where 64 gave 18–20
and 128 19–20 at a load average of 9; with another model at a load of 3–5, 28–30 against
28 for 64: smaller batches lose less to a busy machine's caches."""
MIN_SCORE = 0.5
"""Proposed only when more likely right than wrong (calibrated score, see ``suggestions``)."""
MAX_EVIDENCE = 3
TEXTCAT = "textcat_multilabel"


@dataclass(frozen=True)
class Scored:
    """One article's model output: entity candidates with scores, topic scores."""

    entities: dict[tuple[int, int, str], float]
    """(start char, end char, label) → beam probability."""
    topics: dict[str, float]


@dataclass
class TrainedModel:
    meta: ModelMeta
    nlp: Language
    matcher: TopicMatcher | None = None
    """The schema's topic patterns: where a model topic's evidence sentences are looked for."""

    def score(self, texts: Sequence[str]) -> Iterator[Scored]:
        """Beam-scored entities and topic scores for each text, in order."""
        has_ner = "ner" in self.nlp.pipe_names
        docs = self.nlp.pipe(texts, disable=["ner"] if has_ner else [], batch_size=BATCH)
        for batch in _batched(docs, BATCH):
            entities = self._entities(batch) if has_ner else [{} for _ in batch]
            for doc, found in zip(batch, entities, strict=True):
                yield Scored(found, dict(doc.cats))

    def _entities(self, docs: list[Doc]) -> list[dict[tuple[int, int, str], float]]:
        """One beam parse for the batch (the NER reads the tok2vec output ``pipe`` left)."""
        ner: Any = self.nlp.get_pipe("ner")
        found: list[dict[tuple[int, int, str], float]] = [{} for _ in docs]
        parsed = [number for number, doc in enumerate(docs) if len(doc)]
        if not parsed:
            return found
        beams = ner.beam_parse([docs[n] for n in parsed], beam_width=BEAM_WIDTH)
        for number, scores in zip(parsed, ner.scored_ents(beams), strict=True):
            doc = docs[number]
            found[number] = {
                (doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text), label): min(score, 1.0)
                for (start, end, label), score in scores.items()
            }
        return found

    def precision(self, layer: str = "entity") -> dict[str, float]:
        """Dev precision per label of ``layer`` from ``meta.json`` (what training measured)."""
        labels = self.meta.data.get("scores", {}).get(layer, {}).get("labels", {})
        return {
            label: float(score["p"])
            for label, score in labels.items()
            if isinstance(score, dict) and score.get("predicted")
        }

    def suggestions(
        self, texts: Sequence[str], precision: dict[str, float] | None = None
    ) -> list[list[SpanSuggestion]]:
        """Entities whose calibrated score is at least :meth:`min_score`, and topics.

        The score is the beam probability times the dev precision of the label
        (``precision``, default :meth:`precision`; a label never predicted on dev
        keeps its probability): a young model that is confidently wrong then
        scores below the rules and proposes little, and a model that has learnt
        a label well outscores them. That is the score the merge compares.
        """
        topic_precision = self.precision("topic")
        found = []
        for text, scored in zip(texts, self.score(texts), strict=True):
            topics = calibrated_topics(scored.topics, topic_precision)
            found.append(self.entity_proposals(scored, precision) + self.evidence(text, topics))
        return found

    def entity_proposals(
        self, scored: Scored, precision: dict[str, float] | None = None
    ) -> list[SpanSuggestion]:
        """One article's entity proposals: under the gap policy ``redline train`` saved
        (:meth:`gap_thresholds`), gap-only spans of the chosen labels; in a ``meta.json``
        without one (trained before it), calibrated spans that compete on score."""
        gaps = self.gap_thresholds()
        if gaps is not None:
            return gap_proposals(scored, gaps)
        precision = self.precision() if precision is None else precision
        return propose(scored, precision, self.min_score())

    def gap_thresholds(self) -> dict[str, float] | None:
        """Label → least beam probability of a span that fills the rules' gaps, as chosen
        on the dev split (``meta.json`` ``suggest.entity_gaps``; a label absent: none of
        it); None when ``meta.json`` has no such choice."""
        chosen = self.meta.data.get("suggest", {}).get("entity_gaps")
        if not isinstance(chosen, dict):
            return None
        return {str(label): float(t) for label, t in chosen.items() if isinstance(t, int | float)}

    def min_score(self) -> float:
        """The least calibrated score of an entity proposal: what ``redline train`` chose on
        its dev split (``meta.json`` ``suggest.entity_min_score``), else :data:`MIN_SCORE`."""
        chosen = self.meta.data.get("suggest", {}).get("entity_min_score")
        return float(chosen) if isinstance(chosen, int | float) else MIN_SCORE

    def evidence(self, text: str, topics: dict[str, float]) -> list[SpanSuggestion]:
        """Evidence suggestions for the topics proposed for ``text`` (topic → score)."""
        if not topics:
            return []
        by_pattern: dict[str, tuple[tuple[int, int], ...]] = {}
        if self.matcher is not None:
            by_pattern = {found.topic: found.evidence for found in self.matcher.suggest(text)}
        unmatched = [topic for topic in topics if not by_pattern.get(topic)]
        by_classifier = self._best_sentences(text, unmatched) if unmatched else {}
        return [
            SpanSuggestion(start, end, topic, layer="evidence", origin="model", score=score)
            for topic, score in sorted(topics.items())
            for start, end in by_pattern.get(topic) or by_classifier.get(topic, ())
        ]

    def _best_sentences(
        self, text: str, topics: Sequence[str]
    ) -> dict[str, tuple[tuple[int, int], ...]]:
        """Per topic, the sentences the classifier scores highest for it on their own."""
        from storage.figures import split_sentences

        sentences = split_sentences(text)
        others = [name for name in self.nlp.pipe_names if name != TEXTCAT]
        docs = self.nlp.pipe((text[a:b] for a, b in sentences), disable=others)
        scores = [doc.cats for doc in docs]
        best = {}
        for topic in topics:
            ranked = sorted(range(len(sentences)), key=lambda n: (-scores[n].get(topic, 0.0), n))
            best[topic] = tuple(sentences[n] for n in sorted(ranked[:MAX_EVIDENCE]))
        return best


def calibrated_topics(topics: dict[str, float], precision: dict[str, float]) -> dict[str, float]:
    """Topic → probability × dev precision (as for entities), the ones at least MIN_SCORE."""
    calibrated = {
        topic: round(probability * precision.get(topic, 1.0), 4)
        for topic, probability in topics.items()
    }
    return {topic: score for topic, score in calibrated.items() if score >= MIN_SCORE}


def propose(
    scored: Scored, precision: dict[str, float], min_score: float = MIN_SCORE
) -> list[SpanSuggestion]:
    """One article's suggestions: beam probability × label precision, at least ``min_score``."""
    calibrated = {
        key: probability * precision.get(key[2], 1.0)
        for key, probability in scored.entities.items()
    }
    return [
        SpanSuggestion(start, end, label, origin="model", score=round(score, 4))
        for (start, end, label), score in sorted(calibrated.items())
        if score >= min_score
    ]


def gap_proposals(scored: Scored, thresholds: dict[str, float]) -> list[SpanSuggestion]:
    """The spans whose beam probability reaches their label's threshold, as gap-only
    proposals (``storage.suggest.merge.GapSuggestion``: rule spans win every overlap)."""
    from storage.suggest.merge import GapSuggestion

    rounded = {key: round(p, 4) for key, p in scored.entities.items()}
    return [
        GapSuggestion(start, end, label, origin="model", score=score)
        for (start, end, label), score in sorted(rounded.items())
        if score >= thresholds.get(label, 2.0)
    ]


def _batched(docs: Iterable[Doc], size: int) -> Iterator[list[Doc]]:
    batch: list[Doc] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


_loaded: dict[tuple[Path, float], Any] = {}


def load_trained(directory: Path, schema: Schema, shown: str) -> TrainedModel:
    """The pipeline in ``directory`` (cached), refused if trained for another schema; with
    the schema's topic patterns when the pipeline classifies topics."""
    from storage.formats.tokens import blank_nlp

    blank_nlp()  # spaCy is imported once, under one lock: two threads importing it can deadlock
    import spacy

    meta = checked_meta(directory, schema, shown)
    key = (directory, (directory / "meta.json").stat().st_mtime)
    if key not in _loaded:
        _loaded.clear()  # one trained model per process: the newest asked for
        _loaded[key] = spacy.load(directory)
    nlp = _loaded[key]
    matcher = None
    if TEXTCAT in nlp.pipe_names:
        from storage.suggest.topics import TopicMatcher

        matcher = TopicMatcher.from_schema(schema)
    return TrainedModel(meta, nlp, matcher)


def configured_model(options: SuggestOptions) -> TrainedModel | None:
    """The trained model the options name, when its directory exists; None otherwise."""
    from storage.schema import load_config

    if not options.trained_model:
        return None
    named = Path(options.trained_model)
    directory = resolve_model(named)
    if directory is None:
        return None
    schema = options.schema if options.schema is not None else load_config().schema
    return load_trained(directory, schema, str(named))


def trained_runner(options: SuggestOptions) -> Any:
    """The registry's runner for the trained model, or None when there is none."""
    model = configured_model(options)
    return model.suggestions if model is not None else None
