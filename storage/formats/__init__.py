"""Interchange formats: each one a module here holding its reader and writer.

:mod:`storage.formats.registry` lists them (``FORMATS``); the two drivers are
:func:`import_annotated` (:mod:`storage.formats.importing`) and
:func:`export` (:mod:`storage.formats.exporting`)::

    fmt = detect_format(path)            # "jsonl", "prodigy", … or None
    if fmt is not None:
        report = import_annotated(db, path, fmt, annotator="ana", schema=config.schema)
    export(db, "spacy", "train.spacy", annotator="ana")

The names below load on first use, so importing this package (as ``redline
--help`` does, for the format list) costs nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

from storage.formats.registry import FORMATS, FormatSpec

_LAZY = {
    "ANNOTATED_FORMATS": "storage.formats.importing",
    "READERS": "storage.formats.importing",
    "ImportReport": "storage.formats.importing",
    "import_annotated": "storage.formats.importing",
    "detect_format": "storage.formats.sniff",
    "export": "storage.formats.exporting",
    "StrictExportError": "storage.formats.exporting",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FORMATS", "FormatSpec", *_LAZY]
