"""The label schema and configuration as loaded: labels, layers and settings in force.

Reading them from ``redline.toml`` is :mod:`storage.config_parser`; finding the
file is :func:`storage.schema.load_config`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

LAYERS = ("entity", "figure", "topic")
DEFAULT_TRAINED_MODEL = "models/latest"


@dataclass(frozen=True)
class LabelDef:
    """One label of one layer, as shown in the reader and stored with spans."""

    layer: str
    key: str
    title: str
    colour: str
    hotkey: str | None
    description: str = ""
    parent: str | None = None
    patterns: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    """Topics: sentences that mention it; ``tests/storage/test_topic_suggest.py`` checks the
    patterns suggest the topic for each (documentation that cannot go stale)."""
    """Topics: words or phrases whose mention in a sentence supports the topic."""

    @property
    def text_colour(self) -> str:
        """Black or white, whichever reads better on ``colour`` (WCAG contrast)."""
        channels = [int(self.colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


@dataclass(frozen=True)
class Schema:
    """All labels in force, in display order (layer by layer, as defined)."""

    labels: tuple[LabelDef, ...]
    _index: dict[tuple[str, str], LabelDef] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index = {(label.layer, label.key): label for label in self.labels}
        object.__setattr__(self, "_index", index)

    def layer(self, layer: str) -> list[LabelDef]:
        """The labels of one layer; an unknown layer name is a programming error."""
        if layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r} (expected one of {', '.join(LAYERS)})")
        return [label for label in self.labels if label.layer == layer]

    def get(self, layer: str, key: str) -> LabelDef | None:
        return self._index.get((layer, key))

    def by_hotkey(self, key: str) -> LabelDef | None:
        """The entity label a key press applies."""
        return next((lab for lab in self.layer("entity") if lab.hotkey == key), None)

    def topic_tree(self) -> list[tuple[int, LabelDef]]:
        """Topics depth-first with their depth (0 = top level), for pickers and listings."""
        topics = self.layer("topic")
        children: dict[str | None, list[LabelDef]] = {}
        for topic in topics:
            children.setdefault(topic.parent, []).append(topic)
        ordered: list[tuple[int, LabelDef]] = []

        def visit(parent: str | None, depth: int) -> None:
            for topic in children.get(parent, []):
                ordered.append((depth, topic))
                visit(topic.key, depth + 1)

        visit(None, 0)
        return ordered


@dataclass(frozen=True)
class Config:
    """Everything ``redline.toml`` can set, with the built-in defaults."""

    schema: Schema
    """The labels in force."""
    keymap: dict[str, str]
    """Binding id → keys (``"label-entity-1" = "1"``); the TUI applies it with ``set_keymap``."""
    reader_max_width: int = 88
    """Widest the reading column gets, in cells (``[reader] max_width``)."""
    auto_suggest: bool = True
    """Run the rule suggesters when an article is opened (``[suggest] on_open``)."""
    source: Path | None = None
    """The file this came from; None for the built-in defaults."""
    check_ignore: tuple[str, ...] = ()
    """Quality check ids ``redline check`` skips (``[check] ignore``)."""
    suggest_model: str | None = DEFAULT_TRAINED_MODEL
    """The trained pipeline suggesters use when it exists (``[suggest] model``; None = off)."""
    train_every: int = 0
    """Retrain after this many more articles are done (``[train] every``; 0 = never)."""
    kb_file: Path | None = None
    """The offline knowledge base (``[kb] file``, relative to the file); None: the shipped one."""
    poll_seconds: float = 2.0
    """SQLite: how often the app looks for other programs' changes (``[team] poll_seconds``)."""


class SchemaError(Exception):
    """A configuration file is unreadable or wrong; ``str()`` is ``file:line: problem``."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        super().__init__(Path(path), line, problem)
        self.path = Path(path)
        self.line = line
        self.problem = problem

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else f"{self.path}"
        return f"{where}: {self.problem}"
