"""Hugging Face ``datasets``: a ``DatasetDict`` directory that ``datasets.load_from_disk`` opens.

One row per article and annotator: ``id``, ``title``, ``text``, ``annotator``,
``state``; ``tokens`` (spaCy's, whitespace left out) with ``ner_tags`` as
``ClassLabel`` ids in IOB2 (the entity and figure layers, tagged as the CoNLL
export tags them, :func:`storage.formats.conll.tagged`); the span columns
``entities``, ``figures`` and ``evidence`` (``start``, ``end``, ``label``,
``text``: character offsets, every span, overlapping or not) and ``topics``.
Splits are the ``DatasetDict``'s (``--split train=0.8,dev=0.2``; else one
``train``). A ``README.md`` dataset card lists the labels, the counts, a licence
field to fill in and how the data was annotated.

Rows are written as Arrow record batches of ``WRITER_BATCH`` rows as records
arrive, then copied into the layout ``save_to_disk`` gives
(:mod:`storage.formats.hf_disk`), so memory stays bounded whatever the corpus
size and ``datasets`` (≈ 140 MB of RSS imported) is not imported at all.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from storage.formats.conll import tagged
from storage.formats.hf_disk import Spill, save_dataset_dict
from storage.formats.writing.base import Options, Writer
from storage.formats.writing.records import ExportRecord, ExportSpan
from storage.formats.writing.report import ExportReport

DEFAULT_SPLIT = "train"
WRITER_BATCH = 20
"""Rows per Arrow record batch, spilled as soon as a split has that many (100 held ≈ 11 MB
more peak RSS at 10,000 articles: their token strings, twice)."""


def _spans(spans: list[ExportSpan], evidence: bool = False) -> list[dict[str, Any]]:
    return [
        {"start": s.start, "end": s.end, "text": s.text,
         "label": (s.topic or s.label) if evidence else s.label}
        for s in spans
    ]  # fmt: skip


class HfWriter(Writer):
    """Spills rows per split as Arrow batches; ``close`` writes the dataset and its card."""

    def __init__(self, target: Path, report: ExportReport, options: Options) -> None:
        super().__init__(target, report, options)
        self.spill = target.parent / f"{target.name}.rows"
        self.spill.mkdir()
        self.spills: dict[str, Spill] = {}
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self.labels: list[str] = []
        self.tag_ids: dict[str, int] = {"O": 0}
        for label in options.span_labels:
            self._label(label)
        self.counts: Counter[str] = Counter()
        self.annotators: set[str] = set()

    def _label(self, label: str) -> None:
        """Append ``label``: its tags take the next ids, so ids already written stay right."""
        if label in self.labels:
            return
        self.labels.append(label)
        for prefix in ("B", "I"):
            self.tag_ids[f"{prefix}-{label}"] = len(self.tag_ids)

    def add(self, record: ExportRecord) -> None:
        sentences, tags = tagged(record, self.report)
        tokens = [token for sentence in sentences for token in sentence]
        for span in [*record.entities, *record.figures]:
            if span.label not in self.labels:
                self._label(span.label)
            self.counts[span.label] += 1
        assert record.article.id is not None
        split = self.options.split_of.get(record.article.id, DEFAULT_SPLIT)
        self.annotators.add(record.annotator or "")
        ids = self.tag_ids
        self._write(split, {
            "id": record.article.id, "title": record.article.title or "",
            "text": record.article.text, "annotator": record.annotator or "",
            "state": record.state or "", "tokens": [token.text for token in tokens],
            "ner_tags": [ids[tags[token.i]] for token in tokens],
            "entities": _spans(record.entities), "figures": _spans(record.figures),
            "evidence": _spans(record.evidence, evidence=True),
            "topics": [topic.key for topic in record.topics],
        })  # fmt: skip

    def _write(self, split: str, row: dict[str, Any]) -> None:
        if split not in self.spills:
            self.spills[split] = Spill(self.spill / f"{len(self.spills)}.arrow")
            self.pending[split] = []
        pending = self.pending[split]
        pending.append(row)
        if len(pending) >= WRITER_BATCH:
            self.spills[split].write(pending)
            pending.clear()

    def tag_names(self) -> list[str]:
        return list(self.tag_ids)

    def close(self) -> None:
        for split, pending in self.pending.items():
            if pending:
                self.spills[split].write(pending)
        names = self.tag_names()
        save_dataset_dict(self.target, self.spills, DEFAULT_SPLIT, names)
        sizes = {split: spill.rows for split, spill in self.spills.items()} or {DEFAULT_SPLIT: 0}
        card = dataset_card(names, sizes, self.counts, sorted(self.annotators))
        (self.target / "README.md").write_text(card, encoding="utf-8", newline="")

    def discard(self) -> None:
        for spill in self.spills.values():  # the spilled rows go with the staging directory
            spill.close()


def dataset_card(
    names: list[str], sizes: dict[str, int], counts: Counter[str], annotators: list[str]
) -> str:
    """The ``README.md`` the Hub shows: YAML metadata, then labels, counts and provenance."""
    split_lines = "".join(f"  - name: {name}\n    num_examples: {n}\n" for name, n in sizes.items())
    label_rows = "".join(f"| {label} | {count} |\n" for label, count in counts.most_common())
    tags = ", ".join(f"`{name}`" for name in names)
    return (
        "---\n"
        "license: unknown  # fill in the licence of the articles before sharing\n"
        "language:\n  - en\n"
        "task_categories:\n  - token-classification\n"
        "task_ids:\n  - named-entity-recognition\n"
        "dataset_info:\n  splits:\n" + split_lines + "---\n\n"
        "# News articles annotated with redline\n\n"
        "Exported by `redline export --format hf`. Load it with\n"
        "`datasets.load_from_disk(PATH)`.\n\n"
        "## Labels\n\n"
        f"`ner_tags` are `ClassLabel` ids in IOB2 over `tokens`: {tags}.\n"
        "Character-offset spans of every layer are in `entities`, `figures` (money,\n"
        "percentages, dates… with their kind as label) and `evidence` (label: topic);\n"
        "`topics` lists the article's topics.\n\n"
        "## Counts\n\n"
        + "".join(f"- {name}: {n} record(s)\n" for name, n in sizes.items())
        + "\n| label | spans |\n|---|---|\n"
        + label_rows
        + "\n"
        "## How it was annotated\n\n"
        "Spans were marked by hand in redline (a terminal annotation tool), some after\n"
        "rule or model suggestions that the annotator accepted; only accepted spans are\n"
        "exported. A span that does not fall on spaCy token edges is in the span\n"
        "columns but not in `ner_tags`. Annotators: " + (", ".join(annotators) or "none") + ".\n\n"
        "## Licence\n\n"
        "The licence above is `unknown`: set it to the terms of the source articles.\n"
    )
