"""The name or phrase under the cursor, for the reader's one-key selection (``space``).

Pure functions over the article text and the token bounds of the paragraph
(:func:`tui.tokens.token_bounds`, the exporters' tokenizer), so every rule is
tested on real phrasings without an app: tests/tui/test_phrases.py.

A *name* is a run of capitalised tokens ("Kaja Kallas", "Trans-Caspian
International Transport Route") that may take a connector inside when the
words around it make that likely: "of" after a head such as Republic or
Minister ("Republic of Kazakhstan"), "and" before a run ending in a head such
as Agreement ("Partnership and Cooperation Agreement"), "&" and name particles
("von der"). A run splits after a title or an organisation followed by a
person ("European Commission | Kaja Kallas"). A *phrase* is the longer run
through any connector ("of", "and", "for", "the", "on", a spaced dash):
"Central Asia – European Union Summit". Connectors are never at the ends, and
a capitalised function word ("The", "In") never starts one.

Pressing the key again steps from the name to the phrase and back
(:func:`next_choice`); on a word that is not part of a name the word itself is
the only choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

Bounds = Sequence[tuple[int, int]]

HYPHENS = frozenset({"-", "–", "—", "‑"})
"""Joiners: glued to both neighbours they join one word ("Trans-Caspian"); spaced, a phrase."""
PARTICLES = frozenset(
    {"de", "da", "del", "della", "di", "du", "dos", "das", "van", "von", "der", "den", "ter",
     "la", "le", "al", "bin", "ibn", "ben", "el", "y"}
)  # fmt: skip
"""Lower-case parts of personal and place names ("Ursula von der Leyen", "Charles de Gaulle")."""
PHRASE_CONNECTORS = frozenset({"of", "and", "for", "the", "on", "&", *PARTICLES})
"""Words a phrase runs through, never at its ends ("High Representative of the European Union")."""
OF_HEADS = frozenset(
    {"Republic", "Kingdom", "Federation", "Union", "States", "Emirates", "Commonwealth",
     "Ministry", "Minister", "Department", "Secretary", "Bank", "University", "Institute",
     "Academy", "College", "School", "Council", "Court", "Church", "League", "Organization",
     "Organisation", "Association", "Society", "Museum", "Office", "Board", "Chamber", "House",
     "Order", "Gulf", "Bay", "Sea", "Isle", "Isles", "Islands", "Strait", "Straits", "Cape",
     "Lake", "Mount", "City", "Province", "Duke", "Prince", "Princess", "King", "Queen",
     "Bishop", "Archbishop", "Battle", "Treaty", "Declaration", "Charter", "Conference",
     "Congress", "Day", "Festival", "Sultanate", "Emirate", "Principality", "Government",
     "Governor", "Mayor", "Party", "Commissioner", "Cabinet", "Parliament", "Municipality",
     "Region", "District", "County", "Prefecture", "Diocese", "Archdiocese"}
)  # fmt: skip
"""Words after which "of" stays inside a name ("Republic of Kazakhstan", "Bank of England")."""
AND_HEADS = frozenset(
    {"Agreement", "Treaty", "Policy", "Organization", "Organisation", "Commission", "Committee",
     "Ministry", "Department", "Council", "Agency", "Bank", "Party", "Union", "Fund",
     "Association", "Authority", "Corporation", "Company", "Group", "Institute", "University",
     "Forum", "Summit", "Conference", "Act", "Programme", "Program", "Initiative", "Strategy",
     "Partnership", "Development", "Cooperation", "Trade", "Measures", "Court", "Office",
     "Service", "Services", "Industries", "Sciences", "Affairs", "Security", "Science",
     "Technology", "Research", "Education", "Health", "Culture", "Energy", "Transport",
     "Finance", "Economy", "Economic", "Justice", "Defence", "Defense", "Industry",
     "Agriculture", "Environment", "Labour", "Labor", "Infrastructure", "Communications",
     "Information", "Investment", "Commerce", "Tourism", "Sport", "Sports", "Youth"}
)  # fmt: skip
"""Words on both sides of "and" inside one name ("Partnership and Cooperation Agreement")."""
SPLIT_HEADS = frozenset(
    {"President", "Vice-President", "Minister", "Secretary", "Undersecretary", "Chancellor",
     "Representative", "Secretary-General", "Ambassador", "Commissioner", "Chairman",
     "Chairwoman", "Chair", "Director", "Governor",
     "Mayor", "Senator", "Congressman", "Congresswoman", "King", "Queen", "Prince", "Princess",
     "Pope", "Spokesman", "Spokeswoman", "Spokesperson", "Leader", "Premier", "Envoy", "Judge",
     "Commission", "Union", "Agency", "Party", "Ministry", "Council", "Parliament", "Government",
     "Committee", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Prof", "Prof.", "Sir"}
)  # fmt: skip
"""A title or an organisation: a capitalised run after it is a new name ("Minister | Murat")."""
TITLES = frozenset(
    {"President", "Vice-President", "Minister", "Secretary", "Undersecretary", "Chancellor",
     "Representative", "Secretary-General", "Ambassador", "Commissioner", "Chairman",
     "Chairwoman", "Chair", "Director", "Governor", "Mayor", "Senator", "Congressman",
     "Congresswoman", "King", "Queen", "Prince", "Princess", "Pope", "Spokesman", "Spokeswoman",
     "Spokesperson", "Leader", "Premier", "Envoy", "Judge"}
)  # fmt: skip
"""A person's title: a name before it ends there ("EU | High Representative")."""
TITLE_WORDS = frozenset(
    {"Prime", "Deputy", "Vice", "Foreign", "High", "Chief", "Senior", "Former", "First", "Acting",
     "Interim", "Trade", "Finance", "Defence", "Defense", "Interior", "Justice", "Economy",
     "Energy", "Health", "Education", "Executive", "Managing", "Special", "Permanent",
     "Assistant", "Associate", "Crown"}
)  # fmt: skip
"""Words that open a title ("Prime Minister", "High Representative", "Trade Minister")."""
FUNCTION_WORDS = frozenset(
    {"The", "A", "An", "In", "On", "At", "For", "And", "But", "Or", "Of", "To", "By", "From",
     "With", "As", "This", "That", "These", "Those", "Its", "His", "Her", "Their", "Our", "My",
     "Your", "It", "He", "She", "They", "We", "I", "You", "If", "When", "While", "After",
     "Before", "Since", "During", "Yesterday", "Today", "Tomorrow", "According", "Also",
     "However", "Meanwhile", "Some", "Many", "More", "Most", "Other", "Both", "All", "There",
     "Here", "What", "Which", "Who", "Why", "How", "Such", "Than", "Then", "Two", "Three"}
)  # fmt: skip
"""Capitalised at a sentence start, not as part of a name: never the first word of one."""
HYPHEN_SUFFIXES = frozenset(
    {"based", "led", "run", "born", "made", "style", "like", "wide", "owned", "backed", "funded",
     "era", "level", "related", "linked", "bound", "friendly", "focused", "speaking", "free"}
)  # fmt: skip
"""Lower-case endings that make "US-led" a description, not part of a name."""
PREFIXES = frozenset(
    {"Pro", "Anti", "Pan", "Ex", "Non", "Post", "Pre", "Neo", "Pseudo", "Semi", "Ultra", "Mid"}
)  # fmt: skip
"""Hyphenated prefixes that are no part of the name after them ("Pro-Beijing" → "Beijing")."""
POSSESSORS = frozenset({"People", "Peoples", "Workers", "Women", "Children", "Citizens"})
"""Names that keep a possessive inside ("Korean People's Army", "New People's Party")."""
POSSESSIVES = frozenset({"'s", "’s"})
DATE_WORDS = frozenset(
    {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
     "February", "March", "April", "June", "July", "August", "September", "October",
     "November", "December"}
)  # fmt: skip
"""Capitalised, but dates ("on July 1"), not names (May is also a name: left out)."""


