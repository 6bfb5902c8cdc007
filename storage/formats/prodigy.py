"""Prodigy JSONL: ``text``, ``tokens``, ``spans``, ``accept``, ``answer``, ``meta``.

One task per article, as Prodigy's ``db-in`` takes it: ``tokens`` are
``{"text", "start", "end", "id", "ws"}`` from ``spacy.blank("en")``; ``spans``
are ``{"start", "end", "label", "token_start", "token_end"}`` (``token_end``
inclusive, as in Prodigy) for every layer, evidence labelled ``Topic_<key>``;
``options`` lists the topic taxonomy and ``accept`` the assigned topics;
``answer`` is ``"accept"``. Character offsets are exact for every span; a span
whose edges fall inside a token gets the covering (expanded) token range and is
reported. A ``redline`` key keeps what Prodigy has no field for (figure
attributes, entity links, article metadata), so the import is lossless.

Reading (``prodigy db-out`` files and redline's own): every task layout of
:func:`parse_prodigy`. Character offsets are the truth; token indices are
ignored. The annotator is ``_annotator_id`` (else ``_session_id``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from storage.formats.codec import EntityRef
from storage.formats.flat import ExtrasIndex, merge_topics
from storage.formats.record import (
    AnnotatedRecord,
    Fail,
    ImportedTopic,
    SchemaLike,
    apply_extras,
    offsets,
    read_json_records,
    span_from_extras,
)
from storage.formats.tokens import MISALIGNED, expanded_range, make_doc, problem, token_range
from storage.formats.writing.base import (
    JsonLinesWriter,
    flat_label,
    record_extras,
    span_extras,
)
from storage.formats.writing.records import ExportRecord
from storage.importers import ImportFileError


class ProdigyWriter(JsonLinesWriter):
    def add(self, record: ExportRecord) -> None:
        doc = make_doc(record.article.text)
        tokens = [
            {"text": token.text, "start": token.idx, "end": token.idx + len(token),
             "id": token.i, "ws": bool(token.whitespace_)}
            for token in doc
        ]  # fmt: skip
        spans: list[dict[str, Any]] = []
        for span in record.spans:
            exact = token_range(doc, span)
            if exact is None:
                reason = f"{MISALIGNED}; token_start/token_end cover the expanded tokens"
                self.report.problems.append(problem(record, span, reason))
            token_start, token_end = exact or expanded_range(doc, span)
            spans.append(
                {"start": span.start, "end": span.end, "label": flat_label(span),
                 "token_start": token_start, "token_end": max(token_start, token_end - 1)}
            )  # fmt: skip
        assigned = [topic.key for topic in record.topics]
        options = list(dict.fromkeys([*self.options.topic_keys, *assigned]))
        article = record.article
        task: dict[str, Any] = {
            "text": article.text,
            "tokens": tokens,
            "spans": spans,
            "options": [{"id": key, "text": key} for key in options],
            "accept": assigned,
            "answer": "accept",
            "meta": {"id": article.id, "title": article.title, "source": article.source,
                     "annotator": record.annotator},
            "redline": {**record_extras(record),
                        "spans": [span_extras(span) for span in record.spans]},
        }  # fmt: skip
        self.write_line(task)


NIL = "NIL"
"""What Prodigy's entity linking accepts for "none of these" (no link)."""


def _identity(value: dict[str, Any]) -> tuple[Any, Any]:
    """(id, annotator) of a Prodigy task, from its meta."""
    meta = value.get("meta") if isinstance(value.get("meta"), Mapping) else {}
    return meta.get("id"), meta.get("annotator") or prodigy_annotator(value)


def prodigy_annotator(value: Mapping[str, Any]) -> str | None:
    """Who answered a task in Prodigy: ``_annotator_id``, else ``_session_id`` (as written)."""
    for key in ("_annotator_id", "_session_id"):
        found = value.get(key)
        if isinstance(found, str) and found:
            return found
    return None


