"""Article states as people read them: ``in_progress`` is stored, "in progress" is shown."""

from __future__ import annotations

STATE_STYLE = {"todo": "dim", "in_progress": "yellow", "done": "green", "skipped": "magenta"}
"""Rich style of each state in the library and ``redline list``."""


def state_name(state: str) -> str:
    """The state as shown: words, not an identifier ("in progress")."""
    return state.replace("_", " ")