@dataclass(frozen=True)
class _Unit:
    """Tokens glued into one word ("Trans-Caspian"), a connector or anything else."""

    start: int
    end: int
    text: str
    kind: str
    """'name', 'connector', 'dash' (a spaced dash), 'possessive' ("'s") or 'other'."""
    modifier: bool = False
    """A name glued after a hyphen to a word before it ("pro-Beijing"): it describes the next."""

    @property
    def last(self) -> str:
        """The last hyphen-separated part ("President" of "Vice-President")."""
        for hyphen in HYPHENS:
            if hyphen in self.text:
                return self.text.rsplit(hyphen, 1)[-1]
        return self.text


def _capitalised(word: str) -> bool:
    """A name-like token: starts upper-case ("Kallas", "EU", "G7") or is camel-cased ("iPhone")."""
    if not word or word in FUNCTION_WORDS:
        return False
    if word[0].isupper():
        return True
    return word[0].isalpha() and any(c.isupper() for c in word[1:])


def _glued_piece(word: str) -> bool:
    """What may follow a name and a glued hyphen inside one word ("Chung-tai", "Jong-un")."""
    return word.isalnum() and (word[0].isupper() or word.lower() not in HYPHEN_SUFFIXES)


def _glued_hyphen(text: str, bounds: Bounds, index: int) -> bool:
    """Whether token ``index`` is followed by a hyphen touching it and the next token."""
    if index + 2 >= len(bounds):
        return False
    (_, end), (h_start, h_end), (n_start, _) = bounds[index : index + 3]
    return h_start == end and n_start == h_end and text[h_start:h_end] in HYPHENS


