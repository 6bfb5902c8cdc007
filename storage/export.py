"""The public export entry point: ``export(db, "spacy", "train.spacy", annotator="ana")``.

The driver lives with the formats (:mod:`storage.formats.exporting`).
"""

from storage.formats.exporting import StrictExportError, export

__all__ = ["StrictExportError", "export"]
