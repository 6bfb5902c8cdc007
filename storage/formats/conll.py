"""CoNLL-style IOB2, in three layouts: ``conll``, ``conll2003`` and ``conllu``.

* ``conll``: ``token<TAB>tag`` per line (what seqeval and most NER readers take);
* ``conll2003``: ``token -X- O tag``, the four space-separated columns of
  CoNLL-2003 (word, POS, chunk, NER) with POS and chunk unknown;
* ``conllu``: CoNLL-U's ten tab-separated columns, the tag in MISC as
  ``NE=B-PER`` (the key spaCy's CoNLL-U converter reads), ``SpaceAfter=No``
  where the text has no space; ``# newdoc id = <article id>`` per article and
  ``# sent_id``/``# text`` per sentence.

Each article of ``conll``/``conll2003`` starts with ``-DOCSTART- -X- O O`` and a
blank line, the document separator of CoNLL-2003 that ``spacy convert -c ner``
splits on. Tokens come from ``spacy.blank("en")``; whitespace-only tokens are not
written. Sentences come from spaCy's rule-based sentencizer, except that a
sentence break inside an annotated span is not made, so every entity stays
within one sentence.

One tag column holds the entity and figure layers: a span overlapping another
(on tokens) cannot be tagged and is reported, as is a misaligned span or one
whose first or last token is whitespace. Topics are not carried (noted once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.formats.tokens import aligned, make_doc, overlap_reason, problem, without_overlaps
from storage.formats.writing.base import TextWriter
from storage.formats.writing.records import ExportRecord, ExportSpan
from storage.formats.writing.report import ExportReport

if TYPE_CHECKING:
    from spacy.tokens import Token

DOCSTART = "-DOCSTART- -X- O O\n\n"
"""CoNLL-2003's document separator, as ``spacy convert -c ner`` looks for it."""


def tagged(record: ExportRecord, report: ExportReport) -> tuple[list[list[Token]], list[str]]:
    """The record's non-space tokens by sentence, and the IOB2 tag of every token.

    Spans that cannot be tagged (misaligned, overlapping on tokens, starting or
    ending on whitespace) are reported in ``report``. A sentence break inside a
    tagged span is not made.
    """
    from spacy.pipeline import Sentencizer

    doc = make_doc(record.article.text)
    Sentencizer()(doc)
    items = []
    for span, start, end in aligned(doc, record, [*record.entities, *record.figures], report):
        if doc[start].is_space or doc[end - 1].is_space:
            reason = "starts or ends on a whitespace token, which CoNLL does not write"
            report.problems.append(problem(record, span, reason))
        else:
            items.append((span, start, end))

    def dropped(span: ExportSpan, kept: ExportSpan) -> None:
        reason = overlap_reason(kept, "CoNLL holds one tag per token")
        report.problems.append(problem(record, span, reason))

    tags = ["O"] * len(doc)
    inside: set[int] = set()
    for span, start, end in without_overlaps(items, dropped):
        tags[start] = f"B-{span.label}"
        for index in range(start + 1, end):
            tags[index] = f"I-{span.label}"
            inside.add(index)
    sentences: list[list[Token]] = []
    for token in doc:
        if not sentences or (token.is_sent_start and token.i not in inside and sentences[-1]):
            sentences.append([])
        if not token.is_space:
            sentences[-1].append(token)
    return [sentence for sentence in sentences if sentence], tags


class ConllWriter(TextWriter):
    evidence_spans = 0
    topic_count = 0

    def add(self, record: ExportRecord) -> None:
        self.evidence_spans += len(record.evidence)
        self.topic_count += len(record.topics)
        sentences, tags = tagged(record, self.report)
        self.handle.write(self.document(record, sentences, tags))

    def document(self, record: ExportRecord, sentences: list[list[Token]], tags: list[str]) -> str:
        """One article's lines: ``token<TAB>tag``, a blank line after each sentence."""
        lines = [DOCSTART]
        for sentence in sentences:
            lines.extend(f"{token.text}\t{tags[token.i]}\n" for token in sentence)
            lines.append("\n")
        return "".join(lines)

    def close(self) -> None:
        super().close()
        if self.evidence_spans or self.topic_count:
            self.report.note(
                f"conll carries no topics: {self.topic_count} topic assignment(s) and "
                f"{self.evidence_spans} evidence span(s) not exported"
            )


class Conll2003Writer(ConllWriter):
    """CoNLL-2003's four columns: ``word POS chunk NER`` (POS ``-X-`` and chunk ``O``: unknown)."""

    def document(self, record: ExportRecord, sentences: list[list[Token]], tags: list[str]) -> str:
        lines = [DOCSTART]
        for sentence in sentences:
            lines.extend(f"{token.text} -X- O {tags[token.i]}\n" for token in sentence)
            lines.append("\n")
        return "".join(lines)


class ConlluWriter(ConllWriter):
    """CoNLL-U: ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC, the NER tag in MISC."""

    def document(self, record: ExportRecord, sentences: list[list[Token]], tags: list[str]) -> str:
        lines = [f"# newdoc id = {record.article.id}\n"]
        for number, sentence in enumerate(sentences, 1):
            first, last = sentence[0], sentence[-1]
            text = record.article.text[first.idx : last.idx + len(last.text)]
            lines.append(f"# sent_id = {record.article.id}-{number}\n")
            lines.append(f"# text = {' '.join(text.split())}\n")
            for index, token in enumerate(sentence, 1):
                misc = f"NE={tags[token.i]}"
                if not token.whitespace_ and token is not last:
                    misc += "|SpaceAfter=No"
                lines.append(f"{index}\t{token.text}\t_\t_\t_\t_\t_\t_\t_\t{misc}\n")
            lines.append("\n")
        return "".join(lines)
