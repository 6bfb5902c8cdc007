"""spaCy ``DocBin`` (``.spacy``): what ``spacy train`` reads.

Per article: ``doc.ents`` holds the entity layer without overlaps (the ones
left out are reported, and stay in ``doc.spans["entities"]``, which holds every
aligned entity span); ``doc.spans["figures"]`` and ``doc.spans["evidence"]``
(label: topic key) hold the other span layers; ``doc.cats`` is 1.0 for the
assigned topics and 0.0 for the rest of the taxonomy. ``doc.user_data`` keeps
what spaCy has no slot for, keyed by tuples:

* ``("redline", "article")`` → the article's metadata, annotator and state;
* ``("redline", "figure", start, end)`` → the figure's attributes;
* ``("redline", "entity", start, end)`` → the linked canonical entity
  (the entity's ``kb_id`` is also the span's ``kb_id_``).

With ``--ents-include figures`` the figure spans that overlap no entity are in
``doc.ents`` too (labelled with their kind: MONEY, DATE, PERCENT…), for a
pipeline that learns them as entities.

Load with ``DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)``. The
file is written by :class:`~storage.formats.docbin_stream.DocBinStream`:
DocBin's exact bytes, in memory that does not grow with the corpus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storage.formats.docbin_stream import DocBinStream
from storage.formats.tokens import aligned, make_doc, overlap_reason, problem, without_overlaps
from storage.formats.writing.base import Options, Writer, record_extras
from storage.formats.writing.records import ExportRecord, ExportSpan
from storage.formats.writing.report import ExportReport

SPAN_GROUPS = {"entity": "entities", "figure": "figures", "evidence": "evidence"}


class DocBinWriter(Writer):
    def __init__(self, target: Path, report: ExportReport, options: Options) -> None:
        super().__init__(target, report, options)
        self.docbin = DocBinStream(target.parent)

    def add(self, record: ExportRecord) -> None:
        from spacy.tokens import Span

        doc = make_doc(record.article.text)
        doc.user_data[("redline", "article")] = record_extras(record)
        groups: dict[str, list[Any]] = {}
        entity_items: list[tuple[ExportSpan, int, int]] = []
        figure_items: list[tuple[ExportSpan, int, int]] = []
        layers = {
            "entity": record.entities,
            "figure": record.figures,
            "evidence": record.evidence,
        }
        for layer, spans in layers.items():
            items = aligned(doc, record, spans, self.report)
            if layer == "entity":
                entity_items = items
            elif layer == "figure":
                figure_items = items
            group = groups.setdefault(SPAN_GROUPS[layer], [])
            for span, token_start, token_end in items:
                label = (span.topic or span.label) if layer == "evidence" else span.label
                kb_id = span.entity.kb_id if span.entity and span.entity.kb_id else ""
                group.append(Span(doc, token_start, token_end, label=label, kb_id=kb_id))
                if span.figure is not None:
                    doc.user_data[("redline", "figure", span.start, span.end)] = span.figure
                if span.entity is not None:
                    doc.user_data[("redline", "entity", span.start, span.end)] = (
                        span.entity.to_json()
                    )

        def dropped(span: ExportSpan, kept: ExportSpan) -> None:
            reason = overlap_reason(kept, 'not in doc.ents, kept in doc.spans["entities"]')
            self.report.problems.append(problem(record, span, reason))

        ents = without_overlaps(entity_items, dropped)
        if "figures" in self.options.ents_include:
            ents = sorted([*ents, *_free_of(ents, figure_items)], key=lambda item: item[1])
        doc.ents = [
            Span(
                doc,
                start,
                end,
                label=span.label,
                kb_id=span.entity.kb_id if span.entity and span.entity.kb_id else "",
            )
            for span, start, end in ents
        ]
        for name, group in groups.items():
            doc.spans[name] = group
        assigned = {topic.key for topic in record.topics}
        if "topic" in self.options.layers:
            keys = list(dict.fromkeys([*self.options.topic_keys, *sorted(assigned)]))
            doc.cats = {key: 1.0 if key in assigned else 0.0 for key in keys}
        self.docbin.add(doc)

    def close(self) -> None:
        try:
            self.docbin.write(self.target)
        finally:
            self.docbin.close()

    def discard(self) -> None:
        self.docbin.close()


def _free_of(
    kept: list[tuple[ExportSpan, int, int]], figures: list[tuple[ExportSpan, int, int]]
) -> list[tuple[ExportSpan, int, int]]:
    """The figures (MONEY, DATE, PERCENT…) whose tokens overlap no kept entity nor each other.

    ``--ents-include figures`` puts them in ``doc.ents`` too; the ones left out
    stay in ``doc.spans["figures"]`` (nothing is reported: they are exported there).
    """
    taken = {index for _, start, end in kept for index in range(start, end)}
    free = []
    for item in sorted(figures, key=lambda item: (item[1], -(item[2] - item[1]))):
        tokens = set(range(item[1], item[2]))
        if not tokens & taken:
            free.append(item)
            taken |= tokens
    return free