def read_prodigy(
    path: Path, schema: SchemaLike | None
) -> Iterator[AnnotatedRecord | ImportFileError]:
    return read_json_records(path, schema, _identity, parse_prodigy, "prodigy")


def parse_prodigy(
    path: Path, number: int, value: dict[str, Any], schema: SchemaLike | None, fail: Fail
) -> AnnotatedRecord:
    """One task, in any of Prodigy's layouts.

    * spans (``ner.manual``, ``spans.manual``): ``spans`` with ``start``/``end``/``label``;
    * text classification (``textcat.teach``): a top-level ``label`` is a topic,
      accepted or (``answer: reject``) rejected;
    * choice (``textcat.manual``): ``accept`` lists the chosen option ids (topics);
    * entity linking (``el``): one span and ``accept`` holding its knowledge-base id
      (``NIL``: none) becomes that span's entity link, not a topic.

    A task answered ``ignore``, or ``reject`` outside text classification, carries no
    annotation: it comes back with ``skipped`` set and is counted, not stored.
    """
    answer = value.get("answer", "accept")
    if answer not in ("accept", "reject", "ignore"):
        raise fail(f"unknown task answer {answer!r} (accept, reject or ignore)")
    text = value.get("text")
    if not isinstance(text, str):
        raise fail("'text' is required and must be a string")
    record = AnnotatedRecord(path=path, line=number, text=text)
    label = value.get("label")
    if answer == "ignore" or (answer == "reject" and not isinstance(label, str)):
        record.skipped = 1
        return record
    meta = value.get("meta")
    if isinstance(meta, Mapping) and isinstance(meta.get("title"), str):
        record.title = meta["title"]
    record.annotator = prodigy_annotator(value)
    block = value.get("redline")
    apply_extras(record, block, fail)
    extras = ExtrasIndex(block, fail)
    spans = value.get("spans") or []
    if not isinstance(spans, list):
        raise fail("'spans' must be a list")
    for span in spans:
        if not isinstance(span, Mapping):
            raise fail("each span must be an object")
        span_label = span.get("label")
        if not isinstance(span_label, str) or not span_label:
            raise fail("each span needs a 'label'")
        start = offsets(span.get("start"), "start", fail)
        end = offsets(span.get("end"), "end", fail)
        claimed = span.get("text")
        if claimed is not None and not isinstance(claimed, str):
            raise fail("span 'text' must be a string")
        record.spans.append(
            span_from_extras(extras.take(start, end, span_label), start, end, span_label, schema,
                             fail, text=claimed)
        )  # fmt: skip
    accept = value.get("accept") or []
    if not isinstance(accept, list):
        raise fail("'accept' must be a list of topic keys")
    if _is_entity_link(record, accept, block, schema):
        _link(record, accept, fail)
        return record
    record.topics = merge_topics(accept, record.topics, fail)
    if isinstance(label, str) and label:  # a text classification task: the label is a topic
        status = "accepted" if answer == "accept" else "rejected"
        if all(topic.key != label for topic in record.topics):
            record.topics.append(ImportedTopic(label, status))
    elif label is not None:
        raise fail("a task's top-level 'label' must be a string")
    return record


def _is_entity_link(
    record: AnnotatedRecord, accept: list[Any], block: Any, schema: SchemaLike | None
) -> bool:
    """An entity-linking task: one span, and accepted ids that are no topic of the schema."""
    if block is not None or len(record.spans) != 1 or not accept:
        return False
    if not all(isinstance(key, str) for key in accept):
        return False
    return schema is not None and all(schema.get("topic", key) is None for key in accept)


def _link(record: AnnotatedRecord, accept: list[str], fail: Fail) -> None:
    ids = [key for key in dict.fromkeys(accept) if key != NIL]
    if len(ids) > 1:
        raise fail(f"an entity-linking task accepts one knowledge-base id, not {len(ids)}")
    if ids:
        [span] = record.spans
        name = span.text if span.text is not None else record.text[span.start : span.end]
        span.entity = EntityRef(name=name, type=span.label, kb_id=ids[0])
