"""Turn stored annotations into what the reader's widgets display.

Pure functions (no Textual, no SQL): the reader screen fetches rows through
``storage.queries`` and hands them here, so the mapping is easy to test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.models import Entity, Figure, TopicAssignment
from storage.schema import Schema
from tui.widgets.entity_panel import MentionItem
from tui.widgets.figure_panel import FigureItem
from tui.widgets.reading_pane import PaneSpan
from tui.widgets.topic_panel import TopicItem

FALLBACK_COLOUR = "#9e9e9e"
LAYER_OF_LABEL = {"entity": "entity", "figure": "figure", "evidence": "topic"}


@dataclass(frozen=True)
class ArticleView:
    """Everything the reader shows for one article."""

    pane_spans: list[PaneSpan]
    mentions: list[MentionItem]
    figures: list[FigureItem]
    topics: list[TopicItem]


def colour_of(schema: Schema, layer: str, key: str) -> str:
    label = schema.get(LAYER_OF_LABEL.get(layer, layer), key)
    if label is None and layer == "evidence" and "." in key:
        label = schema.get("topic", key.split(".")[0])
    return label.colour if label is not None else FALLBACK_COLOUR


def patched_spans(
    spans: Sequence[PaneSpan],
    changes: Sequence[dict[str, Any]],
    article_id: int,
    annotator_id: int,
    schema: Schema,
) -> list[PaneSpan]:
    """The pane's spans with one action's row changes applied (``after`` = state now)."""
    by_id = {span.id: span for span in spans}
    for change in changes:
        if change["table"] != "span":
            continue
        now = change["after"]
        span_id = change["key"]["id"]
        shown = (
            now is not None
            and now["article_id"] == article_id
            and now["annotator_id"] == annotator_id
            and now["status"] in ("accepted", "suggested")
        )
        if not shown:
            by_id.pop(span_id, None)
            continue
        colour = colour_of(schema, now["layer"], now["label"])
        by_id[span_id] = PaneSpan(
            span_id, now["start"], now["end"], now["layer"], now["label"], colour, now["status"]
        )
    return sorted(by_id.values(), key=lambda span: (span.start, span.end, span.id))


def state_after(
    changes: Sequence[dict[str, Any]], article_id: int, annotator_id: int
) -> str | None:
    """The annotator's article state after ``changes`` (None: they leave it as it was)."""
    state = None
    for change in changes:
        key = change["key"]
        if change["table"] != "articlestate" or key.get("article_id") != article_id:
            continue
        if key.get("annotator_id") != annotator_id:
            continue
        now = change["after"]
        state = now["state"] if now is not None else "todo"
    return state


def build_view(
    schema: Schema,
    spans: Sequence[Any],
    figures: dict[int, Figure],
    topics: list[TopicAssignment],
    entities: dict[int, Entity],
) -> ArticleView:
    colours: dict[tuple[str, str], str] = {}
    pane_spans: list[PaneSpan] = []
    mentions: list[MentionItem] = []
    figure_items: list[FigureItem] = []
    evidence: dict[str, list[tuple[int, int, str]]] = {}
    for span in spans:
        assert span.id is not None
        colour = colours.get((span.layer, span.label))
        if colour is None:
            colour = colours[(span.layer, span.label)] = colour_of(schema, span.layer, span.label)
        pane_spans.append(
            PaneSpan(span.id, span.start, span.end, span.layer, span.label, colour, span.status)
        )
        if span.layer == "entity":
            entity = entities.get(span.entity_id) if span.entity_id is not None else None
            mentions.append(
                MentionItem(
                    span.id,
                    span.start,
                    span.text,
                    span.label,
                    colour,
                    span.status,
                    entity.id if entity else None,
                    entity.name if entity else None,
                )
            )
        elif span.layer == "figure":
            figure = figures.get(span.id)
            figure_items.append(
                FigureItem(
                    span.id,
                    span.start,
                    span.text,
                    span.label,
                    colour,
                    span.status,
                    figure.value if figure else None,
                    figure.unit if figure else None,
                    figure.metric if figure else None,
                    figure.period if figure else None,
                    figure.approximate if figure else False,
                    figure.change if figure else False,
                )
            )
        elif span.layer == "evidence" and span.status == "accepted":
            evidence.setdefault(span.topic or span.label, []).append(
                (span.id, span.start, span.text)
            )
    topic_items = []
    for assignment in topics:
        label = schema.get("topic", assignment.topic)
        topic_items.append(
            TopicItem(
                assignment.topic,
                label.title if label else assignment.topic,
                colour_of(schema, "evidence", assignment.topic),
                assignment.note,
                tuple(evidence.get(assignment.topic, ())),
            )
        )
    return ArticleView(pane_spans, mentions, figure_items, topic_items)
