"""The reader's pure parts without an app: span targeting, resizing, and the model's change sets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from storage.schema import load_config
from tui.screens.reader import targeting
from tui.screens.reader.model import ReaderModel
from tui.screens.reader.rows import SpanRow
from tui.widgets.pane_model import PaneSpan

GOLD = "#e5c07b"
TEXT = "Kaja Kallas met Murat Nurtleu in Astana on Monday."


def _span(id: int, start: int, end: int, layer: str = "entity", status: str = "accepted"):  # type: ignore[no-untyped-def]
    return PaneSpan(id, start, end, layer, "PERSON", GOLD, status)


def _words(text: str, base: int) -> list[tuple[int, int]]:
    """Whitespace tokens, standing in for spaCy's tokenizer."""
    bounds, start = [], None
    for index, char in enumerate(text + " "):
        if char.isspace() or char == ".":
            if start is not None:
                bounds.append((base + start, base + index))
                start = None
        elif start is None:
            start = index
    return bounds


def test_under_cursor_prefers_accepted_and_filters_layers() -> None:
    suggested, accepted = _span(1, 0, 11, status="suggested"), _span(2, 0, 4)
    evidence = _span(3, 0, 30, layer="evidence")
    assert targeting.under_cursor([suggested, accepted, evidence]) is accepted
    assert targeting.under_cursor([suggested, evidence], ("evidence",)) is evidence
    assert targeting.under_cursor([], ("entity",)) is None


def test_matching_selection_needs_the_exact_range() -> None:
    span = _span(1, 16, 29)
    assert targeting.matching_selection([span], "entity", (16, 29)) is span
    assert targeting.matching_selection([span], "entity", (16, 21)) is None
    assert targeting.matching_selection([span], "figure", (16, 29)) is None


def test_resize_moves_one_token_and_refuses_to_vanish() -> None:
    kaja = (0, 4)
    assert targeting.resized(TEXT, *kaja, "end", 1, _words) == (0, 11)  # "Kaja Kallas"
    assert targeting.resized(TEXT, 0, 11, "end", -1, _words) == (0, 4)
    assert targeting.resized(TEXT, *kaja, "end", -1, _words) is None  # one token: cannot shrink
    assert targeting.resized(TEXT, 5, 11, "start", -1, _words) == (0, 11)
    assert targeting.resized(TEXT, 0, 11, "start", 1, _words) == (5, 11)
    assert targeting.resized(TEXT, *kaja, "start", -1, _words) is None  # nothing before


def test_jump_visits_pending_suggestions_first() -> None:
    spans = [_span(1, 0, 4), _span(2, 16, 21, status="suggested"), _span(3, 33, 39)]
    assert targeting.jump_target(spans, 0, True) is spans[1]
    assert targeting.jump_target(spans, 16, True) is None  # only the suggestion counts
    accepted = [spans[0], spans[2]]
    assert targeting.jump_target(accepted, 0, True) is spans[2]
    assert targeting.jump_target(accepted, 33, False) is spans[0]


def test_unlabelled_occurrences_skip_overlaps() -> None:
    text = "Astana and Astana, and Greater Astana"
    taken = [_span(1, 0, 6), _span(2, 23, 37)]
    assert targeting.unlabelled_occurrences(text, "Astana", taken) == [(11, 17)]


# -- the model: one action's row changes, applied -----------------------------------


def _model() -> ReaderModel:
    schema = load_config(None).schema
    kaja = SpanRow(1, 0, 11, "entity", "PERSON", "Kaja Kallas", "accepted", None, None)
    return ReaderModel.load(schema, 7, 3, [kaja], {}, [], {}, "in_progress")


def _span_image(id: int, start: int, end: int, **extra: Any) -> dict[str, Any]:
    image = {
        "id": id,
        "article_id": 7,
        "annotator_id": 3,
        "layer": "entity",
        "label": "GPE",
        "start": start,
        "end": end,
        "text": TEXT[start:end],
        "status": "accepted",
        "entity_id": None,
        "topic": None,
    }
    return {**image, **extra}


