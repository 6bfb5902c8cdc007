"""Retraining every N done articles (``[train] every = N``): is a retrain due now?

A model's ``meta.json`` records how many article records were done when it
was trained (``done_records``); a retrain is due when at least ``every`` more
are done now, or when there is no model yet and enough data may exist. The app
asks :func:`retrain_due` after an article is marked done and, if so, runs
``storage.train.train`` in a thread worker.
"""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from storage.train.store import read_meta, resolve_model

try:  # the exporters' reader moves to storage.formats.writing (work in progress on main)
    from storage.formats.writing.records import Selection, plan
except ImportError:
    from storage.exporters.records import Selection, plan  # type: ignore[no-redef]


def done_records(db: Database) -> int:
    """(article, annotator) pairs marked done: what ``redline train`` learns from by default."""
    return len(plan(db, Selection(status="done", annotator="all")))


def retrain_due(db: Database, every: int, model: Path | None) -> bool:
    """True when ``every`` > 0 and ``every`` more records are done than the model saw.

    ``model`` is the configured path (``[suggest] model``, e.g. ``models/latest``);
    None or a missing model counts as having seen nothing.
    """
    if every <= 0:
        return False
    directory = resolve_model(model) if model is not None else None
    seen = 0
    if directory is not None:
        seen = int(read_meta(directory).data.get("done_records", 0) or 0)
    return done_records(db) - seen >= every
