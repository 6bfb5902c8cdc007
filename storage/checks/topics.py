"""Topics: assignments without evidence, evidence that does not mention the topic.

A topic's ``patterns`` (``[[schema.topic]] patterns = [...]`` in redline.toml)
are words or phrases matched whole-word and case-insensitively over the word
tokens of :mod:`storage.suggest.tokens`; a pattern word of four letters or
more also matches it with a common English ending ("tariff" → "tariffs",
"invest" → "invested", "duty" → "duties"), a stand-in for lemmas that needs
no model.
Topics without patterns are not checked; the built-in topics have patterns
(``storage/builtin_schema.toml``, also the topic suggester's cues).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from storage.checks.base import CheckData, Emit, Finding, quoted
from storage.schema import Schema
from storage.suggest.tokens import tokenize


def topic_no_evidence(data: CheckData, emit: Emit) -> Iterator[Finding]:
    supported = {
        (span.article_id, span.annotator_id, span.topic) for span in data.accepted("evidence")
    }
    for assignment in data.topics:
        key = (assignment.article_id, assignment.annotator_id, assignment.topic)
        if key not in supported:
            yield emit(
                f"topic {assignment.topic} has no evidence",
                article_id=assignment.article_id,
                annotator=data.annotator(assignment),
            )


def topic_patterns(schema: Schema) -> dict[str, list[list[str]]]:
    """Per topic key, its own and its descendants' patterns as lower-case word lists."""
    found: dict[str, list[list[str]]] = {}
    topics = schema.layer("topic")
    for topic in topics:
        words = [_words(pattern) for pattern in topic.patterns]
        for key in _self_and_ancestors(schema, topic.key):
            found.setdefault(key, []).extend(w for w in words if w)
    return {key: patterns for key, patterns in found.items() if patterns}


def _self_and_ancestors(schema: Schema, key: str | None) -> Iterator[str]:
    seen: set[str] = set()
    while key is not None and key not in seen:
        seen.add(key)
        yield key
        label = schema.get("topic", key)
        key = label.parent if label is not None else None


def _words(text: str) -> list[str]:
    return [token.text.lower() for token in tokenize(text)]


_ENDINGS = ("s", "es", "'s", "’s", "d", "ed", "ing", "er", "ers", "ment", "ments")


def _word_matches(word: str, pattern: str) -> bool:
    """The same word, or (patterns of 4+ letters) the word with a common English ending."""
    if word == pattern:
        return True
    if len(pattern) < 4:
        return False
    if word.startswith(pattern) and word[len(pattern) :] in _ENDINGS:
        return True
    stem = pattern[:-1]
    if pattern.endswith("y") and word in (stem + "ies", stem + "ied"):
        return True
    return pattern.endswith("e") and word in (stem + "ing", stem + "ed")


def mentions(text: str, patterns: Sequence[Sequence[str]]) -> bool:
    """True when ``text`` contains one of the patterns (word lists) as consecutive words."""
    words = _words(text)
    for pattern in patterns:
        size = len(pattern)
        for i in range(len(words) - size + 1):
            if all(_word_matches(words[i + j], pattern[j]) for j in range(size)):
                return True
    return False


def evidence_off_topic(data: CheckData, emit: Emit) -> Iterator[Finding]:
    """Evidence none of whose sentences mentions one of its topic's patterns."""
    patterns = topic_patterns(data.schema)
    if not patterns:
        return
    for span in data.accepted("evidence"):
        wanted = patterns.get(span.topic or span.label)
        if not wanted:
            continue
        sentences = data.sentences(span.article_id)
        first = max(data.sentence_index(span.article_id, span.start), 0)
        last = max(data.sentence_index(span.article_id, max(span.end - 1, span.start)), first)
        text = data.text(span.article_id)
        if sentences:
            low, high = sentences[first][0], sentences[last][1]
            window = text[min(low, span.start) : max(high, span.end)]
        else:
            window = text[span.start : span.end]
        if not mentions(window, wanted):
            message = (
                f"evidence {quoted(span.text, 40)} for {span.topic} is not in a sentence "
                "that mentions the topic's patterns"
            )
            yield emit(message, **data.span_place(span))
