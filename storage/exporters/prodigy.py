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
"""

from __future__ import annotations

from typing import Any

from storage.exporters.base import TextWriter, flat_label, json_line, record_extras, span_extras
from storage.exporters.records import ExportRecord
from storage.exporters.tokens import MISALIGNED, expanded_range, make_doc, problem, token_range


class ProdigyWriter(TextWriter):
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
        self.handle.write(json_line(task))
