"""The subject of a figure when the phrase rules found none: an entity of its sentence.

"More than 3,000 companies with European participation operate in Kazakhstan"
has no possessive or "of" subject, but its sentence names one place. The entity
rules (``storage.suggest.entity_rules``, pure Python) find the names; the
subject is the nearest GPE, ORG, LOC or PERSON before the figure in its
sentence, else the first one after it. Names inside the figure's metric are
skipped ("imports to Kazakhstan" already says where).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace

from storage.figures.model import ParsedFigure

SUBJECT_LABELS = frozenset({"GPE", "ORG", "LOC", "PERSON"})


def fill_subjects(
    text: str, figures: list[ParsedFigure], sentences: list[tuple[int, int]], offset: int = 0
) -> list[ParsedFigure]:
    """``figures`` with a subject from their sentence where they had none (DATEs untouched)."""
    if not any(f.subject is None and f.kind != "DATE" for f in figures):
        return figures
    from storage.suggest.entity_rules import suggest_entities

    names = [
        (s.start + offset, s.end + offset, s.entity_name or s.text)
        for s in suggest_entities(text)
        if s.label in SUBJECT_LABELS
    ]
    starts = [start for start, _ in sentences]
    filled = []
    for figure in figures:
        if figure.subject is not None or figure.kind == "DATE" or not sentences:
            filled.append(figure)
            continue
        low, high = sentences[max(0, bisect_right(starts, figure.start) - 1)]
        metric = (figure.metric or "").lower()
        inside = [
            (start, name)
            for start, end, name in names
            if low <= start and end <= high and name.lower() not in metric
        ]
        before = [item for item in inside if item[0] < figure.start]
        after = [item for item in inside if item[0] >= figure.end]
        chosen = before[-1][1] if before else after[0][1] if after else None
        filled.append(replace(figure, subject=chosen) if chosen else figure)
    return filled
