"""What a figure means in its sentence: change vs level, metric, period, subject.

Best-effort rules over the tokens of one sentence. They never change a figure's
span or value, only the attributes the figure form pre-fills: "Trade turnover
in 2024 amounted to $49.7 billion" gives metric "trade turnover" and period
"2024"; "(+16.9 percent)" right after a figure inherits that figure's metric
and period; "from 2005 to the first nine months of 2024" gives "2005/2024-09".
"""

from __future__ import annotations

from storage.figures import rules
from storage.figures.numbers import Tokens
from storage.figures.parser import Candidate

_CLAUSE_BREAKS = frozenset({",", ";", ":", "(", ")", "—", "–", "\"", "“", "”"})
_CLAUSE_WORDS = frozenset("and but which that while whereas where when whose".split())
_PARTICLES = frozenset({"up", "down", "higher", "lower"})
_RANGE_LINKS = frozenset({"to", "until", "till", "and", "–", "-", "through"})
_VERBS = frozenset(
    "go goes went come comes came remain remains remained say says said get gets got make "
    "makes made take takes took need needs needed stay stays stayed".split()
)
_PRONOUNS = frozenset("here there it this that they we he she i you who what which".split())
#: ``rules.METRIC_LINK_VERBS`` by their last word, in table order: a figure tries only
#: the link verbs that can end right before it (the table has 35).
_LINK_VERBS_BY_LAST: dict[str, list[tuple[str, ...]]] = {}
for _phrase in rules.METRIC_LINK_VERBS:
    _LINK_VERBS_BY_LAST.setdefault(_phrase[-1], []).append(_phrase)
_TIME_WORDS = frozenset(
    word for phrase in rules.TIME_UNITS for word in phrase
) | frozenset(rules.MONTHS)


def change_of(tokens: Tokens, figure: Candidate, sentence_first: int) -> tuple[bool, str | None]:
    """(change, direction): a growth rate ("rose by 5%", "up 3%", "lost 30%") vs a level."""
    if figure.kind == "DATE":
        return False, None
    if figure.change:
        return True, figure.direction
    before = (figure.qualifier_first if figure.qualifier_first is not None else figure.first) - 1
    if tokens.lower(before) == "between":
        before -= 1
    word = tokens.lower(before)
    if word == "by":
        for back in range(before - 1, max(sentence_first, before - 14) - 1, -1):
            verb = tokens.lower(back)
            if verb in (".", ";", "!", "?"):
                break
            if verb in rules.CHANGE_VERBS and verb not in _PARTICLES:
                return True, rules.CHANGE_VERBS[verb]
        particle = tokens.lower(before - 1)
        if particle in ("up", "down"):
            return True, rules.CHANGE_VERBS[particle]
        return False, None
    if word in rules.CHANGE_VERBS and before >= sentence_first:
        return True, rules.CHANGE_VERBS[word]
    if word == "of":
        noun = tokens.lower(before - 1)
        if noun in rules.CHANGE_NOUNS:
            return True, rules.CHANGE_NOUNS[noun]
        if noun == "rate":
            for back in range(before - 2, max(sentence_first, before - 6) - 1, -1):
                verb = tokens.lower(back)
                if verb in rules.CHANGE_VERBS and verb not in _PARTICLES:
                    return True, rules.CHANGE_VERBS[verb]
                if verb in rules.CHANGE_NOUNS:
                    return True, rules.CHANGE_NOUNS[verb]
    return False, None


def _phrase_text(tokens: Tokens, first: int, last: int, sentence_first: int) -> str | None:
    """The text of tokens ``first..last``, a sentence-initial capital lowered."""
    if last < first:
        return None
    text = tokens.text[tokens.starts[first] : tokens.ends[last]]
    head = tokens.words[first]
    if first == sentence_first and len(head) > 1 and head[0].isupper() and head[1:].islower():
        text = text[0].lower() + text[1:]
    return text


