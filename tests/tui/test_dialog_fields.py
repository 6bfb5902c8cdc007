"""The dialogs' pure parts: exact numbers, knowledge-base ids, fuzzy ranking, figure fields."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storage.figures import parse_figure
from storage.models import Figure
from tui.dialogs import fuzzy
from tui.dialogs.figure_fields import FigureFields, SubjectOption, resolve_subject
from tui.dialogs.validators import normalise_kb_id, parse_decimal, parse_scale, plain_decimal


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("49700000000", Decimal("49700000000")),
        ("49,700,000,000", Decimal("49700000000")),
        ("49 700 000 000", Decimal("49700000000")),
        ("0.1", Decimal("0.1")),
        ("−2.5", Decimal("-2.5")),
        ("4.97e10", Decimal("4.97E+10")),
        ("  ", None),
    ],
)
def test_parse_decimal_is_exact(typed: str, value: Decimal | None) -> None:
    assert parse_decimal(typed) == value


@pytest.mark.parametrize("typed", ["11.1 bn", "abc", "NaN", "Infinity", "1.2.3"])
def test_parse_decimal_refuses_non_numbers(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_decimal(typed)


def test_plain_decimal_has_no_exponent() -> None:
    assert plain_decimal(Decimal("4.97E+10")) == "49700000000"
    assert plain_decimal(Decimal("0.10")) == "0.10"
    assert plain_decimal(None) == ""


def test_scale_is_a_positive_whole_number() -> None:
    assert parse_scale("") == 1
    assert parse_scale("1e9") == 10**9
    for bad in ("0", "-1000", "2.5"):
        with pytest.raises(ValueError):
            parse_scale(bad)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Q42", "Q42"),
        (" q0042 ", "Q42"),
        ("https://www.wikidata.org/wiki/Q3196386", "Q3196386"),
        ("wikidata.org/entity/q7", "Q7"),
        ("gnd:118540238", "gnd:118540238"),
        ("", None),
    ],
)
def test_knowledge_base_ids_are_normalised(typed: str, stored: str | None) -> None:
    assert normalise_kb_id(typed) == stored


@pytest.mark.parametrize("typed", ["not an id", "42", "Q", "Q42 Q43"])
def test_bad_knowledge_base_ids_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        normalise_kb_id(typed)


def test_fuzzy_tiers() -> None:
    assert fuzzy.score("trade", "Trade") > fuzzy.score("tra", "Trade")
    assert fuzzy.score("tra", "Trade") > fuzzy.score("tra", "Foreign trade")
    assert fuzzy.score("trd", "Trade") > 0  # letters in order from a word start
    assert fuzzy.score("tra", "Regional integration") == 0  # not from a word start
    assert fuzzy.score("kalas", "Kaja Kallas") > 0  # a typo still finds the name
    assert fuzzy.score("xyz", "Kaja Kallas") == 0


def test_rank_keeps_order_for_empty_query_and_uses_extras_and_preferences() -> None:
    names = [["Trade"], ["Energy"], ["Kaja Kallas (namesake)", "K. Kallas"], ["Kaja Kallas"]]
    assert fuzzy.rank("", names) == [0, 1, 2, 3]
    assert fuzzy.rank("kallas", names, prefer=[0, 0, 0, 5]) == [3, 2]
    extras = [["Exports, imports, tariffs"], ["Oil, gas, pipelines"], [""], [""]]
    assert fuzzy.rank("pipe", names, extras=extras) == [1]
    assert fuzzy.rank("pe", names, extras=extras) == [1]  # substring of "pipelines" only


def test_figure_fields_from_the_parser_and_back() -> None:
    text = "Trade turnover in 2024 amounted to $49.7 billion (+16.9 percent)."
    parsed = parse_figure(text, text.index("49.7"))
    assert parsed is not None
    fields = FigureFields.from_parsed(parsed)
    values = fields.figure_values()
    assert values["value"] == Decimal("49700000000")
    assert (values["kind"], values["unit"], values["scale"]) == ("MONEY", "USD", 10**9)
    assert (values["metric"], values["period"], values["subject_id"]) == (
        "trade turnover",
        "2024",
        None,
    )
    assert set(values) <= set(Figure.model_fields) - {"span_id"}


def test_subject_resolves_by_name_or_alias() -> None:
    options = [SubjectOption(3, "European Union", ("EU",)), SubjectOption(4, "Kazakhstan")]
    assert resolve_subject("eu", options) == 3
    assert resolve_subject("Kazakhstan", options) == 4
    assert resolve_subject("Uzbekistan", options) is None
    figure = Figure(span_id=1, kind="MONEY", value=Decimal("1"), subject_id=4)
    fields = FigureFields.from_stored(figure, "MONEY", "checked", options)
    assert (fields.subject_id, fields.subject_text, fields.note) == (4, "Kazakhstan", "checked")
