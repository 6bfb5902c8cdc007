"""CoNLL-style IOB2: ``token<TAB>tag`` per line, a blank line between sentences.

Tokens come from ``spacy.blank("en")``; whitespace-only tokens are not written
(they would break the one-token-a-line layout). Sentences come from spaCy's
rule-based sentencizer, except that a sentence break inside an annotated span
is not made, so every entity stays within one sentence. Each article starts with
``-DOCSTART-\\tO`` and a blank line, as in CoNLL-2003.

One tag column holds the entity and figure layers: a span overlapping another
(on tokens) cannot be tagged and is reported, as is a misaligned span or one
whose first or last token is whitespace. Topics are not carried (noted once).
"""

from __future__ import annotations

from storage.formats.tokens import aligned, make_doc, overlap_reason, problem, without_overlaps
from storage.formats.writing.base import TextWriter
from storage.formats.writing.records import ExportRecord, ExportSpan

DOCSTART = "-DOCSTART-\tO\n\n"


class ConllWriter(TextWriter):
    evidence_spans = 0
    topic_count = 0

    def add(self, record: ExportRecord) -> None:
        from spacy.pipeline import Sentencizer

        doc = make_doc(record.article.text)
        Sentencizer()(doc)
        spans = [*record.entities, *record.figures]
        self.evidence_spans += len(record.evidence)
        self.topic_count += len(record.topics)
        items = []
        for span, start, end in aligned(doc, record, spans, self.report):
            if doc[start].is_space or doc[end - 1].is_space:
                reason = "starts or ends on a whitespace token, which CoNLL does not write"
                self.report.problems.append(problem(record, span, reason))
            else:
                items.append((span, start, end))

        def dropped(span: ExportSpan, kept: ExportSpan) -> None:
            reason = overlap_reason(kept, "CoNLL holds one tag per token")
            self.report.problems.append(problem(record, span, reason))

        kept = without_overlaps(items, dropped)
        tags = ["O"] * len(doc)
        inside: set[int] = set()
        for span, start, end in kept:
            tags[start] = f"B-{span.label}"
            for index in range(start + 1, end):
                tags[index] = f"I-{span.label}"
                inside.add(index)
        lines: list[str] = [DOCSTART]
        sentence: list[str] = []
        for token in doc:
            if token.is_sent_start and token.i not in inside and sentence:
                lines.append("".join(sentence) + "\n")
                sentence = []
            if not token.is_space:
                sentence.append(f"{token.text}\t{tags[token.i]}\n")
        if sentence:
            lines.append("".join(sentence) + "\n")
        self.handle.write("".join(lines))

    def close(self) -> None:
        super().close()
        if self.evidence_spans or self.topic_count:
            self.report.note(
                f"conll carries no topics: {self.topic_count} topic assignment(s) and "
                f"{self.evidence_spans} evidence span(s) not exported"
            )
