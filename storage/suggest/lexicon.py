"""The word lists shipped in ``storage/suggest/data/``, loaded once per process.

Lists are plain text so a reviewer can read and extend them without touching
code. Two formats are used:

- *entity lists* (countries, cities, regions, places, nationalities,
  organisations): one entity a line, ``Canonical|alias|alias``;
- *word lists* (titles, organisation heads, names, stopwords): whitespace
  separated words, optionally grouped under ``[section]`` lines.

``#`` starts a comment line in both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from storage.suggest.gazetteer import Gazetteer, GazetteerEntry
from storage.text import normalise

ENTITY_LISTS: dict[str, str] = {
    "countries.txt": "GPE",
    "cities.txt": "GPE",
    "regions.txt": "GPE",
    "places.txt": "LOC",
    "nationalities.txt": "NORP",
    "organisations.txt": "ORG",
}
"""Entity list file -> the label its entries get."""


def _read(name: str) -> str:
    return normalise(
        resources.files("storage.suggest").joinpath("data").joinpath(name).read_text("utf-8")
    )


def _content_lines(name: str) -> Iterator[str]:
    for line in _read(name).split("\n"):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield stripped


def entity_list(name: str) -> list[list[str]]:
    """Each entity of a list file as ``[canonical, alias, ...]``."""
    return [
        [part.strip() for part in line.split("|") if part.strip()] for line in _content_lines(name)
    ]


def word_sections(name: str) -> dict[str, frozenset[str]]:
    """A word list file as ``{section: words}``; words before any section go under ``""``."""
    sections: dict[str, set[str]] = {"": set()}
    current = ""
    for line in _content_lines(name):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, set())
            continue
        sections[current].update(line.split())
    return {key: frozenset(words) for key, words in sections.items()}


@dataclass(frozen=True)
class Lexicon:
    """Every list the entity rules consult."""

    places: Gazetteer
    """Countries, cities, regions (GPE), places (LOC), nationalities (NORP), known ORGs."""
    title_heads: frozenset[str]
    title_modifiers: frozenset[str]
    roles: frozenset[str]
    portfolio: frozenset[str]
    org_suffixes: frozenset[str]
    org_prefixes: frozenset[str]
    blocking: frozenset[str]
    given_names: frozenset[str]
    surnames: frozenset[str]
    stop_anywhere: frozenset[str]
    stop_initial: frozenset[str]


@cache
def lexicon() -> Lexicon:
    """Load and cross-check the lists once; later calls return the same object."""
    entries: list[GazetteerEntry] = []
    list_words: set[str] = set()
    for file_name, label in ENTITY_LISTS.items():
        for names in entity_list(file_name):
            canonical = names[0]
            for surface in names:
                entries.append(GazetteerEntry(surface, label, entity_name=canonical))
                if " " not in surface:
                    list_words.add(surface)
    titles = word_sections("person_titles.txt")
    orgs = word_sections("org_suffixes.txt")
    stops = word_sections("stopwords.txt")
    title_heads = titles["heads"]
    # A given name that is also a place, nationality, organisation or title would turn
    # "Victoria Street" or "Christian Democrats" into a person: drop it here, once.
    given = word_sections("given_names.txt")[""] - list_words - title_heads
    given -= stops["anywhere"] | stops["initial"]
    return Lexicon(
        places=Gazetteer(entries, origin="rule"),
        title_heads=title_heads,
        title_modifiers=titles["modifiers"],
        roles=titles["roles"],
        portfolio=titles["portfolio"],
        org_suffixes=orgs["suffix"],
        org_prefixes=orgs["prefix"],
        blocking=orgs["blocking"],
        given_names=frozenset(given),
        surnames=word_sections("surnames.txt")[""],
        stop_anywhere=stops["anywhere"],
        stop_initial=stops["initial"],
    )
