"""Rule-based entity suggester, and the optional spaCy model suggester."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.suggest import (
    ModelNotFound,
    Suggestion,
    model_available,
    suggest_entities,
    suggest_with_model,
)


def labelled(text: str) -> list[tuple[str, str]]:
    return [(s.text, s.label) for s in suggest_entities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # titles: the name, never the title
        ("Foreign Minister Murat Nurtleu arrived.", [("Murat Nurtleu", "PERSON")]),
        ("President Zelenskyy spoke.", [("Zelenskyy", "PERSON")]),
        ("Mr Smith left early.", [("Smith", "PERSON")]),
        ("the chair, Mr. Toccafondi, says no", [("Toccafondi", "PERSON")]),
        ("Dr Amelia Zhou said", [("Amelia Zhou", "PERSON")]),
        ("Prime Minister Rishi Sunak's plan", [("Rishi Sunak", "PERSON")]),
        ("Mrs May resigned.", [("May", "PERSON")]),
        ("Minister of Education Stefania Giannini said", [("Stefania Giannini", "PERSON")]),
        ("Secretary-General António Guterres urged calm.", [("António Guterres", "PERSON")]),
        (
            "Vice-President of the European Commission Kaja Kallas",
            [("European Commission", "ORG"), ("Kaja Kallas", "PERSON")],
        ),
        (
            "CEO of the Refugee Council Enver Solomon said",
            [("Refugee Council", "ORG"), ("Enver Solomon", "PERSON")],
        ),
        # lower-case roles
        ("the mayor Luca Pastorino refused", [("Luca Pastorino", "PERSON")]),
        ("immigration barrister Colin Yeo said", [("Colin Yeo", "PERSON")]),
        # given names, family names, East Asian shapes
        ("Roberto Maroni has reacted.", [("Roberto Maroni", "PERSON")]),
        ("Claudio De Vincenti said", [("Claudio De Vincenti", "PERSON")]),
        ("they elected Starry Lee again", [("Starry Lee", "PERSON")]),
        ("Leung Kwok-hung was elected", [("Leung Kwok-hung", "PERSON")]),
        ("and Kim Jong-un issued an order", [("Kim Jong-un", "PERSON")]),
        # organisation heads
        ("the European Space Agency said", [("European Space Agency", "ORG")]),
        ("a ruling by the Competition Commission", [("Competition Commission", "ORG")]),
        ("The Ministry of Defence confirmed", [("Ministry of Defence", "ORG")]),
        ("shares of Northwind Traders Ltd rose", [("Northwind Traders Ltd", "ORG")]),
        ("Acme Widgets Inc said", [("Acme Widgets Inc", "ORG")]),
        ("members of the Civic Party", [("Civic Party", "ORG")]),
        ("the Legislative Council met", [("Legislative Council", "ORG")]),
        ("the African Union said", [("African Union", "ORG")]),
        ("the Eurasian Development Bank lent", [("Eurasian Development Bank", "ORG")]),
        (
            "The Union of Rationalist Atheists and Agnostics sued",
            [("Union of Rationalist Atheists and Agnostics", "ORG")],
        ),
        (
            "the Joint Council for the Welfare of Immigrants",
            [("Joint Council for the Welfare of Immigrants", "ORG")],
        ),
        ("the Korean People's Army fired", [("Korean People's Army", "ORG")]),
        ("the firm Secunia.com said", [("Secunia.com", "ORG")]),
        ("Microsoft announced it", [("Microsoft", "ORG")]),
        # countries, cities, places
        ("talks in Kazakhstan and Uzbekistan", [("Kazakhstan", "GPE"), ("Uzbekistan", "GPE")]),
        ("Uzbekistan's Samarkand", [("Uzbekistan", "GPE"), ("Samarkand", "GPE")]),
        ("ASTANA, Kazakhstan, March 28.", [("ASTANA", "GPE"), ("Kazakhstan", "GPE")]),
        ("the Republic of Kazakhstan", [("Republic of Kazakhstan", "GPE")]),
        ("the Municipality of Livorno asked", [("Municipality of Livorno", "GPE")]),
        ("the pro-Beijing camp", [("Beijing", "GPE")]),
        ("markets of the Middle East and Africa", [("Middle East", "LOC"), ("Africa", "LOC")]),
        ("Image: UK Government.", [("UK", "GPE")]),
        # nationalities
        ("Kazakhstani citizens", [("Kazakhstani", "NORP")]),
        ("Kazakh-European cooperation", [("Kazakh", "NORP"), ("European", "NORP")]),
        ("South Korean troops", [("South Korean", "NORP")]),
        ("Catholic and Muslim schools", [("Catholic", "NORP"), ("Muslim", "NORP")]),
        ("the British Red Cross", [("British Red Cross", "ORG")]),
        # acronyms and repeats
        (
            "the Korean Central News Agency (KCNA) said; KCNA added",
            [("Korean Central News Agency", "ORG"), ("KCNA", "ORG"), ("KCNA", "ORG")],
        ),
        (
            "FTU's Alice Mak and Wong Kwok-kin of FTU",
            [("FTU", "ORG"), ("Alice Mak", "PERSON"), ("Wong Kwok-kin", "PERSON"), ("FTU", "ORG")],
        ),
        (
            "Kaja Kallas met him. Kallas assured them.",
            [("Kaja Kallas", "PERSON"), ("Kallas", "PERSON")],
        ),
    ],
)
def test_rules_find(text: str, expected: list[tuple[str, str]]) -> None:
    assert labelled(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The talks ended. In the end, However it went, nobody came.",
        "However, the minister said that Yesterday was busy.",
        "Both sides agreed. According to officials, Other matters remain.",
        "Will Smith and Grace Kelly are actors.",
        "May is a month. In May they voted.",
        "the Paris Agreement and the Partnership and Cooperation Agreement",
        "the upcoming European Union Summit",
        "Google Chrome and Mozilla Firefox",
        "the Hong Kong Island constituency",
        "the Neo Democrats",
        "it must be completed in English, or in English in a week; speak English",
        "Image: Photo Credit. Monday, January 5",
        "The Court has ruled. The Commission said. The Party met.",
        "",
    ],
)
def test_no_entities(text: str) -> None:
    assert suggest_entities(text) == []


def test_surname_repeat_not_taken_when_it_is_a_common_word() -> None:
    text = "Nathan Law won. Law enforcement was present and the law held."
    assert labelled(text) == [("Nathan Law", "PERSON")]


def test_event_blocks_an_organisation_head() -> None:
    assert labelled("the Central Asia – European Union Summit") == [("Central Asia", "LOC")]


def test_suggestion_fields_and_offsets() -> None:
    text = "🙂 Talks: 北京 and Foreign Minister Murat Nurtleu in Kazakhstan’s capital."
    found = suggest_entities(text)
    assert [s.text for s in found] == ["Murat Nurtleu", "Kazakhstan"]
    for suggestion in found:
        assert isinstance(suggestion, Suggestion)
        assert text[suggestion.start : suggestion.end] == suggestion.text
        assert (suggestion.layer, suggestion.origin) == ("entity", "rule")
        assert 0.0 < suggestion.score <= 1.0
    assert found[1].entity_name == "Kazakhstan"


def test_list_hits_carry_the_canonical_name() -> None:
    [uk, dprk] = suggest_entities("the UK and the DPRK")
    assert (uk.entity_name, dprk.entity_name) == ("United Kingdom", "North Korea")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Kazakhstan",
                "EU",
                "Mr",
                "Kallas",
                "Kaja",
                "the",
                "The",
                "of",
                "Party",
                "Civic",
                "Union",
                "(KCNA)",
                "KCNA",
                "Agency",
                "'s",
                "’s",
                " ",
                "  ",
                "\n",
                ".",
                ",",
                "-",
                "pro-",
                "Summit",
                "Minister",
                "Lee",
                "Kwok-hung",
                "🙂",
                "é",
                "Ministry",
                "for",
            ]
        ),
        max_size=40,
    ).map(" ".join)
)
def test_any_text_gives_valid_sorted_non_overlapping_spans(text: str) -> None:
    found = suggest_entities(text)
    previous_end = 0
    for suggestion in found:
        assert 0 <= suggestion.start < suggestion.end <= len(text)
        assert text[suggestion.start : suggestion.end] == suggestion.text
        assert suggestion.start >= previous_end
        previous_end = suggestion.end
        assert suggestion.label in {"PERSON", "ORG", "GPE", "LOC", "NORP"}


def test_importing_suggesters_does_not_import_spacy() -> None:
    code = (
        "import sys, storage.suggest as s; s.suggest_entities('Talks in Astana');"
        "assert 'spacy' not in sys.modules, 'spacy imported';"
        "assert 'textual' not in sys.modules, 'textual imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- optional spaCy pipeline -------------------------------------------------------------


def test_missing_model_is_one_clear_error() -> None:
    name = "xx_redline_no_such_pipeline"
    assert not model_available(name)
    with pytest.raises(ModelNotFound) as raised:
        suggest_with_model(["text"], name)
    message = str(raised.value)
    assert message == (f"spaCy pipeline '{name}' is not installed (pip install it or pass a path)")
    assert "\n" not in message


@pytest.mark.parametrize("name", ["", "no/such/dir", "spacy-not-a-module-name"])
def test_model_available_rejects_non_pipelines(name: str, tmp_path: Path) -> None:
    assert not model_available(name)
    assert not model_available(str(tmp_path))  # a directory without config.cfg


def test_blank_pipeline_on_disk_loads_and_returns_no_entities(tmp_path: Path) -> None:
    import spacy

    path = tmp_path / "blank_en"
    spacy.blank("en").to_disk(path)
    assert model_available(str(path))
    results = list(suggest_with_model(["Kaja Kallas met Murat Nurtleu.", "Second."], str(path)))
    assert results == [[], []]


def test_pipeline_entities_become_suggestions_with_offsets(tmp_path: Path) -> None:
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "ORG", "pattern": "Microsoft", "id": "Q2283"},
            {"label": "GPE", "pattern": "北京"},
            {"label": "CARDINAL", "pattern": "three"},
        ]
    )
    path = tmp_path / "ruler_en"
    nlp.to_disk(path)
    text = "🙂 Microsoft opened three offices in 北京 ."
    [found] = list(suggest_with_model([text], str(path)))
    assert [(s.text, s.label, s.origin, s.kb_id) for s in found] == [
        ("Microsoft", "ORG", "model", "Q2283"),
        ("北京", "GPE", "model", None),
    ]
    assert all(text[s.start : s.end] == s.text for s in found)
    [with_figures] = list(suggest_with_model([text], str(path), include_figure_labels=True))
    assert [s.label for s in with_figures] == ["ORG", "CARDINAL", "GPE"]
