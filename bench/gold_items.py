"""One article's annotation as a set of comparable items, from the gold files or the database.

An item is one thing an annotator decides: an entity mention (offsets and
label), a figure (offsets, kind, value, unit), each context attribute a gold
figure states (metric, period, subject), an agenda topic. The keys-to-gold
case compares the stored items with the gold ones
(``tests/data/gold/{entities,figures,topics}/<stem>.jsonl``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from storage import queries
from storage.db import Database

GOLD = Path(__file__).resolve().parents[1] / "tests" / "data" / "gold"
CONTEXT = ("metric", "period", "subject")
KINDS = ("entity", "figure", *CONTEXT, "topic")


@dataclass(frozen=True, order=True)
class Item:
    """Equal when kind and key are: ``text`` only says what it is, in the report."""

    kind: str  # one of KINDS
    key: tuple[Any, ...]
    text: str = field(default="", compare=False)


def _fold(value: Any) -> str:
    return " ".join(str(value).casefold().split()) if value is not None else ""


def _value(value: Any) -> str:
    return format(Decimal(str(value)).normalize(), "f") if value is not None else ""


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def gold_items(stem: str) -> set[Item]:
    """Every gold item of the article ``stem``."""
    items: set[Item] = set()
    for line in _lines(GOLD / "entities" / f"{stem}.jsonl"):
        key = (line["start"], line["end"], line["label"])
        items.add(Item("entity", key, f"{line['text']} {line['label']}"))
    for line in _lines(GOLD / "figures" / f"{stem}.jsonl"):
        where = (line["start"], line["end"])
        key = (*where, line["kind"], _value(line.get("value")), line.get("unit") or "")
        items.add(Item("figure", key, f"{line['text']} {line['kind']}"))
        for name in CONTEXT:
            if name in line and line[name] is not None:
                items.add(Item(name, (*where, _fold(line[name])), f"{line['text']} {name}"))
    for line in _lines(GOLD / "topics" / f"{stem}.jsonl"):
        items.add(Item("topic", (line["topic"],), line["topic"]))
    return items


def stored_items(
    database: Database, article_id: int, annotator: str, statuses: tuple[str, ...] = ("accepted",)
) -> set[Item]:
    """The items stored for one annotator, from spans and topics with one of ``statuses``."""
    items: set[Item] = set()
    spans = queries.spans_for(database, article_id, annotator, statuses=statuses)
    figure_spans = [span for span in spans if span.layer == "figure"]
    figures = queries.figures_for(database, [span.id for span in figure_spans if span.id])
    subjects = {f.subject_id for f in figures.values() if f.subject_id is not None}
    entities = queries.entities_by_id(database, subjects)
    for span in spans:
        if span.layer == "entity":
            items.add(Item("entity", (span.start, span.end, span.label), span.text))
    for span in figure_spans:
        figure = figures.get(span.id or 0)
        where = (span.start, span.end)
        value, unit = (figure.value, figure.unit) if figure is not None else (None, None)
        items.add(Item("figure", (*where, span.label, _value(value), unit or ""), span.text))
        if figure is None:
            continue
        for name in ("metric", "period"):
            if getattr(figure, name):
                items.add(Item(name, (*where, _fold(getattr(figure, name))), span.text))
        entity = entities.get(figure.subject_id) if figure.subject_id is not None else None
        if entity is not None:  # the gold names the subject as written: the name or an alias
            for name in (entity.name, *entity.aliases):
                items.add(Item("subject", (*where, _fold(name)), span.text))
    for topic in queries.topics_for(database, article_id, annotator):
        if topic.status in statuses:
            items.add(Item("topic", (topic.topic,), topic.topic))
    return items