def test_model_inserts_replaces_and_removes_spans_from_a_change_set() -> None:
    model = _model()
    astana = _span_image(2, 33, 39)
    touched = model.apply([{"table": "span", "key": {"id": 2}, "before": None, "after": astana}])
    assert touched.pane and touched.mentions and not touched.figures
    assert [item.text for item in model.mentions()] == ["Kaja Kallas", "Astana"]
    relabelled = {**astana, "label": "LOC"}
    model.apply([{"table": "span", "key": {"id": 2}, "before": astana, "after": relabelled}])
    assert [span.label for span in model.pane_spans()] == ["PERSON", "LOC"]
    model.apply([{"table": "span", "key": {"id": 2}, "before": relabelled, "after": None}])
    assert [span.id for span in model.pane_spans()] == [1]


def test_model_ignores_other_annotators_and_rejected_spans() -> None:
    model = _model()
    theirs = _span_image(5, 33, 39, annotator_id=4)
    rejected = _span_image(1, 0, 11, status="rejected", label="PERSON")
    touched = model.apply([{"table": "span", "key": {"id": 5}, "before": None, "after": theirs}])
    assert not touched.pane
    model.apply([{"table": "span", "key": {"id": 1}, "before": None, "after": rejected}])
    assert model.pane_spans() == []


def test_model_figures_topics_entities_and_state() -> None:
    model = _model()
    money = _span_image(9, 16, 29, layer="figure", label="MONEY")
    figure = {"span_id": 9, "value": "49700000000", "unit": "USD", "metric": "trade"}
    entity = {"id": 4, "name": "Kaja Kallas"}
    linked = _span_image(1, 0, 11, label="PERSON", entity_id=4)
    touched = model.apply(
        [
            {"table": "span", "key": {"id": 9}, "before": None, "after": money},
            {"table": "figure", "key": {"span_id": 9}, "before": None, "after": figure},
            {"table": "entity", "key": {"id": 4}, "before": None, "after": entity},
            {"table": "span", "key": {"id": 1}, "before": None, "after": linked},
            {
                "table": "topicassignment",
                "key": {"id": 1},
                "before": None,
                "after": {"id": 1, "article_id": 7, "annotator_id": 3, "topic": "trade"},
            },
            {
                "table": "articlestate",
                "key": {"article_id": 7, "annotator_id": 3},
                "before": None,
                "after": {"article_id": 7, "annotator_id": 3, "state": "done"},
            },
        ]
    )
    assert touched.figures and touched.mentions and touched.topics and touched.state
    assert not touched.unknown_entities
    [item] = model.figure_items()
    assert (item.value, item.unit, item.metric) == (Decimal("49700000000"), "USD", "trade")
    assert [m.entity_name for m in model.mentions()] == ["Kaja Kallas"]
    assert [t.key for t in model.topic_items()] == ["trade"]
    assert model.state == "done"
    unknown = _span_image(1, 0, 11, label="PERSON", entity_id=8)
    touched = model.apply([{"table": "span", "key": {"id": 1}, "before": linked, "after": unknown}])
    assert touched.unknown_entities == {8}


def test_span_index_add_and_discard_match_a_rebuilt_index() -> None:
    from tui.widgets.pane_layout import SpanIndex

    spans = [_span(n, (n * 37) % 500, (n * 37) % 500 + 3 + n % 7) for n in range(60)]
    spans.append(_span(99, 10, 10 + SpanIndex.LONG + 5, layer="evidence"))  # a long one
    index: SpanIndex[PaneSpan] = SpanIndex(spans[:30])
    for span in spans[30:]:
        index.add(span)
    for span in spans[::3]:
        index.discard(span)
    kept = [span for position, span in enumerate(spans) if position % 3]
    rebuilt = SpanIndex(kept)
    for offset in range(0, 520, 5):
        assert index.covering(offset) == rebuilt.covering(offset)
        assert index.touching(offset, offset + 40) == rebuilt.touching(offset, offset + 40)
    assert len(index) == len(kept)
