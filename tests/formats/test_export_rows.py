"""A figure span's attributes as the export rows give them: every key of FIGURE_ATTRS, in
its order, with decimals canonical, flags booleans and the subject resolved."""

from __future__ import annotations

from storage.formats.codec import FIGURE_ATTRS
from storage.formats.writing.rows import EntityTable, figure_values

SUBJECT = {"name": "Acme", "type": "ORG", "kb_id": None, "aliases": []}


def test_a_figure_row_gives_every_attribute_in_order() -> None:
    entities = EntityTable(json={7: SUBJECT})
    row = ("MONEY", "1.50", "2E+3", "EUR", 1_000_000, "revenue", "2024", 7, 1, "min", 0,
           "up", "2024-05-01")  # fmt: skip
    figure = figure_values("MONEY", row, entities)
    assert tuple(figure) == FIGURE_ATTRS
    assert figure == {
        "kind": "MONEY", "value": "1.50", "value_max": "2E+3", "unit": "EUR",
        "scale": 1_000_000, "metric": "revenue", "period": "2024", "subject": SUBJECT,
        "approximate": True, "bound": "min", "change": False, "direction": "up",
        "date_value": "2024-05-01",
    }  # fmt: skip


def test_stored_decimals_are_written_canonical() -> None:
    row = ("COUNT", "007", "+2000", None, 1, None, None, None, 0, None, 1, None, None)
    figure = figure_values("COUNT", row, EntityTable())
    assert (figure["value"], figure["value_max"], figure["change"]) == ("7", "2000", True)


def test_a_figure_span_without_its_row_has_the_defaults() -> None:
    figure = figure_values("PERCENT", None, EntityTable())
    assert tuple(figure) == FIGURE_ATTRS
    assert figure["kind"] == "PERCENT" and figure["scale"] == 1
    assert (figure["approximate"], figure["change"], figure["subject"]) == (False, False, None)
