"""Built-in entity suggester: word lists and a few high-precision rules, no model.

``suggest_entities(text)`` proposes PERSON, ORG, GPE, LOC and NORP spans:

- list hits (countries, capitals and major cities, regions -> GPE; continents and
  seas -> LOC; nationalities, religious and political groups -> NORP;
  well-known organisations -> ORG), dropped when a capitalised word glued to
  them shows they are part of a longer unknown name ("Google Chrome") or an
  event, law or facility follows ("European Union Summit");
- organisation heads: capitalised words ending in Agency, Commission,
  Ministry, Party, Council, Union, Bank, Inc, Ltd ... ("Civic Party"), or a
  head followed by "of/for ..." ("Union of Rationalist Atheists");
- "Republic of X", "Municipality of X" -> GPE; web domains ("Secunia.com") -> ORG;
- people (``person_rules``): after a title or role, known given names, East
  Asian name shapes, and repeats of found names;
- acronyms defined in brackets ("Korean Central News Agency (KCNA)") or
  used as a person's affiliation ("Michael Tien of NPP"), then every mention
  of them.

Precision comes first: a capitalised word with no evidence stays unlabelled,
so sentence-initial words ("The", "However") never become entities.
"""

from __future__ import annotations

import re
from functools import lru_cache

from storage.suggest.candidates import Candidate, Context, resolve
from storage.suggest.gazetteer import EXACT_SCORE, Gazetteer, GazetteerEntry
from storage.suggest.lexicon import lexicon
from storage.suggest.person_rules import person_candidates, repeated_mentions
from storage.suggest.suggestion import Suggestion
from storage.suggest.tokens import Doc, word_after, word_before

LIST_SCORE = 0.85
LIST_VARIANT_SCORE = 0.65
ORG_HEAD_SCORE = 0.75
GPE_PATTERN_SCORE = 0.8
DOMAIN_SCORE = 0.7
ACRONYM_SCORE = 0.7

GPE_HEADS = frozenset(
    {
        "Republic",
        "Kingdom",
        "Municipality",
        "City",
        "Province",
        "State",
        "Commonwealth",
        "Principality",
        "Emirate",
        "Sultanate",
        "Duchy",
        "Region",
        "County",
        "Prefecture",
        "Oblast",
        "Canton",
        "Governorate",
        "District",
    }
)
_LANGUAGE_VERBS = frozenset({"speak", "speaks", "spoke", "speaking", "fluent", "translated"})
_DOMAIN = re.compile(r"(?<![\w.])[A-Z][A-Za-z0-9-]*\.(?:com|net|org|io|co\.uk)(?![\w])")
_ACRONYM = r"[A-Z][A-Z0-9&]{1,7}"
_DEFINED_AFTER = re.compile(rf" [(\[]({_ACRONYM})[)\]]")
_DEFINED_BEFORE = re.compile(rf"\b({_ACRONYM}) [(\[]$")
_AFFILIATION = re.compile(rf" (?:of|from) (?:the )?({_ACRONYM})\b")
_POSSESSOR = re.compile(rf"\b({_ACRONYM})['’]s $")


def suggest_entities(text: str) -> list[Suggestion]:
    """Entity suggestions for ``text``, sorted by start, non-overlapping, origin "rule".

    The figure rules ask for the same names (a figure's subject) as the entity
    suggester does, for the same batch of texts; the last ``RECENT_TEXTS``
    results are kept so a batch pays for the rules once (the result depends
    only on the text: the lexicon is loaded once).
    """
    return list(_recent_entities(text))


RECENT_TEXTS = 64
"""More than a batch of ``redline suggest`` (``storage.suggestions.BATCH``)."""


@lru_cache(maxsize=RECENT_TEXTS)
def _recent_entities(text: str) -> tuple[Suggestion, ...]:
    return tuple(_entities(text))


def _entities(text: str) -> list[Suggestion]:
    ctx = Context(Doc(text), lexicon())
    base = [
        *_list_candidates(ctx),
        *_org_head_candidates(ctx),
        *_gpe_pattern_candidates(ctx),
        *_domain_candidates(ctx),
    ]
    span_at = {c.start: c for c in resolve(base, len(text)) if c.label in ("ORG", "GPE")}
    chosen = resolve([*base, *person_candidates(ctx, span_at)], len(text))
    chosen = _add_new(chosen, _acronym_mentions(ctx, chosen), len(text))
    chosen = _add_new(chosen, repeated_mentions(ctx, chosen), len(text))
    return [
        Suggestion(
            start=c.start,
            end=c.end,
            text=text[c.start : c.end],
            layer="entity",
            label=c.label,
            origin="rule",
            score=c.score,
            entity_name=c.entity_name,
        )
        for c in chosen
    ]