def _strip_determiners(tokens: Tokens, first: int, last: int) -> int:
    while first <= last and tokens.lower(first) in rules.DETERMINERS:
        first += 1
    return first


def _clause_start(tokens: Tokens, end: int, floor: int) -> int:
    """The first token of the clause that ends just before ``end``."""
    for back in range(end - 1, floor - 1, -1):
        if tokens.words[back] in _CLAUSE_BREAKS or tokens.lowers[back] in _CLAUSE_WORDS:
            return back + 1
    return floor


def _noun_phrase(
    tokens: Tokens, first: int, last: int, sentence_first: int
) -> tuple[str | None, str | None]:
    """(metric, subject) from a clause-initial noun phrase, cut at its first preposition."""
    first = _strip_determiners(tokens, first, last)
    subject: str | None = None
    cut = last
    for position in range(first, last + 1):
        if tokens.lowers[position] in rules.METRIC_CUT_WORDS or tokens.kinds[position] == "num":
            cut = position - 1
            nxt = position + 1
            if nxt < len(tokens.words) and tokens.kinds[nxt] == "word" and (
                tokens.words[nxt][0].isupper()
            ):
                subject = tokens.words[nxt]
            break
    for position in range(first, cut + 1):
        text = tokens.words[position]
        if text.endswith(("’s", "'s")) and text[0].isupper():
            subject = text[:-2]
            first = position + 1
    if cut < first or cut - first > 6:
        return None, subject
    indexed = [(i, tokens.token(i)) for i in range(first, cut + 1) if tokens.kinds[i] == "word"]
    words = [token for _, token in indexed]
    if not words or any(
        w.lower in _PRONOUNS or (w.lower in rules.NOT_COUNTED and w.lower != "of") for w in words
    ):
        return None, subject
    inner = [token for i, token in indexed if i != sentence_first]
    if len(words) > 1 and inner and all(w.text[0].isupper() for w in words):
        return None, _phrase_text(tokens, first, cut, -1)
    return _phrase_text(tokens, first, cut, sentence_first), subject


def _words_before(tokens: Tokens, end: int, floor: int) -> int:
    """First index of the run of content words ending at ``end`` ("turnout rate")."""
    first = end + 1
    for back in range(end, max(floor, end - 4) - 1, -1):
        word = tokens.lowers[back]
        hyphen = tokens.words[back] == "-" and tokens.glued(back - 1, back)
        if not hyphen and (tokens.kinds[back] != "word" or word in rules.NOT_COUNTED
                           or word in rules.DETERMINERS):
            break
        first = back
    return first


def _words_after(tokens: Tokens, start: int, limit: int) -> int:
    """Last index of the run of content words starting at ``start``."""
    last = start - 1
    for position in range(start, min(limit, start + 4) + 1):
        word = tokens.lowers[position]
        if tokens.kinds[position] != "word" or word in rules.NOT_COUNTED or word.endswith("ly") or (
            word in _VERBS or word in rules.CHANGE_VERBS
        ):
            break
        last = position
    return last


