"""Shared state of one rule run: candidate spans, the per-token facts, overlap resolution.

Every rule proposes ``Candidate`` spans; ``resolve`` keeps a non-overlapping
set, longest first, so "Korean Central News Agency" (ORG) beats the NORP
"Korean" inside it, and a rule's priority only breaks ties of equal length.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage.suggest.lexicon import Lexicon
from storage.suggest.suggestion import Suggestion
from storage.suggest.tokens import Doc

PARTICLES = frozenset(
    {
        "de",
        "da",
        "di",
        "del",
        "della",
        "van",
        "von",
        "der",
        "den",
        "ter",
        "bin",
        "ibn",
        "al",
        "el",
        "le",
        "la",
        "du",
        "dos",
        "das",
    }
)
"""Lower-case name particles allowed between name tokens ("Ursula von der Leyen")."""

NAME_MONTHS = frozenset({"April", "May", "June", "August"})
"""Months that are also names: allowed inside a name or right after a title
("Theresa May", "Mrs May"), never as the first word of an untitled name."""

COMPASS = frozenset(
    {
        "North",
        "South",
        "East",
        "West",
        "Northern",
        "Southern",
        "Eastern",
        "Western",
        "Central",
        "Northeast",
        "Northwest",
        "Southeast",
        "Southwest",
        "Upper",
        "Lower",
        "Greater",
        "Inner",
        "Outer",
        "Mainland",
        "Coastal",
        "Rural",
        "Occupied",
    }
)
"""Words that may stand before a place without being part of its name."""

NOT_NAME_PARTS = frozenset({"Government", "Embassy", "Consulate", "Treasury", "Administration"})
"""Capitalised nouns that follow a place without making it part of a longer name
("UK Government" is the GPE "UK" and a common noun)."""


@dataclass(frozen=True)
class Candidate:
    """A span some rule proposes, before overlaps are resolved."""

    start: int
    end: int
    label: str
    score: float
    priority: int
    """Tie-break between candidates of equal length: higher wins."""
    rule: str
    """Which rule proposed it; propagation treats names differently by rule."""
    entity_name: str | None = None


class Context:
    """A ``Doc``, the lexicon and the built-in list hits, with the token tests rules share."""

    def __init__(self, doc: Doc, lex: Lexicon) -> None:
        self.doc = doc
        self.lex = lex
        self.hits: list[Suggestion] = lex.places.find(doc.text)
        self.hit_label: list[str | None] = [None] * len(doc)
        self.hit_at_token: dict[int, Suggestion] = {}
        for hit in self.hits:
            first = doc.index_at(hit.start)
            last = doc.index_at(hit.end - 1)
            if first < 0 or last < 0:
                continue
            for i in range(first, last + 1):
                self.hit_label[i] = hit.label
            self.hit_at_token.setdefault(first, hit)
            self.hit_at_token.setdefault(last, hit)
        self.list_surfaces = {hit.text for hit in self.hits}

    def is_stop(self, i: int) -> bool:
        word = self.doc.word(i)
        return word in self.lex.stop_anywhere or word in self.lex.stop_initial

    def is_title_word(self, i: int) -> bool:
        word = self.doc.word(i)
        return word in self.lex.title_heads or word in self.lex.title_modifiers

    def name_like(self, i: int, *, inner: bool = False) -> bool:
        """Could be part of a person's name: a capitalised word that no list or rule
        claims. ``inner`` tokens (not first in the name, or right after a title) may be
        words like "To", "Or" or "May" that are stopwords elsewhere ("James To")."""
        doc, lex = self.doc, self.lex
        word = doc.word(i)
        if inner and word in NAME_MONTHS:
            return doc.is_cap(i)
        if not doc.is_cap(i) or doc.is_acronym(i) or doc.is_possessive(i):
            return False
        if not word.replace("-", "").replace("'", "").replace("’", "").isalpha():
            return False
        if word in lex.stop_anywhere or (not inner and word in lex.stop_initial):
            return False
        if self.is_title_word(i) or word in lex.portfolio:
            return False
        if word in lex.org_suffixes or word in lex.org_prefixes:
            return False
        if not inner and word in lex.blocking:
            return False
        return self.hit_label[i] is None

    def continues_name(self, i: int, *, before: bool = False) -> bool:
        """A capitalised word next to a list hit that makes the hit part of a longer,
        unknown name ("Google Chrome", "Inter Milan", "Neo Democrats"). A compass word
        before a place only narrows it ("Eastern Ukraine"). A sentence-initial word is
        more often a verb or adverb ("Preventing Russia's ...") than part of a name."""
        doc, lex = self.doc, self.lex
        word = doc.word(i)
        if not doc.is_cap(i) or doc.initial[i] or doc.is_possessive(i):
            return False
        if self.is_stop(i) or self.is_title_word(i) or word in lex.org_suffixes:
            return False
        if word in lex.given_names or word in lex.roles or word in NOT_NAME_PARTS:
            return False
        if before and word in COMPASS:
            return False
        return self.hit_label[i] is None

    def name_run(self, i: int, max_tokens: int = 3, *, after_title: bool = False) -> int | None:
        """Index of the last token of the name starting at ``i``, or None when ``i`` does
        not start a name or the capitalised run is longer than ``max_tokens``."""
        doc = self.doc
        if not self.name_like(i, inner=after_title and doc.word(i) in NAME_MONTHS):
            return None
        last, count = i, 1
        while True:
            nxt = last + 1
            if doc.joined(last) and self.name_like(nxt, inner=True):
                last, count = nxt, count + 1
            elif (
                doc.joined(last)
                and doc.word(nxt) in PARTICLES
                and doc.joined(nxt)
                and self.name_like(nxt + 1, inner=True)
            ):
                last, count = nxt + 1, count + 1
            else:
                break
        return last if count <= max_tokens else None

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character span of tokens ``first..last``."""
        return self.doc.tokens[first].start, self.doc.tokens[last].end


def resolve(candidates: Iterable[Candidate], length: int) -> list[Candidate]:
    """Non-overlapping candidates: longest first, then higher priority, then leftmost."""
    ordered = sorted(candidates, key=lambda c: (c.start - c.end, -c.priority, c.start))
    taken = bytearray(length)
    kept: list[Candidate] = []
    for cand in ordered:
        if cand.start >= cand.end or 1 in taken[cand.start : cand.end]:
            continue
        taken[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
        kept.append(cand)
    kept.sort(key=lambda c: c.start)
    return kept
