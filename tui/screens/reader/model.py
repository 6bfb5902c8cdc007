"""What the reader shows for one article, kept up to date from each action's row changes.

Pure Python (no Textual, no SQL). :meth:`ReaderModel.load` builds the model
from rows read once when an article opens; after that every stored action's
change set (``{"table", "key", "before", "after"}``, ``after`` = state now) is
applied with :meth:`ReaderModel.apply`, which replaces, inserts or removes
just the touched items and says which widgets need new rows. Nothing is read
back from the database after an edit. The rows it keeps (a span's, a figure's
columns) and label colours are :mod:`~tui.screens.reader.rows`.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from storage.capture import Change
from storage.schema import Schema
from storage.suggest.linking import MentionIndex
from tui.screens.reader.linking import indexed
from tui.screens.reader.rows import FigureValues, SpanRow, colour_of
from tui.widgets.entity_panel import MentionItem
from tui.widgets.figure_panel import FigureItem
from tui.widgets.pane_model import PaneSpan
from tui.widgets.topic_panel import TopicItem

SHOWN_STATUSES = ("accepted", "suggested")
"""Span statuses the reader shows."""


@dataclass(frozen=True)
class ArticleView:
    """Everything the reader's widgets display for one article."""

    pane_spans: list[PaneSpan]
    mentions: list[MentionItem]
    figures: list[FigureItem]
    topics: list[TopicItem]


@dataclass
class Touched:
    """Which widgets an applied change set concerns."""

    pane: bool = False
    mentions: bool = False
    figures: bool = False
    topics: bool = False
    state: bool = False
    unknown_entities: set[int] = field(default_factory=set)
    """Entities a mention links to whose names the model does not know yet."""
    pane_removed: set[int] = field(default_factory=set)
    """Ids of spans the pane must drop (removed, or replaced by ``pane_added``)."""
    pane_added: dict[int, PaneSpan] = field(default_factory=dict)
    """Spans the pane must draw now (new, or the new state of a replaced one)."""
    panel_ids: set[int] = field(default_factory=set)
    """Spans whose panel rows changed besides the pane's (a figure's values, an entity's name)."""

    def panel_changes(self) -> set[int]:
        """Spans whose Entities or Figures rows may have changed (the panels patch those)."""
        return self.pane_removed | self.pane_added.keys() | self.panel_ids