def metric_of(
    tokens: Tokens, figure: Candidate, sentence_first: int, sentence_last: int, floor: int
) -> tuple[str | None, str | None]:
    """(metric, subject) for a figure; ``floor`` is where the previous figure ended.

    Tried in order: a counted noun ("3,000 companies"), "<metric> of FIG"
    ("turnout rate of 58%"), "FIG of <base>" for percentages ("70 percent of the
    market"), "<metric> <link verb> FIG" ("turnover amounted to"), and "FIG
    of/in <what>" for money and quantities ("$40 billion in profits").
    """
    if figure.kind == "DATE":
        return None, None
    if figure.kind == "COUNT" and figure.noun is not None:
        first, last = figure.noun
        while first < last and tokens.lower(first) in rules.COUNT_NOUN_DROP:
            first += 1
        return _phrase_text(tokens, first, last, sentence_first), None
    before = (figure.qualifier_first if figure.qualifier_first is not None else figure.first) - 1
    if tokens.lower(before) == "of" and before - 1 >= floor:
        first = _words_before(tokens, before - 1, floor)
        generic = first == before - 1 and tokens.lower(first) in rules.GENERIC_METRIC_NOUNS
        if first <= before - 1 and not generic:
            return _phrase_text(tokens, first, before - 1, sentence_first), None
    after = figure.last + 1
    if figure.kind == "PERCENT" and tokens.lower(after) == "of":
        found = _phrase_after(tokens, after + 1, sentence_last, sentence_first)
        if found:
            return found, None
    link_verbs = _LINK_VERBS_BY_LAST.get(tokens.lower(before), ())
    previous = tokens.lower(before - 1) if link_verbs else ""
    for phrase in link_verbs:
        if len(phrase) > 1 and phrase[-2] != previous:  # cheap part of match_phrase first
            continue
        verb_first = before - len(phrase) + 1
        if verb_first > floor and tokens.match_phrase(verb_first, phrase):
            start = _clause_start(tokens, verb_first, floor)
            metric, subject = _noun_phrase(tokens, start, verb_first - 1, sentence_first)
            if metric or subject:
                return metric, subject
            break
    if figure.kind in ("MONEY", "QUANTITY") and tokens.lower(after) in ("of", "in"):
        return _phrase_after(tokens, after + 1, sentence_last, sentence_first), None
    return None, None


def _phrase_after(tokens: Tokens, start: int, limit: int, sentence_first: int) -> str | None:
    """The content words after "of"/"in", unless they name a time ("in a single year")."""
    first = _strip_determiners(tokens, start, limit)
    last = _words_after(tokens, first, limit)
    if last < first or tokens.lower(last) in _TIME_WORDS:
        return None
    return _phrase_text(tokens, first, last, sentence_first)


def period_of(tokens: Tokens, figure: Candidate, dates: list[Candidate]) -> str | None:
    """The period a figure refers to, ISO 8601: the nearest dated expression in its sentence.

    "in 2024" gives ``2024``; "from 2005 to the first nine months of 2024" gives
    ``2005/2024-09`` (start of the first, end of the second); "since 2012" gives
    the open interval ``2012/``. A date without an ISO form keeps its label.
    """
    if figure.kind == "DATE":
        return None
    usable = [d for d in dates if d.date_label]
    before = [d for d in usable if d.last < figure.first]
    after = [d for d in usable if d.first > figure.last]
    if before:
        chosen = before[-1]
        earlier = before[-2] if len(before) > 1 else None
        if earlier is not None and _linked(tokens, earlier, chosen):
            return _interval(earlier, chosen)
        return _single(tokens, chosen)
    if after:
        chosen = after[0]
        later = after[1] if len(after) > 1 else None
        if later is not None and _linked(tokens, chosen, later):
            return _interval(chosen, later)
        return _single(tokens, chosen)
    return figure.rate_period


def _iso(date: Candidate) -> str:
    return date.date_value or date.date_label or ""


def _single(tokens: Tokens, date: Candidate) -> str:
    """One date as a period; "since X" is the open interval ``X/``."""
    if tokens.lower(date.first - 1) == "since" and date.date_value:
        return f"{date.date_value.split('/')[0]}/"
    return _iso(date)


def _interval(first: Candidate, second: Candidate) -> str:
    if first.date_value and second.date_value:
        return f"{first.date_value.split('/')[0]}/{second.date_value.split('/')[-1]}"
    return f"{first.date_label}–{second.date_label}"


def _linked(tokens: Tokens, first: Candidate, second: Candidate) -> bool:
    """True for "from 2005 to (the) 9M2024" / "between 2004 and 2009"."""
    if tokens.lower(first.first - 1) not in ("from", "between"):
        return False
    gap = [tokens.lower(i) for i in range(first.last + 1, second.first)]
    return 1 <= len(gap) <= 2 and gap[0] in _RANGE_LINKS and all(
        word in _RANGE_LINKS or word == "the" for word in gap
    )
