"""Within-article linking: mentions that name the same entity as an earlier, fuller one.

Rules, each precise on news text:

- **same name**: the same text with the same label links to its first mention
  (case aside: the dateline's "ASTANA" links to "Astana", the name as written);
- **surname**: a one-word PERSON mention ("Nurtleu") links to the one full
  name of the article ending in that word ("Murat Nurtleu"); two full names
  sharing it ("Joe Biden", "Jill Biden") link nothing;
- **acronym**: an all-capitals mention ("EU", "KCNA") links to the mention
  whose initials it spells ("European Union", "Korean Central News Agency";
  "of", "and", "the", "for" may be skipped), of a label among ORG, GPE, LOC,
  FAC, EVENT, LAW.

A NORP mention never links: "Kazakhstani" is a nationality, not a mention of
Kazakhstan. :func:`within_article_links` is pure; :func:`suggest_links` reads
an article's entity spans and says which entity (or canonical mention) each
unlinked one belongs to, for the reader to apply with ``Repository.link_span``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.db import Database
    from storage.repository import Repository

ACRONYM_LABELS = frozenset({"ORG", "GPE", "LOC", "FAC", "EVENT", "LAW"})
NEVER_LINKED = frozenset({"NORP"})
_CONNECTORS = frozenset({"of", "and", "the", "for", "on", "in", "de", "&"})
_ACRONYM = re.compile(r"[A-Z](?:\.?[A-Z0-9])+\.?")


@dataclass(frozen=True)
class Mention:
    """An entity mention of one article (``[start, end)``, label, its entity if linked)."""

    start: int
    end: int
    text: str
    label: str
    entity_id: int | None = None
    span_id: int | None = None


@dataclass(frozen=True)
class LinkSuggestion:
    """``mention`` names the same entity as ``canonical`` (the fullest, earliest mention)."""

    mention: Mention
    canonical: Mention
    reason: str
    """``same name``, ``surname`` or ``acronym``."""


_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@lru_cache(maxsize=1 << 14)
def _words(text: str) -> tuple[str, ...]:
    """The words of a mention (cached: an article repeats its names)."""
    return tuple(_WORD.findall(text))


@lru_cache(maxsize=1 << 14)
def spells(acronym: str, name: str) -> bool:
    """True when ``acronym`` is the initials of ``name``, connectors optional."""
    letters = acronym.replace(".", "")
    words = _words(name)
    if len(words) < 2:
        return False

    def match(position: int, index: int) -> bool:
        if position == len(letters):
            return index == len(words)
        if index == len(words):
            return False
        word = words[index]
        if word[0].upper() == letters[position] and match(position + 1, index + 1):
            return True
        return word.lower() in _CONNECTORS and match(position, index + 1)

    return match(0, 0)


def _shouted(text: str) -> bool:
    """All capitals and longer than an acronym ("ASTANA" in a dateline)."""
    return len(text) > 4 and text.isupper()


def within_article_links(mentions: Sequence[Mention]) -> list[LinkSuggestion]:
    """Which mentions name the same entity as another one, in reading order."""
    ordered = sorted(mentions, key=lambda m: (m.start, m.end))
    full_names: dict[str, set[str]] = {}
    first_of: dict[tuple[str, str], Mention] = {}
    for mention in ordered:
        key = (mention.label, mention.text.casefold())
        if key not in first_of or (_shouted(first_of[key].text) and not _shouted(mention.text)):
            first_of[key] = mention
        words = _words(mention.text)
        if mention.label == "PERSON" and len(words) > 1:
            full_names.setdefault(words[-1], set()).add(mention.text)
    expansions = [m for m in ordered if _may_expand(m)]
    links: list[LinkSuggestion] = []
    for mention in ordered:
        if mention.label in NEVER_LINKED:
            continue
        canonical, reason = _canonical(mention, expansions, full_names, first_of)
        if canonical is not None and canonical != mention:
            links.append(LinkSuggestion(mention, canonical, reason))
    return links


def _is_acronym(mention: Mention) -> bool:
    return mention.label in ACRONYM_LABELS and _ACRONYM.fullmatch(mention.text) is not None


def _may_expand(mention: Mention) -> bool:
    """Whether an acronym could spell this mention (:func:`spells` needs two words)."""
    return mention.label in ACRONYM_LABELS and len(_words(mention.text)) >= 2


def _canonical(
    mention: Mention,
    expansions: Sequence[Mention],
    full_names: dict[str, set[str]],
    first_of: dict[tuple[str, str], Mention],
) -> tuple[Mention | None, str]:
    words = _words(mention.text)
    if mention.label == "PERSON" and len(words) == 1:
        names = full_names.get(words[0], set())
        if len(names) == 1:
            return first_of[("PERSON", next(iter(names)).casefold())], "surname"
    if _is_acronym(mention):
        spelt = {other.text: other for other in expansions if spells(mention.text, other.text)}
        if len(spelt) == 1:
            expansion = next(iter(spelt.values()))
            return first_of[(expansion.label, expansion.text.casefold())], "acronym"
    first = first_of[(mention.label, mention.text.casefold())]
    if first != mention:
        root, reason = _canonical(first, expansions, full_names, first_of)
        return (root, reason) if root is not None and root != first else (first, "same name")
    return None, ""


class MentionIndex:
    """Mentions by what the linking rules compare (:func:`relation_of`), kept as they change.

    :meth:`component` finds the mentions one mention's links can depend on by
    following those keys, not by going over every mention: the reader keeps
    one index per article (adding and removing mentions as its rows change)
    and asks on every key, where building it anew over a 1 MB article's
    thousands of mentions cost more than the rest of the key. Mentions are
    keyed by the caller's id (the reader's span ids).
    """

    def __init__(self, mentions: Iterable[tuple[int, Mention]] = ()) -> None:
        self.mentions: dict[int, Mention] = {}
        self._keys: dict[tuple[str, str, str], set[int]] = {}
        self._acronyms: set[int] = set()
        self._expansions: set[int] = set()
        for key, mention in mentions:
            self.add(key, mention)

    def add(self, key: int, mention: Mention) -> None:
        self.mentions[key] = mention
        relation = relation_of(mention.label, mention.text)
        for shared in relation.keys:
            self._keys.setdefault(shared, set()).add(key)
        if relation.acronym:
            self._acronyms.add(key)
        if relation.expands:
            self._expansions.add(key)

    def remove(self, key: int) -> None:
        mention = self.mentions.pop(key, None)
        if mention is None:
            return
        for shared in relation_of(mention.label, mention.text).keys:
            keys = self._keys.get(shared)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys[shared]
        self._acronyms.discard(key)
        self._expansions.discard(key)

    def component(self, mention: Mention, leave_out: int | None = None) -> list[Mention]:
        """The mentions ``mention``'s links can depend on (itself among them), in reading order.

        :func:`within_article_links` over them links ``mention``, and every
        mention naming the same entity, exactly as over all the mentions: they
        are closed under what the rules compare (the same label and text; a
        PERSON's last word, which a surname matches; an acronym and the names
        it spells). ``mention`` stands in for the indexed mention ``leave_out``
        (its row replaced), or is one about to be added.
        """
        found: dict[int | None, Mention] = {None: mention}
        queue = [mention]
        mentions = self.mentions
        while queue:
            current = queue.pop()
            relation = relation_of(current.label, current.text)
            near = [key for shared in relation.keys for key in self._keys.get(shared, ())]
            if relation.acronym:
                near += [k for k in self._expansions if spells(current.text, mentions[k].text)]
            if relation.expands:
                near += [k for k in self._acronyms if spells(mentions[k].text, current.text)]
            for key in near:
                if key != leave_out and key not in found:
                    found[key] = mentions[key]
                    queue.append(mentions[key])
        return sorted(found.values(), key=lambda m: (m.start, m.end))


def linked_component(mentions: Sequence[Mention], mention: Mention) -> list[Mention]:
    """:meth:`MentionIndex.component` of ``mention``, one of ``mentions``, over all of them."""
    position = next((i for i, other in enumerate(mentions) if other is mention), None)
    if position is None:
        position = next((i for i, other in enumerate(mentions) if other == mention), None)
    if position is None:
        return [mention]
    return MentionIndex(enumerate(mentions)).component(mention, leave_out=position)


@dataclass(frozen=True)
class Relation:
    """What the rules compare of one (label, text): the keys it shares, its acronym roles."""

    keys: tuple[tuple[str, str, str], ...]
    acronym: bool
    expands: bool


@lru_cache(maxsize=1 << 14)
def relation_of(label: str, text: str) -> Relation:
    """What the rules compare of a mention with this label and text (cached; the reader's
    mention index keeps its keys up to date as rows change)."""
    mention = Mention(0, 0, text, label)
    keys: tuple[tuple[str, str, str], ...] = (("name", label, text.casefold()),)
    words = _words(text)
    if label == "PERSON" and words:
        keys += (("surname", "PERSON", words[-1]),)
    return Relation(keys, _is_acronym(mention), _may_expand(mention))


@dataclass(frozen=True)
class LinkProposal:
    """Link span ``span_id`` to ``entity_id``, or (None) to a new entity named ``name``
    that ``canonical_span_id`` gets too."""

    span_id: int
    canonical_span_id: int
    name: str
    entity_id: int | None
    reason: str


def suggest_links(db: Database, article_id: int, annotator: str) -> list[LinkProposal]:
    """For each unlinked entity span of the article: the entity it names, by the rules above.

    The entity is the one a span of its group is already linked to; when none
    is, ``entity_id`` is None and ``name`` is the canonical mention's text (the
    reader creates it once with ``create_and_link`` and links the rest).
    """
    from storage import queries

    spans = queries.spans_for(db, article_id, annotator, layers=("entity",))
    mentions = [Mention(s.start, s.end, s.text, s.label, s.entity_id, s.id) for s in spans if s.id]
    links = within_article_links(mentions)
    group_entity: dict[int, int] = {}
    for link in links:
        root = link.canonical.span_id or 0
        for member in (link.canonical, link.mention):
            if member.entity_id is not None:
                group_entity.setdefault(root, member.entity_id)
    proposals = []
    for link in links:
        if link.mention.entity_id is not None:
            continue
        root = link.canonical.span_id or 0
        entity_id = link.canonical.entity_id or group_entity.get(root)
        proposals.append(
            LinkProposal(
                link.mention.span_id or 0, root, link.canonical.text, entity_id, link.reason
            )
        )
    return proposals


def entity_surfaces(db: Database) -> dict[str, int]:
    """Folded name or alias of every (unmerged) entity -> its id: figure subjects to ids.

    A surface two entities share is left out (ambiguous).
    """
    from sqlmodel import col, select

    from storage.kb import fold
    from storage.models import Entity

    found: dict[str, int | None] = {}
    with db.reading() as session:
        rows = session.exec(
            select(Entity.id, Entity.name, Entity.aliases).where(col(Entity.merged_into).is_(None))
        ).all()
    for entity_id, name, aliases in rows:
        for surface in {fold(name), *(fold(alias) for alias in aliases or [])}:
            found[surface] = entity_id if found.get(surface, entity_id) == entity_id else None
    return {surface: entity_id for surface, entity_id in found.items() if entity_id is not None}


def apply_links(repository: Repository, article_id: int, proposals: Sequence[LinkProposal]) -> int:
    """Link every proposed span, creating each missing canonical entity once: one undo step.

    Returns the number of spans linked. The reader calls it when the annotator
    confirms the links :func:`suggest_links` offered (e.g. after accepting a mention).
    """
    if not proposals:
        return 0
    created: dict[int, int] = {}
    with repository.batch("link_mentions", article_id, f"link {len(proposals)} mentions"):
        for proposal in proposals:
            entity_id = proposal.entity_id or created.get(proposal.canonical_span_id)
            if entity_id is None:
                entity = repository.create_and_link(proposal.canonical_span_id, proposal.name)
                entity_id = created[proposal.canonical_span_id] = entity.id or 0
            repository.link_span(proposal.span_id, entity_id)
    return len(proposals)
