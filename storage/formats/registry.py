"""Every interchange format in one table: what ``import``, ``export``, detection and ``--help`` use.

A :class:`FormatSpec` names the module functions that read and write the
format as ``"module:attribute"`` strings, resolved on first use, so the table
itself imports nothing heavy: ``redline --help`` lists the formats from it
without loading SQLModel, spaCy or pyarrow. Adding a format is one module under
``storage/formats/`` plus one entry here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["stream", "file", "directory"]
LAYERS = ("entity", "figure", "topic")


def _load(reference: str | None) -> Any:
    if reference is None:
        return None
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class FormatSpec:
    """One format: its ``--format`` name, the files it lives in and what it carries."""

    name: str
    extensions: tuple[str, ...]
    """File suffixes detection matches (lower case); the first is an export's default suffix.
    A directory format (brat) lists the suffix of the files inside it."""
    carries: tuple[str, ...]
    """The layers the format holds; an export notes what it leaves out."""
    description: str
    reader: str | None = None
    """``"module:function"``: ``function(path, schema)`` yields records (None: export only)."""
    writer: str | None = None
    """``"module:Class"``: a :class:`storage.formats.writing.base.Writer` (None: import only)."""
    kind: Kind = "stream"
    """``stream``: one text file; ``file``: a binary file; ``directory``: a folder of files."""
    lossless: bool = False
    """Export then import gives back exactly what was exported."""
    sidecar: str | None = None
    """A companion file written beside the export (``--config`` puts it elsewhere)."""
    marker: str | None = None
    """A directory format: the file that shows a directory is a previous export (replaceable)."""
    splits_inside: bool = False
    """``--split`` goes inside one output (a ``DatasetDict``), not one output per split."""

    @property
    def can_stream(self) -> bool:
        """Whether ``--out -`` can send the export to stdout."""
        return self.kind == "stream" and self.writer is not None

    @property
    def suffix(self) -> str:
        """What ``redline export`` appends to a default output name (none for a directory)."""
        return "" if self.kind == "directory" else self.extensions[0]

    def load_reader(self) -> Callable[..., Any]:
        return _load(self.reader)  # type: ignore[no-any-return]

    def load_writer(self) -> Callable[..., Any]:
        return _load(self.writer)  # type: ignore[no-any-return]


FORMATS: dict[str, FormatSpec] = {
    spec.name: spec
    for spec in (
        FormatSpec("jsonl", (".jsonl",), LAYERS, "redline's own JSONL, lossless",
                   "storage.formats.jsonl:read_native", "storage.formats.jsonl:JsonlWriter",
                   lossless=True),
        FormatSpec("spacy", (".spacy",), LAYERS, "spaCy DocBin for spacy train",
                   writer="storage.formats.spacy_docbin:DocBinWriter", kind="file"),
        FormatSpec("conll", (".conll",), ("entity", "figure"), "IOB2 token<TAB>tag (seqeval)",
                   writer="storage.formats.conll:ConllWriter"),
        FormatSpec("conll2003", (".conll",), ("entity", "figure"),
                   "CoNLL-2003's four columns, IOB2 NER last",
                   writer="storage.formats.conll:Conll2003Writer"),
        FormatSpec("conllu", (".conllu",), ("entity", "figure"), "CoNLL-U, IOB2 NE=… in MISC",
                   writer="storage.formats.conll:ConlluWriter"),
        FormatSpec("brat", (".ann",), LAYERS, "brat standoff .txt/.ann directory",
                   "storage.formats.brat:read_brat", "storage.formats.brat:BratWriter",
                   kind="directory", lossless=True, marker="annotation.conf"),
        FormatSpec("prodigy", (".jsonl",), LAYERS, "Prodigy tasks JSONL",
                   "storage.formats.prodigy:read_prodigy", "storage.formats.prodigy:ProdigyWriter",
                   lossless=True),
        FormatSpec("doccano", (".jsonl",), LAYERS, "doccano sequence-labelling JSONL",
                   "storage.formats.doccano:read_doccano", "storage.formats.doccano:DoccanoWriter",
                   lossless=True),
        FormatSpec("labelstudio", (".json", ".jsonl"), LAYERS, "Label Studio JSON tasks",
                   "storage.formats.labelstudio:read_labelstudio",
                   "storage.formats.labelstudio:LabelStudioWriter", lossless=True,
                   sidecar="labelstudio-config.xml"),
        FormatSpec("figures-csv", (".csv",), ("figure",), "one CSV row per figure",
                   writer="storage.formats.figures_csv:FiguresCsvWriter"),
        FormatSpec("parquet", (".parquet",), LAYERS, "Parquet (Hugging Face datasets)",
                   writer="storage.formats.parquet:ParquetWriter", kind="file"),
        FormatSpec("hf", (".arrow",), LAYERS,
                   "Hugging Face datasets directory (load_from_disk): tokens, ner_tags, card",
                   writer="storage.formats.hf:HfWriter", kind="directory",
                   marker="dataset_dict.json", splits_inside=True),
    )
}  # fmt: skip
"""Format name → spec, in the order ``--help`` lists them."""


def export_formats() -> tuple[str, ...]:
    return tuple(name for name, spec in FORMATS.items() if spec.writer is not None)


def import_formats() -> tuple[str, ...]:
    return tuple(name for name, spec in FORMATS.items() if spec.reader is not None)


def formats_for_suffix(suffix: str) -> tuple[str, ...]:
    """The readable formats whose files end in ``suffix`` (detection then asks the records)."""
    suffix = suffix.lower()
    return tuple(
        name
        for name, spec in FORMATS.items()
        if spec.reader is not None and suffix in spec.extensions
    )


def help_lines() -> list[str]:
    """One line per format for ``redline export --help`` and the README: name, file, carries."""
    lines = []
    for spec in FORMATS.values():
        where = "directory" if spec.kind == "directory" else ", ".join(spec.extensions)
        both = "import + export" if spec.reader and spec.writer else "export"
        lines.append(
            f"{spec.name}: {spec.description} ({where}; {', '.join(spec.carries)}; {both})"
        )
    return lines