@dataclass
class ReaderModel:
    """One annotator's annotations on one article, as the reader shows them."""

    schema: Schema
    article_id: int
    annotator_id: int
    spans: dict[int, SpanRow] = field(default_factory=dict)
    figures: dict[int, FigureValues] = field(default_factory=dict)
    topics: dict[str, str | None] = field(default_factory=dict)
    """Assigned (accepted) topic key → note, in assignment order."""
    suggested_topics: dict[str, None] = field(default_factory=dict)
    """Topics suggested and not decided yet, in suggestion order (the Topics panel offers them)."""
    entity_names: dict[int, str] = field(default_factory=dict)
    state: str = "todo"
    _colours: dict[tuple[str, str], str] = field(default_factory=dict)
    _order: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)
    """Per layer, ``(start, end, id)`` of its spans in reading order (kept sorted with bisect)."""
    _items: dict[int, MentionItem | FigureItem] = field(default_factory=dict)
    """Panel rows already built, by span id (dropped when their span or figure changes)."""
    _linking: MentionIndex | None = None
    """The entity mentions for within-article linking, built on first use, then kept."""
    _suggested: int | None = None
    """How many spans are pending suggestions, counted on first use, then kept."""

    @classmethod
    def load(
        cls,
        schema: Schema,
        article_id: int,
        annotator_id: int,
        spans: Iterable[Any],
        figures: dict[int, Any],
        topics: Iterable[Any],
        entity_names: dict[int, str],
        state: str,
    ) -> ReaderModel:
        """The model from rows read once (spans, figures by span id, topic assignments)."""
        model = cls(schema, article_id, annotator_id, state=state)
        model.spans = {row.id: SpanRow.of(row) for row in spans}
        model.figures = {span_id: FigureValues.of(row) for span_id, row in figures.items()}
        for row in topics:
            status = getattr(row, "status", "accepted")
            if status == "accepted":
                model.topics[row.topic] = row.note
            elif status == "suggested":
                model.suggested_topics[row.topic] = None
        model.entity_names = dict(entity_names)
        for row in sorted(model.spans.values(), key=lambda row: (row.start, row.end, row.id)):
            model._order.setdefault(row.layer, []).append((row.start, row.end, row.id))
        model._linking = MentionIndex(indexed(model.spans.values()))  # loading thread, not a key
        return model

    def colour(self, layer: str, label: str) -> str:
        colour = self._colours.get((layer, label))
        if colour is None:
            colour = self._colours[(layer, label)] = colour_of(self.schema, layer, label)
        return colour

    # -- applying an action ---------------------------------------------------------

    def apply(self, changes: Sequence[Change], touched: Touched | None = None) -> Touched:
        """Apply one action's row changes; which widgets need their rows again.

        Pass ``touched`` to add to it (several change sets shown as one update).
        """
        touched = Touched() if touched is None else touched
        for change in changes:
            table, now = change["table"], change["after"]
            if table == "span":
                self._apply_span(change["key"]["id"], now, change["before"], touched)
            elif table == "figure":
                span_id = change["key"]["span_id"]
                self._items.pop(span_id, None)
                touched.panel_ids.add(span_id)
                if now is None:
                    self.figures.pop(span_id, None)
                else:
                    self.figures[span_id] = FigureValues.from_image(now)
                touched.figures = touched.figures or span_id in self.spans
            elif table == "topicassignment":
                self._apply_topic(change, touched)
            elif table == "entity" and now is not None and now.get("id") is not None:
                touched.panel_ids |= self.name_entities({now["id"]: now["name"]})
                touched.mentions = True
            elif table == "articlestate" and self._mine(change["key"]):
                state = now["state"] if now is not None else "todo"
                # Every edit touches the state row; the header (a layout, so a
                # full repaint) changes only when the state does.
                touched.state = touched.state or state != self.state
                self.state = state
        for span_id in touched.pane_added:
            entity_id = self.spans[span_id].entity_id
            if entity_id is not None and entity_id not in self.entity_names:
                touched.unknown_entities.add(entity_id)
        return touched

    def name_entities(self, names: dict[int, str]) -> set[int]:
        """Entity names learnt later; the mentions linking them (their ids) are built again."""
        self.entity_names.update(names)
        renamed: set[int] = set()
        for span_id, item in list(self._items.items()):
            if isinstance(item, MentionItem) and item.entity_id in names:
                del self._items[span_id]
                renamed.add(span_id)
        return renamed

    def _mine(self, row: dict[str, Any]) -> bool:
        return row.get("article_id") == self.article_id and row.get("annotator_id") in (
            self.annotator_id,
            None,
        )

    def _apply_span(
        self,
        span_id: int,
        now: dict[str, Any] | None,
        before: dict[str, Any] | None,
        touched: Touched,
    ) -> None:
        old = self.spans.pop(span_id, None)
        shown = now is not None and self._mine(now) and now["status"] in SHOWN_STATUSES
        if old is None and not shown:
            return
        self._items.pop(span_id, None)
        layers = set()
        if old is not None:
            self._unindex(old)
            layers.add(old.layer)
            touched.pane_removed.add(span_id)
            touched.pane_added.pop(span_id, None)
        if shown:
            assert now is not None
            row = self.spans[span_id] = SpanRow.from_image(now)
            self._index(row)
            layers.add(row.layer)
            touched.pane_added[span_id] = self._pane_span(row)
        touched.pane = True
        touched.mentions = touched.mentions or "entity" in layers
        touched.figures = touched.figures or "figure" in layers
        touched.topics = touched.topics or "evidence" in layers

    @property
    def mention_index(self) -> MentionIndex:
        if self._linking is None:
            self._linking = MentionIndex(indexed(self.spans.values()))
        return self._linking

    @property
    def suggested(self) -> int:
        """The pending suggestions (the status bar shows the count on every key)."""
        if self._suggested is None:
            self._suggested = sum(1 for row in self.spans.values() if row.status == "suggested")
        return self._suggested

    def _index(self, row: SpanRow) -> None:
        insort(self._order.setdefault(row.layer, []), (row.start, row.end, row.id))
        if self._linking is not None:
            for span_id, mention in indexed([row]):
                self._linking.add(span_id, mention)
        if self._suggested is not None and row.status == "suggested":
            self._suggested += 1

    def _unindex(self, row: SpanRow) -> None:
        if self._linking is not None:
            self._linking.remove(row.id)
        if self._suggested is not None and row.status == "suggested":
            self._suggested -= 1
        order = self._order.get(row.layer, [])
        key = (row.start, row.end, row.id)
        index = bisect_left(order, key)
        if index < len(order) and order[index] == key:
            del order[index]

    def _apply_topic(self, change: Change, touched: Touched) -> None:
        now, before = change["after"], change["before"]
        image = now if now is not None else before
        if image is None or not self._mine(image):
            return
        topic = image["topic"]
        status = now.get("status", "accepted") if now is not None else None
        self.suggested_topics.pop(topic, None)
        if status == "accepted":
            assert now is not None
            self.topics[topic] = now.get("note")
        else:
            self.topics.pop(topic, None)
        if status == "suggested":
            self.suggested_topics[topic] = None
        touched.topics = True

    # -- what the widgets show --------------------------------------------------------

    def image(self, span_id: int) -> dict[str, Any] | None:
        """The shown span's row image, as a change carries it (None: not shown)."""
        row = self.spans.get(span_id)
        if row is None:
            return None
        return {**row._asdict(), "article_id": self.article_id, "annotator_id": self.annotator_id}

    def _pane_span(self, row: SpanRow) -> PaneSpan:
        colour = self.colour(row.layer, row.label)
        return PaneSpan(
            row.id, row.start, row.end, row.layer, row.label, colour, row.status, row.pending
        )

    def _ordered(self, layer: str) -> list[SpanRow]:
        spans = self.spans
        return [spans[span_id] for _, _, span_id in self._order.get(layer, ())]

    def pane_spans(self) -> list[PaneSpan]:
        """Every shown span, for a full load of the pane (edits patch it instead)."""
        rows = sorted(self.spans.values(), key=lambda row: (row.start, row.end, row.id))
        return [self._pane_span(row) for row in rows]

    def _shown(self, layer: str, span_ids: Iterable[int] | None) -> list[SpanRow]:
        """The ``layer`` spans in reading order, or those of ``span_ids`` (in no order)."""
        if span_ids is None:
            return self._ordered(layer)
        rows = (self.spans.get(span_id) for span_id in span_ids)
        return [row for row in rows if row is not None and row.layer == layer]

    def mentions(self, span_ids: Iterable[int] | None = None) -> list[MentionItem]:
        """The Entities panel's rows (only of ``span_ids`` that are shown, if given)."""
        items = self._items
        shown: list[MentionItem] = []
        for row in self._shown("entity", span_ids):
            item = items.get(row.id)
            if not isinstance(item, MentionItem):
                name = self.entity_names.get(row.entity_id) if row.entity_id is not None else None
                colour = self.colour(row.layer, row.label)
                item = items[row.id] = MentionItem(
                    row.id,
                    row.start,
                    row.text,
                    row.label,
                    colour,
                    row.status,
                    row.entity_id,
                    name,
                    row.pending,
                )
            shown.append(item)
        return shown

    def figure_items(self, span_ids: Iterable[int] | None = None) -> list[FigureItem]:
        """The Figures panel's rows (only of ``span_ids`` that are shown, if given)."""
        items = self._items
        shown: list[FigureItem] = []
        for row in self._shown("figure", span_ids):
            item = items.get(row.id)
            if not isinstance(item, FigureItem):
                item = items[row.id] = self._figure_item(row)
            shown.append(item)
        return shown

    def _figure_item(self, row: SpanRow) -> FigureItem:
        figure = self.figures.get(row.id)
        return FigureItem(
            row.id,
            row.start,
            row.text,
            row.label,
            self.colour(row.layer, row.label),
            row.status,
            figure.value if figure else None,
            figure.unit if figure else None,
            figure.metric if figure else None,
            figure.period if figure else None,
            figure.approximate if figure else False,
            figure.change if figure else False,
        )

    def topic_items(self) -> list[TopicItem]:
        """Assigned topics with their accepted evidence, then suggested ones with theirs."""
        evidence: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
        for row in self._ordered("evidence"):
            key = row.topic or row.label
            evidence.setdefault((key, row.status), []).append((row.id, row.start, row.text))
        items = []
        shown = [(key, note, "accepted") for key, note in self.topics.items()]
        shown += [(key, None, "suggested") for key in self.suggested_topics]
        for key, note, status in shown:
            label = self.schema.get("topic", key)
            items.append(
                TopicItem(
                    key,
                    label.title if label else key,
                    colour_of(self.schema, "evidence", key),
                    note,
                    tuple(evidence.get((key, status), ())),
                    status,
                )
            )
        return items

    def view(self) -> ArticleView:
        return ArticleView(
            self.pane_spans(), self.mentions(), self.figure_items(), self.topic_items()
        )

    def linked_entities(self) -> set[int]:
        return {row.entity_id for row in self.spans.values() if row.entity_id is not None}
