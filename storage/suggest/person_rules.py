"""PERSON rules: titles and roles, given names, East Asian name shapes, and repeats.

A capitalised pair of words is a person only with evidence: a title or role
just before it ("Prime Minister Rishi Sunak", "barrister Colin Yeo"), a known
given name ("Roberto Maroni"), a known East Asian family name ("Starry Lee"),
or the ``Surname Given-name`` shape of romanised Chinese and Korean names
("Leung Kwok-hung", "Kim Jong-un"). Once a full name is found, its later
surname-only mentions ("Kallas assured ...") are tagged too. Titles are never
part of the span.
"""

from __future__ import annotations

import re

from storage.suggest.candidates import Candidate, Context
from storage.suggest.gazetteer import Gazetteer, GazetteerEntry

_HYPHENATED_GIVEN = re.compile(r"^[A-Z][a-z]+-[a-z]+$")
_SHORT_FAMILY = re.compile(r"^[A-Z][a-z]{1,5}$")

TITLE_SCORE = 0.85
ROLE_SCORE = 0.75
GIVEN_SCORE = 0.7
SHAPE_SCORE = 0.7
FAMILY_SCORE = 0.65
REPEAT_SCORE = 0.6


def person_candidates(ctx: Context, span_at: dict[int, Candidate]) -> list[Candidate]:
    """Every PERSON candidate; ``span_at`` maps a start offset to an ORG/GPE candidate
    so "Vice-President of the European Commission Kaja Kallas" can skip the ORG."""
    found: list[Candidate] = []
    roles = ctx.lex.roles
    for i, token in enumerate(ctx.doc.tokens):
        word = token.text
        if word[0].isupper():
            found.extend(_after_title(ctx, i, span_at))
            found.extend(_by_name_shape(ctx, i))
        elif word in roles or ("-" in word and word.rsplit("-", 1)[-1] in roles):
            found.extend(_after_role(ctx, i))
    return found


def _person(
    ctx: Context, first: int, last: int, score: float, priority: int, rule: str
) -> Candidate:
    start, end = ctx.span(first, last)
    return Candidate(start, end, "PERSON", score, priority, rule)


def _after_title(ctx: Context, i: int, span_at: dict[int, Candidate]) -> list[Candidate]:
    doc, lex = ctx.doc, ctx.lex
    if not doc.is_cap(i) or doc.word(i) not in lex.title_heads:
        return []
    last_title = i
    while doc.joined_after_dot(last_title) and ctx.is_title_word(last_title + 1):
        last_title += 1
    if doc.joined_after_dot(last_title):
        end = ctx.name_run(last_title + 1, after_title=True)
        if end is not None:
            return [_person(ctx, last_title + 1, end, TITLE_SCORE, 5, "title")]
    of = last_title + 1
    if doc.word(of) not in ("of", "for") or not doc.joined(last_title):
        return []
    k = of + 1
    if doc.word(k) == "the" and doc.joined(of):
        k += 1
    if not doc.joined(k - 1):
        return []
    skipped = False
    while doc.word(k) in lex.portfolio or (skipped and doc.word(k) == "and"):
        if not doc.joined(k):
            return []
        k, skipped = k + 1, True
    min_tokens = 1
    if k < len(doc) and doc.tokens[k].start in span_at:
        span_last = doc.index_at(span_at[doc.tokens[k].start].end - 1)
        if not doc.joined(span_last):
            return []
        k, min_tokens = span_last + 1, 2
    elif not skipped:
        return []
    end = ctx.name_run(k)
    if end is None or end - k + 1 < min_tokens:
        return []
    return [_person(ctx, k, end, TITLE_SCORE, 5, "title")]


def _after_role(ctx: Context, i: int) -> list[Candidate]:
    """ "the mayor Luca Pastorino", "pan-democrat Eddie Chu": a lower-case role noun
    followed by a name of at least two words."""
    doc = ctx.doc
    word = doc.word(i)
    if not word or not word.islower() or not doc.joined(i):
        return []
    if word not in ctx.lex.roles and word.rsplit("-", 1)[-1] not in ctx.lex.roles:
        return []
    end = ctx.name_run(i + 1)
    if end is None or end == i + 1:
        return []
    return [_person(ctx, i + 1, end, ROLE_SCORE, 4, "role")]


def _inside_longer_name(ctx: Context, i: int) -> bool:
    """The word before ``i`` is a capitalised name word mid-sentence: "Royal Albert ..."."""
    doc = ctx.doc
    return doc.joined(i - 1, i) and not doc.initial[i - 1] and ctx.name_like(i - 1)


def _by_name_shape(ctx: Context, i: int) -> list[Candidate]:
    doc, lex = ctx.doc, ctx.lex
    word = doc.word(i)
    if not ctx.name_like(i) or _inside_longer_name(ctx, i):
        return []
    if word in lex.given_names:
        end = ctx.name_run(i)
        if end is not None and end > i:
            return [_person(ctx, i, end, GIVEN_SCORE, 3, "given")]
        return []
    nxt = i + 1
    if not doc.joined(i) or not ctx.name_like(nxt, inner=True):
        return []
    if doc.joined(nxt) and ctx.name_like(nxt + 1, inner=True):
        return []
    if _SHORT_FAMILY.match(word) and _HYPHENATED_GIVEN.match(doc.word(nxt)):
        return [_person(ctx, i, nxt, SHAPE_SCORE, 3, "shape")]
    if doc.word(nxt) in lex.surnames:
        return [_person(ctx, i, nxt, FAMILY_SCORE, 2, "family")]
    return []


def repeated_mentions(ctx: Context, chosen: list[Candidate]) -> list[Candidate]:
    """Later mentions of found names: the full name anywhere, the surname alone when it
    stands alone ("Nurtleu pointed out"). Surname-first names ("Lee Cheuk-yan") repeat
    only in full."""
    doc, text = ctx.doc, ctx.doc.text
    full: set[str] = set()
    single: set[str] = set()
    for cand in chosen:
        if cand.label != "PERSON":
            continue
        full.add(text[cand.start : cand.end])
        if cand.rule != "shape":
            single.add(doc.word(doc.index_at(cand.end - 1)))
    entries = [GazetteerEntry(name, "PERSON") for name in sorted(full)]
    entries += [GazetteerEntry(name, "PERSON") for name in sorted(single - full)]
    lowered_words = {t.text for t in doc.tokens if t.text.islower()}
    found: list[Candidate] = []
    for hit in Gazetteer(entries).find(text):
        i = doc.index_at(hit.start)
        if i < 0 or doc.tokens[i].start != hit.start:
            continue
        if " " not in hit.text:
            if ctx.is_stop(i) or (doc.joined(i) and ctx.name_like(i + 1, inner=True)):
                continue
            if _inside_longer_name(ctx, i):
                continue
            if doc.initial[i] and hit.text.lower() in lowered_words:
                continue
        found.append(Candidate(hit.start, hit.end, "PERSON", REPEAT_SCORE, 1, "repeat"))
    return found
