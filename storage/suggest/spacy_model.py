"""Optional entity suggestions from an installed spaCy pipeline (``--model NAME``).

spaCy is imported inside the functions that need it, never at import time, so
``redline --help`` and the library screen stay fast and work without a model.
A pipeline is an installed package name (``en_core_web_sm``) or a directory
written by ``nlp.to_disk()``; loaded pipelines are cached per process.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from storage.suggest.suggestion import Suggestion

if TYPE_CHECKING:
    from spacy.language import Language

FIGURE_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
"""OntoNotes numeric labels: figures are the figure suggester's layer, so they are
skipped unless ``include_figure_labels`` is set."""

MODEL_SCORE = 0.8
"""spaCy's NER gives no per-entity probability; one fixed score for all model hits."""


class ModelNotFound(LookupError):
    """The named spaCy pipeline is neither an installed package nor a pipeline directory."""


def _as_directory(name_or_path: str) -> Path | None:
    path = Path(name_or_path).expanduser()
    return path if path.is_dir() and (path / "config.cfg").is_file() else None


def model_available(name_or_path: str) -> bool:
    """True when ``name_or_path`` is a saved pipeline directory or an installed pipeline
    package; checked without importing spaCy or the package."""
    if not name_or_path:
        return False
    if _as_directory(name_or_path) is not None:
        return True
    if not name_or_path.isidentifier():
        return False
    try:
        return importlib.util.find_spec(name_or_path) is not None
    except (ImportError, ValueError):
        return False


def _not_found(name_or_path: str) -> ModelNotFound:
    return ModelNotFound(
        f"spaCy pipeline '{name_or_path}' is not installed (pip install it or pass a path)"
    )


@cache
def _load(name_or_path: str) -> Language:
    from storage.formats.tokens import blank_nlp

    blank_nlp()  # spaCy is imported once, under one lock: two threads importing it can deadlock
    import spacy

    directory = _as_directory(name_or_path)
    try:
        return spacy.load(directory if directory is not None else name_or_path)
    except OSError as error:
        raise _not_found(name_or_path) from error


def suggest_with_model(
    texts: Iterable[str], name_or_path: str, *, include_figure_labels: bool = False
) -> Iterator[list[Suggestion]]:
    """One list of entity suggestions per text, in order, from ``doc.ents``.

    ``kb_id`` is the entity linker's ID, else an entity ruler pattern's ``id``.

    The pipeline is loaded before this returns, so a missing model raises
    ``ModelNotFound`` here, not on the first ``next()``.
    """
    if not model_available(name_or_path):
        raise _not_found(name_or_path)
    nlp = _load(name_or_path)
    return _suggest(nlp, texts, include_figure_labels)


def _suggest(
    nlp: Language, texts: Iterable[str], include_figure_labels: bool
) -> Iterator[list[Suggestion]]:
    for doc in nlp.pipe(texts):
        yield [
            Suggestion(
                start=ent.start_char,
                end=ent.end_char,
                text=ent.text,
                layer="entity",
                label=ent.label_,
                origin="model",
                score=MODEL_SCORE,
                kb_id=ent.kb_id_ or ent.ent_id_ or None,
            )
            for ent in doc.ents
            if include_figure_labels or ent.label_ not in FIGURE_LABELS
        ]