def _units(text: str, bounds: Bounds) -> list[_Unit]:
    """Tokens grouped into words: a name glues hyphenated parts ("Kazakh-European")."""
    units: list[_Unit] = []
    index = 0
    while index < len(bounds):
        start, end = bounds[index]
        word = text[start:end]
        if word in PREFIXES and _glued_hyphen(text, bounds, index):
            end = bounds[index + 1][1]
            units.append(_Unit(start, end, text[start:end], "other"))
            index += 2
            continue
        if _capitalised(word) and word not in DATE_WORDS:
            modifier = index >= 2 and _glued_hyphen(text, bounds, index - 2)
            # Glue "-x" while the hyphen touches both neighbours.
            while _glued_hyphen(text, bounds, index) and _glued_piece(
                text[slice(*bounds[index + 2])]
            ):
                end = bounds[index + 2][1]
                index += 2
            units.append(_Unit(start, end, text[start:end], "name", modifier))
        elif word in POSSESSIVES and units and start == units[-1].end:
            units.append(_Unit(start, end, word, "possessive"))
        elif word in PHRASE_CONNECTORS:
            units.append(_Unit(start, end, word, "connector"))
        elif word in HYPHENS:
            units.append(_Unit(start, end, word, "dash"))
        else:
            units.append(_Unit(start, end, word, "other"))
        index += 1
    return units


def _linked(text: str, left: _Unit, right: _Unit) -> bool:
    """Whether nothing but spaces (no line break) separates two units."""
    return "\n" not in text[left.end : right.start]


