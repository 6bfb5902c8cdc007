"""Labels a file uses that the schema does not know: renaming them (``--map``) or adding them.

A file from another tool names its labels its own way (``PER``, ``ORGANIZATION``).
Before anything is stored, the import counts every label the schema lacks
(:func:`unknown_labels`); the caller then fails once, naming them with their
counts, or adds them to a ``redline.toml`` (:func:`add_to_toml`). ``--map
PER=PERSON`` renames labels as records are read (:func:`apply_map`), span
labels and topic keys alike.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from storage.formats.record import AnnotatedRecord, SchemaLike, classify

LabelKey = tuple[str, str]
"""(layer, key): ``("entity", "PER")``, ``("topic", "trade")``."""
_SPAN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_TOPIC_KEY = re.compile(r"^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$")


def parse_map(value: str) -> dict[str, str]:
    """``"PER=PERSON,ORGANIZATION=ORG"`` → a mapping; ValueError says which part is wrong."""
    mapping: dict[str, str] = {}
    for part in (piece.strip() for piece in value.split(",")):
        if not part:
            continue
        source, sep, target = (side.strip() for side in part.partition("="))
        if not sep or not source or not target:
            raise ValueError(f"{part!r} is not FROM=TO")
        if source in mapping and mapping[source] != target:
            raise ValueError(f"{source!r} is mapped twice")
        mapping[source] = target
    return mapping


def apply_map(
    record: AnnotatedRecord, mapping: Mapping[str, str], schema: SchemaLike | None
) -> None:
    """Rename the record's span labels and topic keys; a renamed span label finds its layer."""
    if not mapping:
        return
    for span in record.spans:
        if span.layer == "evidence":
            if span.topic in mapping:
                span.topic = span.label = mapping[span.topic]
            continue
        if span.label not in mapping:
            continue
        span.label = mapping[span.label]
        if not span.figure:  # a span read without figure attributes takes its new label's layer
            layer, _, _ = classify(span.label, schema)
            if layer in ("entity", "figure"):
                span.layer = layer
    for topic in record.topics:
        topic.key = mapping.get(topic.key, topic.key)


def unknown_labels(record: AnnotatedRecord, schema: SchemaLike) -> Iterable[LabelKey]:
    """Every use of a label the schema lacks (one per span or topic, for counting)."""
    for span in record.spans:
        layer = "topic" if span.layer == "evidence" else span.layer
        key = span.topic if span.layer == "evidence" else span.label
        if key is not None and schema.get(layer, key) is None:
            yield layer, key
    for topic in record.topics:
        if schema.get("topic", topic.key) is None:
            yield "topic", topic.key


def describe(counts: Counter[LabelKey]) -> str:
    """``entity PER (12), topic sport (3)``: most used first."""
    return ", ".join(f"{layer} {key} ({count})" for (layer, key), count in counts.most_common())


def invalid_keys(labels: Iterable[LabelKey]) -> list[LabelKey]:
    """The labels that cannot be schema keys (a topic key is ``a.b.c`` in lower case)."""
    return [
        (layer, key)
        for layer, key in labels
        if not (_TOPIC_KEY if layer == "topic" else _SPAN_KEY).match(key)
    ]


def add_to_toml(path: Path, labels: Iterable[LabelKey]) -> None:
    """Append one ``[[schema.<layer>]]`` table per label to ``path`` (created when missing).

    The file is replaced in one rename, so a crash leaves the old file or the new
    one, never half of it. The caller re-reads it (and restores the old text if
    the result does not parse).
    """
    old = path.read_text("utf-8") if path.exists() else ""
    blocks = [f'\n[[schema.{layer}]]\nkey = "{key}"\n' for layer, key in labels]
    text = old + ("\n" if old and not old.endswith("\n") else "") + "".join(blocks)
    write_text_durably(path, text)


def write_text_durably(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
