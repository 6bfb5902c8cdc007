"""Suggesters: pure functions over article text that propose spans.

The database and the TUI turn each ``Suggestion`` into a ``suggested`` span.
Nothing here imports spaCy at import time; ``suggest_with_model`` loads it
lazily, so the app starts fast and runs without a model.
"""

from __future__ import annotations

from storage.suggest.entity_rules import suggest_entities
from storage.suggest.gazetteer import Gazetteer, GazetteerEntry, GazetteerFileError
from storage.suggest.spacy_model import ModelNotFound, model_available, suggest_with_model
from storage.suggest.suggestion import Suggestion

__all__ = [
    "Gazetteer",
    "GazetteerEntry",
    "GazetteerFileError",
    "ModelNotFound",
    "Suggestion",
    "model_available",
    "suggest_entities",
    "suggest_with_model",
]
