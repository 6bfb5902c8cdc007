"""Topic suggestions with evidence: the schema's phrase patterns, matched per sentence.

Each topic of the schema carries ``patterns`` (``storage/builtin_schema.toml``,
extendable in ``redline.toml``). They are matched with spaCy's
``PhraseMatcher`` over a normalised form of each token. spaCy's blank English
pipeline has no lemmatizer tables without ``spacy-lookups-data`` (not
installed), so the normal form is the lower-case word with plural and
``-ing``/``-ed`` endings stripped by :func:`normal_form`; pattern and text go
through the same function, so "sanctions", "sanctioned" and "sanction" meet.

Precision first. A pattern of two or more words is a strong cue (weight 1), a
single word a weak one (weight 0.5: "trade", "war", "tax" are often
incidental). Each (pattern, sentence) pair counts once; a topic is proposed
when its cues weigh at least :data:`THRESHOLD`, so one incidental word never
suggests a topic. The evidence is the sentences with the most cues (at most
:data:`MAX_EVIDENCE`), each stored as a ``suggested`` evidence span.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.repository import SpanSuggestion
    from storage.schema import Schema

STRONG = 1.0
WEAK = 0.5
THRESHOLD = 1.0
MAX_EVIDENCE = 3


@dataclass(frozen=True)
class TopicSuggestion:
    """A proposed topic of one article, with the sentences that support it."""

    topic: str
    score: float
    evidence: tuple[tuple[int, int], ...]
    """Sentence spans ``[start, end)`` (code points), in reading order."""
    cues: tuple[str, ...]
    """The matched words of the article, for the review ("trade turnover", "exports")."""


def normal_form(word: str) -> str:
    """Lower case without possessive, plural or ``-ing``/``-ed`` endings (a light stemmer)."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("sses", "xes", "ches", "shes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def _nlp() -> Any:
    """The blank English pipeline the exporters and the reader's token snapping share."""
    from storage.formats.tokens import blank_nlp

    return blank_nlp()


def _doc(text: str) -> Any:
    doc = _nlp().make_doc(text)
    for token in doc:
        token.norm_ = normal_form(token.text)
    return doc


class TopicMatcher:
    """The patterns of every topic of a schema, compiled once."""

    def __init__(self, patterns: dict[str, Sequence[str]]) -> None:
        vocab = _nlp().vocab  # imports spaCy under the shared lock, before any submodule
        from spacy.matcher import PhraseMatcher

        self.matcher = PhraseMatcher(vocab, attr="NORM")
        self.weights: dict[tuple[str, str], float] = {}
        self.topics: dict[int, str] = {}
        for topic, phrases in patterns.items():
            docs = []
            for phrase in phrases:
                doc = _doc(phrase)
                if len(doc):
                    docs.append(doc)
                    key = " ".join(token.norm_ for token in doc)
                    self.weights[(topic, key)] = STRONG if len(doc) > 1 else WEAK
            if docs:
                self.matcher.add(topic, docs)
                self.topics[_nlp().vocab.strings[topic]] = topic

    @classmethod
    def from_schema(cls, schema: Schema) -> TopicMatcher:
        return cls({label.key: label.patterns for label in schema.layer("topic")})

    def suggest(self, text: str) -> list[TopicSuggestion]:
        """The topics whose cues weigh enough, best first."""
        from storage.figures import split_sentences

        doc = _doc(text)
        sentences = split_sentences(text)
        starts = [start for start, _ in sentences]
        cues: dict[str, dict[tuple[str, int], str]] = {}
        for match_id, first, last in _longest(self.matcher(doc)):
            topic = self.topics[match_id]
            span = doc[first:last]
            key = " ".join(token.norm_ for token in span)
            sentence = _sentence_of(sentences, starts, span.start_char)
            cues.setdefault(topic, {})[(key, sentence)] = span.text
        found = []
        for topic, hits in cues.items():
            weight = sum(self.weights.get((topic, key), WEAK) for key, _ in hits)
            if weight < THRESHOLD:
                continue
            per_sentence: dict[int, float] = {}
            for key, sentence in hits:
                per_sentence[sentence] = per_sentence.get(sentence, 0.0) + self.weights.get(
                    (topic, key), WEAK
                )
            best = sorted(per_sentence, key=lambda s: (-per_sentence[s], s))[:MAX_EVIDENCE]
            evidence = tuple(sentences[s] for s in sorted(best) if s >= 0)
            score = round(min(0.95, 0.5 + 0.1 * weight), 3)
            found.append(
                TopicSuggestion(topic, score, evidence, tuple(dict.fromkeys(hits.values())))
            )
        return sorted(found, key=lambda t: (-t.score, t.topic))


def _longest(matches: Iterable[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Drop a match inside a longer one of any topic: the longer phrase says what the words
    mean ("export" inside "export controls" is not a trade cue)."""
    kept: list[tuple[int, int, int]] = []
    for match in sorted(matches, key=lambda m: (m[1] - m[2], m[1])):
        if not any(
            m[1] <= match[1] and match[2] <= m[2] and m[2] - m[1] > match[2] - match[1]
            for m in kept
        ) and match not in kept:
            kept.append(match)
    return sorted(kept, key=lambda m: m[1])


def _sentence_of(
    sentences: Sequence[tuple[int, int]], starts: Sequence[int], offset: int
) -> int:
    number = bisect_right(starts, offset) - 1
    return number if number >= 0 and offset < sentences[number][1] else -1


def topic_suggestions(
    text: str, matcher: TopicMatcher, origin: str = "rule"
) -> list[SpanSuggestion]:
    """Storable evidence suggestions (layer ``evidence``, label = topic) for one text."""
    from storage.repository import SpanSuggestion

    return [
        SpanSuggestion(start, end, found.topic, layer="evidence", origin=origin, score=found.score)
        for found in matcher.suggest(text)
        for start, end in found.evidence
    ]