def _add_new(chosen: list[Candidate], extra: list[Candidate], length: int) -> list[Candidate]:
    """Add ``extra`` candidates that do not overlap anything already chosen."""
    taken = bytearray(length)
    for cand in chosen:
        taken[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
    fresh = [c for c in extra if 1 not in taken[c.start : c.end]]
    return resolve([*chosen, *fresh], length)


def _list_candidates(ctx: Context) -> list[Candidate]:
    doc, text = ctx.doc, ctx.doc.text
    found: list[Candidate] = []
    for hit in ctx.hits:
        first, last = doc.index_at(hit.start), doc.index_at(hit.end - 1)
        start, entity_name = hit.start, hit.entity_name
        if first >= 0 and doc.tokens[first].start == hit.start and doc.joined(first - 1, first):
            before = ctx.hit_at_token.get(first - 1)
            if hit.label == "ORG" and before is not None and before.label == "NORP":
                start, entity_name = before.start, None  # "British Red Cross"
            elif ctx.continues_name(first - 1, before=True):
                continue
        aligned = first >= 0 and last >= 0 and doc.tokens[first].start == hit.start
        if aligned and doc.tokens[last].end == hit.end and doc.joined(last):
            if doc.word(last + 1) in ctx.lex.blocking or ctx.continues_name(last + 1):
                continue
        if hit.label == "NORP" and _is_language(text, hit.start, hit.end, ctx):
            continue
        score = LIST_SCORE if hit.score >= EXACT_SCORE else LIST_VARIANT_SCORE
        found.append(Candidate(start, hit.end, hit.label, score, 4, "list", entity_name))
    return found


def _is_language(text: str, start: int, end: int, ctx: Context) -> bool:
    """A language, not a nationality: "speak English", "completed in English"."""
    before = word_before(text, start)
    if before in _LANGUAGE_VERBS:
        return True
    if before not in ("in", "into"):
        return False
    after = word_after(text, end)
    return not after or not after.islower() or after.capitalize() in ctx.lex.stop_anywhere


def _org_part(ctx: Context, i: int) -> bool:
    """May stand before an organisation head: "Korean Central News" + "Agency"."""
    doc = ctx.doc
    if not doc.is_cap(i) or ctx.is_stop(i) or doc.is_possessive(i):
        return False
    return ctx.hit_label[i] not in ("GPE", "LOC")


def _extend_left(ctx: Context, i: int) -> int:
    doc = ctx.doc
    first = i
    while True:
        prev = first - 1
        if doc.is_possessive(prev) and doc.joined(prev, first) and doc.joined(prev - 1, prev):
            if _org_part(ctx, prev - 1):  # "Korean People's Army"
                first = prev - 1
                continue
            return first
        if doc.joined(prev, first) and _org_part(ctx, prev):
            first = prev
            continue
        return first


def _starts_person(ctx: Context, i: int) -> bool:
    """A title ("Judge ...") or a given name followed by another name word ("Murat N...")."""
    word = ctx.doc.word(i)
    if word in ctx.lex.title_heads:
        return True
    return word in ctx.lex.given_names and ctx.doc.joined(i) and ctx.name_like(i + 1, inner=True)


def _cap_run(ctx: Context, i: int) -> int:
    """Last index of the run of capitalised, non-stopword tokens starting at ``i``; it
    stops before a person ("Circuit Court of Appeals | Judge Ketanji Brown Jackson")."""
    doc = ctx.doc
    last = i
    while doc.joined(last) and doc.is_cap(last + 1) and not ctx.is_stop(last + 1):
        if _starts_person(ctx, last + 1):
            break
        last += 1
    return last


def _extend_right(ctx: Context, i: int) -> int:
    """ "Council" + "for the Welfare of Immigrants", "Union" + "of Rationalist Atheists
    and Agnostics": of/for, an optional "the", capitalised words, repeated."""
    doc = ctx.doc
    last, extended = i, False
    while doc.joined(last):
        link = last + 1
        word = doc.word(link)
        if word in ("of", "for") or (extended and word == "and"):
            k = link + 1
            if word != "and" and doc.word(k) == "the" and doc.joined(link):
                k += 1
            if not doc.joined(k - 1) or not doc.is_cap(k) or ctx.is_stop(k):
                break
            last, extended = _cap_run(ctx, k), True
        else:
            break
    return last


def _org_head_candidates(ctx: Context) -> list[Candidate]:
    doc, lex = ctx.doc, ctx.lex
    found: list[Candidate] = []
    known_orgs = {(h.start, h.end) for h in ctx.hits if h.label == "ORG"}
    for i in range(len(doc)):
        word = doc.word(i)
        if word in lex.org_prefixes and doc.is_cap(i):
            last = i
            while doc.joined(last) and (
                (doc.is_cap(last + 1) and not ctx.is_stop(last + 1))
                or (doc.word(last + 1).isdigit() and doc.joined(last + 1) and doc.is_cap(last + 2))
            ):
                last += 1
            if last > i:
                start, end = ctx.span(i, last)
                found.append(Candidate(start, end, "ORG", ORG_HEAD_SCORE, 3, "org-prefix"))
            continue
        if word not in lex.org_suffixes:
            continue
        first = _extend_left(ctx, i)
        last = i if ctx.span(first, i) in known_orgs else _extend_right(ctx, i)
        if first == i and last == i:
            continue
        if doc.joined(last) and doc.word(last + 1) in lex.blocking and doc.is_cap(last + 1):
            continue
        start, end = ctx.span(first, last)
        found.append(Candidate(start, end, "ORG", ORG_HEAD_SCORE, 3, "org-head"))
    return found


def _gpe_pattern_candidates(ctx: Context) -> list[Candidate]:
    """ "Republic of Kazakhstan", "Municipality of Livorno", "Islamic Republic of Iran"."""
    doc = ctx.doc
    found: list[Candidate] = []
    for i in range(len(doc)):
        if doc.word(i) not in GPE_HEADS or doc.word(i + 1) != "of" or not doc.joined(i):
            continue
        if not doc.joined(i + 1) or not doc.is_cap(i + 2) or ctx.is_stop(i + 2):
            continue
        last = _cap_run(ctx, i + 2)
        if doc.joined(last) and doc.word(last + 1) in ctx.lex.blocking:
            continue
        first = i
        while doc.joined(first - 1, first) and doc.is_cap(first - 1) and not ctx.is_stop(first - 1):
            if ctx.hit_label[first - 1] is not None or ctx.is_title_word(first - 1):
                break
            first -= 1
        start, end = ctx.span(first, last)
        found.append(Candidate(start, end, "GPE", GPE_PATTERN_SCORE, 4, "gpe-pattern"))
    return found


def _domain_candidates(ctx: Context) -> list[Candidate]:
    return [
        Candidate(m.start(), m.end(), "ORG", DOMAIN_SCORE, 3, "domain")
        for m in _DOMAIN.finditer(ctx.doc.text)
    ]


def _acronym_mentions(ctx: Context, chosen: list[Candidate]) -> list[Candidate]:
    """Acronyms that the text itself explains, and then all their mentions."""
    text = ctx.doc.text
    labels: dict[str, str] = {}
    for cand in chosen:
        window_after = text[cand.end : cand.end + 12]
        window_before = text[max(0, cand.start - 12) : cand.start]
        if cand.label in ("ORG", "GPE"):
            for match in (
                _DEFINED_AFTER.match(window_after),
                _DEFINED_BEFORE.search(window_before),
            ):
                if match:
                    labels.setdefault(match.group(1), cand.label)
        if cand.label == "PERSON":
            for match in (_AFFILIATION.match(text, cand.end), _POSSESSOR.search(window_before)):
                if match:
                    labels.setdefault(match.group(1), "ORG")
    entries = [
        GazetteerEntry(acronym, label)
        for acronym, label in labels.items()
        if acronym not in ctx.list_surfaces
        and acronym not in ctx.lex.stop_anywhere
        and sum(ch.isupper() for ch in acronym) >= 2
    ]
    return [
        Candidate(hit.start, hit.end, hit.label, ACRONYM_SCORE, 2, "acronym")
        for hit in Gazetteer(entries).find(text)
        if hit.text == hit.entity_name
    ]
