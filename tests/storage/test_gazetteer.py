"""Gazetteer: whole words, case policy, longest match, 50,000 entries, user files."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, fields
from pathlib import Path

import pytest

from storage.suggest.gazetteer import (
    EXACT_SCORE,
    VARIANT_SCORE,
    Gazetteer,
    GazetteerEntry,
    GazetteerFileError,
    case_variants,
)
from storage.suggest.suggestion import Suggestion


def spans(gazetteer: Gazetteer, text: str) -> list[tuple[str, str]]:
    return [(s.text, s.label) for s in gazetteer.find(text)]


@pytest.fixture
def places() -> Gazetteer:
    return Gazetteer(
        [
            GazetteerEntry("Kazakhstan", "GPE", kb_id="Q232"),
            GazetteerEntry("New York", "GPE"),
            GazetteerEntry("New York City", "GPE"),
            GazetteerEntry("York", "GPE"),
            GazetteerEntry("Astana", "GPE"),
            GazetteerEntry("US", "GPE", entity_name="United States"),
            GazetteerEntry("NATO", "ORG"),
            GazetteerEntry("bitcoin", "PRODUCT"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Talks in Kazakhstan.", [("Kazakhstan", "GPE")]),
        ("Kazakhstani citizens", []),
        ("AKazakhstan", []),
        ("Kazakhstan2", []),
        ("pro-Kazakhstan rally", [("Kazakhstan", "GPE")]),
        ("Kazakhstan's exports", [("Kazakhstan", "GPE")]),
        ("Kazakhstan’s exports", [("Kazakhstan", "GPE")]),
        ("(Kazakhstan)", [("Kazakhstan", "GPE")]),
        ("Kazakhstan", [("Kazakhstan", "GPE")]),
        ("Yorkshire and York", [("York", "GPE")]),
    ],
)
def test_matches_whole_words_only(places: Gazetteer, text: str, expected: list) -> None:
    assert spans(places, text) == expected


@pytest.mark.parametrize(
    ("text", "expected", "score"),
    [
        ("Astana", "Astana", EXACT_SCORE),
        ("ASTANA, March 28", "ASTANA", VARIANT_SCORE),
        ("the US and Russia", "US", EXACT_SCORE),
        ("Nato allies", "Nato", VARIANT_SCORE),
        ("Bitcoin fell", "Bitcoin", VARIANT_SCORE),
        ("BITCOIN", "BITCOIN", VARIANT_SCORE),
    ],
)
def test_case_variants_match(places: Gazetteer, text: str, expected: str, score: float) -> None:
    [hit] = places.find(text)
    assert hit.text == expected
    assert hit.score == score


@pytest.mark.parametrize("text", ["astana", "Us too", "us", "nato", "kazakhstan", "KaZakhstan"])
def test_other_case_forms_do_not_match(places: Gazetteer, text: str) -> None:
    assert places.find(text) == []


def test_case_variant_rules() -> None:
    assert case_variants("Astana") == ["ASTANA"]
    assert case_variants("bitcoin") == ["BITCOIN", "Bitcoin"]
    assert case_variants("NATO") == ["Nato"]
    assert case_variants("US") == []
    assert case_variants("WHO") == []
    assert case_variants("U.S.") == []


def test_exact_entry_beats_a_variant_of_another_entry() -> None:
    gazetteer = Gazetteer([GazetteerEntry("Reading", "GPE"), GazetteerEntry("READING", "ORG")])
    assert spans(gazetteer, "READING") == [("READING", "ORG")]
    assert spans(gazetteer, "Reading") == [("Reading", "GPE")]


def test_longest_match_wins_when_matches_overlap(places: Gazetteer) -> None:
    assert spans(places, "in New York City today") == [("New York City", "GPE")]
    assert spans(places, "New York and York") == [("New York", "GPE"), ("York", "GPE")]


def test_overlap_across_different_entries_keeps_the_longest() -> None:
    gazetteer = Gazetteer(
        [
            GazetteerEntry("Central Asia", "LOC"),
            GazetteerEntry("Asia Pacific Bank", "ORG"),
        ]
    )
    assert spans(gazetteer, "Central Asia Pacific Bank") == [("Asia Pacific Bank", "ORG")]


def test_suggestion_fields(places: Gazetteer) -> None:
    text = "🙂 Kazakhstan and the US"
    first, second = places.find(text)
    assert (first.start, first.end) == (2, 12)
    assert text[first.start : first.end] == first.text == "Kazakhstan"
    assert (first.layer, first.origin, first.kb_id) == ("entity", "gazetteer", "Q232")
    assert first.entity_name == "Kazakhstan"
    assert second.entity_name == "United States"


def test_found_suggestions_are_the_dataclass_built_normally(places: Gazetteer) -> None:
    """``find`` builds its suggestions without ``Suggestion.__init__`` (speed): they must
    equal, hash and print as the ones the constructor makes, every field set."""
    [found] = places.find("in Kazakhstan.")
    built = Suggestion(
        start=3,
        end=13,
        text="Kazakhstan",
        layer="entity",
        label="GPE",
        origin="gazetteer",
        score=EXACT_SCORE,
        kb_id="Q232",
        entity_name="Kazakhstan",
    )
    assert found == built and hash(found) == hash(built) and repr(found) == repr(built)
    assert vars(found) == vars(built) and list(vars(found)) == [f.name for f in fields(built)]
    with pytest.raises(FrozenInstanceError):
        found.start = 0  # type: ignore[misc]


def test_first_entry_for_a_surface_form_wins_and_len_counts_distinct() -> None:
    gazetteer = Gazetteer([GazetteerEntry("Georgia", "GPE"), GazetteerEntry("Georgia", "PERSON")])
    assert len(gazetteer) == 1
    assert spans(gazetteer, "Georgia") == [("Georgia", "GPE")]


def test_empty_gazetteer_and_empty_text(places: Gazetteer) -> None:
    assert Gazetteer([]).find("anything") == []
    assert len(Gazetteer([])) == 0
    assert places.find("") == []


def test_entries_are_nfc_normalised() -> None:
    decomposed = "Sa\u0303o Paulo"  # "ã" as a + combining tilde
    gazetteer = Gazetteer([GazetteerEntry(decomposed, "GPE")])
    assert spans(gazetteer, "in São Paulo") == [("São Paulo", "GPE")]


def test_fifty_thousand_entries_build_one_automaton_and_find_correctly() -> None:
    entries = [
        GazetteerEntry(f"Entity{i:05d} Holdings", "ORG", kb_id=f"K{i}") for i in range(50_000)
    ]
    entries.append(GazetteerEntry("Entity00042", "PERSON"))
    gazetteer = Gazetteer(entries)
    assert len(gazetteer) == 50_001
    text = "Entity00042 Holdings rose; Entity49999 Holdings fell; Entity00042 left; Entity7 no."
    found = gazetteer.find(text)
    assert [(s.text, s.label, s.kb_id) for s in found] == [
        ("Entity00042 Holdings", "ORG", "K42"),
        ("Entity49999 Holdings", "ORG", "K49999"),
        ("Entity00042", "PERSON", None),
    ]
    assert all(text[s.start : s.end] == s.text for s in found)


def test_tsv_file(tmp_path: Path) -> None:
    path = tmp_path / "names.tsv"
    path.write_text(
        "# my gazetteer\n"
        "Kaja Kallas\tPERSON\tQ3741406\n"
        "\n"
        "Trend News Agency\tORG\n"
        "  # indented comment\n",
        "utf-8",
    )
    gazetteer = Gazetteer.from_file(path)
    assert len(gazetteer) == 2
    found = gazetteer.find("Kaja Kallas told Trend News Agency.")
    assert [(s.text, s.label, s.kb_id, s.origin) for s in found] == [
        ("Kaja Kallas", "PERSON", "Q3741406", "gazetteer"),
        ("Trend News Agency", "ORG", None, "gazetteer"),
    ]


def test_jsonl_file(tmp_path: Path) -> None:
    path = tmp_path / "names.jsonl"
    lines = [
        {"text": "Murat Nurtleu", "label": "PERSON", "kb_id": "Q123"},
        {"text": "EU", "label": "ORG", "entity_name": "European Union"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", "utf-8")
    found = Gazetteer.from_file(path).find("Murat Nurtleu met the EU.")
    assert [(s.text, s.kb_id, s.entity_name) for s in found] == [
        ("Murat Nurtleu", "Q123", "Murat Nurtleu"),
        ("EU", None, "European Union"),
    ]


def test_jsonl_is_recognised_by_content_too(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text('{"text": "Astana", "label": "GPE"}\n', "utf-8")
    assert spans(Gazetteer.from_file(path), "Astana") == [("Astana", "GPE")]


@pytest.mark.parametrize(
    ("name", "content", "line", "problem"),
    [
        ("g.tsv", "Astana\tGPE\nBrussels\n", 2, "expected text<TAB>label"),
        ("g.tsv", "a\tb\tc\td\n", 1, "found 4 tab-separated"),
        ("g.tsv", "# c\n\nAstana\t\n", 3, "label is empty"),
        ("g.tsv", "\tGPE\n", 1, "text is empty"),
        ("g.tsv", "Astana\tG P E\n", 1, "contains whitespace"),
        ("g.jsonl", '{"text": "A", "label": "GPE"}\n{"text": "B", "label": \n', 2, "invalid JSON"),
        ("g.jsonl", '["Astana", "GPE"]\n', 1, "expected a JSON object"),
        ("g.jsonl", '{"label": "GPE"}\n', 1, "'text' must be a string"),
        ("g.jsonl", '{"text": "Astana", "label": 3}\n', 1, "'label' must be a string"),
        ("g.jsonl", '{"text": "Astana", "label": "GPE", "kb_id": 7}\n', 1, "'kb_id' must be"),
        ("g.jsonl", '{"text": " ", "label": "GPE"}\n', 1, "text is empty"),
    ],
)
def test_bad_lines_name_the_file_and_line(
    tmp_path: Path, name: str, content: str, line: int, problem: str
) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    with pytest.raises(GazetteerFileError) as raised:
        Gazetteer.from_file(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:{line}: ")
    assert problem in message
    assert "\n" not in message


def test_unreadable_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteerFileError, match="cannot read"):
        Gazetteer.from_file(tmp_path / "missing.tsv")
