"""Where trained pipelines live: ``models/<timestamp>/`` with ``meta.json``, and ``models/latest``.

``models/latest`` is a symlink to the newest run's directory; where symlinks
cannot be made (some Windows and network file systems) it is a small text file
holding the directory's name instead. :func:`resolve_model` follows either.

``meta.json`` records what the pipeline was trained with: labels, data
counts, dev scores, the redline version and a hash of the label schema
(:func:`schema_hash`). A pipeline whose hash differs from the schema in force
predicts labels this project no longer has (or misses ones it has), so it is
refused with one line rather than used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from storage.errors import StorageError
from storage.schema import Schema

META_FILE = "meta.json"
LATEST = "latest"
TRAINED_LAYERS = ("entity", "topic", "figure")


class ModelRefused(StorageError):
    """A trained pipeline cannot be used here (other schema, unreadable meta.json)."""


def schema_hash(schema: Schema) -> str:
    """A short hash of the label keys of every layer a model can learn."""
    keys = sorted(
        (label.layer, label.key) for label in schema.labels if label.layer in TRAINED_LAYERS
    )
    return hashlib.sha256(json.dumps(keys).encode("utf-8")).hexdigest()[:16]


def redline_version() -> str:
    try:
        return metadata.version("redline")
    except metadata.PackageNotFoundError:
        return "unknown"


def new_run_directory(out: Path, now: dt.datetime | None = None) -> Path:
    """``out/<UTC timestamp>``, with a suffix if two runs share a second."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S")
    candidate, number = out / stamp, 1
    while candidate.exists():
        number += 1
        candidate = out / f"{stamp}-{number}"
    return candidate


def point_latest(out: Path, run: Path) -> Path:
    """Make ``out/latest`` name ``run`` (symlink, else a pointer file), replacing it atomically."""
    latest = out / LATEST
    temporary = out / f".{LATEST}.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    try:
        temporary.symlink_to(run.name, target_is_directory=True)
    except OSError:
        temporary.write_text(run.name + "\n", "utf-8")
    os.replace(temporary, latest)
    return latest


def resolve_model(path: Path) -> Path | None:
    """The pipeline directory ``path`` names (a directory, a symlink or a pointer file);
    None when there is none."""
    if path.is_file():
        name = path.read_text("utf-8").strip()
        path = path.parent / name if name else path
    if path.is_dir() and (path / "config.cfg").is_file():
        return path.resolve()
    return None


@dataclass(frozen=True)
class ModelMeta:
    """``meta.json`` of one trained pipeline."""

    directory: Path
    data: dict[str, Any]

    @property
    def schema_hash(self) -> str:
        return str(self.data.get("schema_hash", ""))

    @property
    def labels(self) -> dict[str, list[str]]:
        return dict(self.data.get("labels", {}))


def write_meta(directory: Path, data: dict[str, Any]) -> None:
    """Add redline's fields to the ``meta.json`` spaCy wrote (``spacy.load`` needs its
    ``name``, ``lang`` and ``version``; ``labels`` becomes redline's, per layer)."""
    path = directory / META_FILE
    meta = json.loads(path.read_text("utf-8")) if path.is_file() else {}
    meta.update(data)
    path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", "utf-8")


def read_meta(directory: Path) -> ModelMeta:
    path = directory / META_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise ModelRefused(f"{path}: not a redline model ({error})") from None
    if not isinstance(data, dict):
        raise ModelRefused(f"{path}: not a redline model (not a JSON object)")
    return ModelMeta(directory, data)


def checked_meta(directory: Path, schema: Schema, shown: str) -> ModelMeta:
    """The meta of ``directory``, refused when it was trained with another label schema."""
    meta = read_meta(directory)
    expected = schema_hash(schema)
    if meta.schema_hash != expected:
        raise ModelRefused(
            f"{shown}: trained with another label schema ({meta.schema_hash or 'none'}, "
            f"this project's is {expected}); run redline train again or set "
            "[suggest] model = false"
        )
    return meta
