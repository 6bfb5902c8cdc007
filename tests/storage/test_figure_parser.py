"""Table-driven tests of the figure parser on real news phrasings.

Each row: a sentence, the exact figure span expected, and its normalised
attributes. The cursor is put on the first digit (or first letter) of the span,
so every row also checks that ``parse_figure`` expands to the whole expression.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest

from storage.figures import find_figures, parse_figure, split_sentences

KZ = (
    "Trade turnover in 2024 amounted to $49.7 billion (+16.9 percent), of which Kazakhstan’s "
    "export was $38.6 billion and imports to Kazakhstan were $11.1 billion."
)
FDI = (
    "The gross inflow of direct investments from EU countries from 2005 to the first nine "
    "months of 2024 amounted to $200.7 billion."
)

# (sentence, span, kind, value, unit, approximate, change, other expected attributes)
CASES: list[tuple[str, str, str, str | None, str | None, bool, bool, dict[str, Any]]] = [
    (KZ, "$49.7 billion", "MONEY", "49700000000", "USD", False, False,
     {"metric": "trade turnover", "period": "2024", "scale": 10**9}),
    (KZ, "+16.9 percent", "PERCENT", "16.9", "%", False, True,
     {"direction": "up", "metric": "trade turnover", "period": "2024"}),
    (KZ, "$38.6 billion", "MONEY", "38600000000", "USD", False, False,
     {"metric": "export", "subject": "Kazakhstan", "period": "2024"}),
    (KZ, "$11.1 billion", "MONEY", "11100000000", "USD", False, False,
     {"metric": "imports", "subject": "Kazakhstan"}),
    (FDI, "$200.7 billion", "MONEY", "200700000000", "USD", False, False,
     {"period": "2005/2024-09", "metric": "gross inflow of direct investments"}),
    (FDI, "first nine months of 2024", "DATE", None, None, False, False,
     {"date_value": "2024-01/2024-09"}),
    ("More than 3,000 companies with European participation operate in Kazakhstan.", "3,000",
     "COUNT", "3000", None, True, False, {"bound": "lower", "metric": "companies"}),
    ("Azerbaijan's GDP grew by 4.1% in 2024.", "4.1%", "PERCENT", "4.1", "%", False, True,
     {"direction": "up", "period": "2024"}),
    ("Inflation slowed to 8.5 percent in March.", "8.5 percent", "PERCENT", "8.5", "%", False,
     False, {}),
    ("Exports fell 3.2% year-on-year to $12.4 bn.", "3.2%", "PERCENT", "3.2", "%", False, True,
     {"direction": "down"}),
    ("Exports fell 3.2% year-on-year to $12.4 bn.", "$12.4 bn", "MONEY", "12400000000", "USD",
     False, False, {}),
    ("The company reported a net profit of €3m for the quarter.", "€3m", "MONEY", "3000000",
     "EUR", False, False, {"metric": "net profit", "scale": 10**6}),
    ("The bank lent 5 mln tenge to small businesses.", "5 mln tenge", "MONEY", "5000000", "KZT",
     False, False, {}),
    ("The budget deficit reached 1.2 trillion rubles.", "1.2 trillion rubles", "MONEY",
     "1200000000000", "RUB", False, False, {"metric": "budget deficit"}),
    ("Sony expects sales of ¥2.5 trillion this year.", "¥2.5 trillion", "MONEY", "2500000000000",
     "JPY", False, False, {}),
    ("The contract is worth £450 million.", "£450 million", "MONEY", "450000000", "GBP", False,
     False, {}),
    ("Shares slipped −0.5% on Friday.", "−0.5%", "PERCENT", "-0.5", "%", False, True,
     {"direction": "down"}),
    ("Unemployment rose 0.3 percentage points to 4.1%.", "0.3 percentage points", "PERCENT",
     "0.3", "pp", False, True, {"direction": "up"}),
    ("Unemployment rose 0.3 percentage points to 4.1%.", "4.1%", "PERCENT", "4.1", "%", False,
     False, {}),
    ("The central bank cut its key rate by 50 basis points.", "50 basis points", "PERCENT", "50",
     "bp", False, True, {"direction": "down"}),
    ("Growth is expected at 5–7 percent next year.", "5–7 percent", "PERCENT", "5", "%", False,
     False, {"value_max": "7"}),
    ("Analysts see a 5-7% rise in wages.", "5-7%", "PERCENT", "5", "%", False, False,
     {"value_max": "7"}),
    ("Prices are forecast to rise between 5 and 7 percent.", "5 and 7 percent", "PERCENT", "5",
     "%", False, True, {"value_max": "7", "direction": "up"}),
    ("The project will cost $3-4 billion.", "$3-4 billion", "MONEY", "3000000000", "USD", False,
     False, {"value_max": "4000000000"}),
    ("Turnout was about 64 per cent.", "64 per cent", "PERCENT", "64", "%", True, False,
     {"bound": None, "metric": "turnout"}),
    ("Around 2 million voters cast ballots.", "2 million", "COUNT", "2000000", None, True, False,
     {"metric": "voters"}),
    ("The pipeline can carry 1.2 million barrels per day.", "1.2 million barrels", "QUANTITY",
     "1200000", "bbl", False, False, {}),
    ("The new railway line will be 1,200 km long.", "1,200 km", "QUANTITY", "1200", "km", False,
     False, {}),
    ("The plant will have a capacity of 500 MW.", "500 MW", "QUANTITY", "500", "MW", False,
     False, {"metric": "capacity"}),
    ("The country harvested 17.4 million tonnes of grain.", "17.4 million tonnes", "QUANTITY",
     "17400000", "t", False, False, {"metric": "grain"}),
    ("The park covers 3,000 square kilometres.", "3,000 square kilometres", "QUANTITY", "3000",
     "km2", False, False, {}),
    ("Kazakhstan produced 90 billion kWh of electricity.", "90 billion kWh", "QUANTITY",
     "90000000000", "kWh", False, False, {"metric": "electricity"}),
    ("Twenty-five people were injured in the blast.", "Twenty-five", "COUNT", "25", None, False,
     False, {"metric": "people"}),
    ("A million people took to the streets.", "A million", "COUNT", "1000000", None, False, False,
     {}),
    ("Two thousand troops were deployed.", "Two thousand", "COUNT", "2000", None, False, False,
     {"scale": 1000}),
    ("The firm employs 3 000 people.", "3 000", "COUNT", "3000", None, False, False, {}),
    ("The fund invested in 3\u202f000 start-ups.", "3\u202f000", "COUNT", "3000", None, False,
     False, {}),
    ("The annual fee is 12\u00a0000 tenge.", "12\u00a0000 tenge", "MONEY", "12000", "KZT", False,
     False, {}),
    ("Nearly 40 people died in the floods.", "40", "COUNT", "40", None, True, False,
     {"bound": "upper"}),
    ("At least 12 people were killed.", "12", "COUNT", "12", None, True, False,
     {"bound": "lower"}),
    ("Up to 500 workers could lose their jobs.", "500", "COUNT", "500", None, True, False,
     {"bound": "upper"}),
    ("Some 12,000 asylum seekers applied before last summer.", "12,000", "COUNT", "12000", None,
     True, False, {"bound": None}),
    ("Less than 1% of the budget goes to research.", "1%", "PERCENT", "1", "%", True, False,
     {"bound": "upper", "metric": "budget"}),
    ("The election was held on September 4, 2016.", "September 4, 2016", "DATE", None, None,
     False, False, {"date_value": "2016-09-04"}),
    ("The summit opens on 28 March 2025 in Samarkand.", "28 March 2025", "DATE", None, None,
     False, False, {"date_value": "2025-03-28"}),
    ("ASTANA, Kazakhstan, March 28. The minister met Kallas.", "March 28", "DATE", None, None,
     False, False, {"date_value": "--03-28"}),
    ("The law took effect in 2024.", "2024", "DATE", None, None, False, False,
     {"date_value": "2024"}),
    ("The figures cover January–September 2024.", "January–September 2024", "DATE", None, None,
     False, False, {"date_value": "2024-01/2024-09"}),
    ("In the first half of 2023, output grew.", "first half of 2023", "DATE", None, None, False,
     False, {"date_value": "2023-01/2023-06"}),
    ("Sales hit a record in March 2025.", "March 2025", "DATE", None, None, False, False,
     {"date_value": "2025-03"}),
    ("The polls closed at 22:30.", "22:30", "DATE", None, None, False, False,
     {"date_value": "T22:30"}),
    ("The ruble has lost 30% of its value.", "30%", "PERCENT", "30", "%", False, True,
     {"direction": "down"}),
    ("Hospitalizations are down by 77%.", "77%", "PERCENT", "77", "%", False, True,
     {"direction": "down"}),
    ("Our economy grew at a rate of 5.7% last year.", "5.7%", "PERCENT", "5.7", "%", False, True,
     {"direction": "up"}),
    ("The document ranges from ten to 32 pages.", "ten to 32", "COUNT", "10", None, False, False,
     {"value_max": "32", "metric": "pages"}),
    ("Foreign direct investment reached US$1.5 billion.", "US$1.5 billion", "MONEY",
     "1500000000", "USD", False, False, {"metric": "foreign direct investment"}),
    ("The company paid HK$200 million in fines.", "HK$200 million", "MONEY", "200000000", "HKD",
     False, False, {"metric": "fines"}),
    ("The deal is valued at USD 2.5 billion.", "USD 2.5 billion", "MONEY", "2500000000", "USD",
     False, False, {}),
    ("Kazakhstan will invest 1.5 trillion tenge in roads.", "1.5 trillion tenge", "MONEY",
     "1500000000000", "KZT", False, False, {"scale": 10**12}),
    ("Revenue reached 850 million euros.", "850 million euros", "MONEY", "850000000", "EUR",
     False, False, {"metric": "revenue"}),
    ("The loan totals 300 million dollars.", "300 million dollars", "MONEY", "300000000", "USD",
     False, False, {}),
    ("The fine was 5,000 pounds.", "5,000 pounds", "MONEY", "5000", "GBP", False, False, {}),
    ("The tunnel is 20 miles long.", "20 miles", "QUANTITY", "20", "mi", False, False, {}),
    ("Over 65,000 miles of highway will be repaired.", "65,000 miles", "QUANTITY", "65000", "mi",
     True, False, {"bound": "lower", "metric": "highway"}),
    ("The airport was closed for 48 hours.", "48 hours", "QUANTITY", "48", "h", False, False, {}),
    ("Unemployment stood at 4.1% in 2023.", "4.1%", "PERCENT", "4.1", "%", False, False,
     {"metric": "unemployment", "period": "2023"}),
    ("Exports to China amounted to $2.3bn in January–September 2024.", "$2.3bn", "MONEY",
     "2300000000", "USD", False, False,
     {"period": "2024-01/2024-09", "metric": "exports", "subject": "China"}),
    ("The minimum wage will rise to $15 an hour.", "$15", "MONEY", "15", "USD", False, False,
     {"period": "hourly"}),
    ("Inflation was 3.2% in the first quarter of 2024.", "3.2%", "PERCENT", "3.2", "%", False,
     False, {"period": "2024-01/2024-03", "metric": "inflation"}),
    ("Exports rose by 12 percent to 3.4 million tonnes.", "12 percent", "PERCENT", "12", "%",
     False, True, {"direction": "up"}),
    ("Exports rose by 12 percent to 3.4 million tonnes.", "3.4 million tonnes", "QUANTITY",
     "3400000", "t", False, False, {}),
    ("Temperatures dropped to −5 degrees Celsius overnight.", "−5 degrees Celsius", "QUANTITY",
     "-5", "°C", False, False, {}),
    ("The ministry paid zero dollars in compensation.", "zero dollars", "MONEY", "0", "USD", False,
     False, {}),
    ("The deficit was cut by more than one trillion dollars.", "one trillion dollars", "MONEY",
     "1000000000000", "USD", True, True, {"direction": "down", "bound": "lower"}),
    ("The broadcasts ended after an 11-year lull.", "11-year", "QUANTITY", "11", "yr", False,
     False, {}),
    ("A 13-year-old boy was rescued.", "13-year-old", "QUANTITY", "13", "yr", False, False, {}),
    ("Drug companies charge up to 30 times more.", "30 times", "QUANTITY", "30", "x", True, False,
     {"bound": "upper"}),
    ("Pre-K for every 3- and 4-year-old.", "3- and 4-year-old", "QUANTITY", "3", "yr", False,
     False, {"value_max": "4"}),
    ("The petition now has more than 11,000 signatures.", "11,000", "COUNT", "11000", None, True,
     False, {"metric": "signatures"}),
    ("Prices rose by as much as 1,000% during the pandemic.", "1,000%", "PERCENT", "1000", "%",
     True, True, {"bound": "upper", "direction": "up"}),
]


def _cursor(sentence: str, span: str) -> tuple[int, int]:
    start = sentence.index(span)
    digits = [i for i, char in enumerate(span) if char.isdigit()]
    return start, start + (digits[0] if digits else 0)


@pytest.mark.parametrize(
    ("sentence", "span", "kind", "value", "unit", "approximate", "change", "extra"), CASES
)
def test_parse_figure_phrasings(
    sentence: str, span: str, kind: str, value: str | None, unit: str | None,
    approximate: bool, change: bool, extra: dict[str, Any],
) -> None:
    start, cursor = _cursor(sentence, span)
    figure = parse_figure(sentence, cursor)
    assert figure is not None
    assert (figure.start, figure.end, figure.text) == (start, start + len(span), span)
    assert figure.kind == kind
    assert figure.value == (None if value is None else Decimal(value))
    assert figure.unit == unit
    assert figure.approximate is approximate
    assert figure.change is change
    for name, expected in extra.items():
        actual = getattr(figure, name)
        if name == "value_max":
            expected = Decimal(expected)
        assert actual == expected, name


def test_cursor_inside_number_expands_to_expression() -> None:
    cursor = KZ.index("49.7") + 2
    figure = parse_figure(KZ, cursor)
    assert figure is not None
    assert figure.text == "$49.7 billion"
    assert figure.value == Decimal("49700000000")
    assert figure.scale == 10**9


def test_selection_picks_the_overlapping_figure() -> None:
    start = KZ.index("38.6")
    figure = parse_figure(KZ, start, start + 4)
    assert figure is not None and figure.text == "$38.6 billion"
    wide = KZ.index("export was")
    figure = parse_figure(KZ, wide, KZ.index(" and imports"))
    assert figure is not None and figure.text == "$38.6 billion"


def test_cursor_right_after_figure_still_finds_it() -> None:
    text = "Turnout was 58%."
    figure = parse_figure(text, text.index("."))
    assert figure is not None and figure.text == "58%"


def test_parse_figure_returns_weak_figures_the_finder_skips() -> None:
    text = "Officer Rivera was 22."
    figure = parse_figure(text, text.index("22"))
    assert figure is not None and figure.kind == "COUNT" and figure.value == 22
    assert find_figures(text) == []


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("Microsoft released Internet Explorer 6 to the public.", "6"),
        ("Article 5 of the treaty was invoked.", "5"),
        ("COVID-19 cases fell sharply.", "19"),
        ("She finished 13th in the race.", "13"),
        ("They were responding to a 9-1-1 call.", "1"),
        ("Shells fell near posts 542 and 543.", "543"),
        ("It is the #2 browser after Firefox.", "2"),
        ("Nothing numeric here at all.", "numeric"),
    ],
)
def test_identifiers_and_ordinals_are_not_figures(text: str, target: str) -> None:
    assert parse_figure(text, text.index(target)) is None
    assert find_figures(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "It is one of the largest banks in the region.",
        "This was the first time the council met.",
        "Two of the hardest years this nation has faced.",
        "One in ten Americans has diabetes.",
        "He won the 21st Century prize for Movimento 5 Stelle and IE9 users.",
        "Billions of dollars and hundreds of millions of tests were wasted.",
    ],
)
def test_finder_skips_non_figures(text: str) -> None:
    assert find_figures(text) == []


def test_find_figures_sorted_non_overlapping_with_from_to_levels() -> None:
    text = "Seats increased from 9 to 10, while investment rose from $20 billion to $100 billion."
    figures = find_figures(text)
    assert [f.text for f in figures] == ["9", "10", "$20 billion", "$100 billion"]
    assert [f.kind for f in figures] == ["COUNT", "COUNT", "MONEY", "MONEY"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(figures))
    assert not any(f.change for f in figures)


def test_offsets_are_code_points_with_non_ascii_text() -> None:
    text = "“Kazakhstan’s” 🇰🇿 export – was $38.6 billion."
    (figure,) = find_figures(text)
    assert text[figure.start : figure.end] == "$38.6 billion" == figure.text


def test_split_sentences_keeps_abbreviations_and_wrapped_lines() -> None:
    text = "The U.S. Department met Mr. Smith. Investment rose from  \n$20 billion. Next one."
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "The U.S. Department met Mr. Smith.",
        "Investment rose from  \n$20 billion.",
        "Next one.",
    ]


def test_period_is_iso_with_open_and_closed_intervals() -> None:
    """Periods are ISO 8601 intervals, not labels ("2005–9M2024" before)."""
    since = find_figures("Public debt has risen to about 24 percent of GDP since 2020.")
    assert [(f.text, f.period) for f in since if f.kind != "DATE"] == [("24 percent", "2020/")]
    between = find_figures("Prices rose 5% between 2004 and 2009.")
    assert [f.period for f in between if f.kind != "DATE"] == ["2004/2009"]


def test_subject_falls_back_to_an_entity_of_the_sentence() -> None:
    text = "Last year more than 3,000 companies with foreign owners operated in Kazakhstan."
    [count] = [f for f in find_figures(text) if f.kind == "COUNT"]
    assert (count.metric, count.subject) == ("companies", "Kazakhstan")
    parsed = parse_figure(text, text.index("3,000"))
    assert parsed is not None and parsed.subject == "Kazakhstan"
    assert find_figures("The fee rose to 40 euros.")[0].subject is None


def test_found_figures_are_the_dataclass_built_normally() -> None:
    """``find_figures`` builds its records without ``ParsedFigure.__init__`` (speed): they
    must equal, hash and print as the constructor's, every field set, still frozen."""
    from dataclasses import FrozenInstanceError, fields

    from storage.figures import ParsedFigure

    figure = find_figures(KZ)[1]
    built = ParsedFigure(**{f.name: getattr(figure, f.name) for f in fields(ParsedFigure)})
    assert figure == built and hash(figure) == hash(built) and repr(figure) == repr(built)
    assert list(vars(figure)) == [f.name for f in fields(ParsedFigure)] == list(vars(built))
    assert (figure.text, figure.value, figure.metric) == (
        "$49.7 billion", Decimal("49700000000"), "trade turnover"
    )
    with pytest.raises(FrozenInstanceError):
        figure.start = 0  # type: ignore[misc]
