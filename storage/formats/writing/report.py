"""What an export tells its caller: counts, and every span a format could not carry.

A span a format cannot hold exactly (misaligned with the tokenizer, or
overlapping another where the format allows no overlap) is never dropped or
shifted in silence: it becomes an :class:`ExportProblem` naming the article,
the offsets and the text, and ``strict`` turns any problem into a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.errors import StorageError


class ExportError(StorageError):
    """An export that wrote nothing (unknown format, bad target, or strict with problems)."""


@dataclass(frozen=True)
class ExportProblem:
    """One span that the output does not carry as stored."""

    article_id: int
    annotator: str | None
    layer: str
    label: str
    start: int
    end: int
    text: str
    reason: str

    def __str__(self) -> str:
        who = f" ({self.annotator})" if self.annotator else ""
        return (
            f"article {self.article_id}{who}: {self.layer} {self.label} "
            f"[{self.start}, {self.end}) {self.text!r}: {self.reason}"
        )


@dataclass
class ExportReport:
    """The outcome of one export."""

    format: str
    out: str
    records: int = 0
    spans: int = 0
    topics: int = 0
    problems: list[ExportProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Format-level caveats (e.g. "conll carries no topics"), not tied to one span."""
    written: bool = False

    @property
    def line(self) -> str:
        """One summary line for the CLI."""
        where = "stdout" if self.out == "-" else self.out
        problems = f", {len(self.problems)} problem{'s' * (len(self.problems) != 1)}"
        return (
            f"exported {self.records} record{'s' * (self.records != 1)}, {self.spans} span"
            f"{'s' * (self.spans != 1)}, {self.topics} topic{'s' * (self.topics != 1)} "
            f"as {self.format} to {where}{problems if self.problems else ''}"
        )

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)