def _links(text: str, units: Sequence[_Unit]) -> list[tuple[int, int, bool]]:
    """(left name, right name, inside a name?) for each pair of names a phrase may join.

    Indices are into ``units``; the third member says whether the tighter
    name rule joins them too (else only the phrase does).
    """
    links: list[tuple[int, int, bool]] = []
    names = [i for i, unit in enumerate(units) if unit.kind == "name"]
    for left, right in pairwise(names):
        between = units[left + 1 : right]
        chain = [units[left], *between, units[right]]
        if any(not _linked(text, a, b) for a, b in pairwise(chain)):
            continue
        kinds = [unit.kind for unit in between]
        words = [unit.text for unit in between]
        if not between:
            split = (
                units[left].modifier
                or (_head(units[left], SPLIT_HEADS) and not _head(units[right], SPLIT_HEADS))
                or (units[left].text not in TITLE_WORDS and _opens_title(units, right))
            )
            links.append((left, right, not split))
        elif kinds == ["possessive"]:
            if units[left].last in POSSESSORS:
                links.append((left, right, True))
        elif kinds == ["dash"] or all(kind == "connector" for kind in kinds):
            links.append((left, right, _name_connector(units, left, right, words)))
    return links


def _opens_title(units: Sequence[_Unit], index: int) -> bool:
    """Whether the adjacent names from ``index`` are a title ("Prime Minister", "Envoy")."""
    while index < len(units) and units[index].kind == "name":
        if _head(units[index], TITLES):
            return True
        if units[index].text not in TITLE_WORDS:
            return False
        index += 1
    return False


def _head(unit: _Unit, heads: frozenset[str]) -> bool:
    """Whether ``unit`` (whole, or its last hyphenated part) is one of ``heads``."""
    return unit.text in heads or unit.last in heads


def _name_connector(units: Sequence[_Unit], left: int, right: int, words: list[str]) -> bool:
    """Whether the connector ``words`` between two names keep them one name."""
    if all(word in PARTICLES for word in words) or words == ["&"]:
        return True
    if words == ["of"]:
        return units[left].last in OF_HEADS
    if words == ["and"]:
        return units[left].last in AND_HEADS and _run_end(units, right).last in AND_HEADS
    return False


def _run_end(units: Sequence[_Unit], index: int) -> _Unit:
    """The last name of the run of adjacent names starting at ``index``."""
    while index + 1 < len(units) and units[index + 1].kind == "name":
        index += 1
    return units[index]


def _component(
    units: Sequence[_Unit], links: Sequence[tuple[int, int, bool]], at: int, tight: bool
) -> tuple[int, int]:
    """Character bounds of the names joined with the name at ``at`` (``tight``: name links only).

    Links join consecutive names, so each name has at most one on either side.
    """
    joined = [(a, b) for a, b, inside in links if inside or not tight]
    left_of = {b: a for a, b in joined}
    right_of = dict(joined)
    first = last = at
    while first in left_of:
        first = left_of[first]
    while last in right_of:
        last = right_of[last]
    return units[first].start, units[last].end


def choices(text: str, bounds: Bounds, offset: int) -> list[tuple[int, int]]:
    """What the phrase key selects at ``offset``: the name, then the longer phrase.

    ``bounds`` are the token bounds around ``offset`` (a paragraph is enough:
    names never cross a line break). Offsets are into ``text``. On a word that
    is no part of a name the word alone comes back; on whitespace, nothing.
    """
    units = _units(text, bounds)
    at = next((i for i, unit in enumerate(units) if unit.start <= offset < unit.end), None)
    if at is None:
        return []
    links = _links(text, units)
    unit = units[at]
    if unit.kind != "name":
        # A connector between two names belongs to the shortest run that joins them.
        around = [(a, b, inside) for a, b, inside in links if a < at < b]
        if not around:
            return [(unit.start, unit.end)]
        a, _, inside = around[0]
        found = [_component(units, links, a, tight=True)] if inside else []
        found.append(_component(units, links, a, tight=False))
        return list(dict.fromkeys(found))
    name = _component(units, links, at, tight=True)
    phrase = _component(units, links, at, tight=False)
    return list(dict.fromkeys([name, phrase]))


def next_choice(
    found: Sequence[tuple[int, int]], selection: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The choice after ``selection`` among ``found`` (the first when it is none of them)."""
    if not found:
        return None
    if selection in found:
        return found[(list(found).index(selection) + 1) % len(found)]
    return found[0]
