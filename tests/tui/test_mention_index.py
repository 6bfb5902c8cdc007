"""The reader model's kept indexes: linking components (as ``linked_component``), pending count."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.schema import load_config
from storage.suggest.linking import Mention, linked_component
from tui.screens.reader import linking
from tui.screens.reader.model import ReaderModel
from tui.screens.reader.rows import SpanRow

_NAMES = [
    ("PERSON", "Murat Nurtleu"), ("PERSON", "Nurtleu"), ("PERSON", "Joe Biden"),
    ("PERSON", "Biden"), ("ORG", "European Union"), ("ORG", "EU"), ("GPE", "EU"),
    ("ORG", "Economic Union"), ("ORG", "Bank of England"), ("ORG", "BoE"),
    ("GPE", "United Kingdom"), ("GPE", "UK"), ("NORP", "Kazakhstani"),
]  # fmt: skip
_STATUSES = ("accepted", "suggested", "rejected")


def _model(rows: list[tuple[str, str, str]]) -> ReaderModel:
    """Entity spans (label, text, status) one after another, ids from 1."""
    spans, at = {}, 0
    for i, (label, text, status) in enumerate(rows, 1):
        spans[i] = SpanRow(i, at, at + len(text), "entity", label, text, status, None, None)
        at += len(text) + 1
    return ReaderModel(load_config(None).schema, 1, 1, spans=spans)


def _change(model: ReaderModel, span_id: int, **values: Any) -> None:
    """One stored change of span ``span_id`` (``None`` values: the span is deleted)."""
    before = model.image(span_id)
    after = None if not values else {**(before or {}), **values}
    model.apply([{"table": "span", "key": {"id": span_id}, "before": before, "after": after}])


def _all_mentions(model: ReaderModel) -> list[Mention]:
    mentions = [
        Mention(r.start, r.end, r.text, r.label, r.entity_id, r.id)
        for r in model.spans.values()
        if r.layer == "entity" and r.status != "rejected"
    ]
    return sorted(mentions, key=lambda m: m.start)


def _suggested(model: ReaderModel) -> int:
    return sum(1 for row in model.spans.values() if row.status == "suggested")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(_NAMES), st.sampled_from(_STATUSES)), min_size=1,
             max_size=15),
    st.lists(st.tuples(st.integers(0, 14), st.sampled_from((*_STATUSES, "relabel", "delete")))),
    st.data(),
)  # fmt: skip
def test_the_kept_index_gives_linked_components_over_the_models_mentions(
    rows: list[tuple[tuple[str, str], str]],
    edits: list[tuple[int, str]],
    data: st.DataObject,
) -> None:
    model = _model([(label, text, status) for (label, text), status in rows])
    index = model.mention_index  # built now: the edits below go through add and remove
    assert model.suggested == _suggested(model)  # counted now: the edits below keep it
    for position, edit in edits:
        span_id = position % len(rows) + 1
        if span_id not in model.spans:
            continue
        if edit == "delete":
            _change(model, span_id)
        elif edit == "relabel":
            _change(model, span_id, label="GPE" if model.spans[span_id].label != "GPE" else "ORG")
        else:
            _change(model, span_id, status=edit)
    mentions = _all_mentions(model)
    assert model.mention_index is index
    assert model.suggested == _suggested(model)
    assert sorted(index.mentions.values(), key=lambda m: m.start) == mentions
    if not model.spans:
        return
    span_id = data.draw(st.sampled_from(sorted(model.spans)))
    row = model.spans[span_id]
    label = data.draw(st.sampled_from([name[0] for name in _NAMES]))
    mention = Mention(row.start, row.end, row.text, label, None, span_id)
    among = [m for m in mentions if m.span_id != span_id] + [mention]
    expected = {(m.start, m.label) for m in linked_component(among, mention)}
    found = index.component(mention, span_id)
    assert {(m.start, m.label) for m in found} == expected
    assert mention in found


def test_a_rejected_full_name_no_longer_links_its_surname() -> None:
    model = _model([("PERSON", "Murat Nurtleu", "accepted"), ("PERSON", "Nurtleu", "suggested")])
    _change(model, 1, entity_id=7)
    assert linking.for_span(model, 2) == linking.Joined(7, "Murat Nurtleu")
    _change(model, 1, status="rejected")
    assert linking.for_span(model, 2) is None
