"""The value every suggester returns: one proposed span, not yet stored.

Suggesters are pure functions over text; the caller turns a ``Suggestion`` into
a ``suggested`` span in the database. Keeping it a small frozen dataclass (no
SQLModel, no database) lets suggesters run in worker threads and in benchmarks
without an engine.
"""

from __future__ import annotations

from dataclasses import dataclass

ORIGINS = frozenset({"rule", "gazetteer", "model"})


@dataclass(frozen=True)
class Suggestion:
    """A proposed span ``[start, end)`` in code-point offsets into the article text."""

    start: int
    end: int
    text: str
    """Always ``article[start:end]``; kept so a stale suggestion can be detected."""
    layer: str
    """``"entity"`` for entity suggesters; figure suggesters use ``"figure"``."""
    label: str
    """Label key from the schema: PERSON, ORG, GPE, LOC, NORP, ..."""
    origin: str
    """Who proposed it: ``"rule"``, ``"gazetteer"`` or ``"model"``."""
    score: float
    """Confidence in 0..1; rules use fixed per-rule values, so compare within one origin."""
    kb_id: str | None = None
    entity_name: str | None = None
    """Canonical name of the entity for gazetteer and list hits ("UK" -> "United Kingdom")."""
