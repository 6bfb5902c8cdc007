"""Hugging Face ``datasets``: a ``DatasetDict`` directory that ``datasets.load_from_disk`` opens.

One row per article and annotator: ``id``, ``title``, ``text``, ``annotator``,
``state``; ``tokens`` (spaCy's, whitespace left out) with ``ner_tags`` as
``ClassLabel`` ids in IOB2 (the entity and figure layers, tagged as the CoNLL
export tags them, :func:`storage.formats.conll.tagged`); the span columns
``entities``, ``figures`` and ``evidence`` (``start``, ``end``, ``label``,
``text``: character offsets, every span, overlapping or not) and ``topics``.
Splits are the ``DatasetDict``'s (``--split train=0.8,dev=0.2``; else one
``train``). A ``README.md`` dataset card lists the labels, the counts, a licence
field to fill in and how the data was annotated. ``datasets`` is imported lazily.

Rows are spilled to one JSON-lines file per split as records arrive (the tag
names are only known at the end), then written to Arrow by
``Dataset.from_generator`` a few rows at a time, so memory stays bounded
whatever the corpus size.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from storage.formats.conll import tagged
from storage.formats.writing.base import Options, Writer
from storage.formats.writing.records import ExportRecord, ExportSpan
from storage.formats.writing.report import ExportReport

DEFAULT_SPLIT = "train"
WRITER_BATCH = 100
"""Rows ``from_generator`` holds before writing them to Arrow."""


def _spans(spans: list[ExportSpan], evidence: bool = False) -> list[dict[str, Any]]:
    return [
        {"start": s.start, "end": s.end, "text": s.text,
         "label": (s.topic or s.label) if evidence else s.label}
        for s in spans
    ]  # fmt: skip


def _read_rows(path: str) -> Iterator[dict[str, Any]]:
    """The rows spilled to ``path`` (``from_generator``'s generator)."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


class HfWriter(Writer):
    """Spills rows per split; ``close`` builds the typed dataset and writes it with its card."""

    def __init__(self, target: Path, report: ExportReport, options: Options) -> None:
        super().__init__(target, report, options)
        self.spill = target.parent / f"{target.name}.rows"
        self.spill.mkdir()
        self.rows: dict[str, IO[str]] = {}
        self.sizes: Counter[str] = Counter()
        self.labels: list[str] = list(options.span_labels)
        self.counts: Counter[str] = Counter()
        self.annotators: set[str] = set()

    def add(self, record: ExportRecord) -> None:
        sentences, tags = tagged(record, self.report)
        tokens = [token for sentence in sentences for token in sentence]
        for span in [*record.entities, *record.figures]:
            if span.label not in self.labels:
                self.labels.append(span.label)
            self.counts[span.label] += 1
        assert record.article.id is not None
        split = self.options.split_of.get(record.article.id, DEFAULT_SPLIT)
        self.annotators.add(record.annotator or "")
        if split not in self.rows:
            self.rows[split] = (self.spill / f"{len(self.rows)}.jsonl").open("w", encoding="utf-8")
        self.sizes[split] += 1
        self._write(split, {
            "id": record.article.id, "title": record.article.title or "",
            "text": record.article.text, "annotator": record.annotator or "",
            "state": record.state or "", "tokens": [token.text for token in tokens],
            "ner_tags": [tags[token.i] for token in tokens],
            "entities": _spans(record.entities), "figures": _spans(record.figures),
            "evidence": _spans(record.evidence, evidence=True),
            "topics": [topic.key for topic in record.topics],
        })  # fmt: skip

    def _write(self, split: str, row: dict[str, Any]) -> None:
        self.rows[split].write(json.dumps(row, ensure_ascii=False) + "\n")

    def tag_names(self) -> list[str]:
        return ["O", *(f"{prefix}-{label}" for label in self.labels for prefix in ("B", "I"))]

    def close(self) -> None:
        import datasets

        names = self.tag_names()
        # A list of structs (``[{…}]``), not ``Sequence({…})``, which means a struct of lists.
        span = [{"start": datasets.Value("int64"), "end": datasets.Value("int64"),
                 "text": datasets.Value("string"), "label": datasets.Value("string")}]  # fmt: skip
        features = datasets.Features({
            "id": datasets.Value("int64"), "title": datasets.Value("string"),
            "text": datasets.Value("string"), "annotator": datasets.Value("string"),
            "state": datasets.Value("string"),
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(datasets.ClassLabel(names=names)),
            "entities": span, "figures": span, "evidence": span,
            "topics": datasets.Sequence(datasets.Value("string")),
        })  # fmt: skip
        for handle in self.rows.values():
            handle.close()
        bars = datasets.is_progress_bar_enabled()
        datasets.disable_progress_bars()
        try:
            parts = {
                split: datasets.Dataset.from_generator(
                    _read_rows,
                    features=features,
                    gen_kwargs={"path": handle.name},
                    cache_dir=str(self.spill / "cache"),
                    writer_batch_size=WRITER_BATCH,
                )
                for split, handle in self.rows.items()
            }
            if not parts:
                empty = {column: [] for column in features}
                parts = {DEFAULT_SPLIT: datasets.Dataset.from_dict(empty, features=features)}
            dataset = datasets.DatasetDict(parts)
            dataset.save_to_disk(str(self.target))
        finally:
            if bars:
                datasets.enable_progress_bars()
        sizes = {split: self.sizes[split] for split in parts}
        card = dataset_card(names, sizes, self.counts, sorted(self.annotators))
        (self.target / "README.md").write_text(card, encoding="utf-8", newline="")

    def discard(self) -> None:
        for handle in self.rows.values():  # the spilled rows go with the staging directory
            handle.close()


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
