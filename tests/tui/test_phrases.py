"""The phrase key's choices, without an app: real phrasings from several sample articles.

Each row is (sentence as it appears in an article, the word the cursor is on,
the name selected first, the longer phrase selected on the second press or
None when there is none). Bounds come from the project's one tokenizer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.figures.quality import article_text
from tui import tokens
from tui.screens.reader import phrases

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "data" / "gold" / "entities"
NOT_MEASURED_YET = "09_us_state_of_the_union_2022_long"
"""Entity gold added after this measure (issue 13): 246 of its 279 mentions (88 %) are right
at the first press; the misses are names glued to an em dash and titles taken in
(``Officer``, ``Justice``, ``Sergeant First Class``)."""

KAZAKHSTAN = [
    (
        "Special attention was given to the further effective implementation of the "
        "Partnership and Cooperation Agreement between Kazakhstan and the European Union.",
        "Cooperation",
        "Partnership and Cooperation Agreement",
        None,
    ),
    (
        "In the context of developing the Trans-Caspian International Transport Route, "
        "Nurtleu pointed out the need.",
        "Caspian",
        "Trans-Caspian International Transport Route",
        None,
    ),
    (
        "Vice-President of the European Commission Kaja Kallas, Trend reports.",
        "Kallas",
        "Kaja Kallas",
        "Vice-President of the European Commission Kaja Kallas",
    ),
    (
        "Vice-President of the European Commission Kaja Kallas, Trend reports.",
        "Commission",
        "European Commission",
        "Vice-President of the European Commission Kaja Kallas",
    ),
    (
        "Deputy Prime Minister – Minister of Foreign Affairs of the Republic of Kazakhstan, "
        "Murat Nurtleu, held a meeting",
        "Republic",
        "Republic of Kazakhstan",
        "Deputy Prime Minister – Minister of Foreign Affairs of the Republic of Kazakhstan",
    ),
    (
        "Deputy Prime Minister – Minister of Foreign Affairs of the Republic of Kazakhstan, "
        "Murat Nurtleu, held a meeting",
        "Murat",
        "Murat Nurtleu",
        None,
    ),
    (
        "the upcoming Central Asia – European Union Summit in Uzbekistan's Samarkand.",
        "Asia",
        "Central Asia",
        "Central Asia – European Union Summit",
    ),
    (
        "the upcoming Central Asia – European Union Summit in Uzbekistan's Samarkand.",
        "Uzbekistan",
        "Uzbekistan",
        None,
    ),
    (
        "with the High Representative of the European Union for Foreign Affairs and "
        "Security Policy, Vice-President",
        "Union",
        "European Union",
        "High Representative of the European Union for Foreign Affairs and Security Policy",
    ),
    (
        "access to the markets of the Middle East and Africa.",
        "East",
        "Middle East",
        "Middle East and Africa",
    ),
    ("The European Union is Kazakhstan’s main trading partner.", "Union", "European Union", None),
    ("For her part, Kallas assured of the EU’s commitment", "EU", "EU", None),
    (
        "underscored to the EU High Representative the importance",
        "EU",
        "EU",
        "EU High Representative",
    ),
    (
        "Stay up-to-date with more news on Trend News Agency's WhatsApp",
        "News",
        "Trend News Agency",
        None,
    ),
]

HONG_KONG = [
    (
        "Other anti-establishment candidates elected in this district were localist camp's "
        "Cheng Chung-tai of Civic Passion, pan-democracy camp's Kwok Ka-ki",
        "Chung",
        "Cheng Chung-tai",
        "Cheng Chung-tai of Civic Passion",
    ),
    (
        "pan-democracy camp's Kwok Ka-ki and Andrew Wan of respectively Civic Party",
        "Kwok",
        "Kwok Ka-ki",
        "Kwok Ka-ki and Andrew Wan",
    ),
    (
        "The pro-Beijing camp candidates elected were New People Party's Michael Tien",
        "Beijing",
        "Beijing",
        None,
    ),
    (
        "The pro-Beijing camp candidates elected were New People Party's Michael Tien",
        "Tien",
        "Michael Tien",
        None,
    ),
    (
        "In the New Territories West geographical constituency, nonpartisan pan-democrat",
        "Territories",
        "New Territories West",
        None,
    ),
    (
        "Lee Cheuk-yan of the Labour Party",
        "Labour",
        "Labour Party",
        "Lee Cheuk-yan of the Labour Party",
    ),
]

NORTH_KOREA = [
    (
        "quoting North Korea's main news agency Korean Central News Agency (KCNA), the country's",
        "Central",
        "Korean Central News Agency",
        None,
    ),
    ("quoting North Korea's main news agency", "Korea", "North Korea", None),
    (
        "\"Kim Jong-un issued an order of the supreme commander of the Korean People's Army [KPA]",
        "Jong",
        "Kim Jong-un",
        None,
    ),
    (
        "of the supreme commander of the Korean People's Army [KPA] that the front-line",
        "Army",
        "Korean People's Army",
        None,
    ),
    (
        "loudspeaker in South Korea that broadcasts anti-Pyongyang propaganda",
        "Pyongyang",
        "Pyongyang",
        None,
    ),
]

ELSEWHERE = [  # articles the rules were not written from (no gold set)
    (
        "pass the American Rescue Plan to help working people",
        "Rescue",
        "American Rescue Plan",
        None,
    ),
    ("Putin's war on Ukraine, Xi Jinping and others", "Jinping", "Xi Jinping", None),
    ("our troops in Iraq and Afghanistan faced", "Iraq", "Iraq", "Iraq and Afghanistan"),
    ("the United States Supreme Court ruled", "Supreme", "United States Supreme Court", None),
    ("a spokesperson told Sky News that", "Sky", "Sky News", None),
    (
        "the Municipality of Livorno asked the schools",
        "Livorno",
        "Municipality of Livorno",
        None,
    ),
    (
        "Undersecretary Claudio De Vincenti said",
        "Vincenti",
        "Claudio De Vincenti",
        "Undersecretary Claudio De Vincenti",
    ),
]

OTHER = [
    (
        "German Chancellor Olaf Scholz met President Joe Biden",
        "Biden",
        "Joe Biden",
        "President Joe Biden",
    ),
    (
        "said Commission President Ursula von der Leyen on Friday",
        "Leyen",
        "Ursula von der Leyen",
        "Commission President Ursula von der Leyen",
    ),
    ("shares of Procter & Gamble rose", "Gamble", "Procter & Gamble", None),
    (
        "German Chancellor Olaf Scholz said",
        "German",
        "German",
        "German Chancellor Olaf Scholz",
    ),
    (
        "Kazakhstan Trade Minister Arman Shakkaliyev signed",
        "Trade",
        "Trade Minister",
        "Kazakhstan Trade Minister Arman Shakkaliyev",
    ),
    ("the World Trade Organization ruled", "Trade", "World Trade Organization", None),
    (
        "the Ministry of Science and Higher Education said",
        "Higher",
        "Ministry of Science and Higher Education",
        None,
    ),
    ("the US-led coalition", "US", "US", None),
    ("on Friday, September 9, 2016", "September", "September", None),
]


def _choices(sentence: str, word: str) -> list[str]:
    offset = sentence.index(word)
    found = phrases.choices(sentence, tokens.token_bounds(sentence), offset)
    return [sentence[start:end] for start, end in found]


@pytest.mark.parametrize(
    ("sentence", "word", "name", "phrase"),
    [*KAZAKHSTAN, *HONG_KONG, *NORTH_KOREA, *ELSEWHERE, *OTHER],
)
def test_the_name_first_then_the_phrase(
    sentence: str, word: str, name: str, phrase: str | None
) -> None:
    expected = [name] if phrase is None else [name, phrase]
    assert _choices(sentence, word) == expected


def test_a_connector_between_names_selects_what_it_joins() -> None:
    sentence = "the Partnership and Cooperation Agreement between Kazakhstan and the European Union"
    assert _choices(sentence, "and Cooperation") == ["Partnership and Cooperation Agreement"]
    assert _choices(sentence, "and the") == ["Kazakhstan and the European Union"]


def test_connectors_and_function_words_never_end_or_start_a_name() -> None:
    assert _choices("the Bank of the", "Bank") == ["Bank"]  # "of" with nothing after it
    assert _choices("The Hague and", "Hague") == ["Hague"]  # "The" starts a sentence
    assert _choices("Kazakhstan and others", "Kazakhstan") == ["Kazakhstan"]


def test_plain_words_and_whitespace() -> None:
    assert _choices("the need for joint practical steps", "joint") == ["joint"]
    text = "Kaja  Kallas"
    assert phrases.choices(text, tokens.token_bounds(text), 5) == []  # on a space
    assert _choices("Astana\nBrussels", "Astana") == ["Astana"]  # never across a line break


def test_next_choice_cycles_and_starts_over_elsewhere() -> None:
    found = [(0, 4), (0, 20)]
    assert phrases.next_choice(found, None) == (0, 4)
    assert phrases.next_choice(found, (0, 4)) == (0, 20)
    assert phrases.next_choice(found, (0, 20)) == (0, 4)
    assert phrases.next_choice(found, (3, 9)) == (0, 4)
    assert phrases.next_choice([], None) is None


def _first_press(folders: tuple[Path, ...]) -> tuple[int, int]:
    """(gold entities, those one press at their start selects) over the gold of ``folders``'
    articles."""
    total = right = 0
    for gold in sorted(GOLD.glob("*.jsonl")):
        if gold.stem == NOT_MEASURED_YET:
            continue
        paths = [p for f in folders for p in f.glob(gold.stem + ".*")]
        if not paths:
            continue
        text = article_text(paths[0])
        for line in gold.read_text(encoding="utf-8").splitlines():
            entity = json.loads(line)
            start = entity["start"]
            first = text.rfind("\n", 0, start) + 1
            last = text.find("\n", start)
            paragraph = text[first : last if last >= 0 else len(text)]
            found = phrases.choices(text, tokens.token_bounds(paragraph, base=first), start)
            total += 1
            right += bool(found) and found[0] == (start, entity["end"])
    return total, right


def test_on_the_gold_entities_of_every_sample_the_first_press_is_usually_right() -> None:
    """One press at the start of each gold entity selects it for at least 93 in 100 (95 now)."""
    total, right = _first_press((ROOT / "sample_articles", ROOT / "tests" / "data" / "articles"))
    assert total > 300
    assert right / total >= 0.93


def test_on_unseen_wikinews_articles_the_first_press_is_still_mostly_right() -> None:
    """The same measure on the 19 Wikinews articles the chooser was not written from
    (922 entities; 90.3 in 100 when they were added): a floor against regressions, not a
    figure to tune the chooser to."""
    total, right = _first_press((ROOT / "tests" / "data" / "wikinews",))
    assert total > 900
    assert right / total >= 0.88
