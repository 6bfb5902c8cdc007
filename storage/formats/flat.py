"""Shared reading of the flat span formats (prodigy, doccano, Label Studio).

Their spans are ``(start, end, label)`` with nothing else; redline's exports
add a ``redline`` block whose per-span entries are matched back to their spans
by ``(start, end, label)``, so editing or reordering spans in another tool never
attaches attributes to the wrong span.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage.formats.record import Fail, ImportedTopic


class ExtrasIndex:
    """Per-span extras from a ``redline`` block, taken once each by their span."""

    def __init__(self, block: Any, fail: Fail) -> None:
        self.entries: dict[tuple[int, int, str], list[Mapping[str, Any]]] = {}
        spans = block.get("spans") if isinstance(block, Mapping) else None
        if spans is None:
            return
        if not isinstance(spans, list):
            raise fail("'redline.spans' must be a list")
        for entry in spans:
            if not isinstance(entry, Mapping):
                raise fail("each 'redline.spans' entry must be an object")
            key = (entry.get("start"), entry.get("end"), entry.get("label"))
            if not all(isinstance(part, int | str) for part in key):
                raise fail("each 'redline.spans' entry needs integer 'start'/'end' and a 'label'")
            self.entries.setdefault(key, []).append(entry)  # type: ignore[arg-type]

    def take(self, start: int, end: int, label: str) -> Mapping[str, Any] | None:
        found = self.entries.get((start, end, label))
        return found.pop(0) if found else None


def merge_topics(
    keys: list[str], described: list[ImportedTopic] | None, fail: Fail
) -> list[ImportedTopic]:
    """The topics the tool says are chosen, with status and note from redline's block."""
    if not all(isinstance(key, str) for key in keys):
        raise fail("topic keys must be strings")
    by_key = {topic.key: topic for topic in described or []}
    return [by_key.get(key, ImportedTopic(key)) for key in dict.fromkeys(keys)]
