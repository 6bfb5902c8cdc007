"""Deterministic benchmark data: news-like articles with spans, gazetteers, JSONL files.

Everything is generated from fixed seeds, so two runs (and two machines) time
the same input. Articles are built from sentence templates whose slots are
filled with names (people, organisations, places) and figures (money,
percentages, counts, dates); the slot positions are known, so spans are exact
without any parsing. Names come from one pool that also feeds the gazetteer,
so the suggesters find real matches. Databases are built in ``bench/db.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SYLLABLES = (
    "ka ra lin mor sen tal vor bel dan gri hol ist jun kel lor mar nes ost pav "
    "qua ros sul tor ul ven wel xan yor zel ber cor dim fen gal hur ib jor"
).split()
ORG_SUFFIXES = (
    "Holdings", "Group", "Bank", "Energy", "Logistics", "Partners", "Industries",
    "Capital", "Motors", "Telecom", "Airlines", "Mining",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
SOURCES = ("Wire", "Daily Ledger", "Astana Times", "Policy Review", "Trade Journal")
TEMPLATES = (
    "{P} said on {D} that {O} would invest {M} in {G} over the next {N} years.",
    "Trade between {G} and {G} grew by {C} in {Y}, reaching {M}.",
    "According to {O}, more than {N} companies from {G} now operate in the region.",
    "{O} reported revenue of {M} for {Y}, up {C} from a year earlier.",
    "The agreement, signed in {G} by {P} and {P}, covers energy, transport and digital links.",
    "Officials in {G} expect inflation to ease to {C} by {Y}, the central bank said.",
    "{P}, who chairs {O}, told reporters that the talks had been constructive.",
    "Shipments through {G} rose to {N} tonnes last quarter, the ministry said.",
    "Analysts at {O} cut their growth forecast for {G} to {C}.",
    "The visit by {P} to {G} was the first at this level since {Y}.",
    "Ministers will meet again in the autumn to review progress on the corridor.",
    "Critics argue the plan does too little for smaller firms and rural regions.",
)
SLOT_LABELS = {
    "P": ("entity", "PERSON"),
    "O": ("entity", "ORG"),
    "G": ("entity", "GPE"),
    "M": ("figure", "MONEY"),
    "C": ("figure", "PERCENT"),
    "N": ("figure", "COUNT"),
    "Y": ("figure", "DATE"),
    "D": ("figure", "DATE"),
}
GAZETTEER_SIZE = 50_000


@dataclass(frozen=True)
class GenSpan:
    """A span of a generated article: ``[start, end)`` code points, a layer and a label."""

    start: int
    end: int
    layer: str
    label: str


@dataclass(frozen=True)
class GenArticle:
    title: str
    text: str
    source: str
    published: dt.date
    spans: tuple[GenSpan, ...]


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


@lru_cache(maxsize=1)
def name_pool() -> dict[str, tuple[str, ...]]:
    """People, organisations and places: unique surfaces, ``GAZETTEER_SIZE`` in all."""
    rng = random.Random(20240501)
    firsts = sorted({_word(rng, 2) for _ in range(400)})
    lasts = sorted({_word(rng, 3) for _ in range(800)})
    seen: set[str] = set()

    def take(count: int, make: Callable[[], str]) -> tuple[str, ...]:
        found: list[str] = []
        while len(found) < count:
            name = make()
            if name not in seen:
                seen.add(name)
                found.append(name)
        return tuple(found)

    people = take(30_000, lambda: f"{rng.choice(firsts)} {rng.choice(lasts)}")
    orgs = take(15_000, lambda: f"{_word(rng, 2)} {rng.choice(ORG_SUFFIXES)}")
    places = take(GAZETTEER_SIZE - 45_000, lambda: _word(rng, rng.choice((2, 3))))
    return {"PERSON": people, "ORG": orgs, "GPE": places}


def gazetteer_entries(size: int = GAZETTEER_SIZE) -> list[tuple[str, str]]:
    """``(surface, label)`` pairs: the name pool, interleaved, cut to ``size``."""
    pool = name_pool()
    entries: list[tuple[str, str]] = []
    for index in range(max(len(names) for names in pool.values())):
        for label, names in pool.items():
            if index < len(names):
                entries.append((names[index], label))
    return entries[:size]


class _Filler:
    """Fills template slots; 70% of names come from the gazetteer's pool, the rest are new."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pool = name_pool()

    def name(self, label: str) -> str:
        rng = self.rng
        if rng.random() < 0.7:
            return rng.choice(self.pool[label])
        if label == "PERSON":
            return f"{_word(rng, 2)} {_word(rng, 3)}"
        if label == "ORG":
            return f"{_word(rng, 2)} {rng.choice(ORG_SUFFIXES)}"
        return _word(rng, 3)

    def fill(self, slot: str) -> str:
        rng = self.rng
        if slot in "POG":
            return self.name(SLOT_LABELS[slot][1])
        if slot == "M":
            amount = f"{rng.randint(1, 999)}.{rng.randint(0, 9)}"
            forms = (f"${amount} billion", f"€{amount} million", f"{amount} million euros")
            return rng.choice(forms)
        if slot == "C":
            value = f"{rng.randint(0, 40)}.{rng.randint(0, 9)}"
            return rng.choice((f"{value}%", f"{value} percent"))
        if slot == "N":
            return f"{rng.randint(2, 90_000):,}"
        if slot == "Y":
            return str(rng.randint(1995, 2025))
        return rng.choice(WEEKDAYS)


def _sentences(filler: _Filler, target: int) -> tuple[str, list[GenSpan]]:
    """Paragraphs of filled templates, about ``target`` characters, and every slot as a span."""
    rng = filler.rng
    parts: list[str] = []
    slots: list[GenSpan] = []
    length = 0
    in_paragraph = 0
    while length < target:
        if parts:
            separator = "\n\n" if in_paragraph >= rng.randint(3, 6) else " "
            in_paragraph = 0 if separator == "\n\n" else in_paragraph
            parts.append(separator)
            length += len(separator)
        template = rng.choice(TEMPLATES)
        position = 0
        while True:
            brace = template.find("{", position)
            if brace < 0:
                tail = template[position:]
                break
            literal = template[position:brace]
            parts.append(literal)
            length += len(literal)
            slot = template[brace + 1]
            value = filler.fill(slot)
            layer, label = SLOT_LABELS[slot]
            slots.append(GenSpan(length, length + len(value), layer, label))
            parts.append(value)
            length += len(value)
            position = brace + 3
        parts.append(tail)
        length += len(tail)
        in_paragraph += 1
    return "".join(parts), slots


def make_article(seed: int, size: int, spans: int) -> GenArticle:
    """One article of about ``size`` characters with ``spans`` annotated slots (fewer if short)."""
    rng = random.Random(seed)
    filler = _Filler(rng)
    org, money, place = filler.name("ORG"), filler.fill("M"), filler.name("GPE")
    title = f"{org} to invest {money} in {place} ({seed})"
    text, slots = _sentences(filler, size)
    chosen = sorted(rng.sample(slots, min(spans, len(slots))), key=lambda s: (s.start, s.end))
    published = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 5 * 365))
    return GenArticle(title, text, rng.choice(SOURCES), published, tuple(chosen))


def corpus(
    count: int,
    min_size: int = 2_000,
    max_size: int = 8_000,
    spans: int = 20,
    seed: int = 1,
    start: int = 0,
) -> Iterator[GenArticle]:
    """Articles ``start`` to ``start + count`` of a corpus: each is a function of its index.

    Sizes are ``min_size``-``max_size`` characters, spans about ``spans``; any
    slice of a corpus can be generated without generating what comes before.
    """
    for index in range(start, start + count):
        article_seed = seed * 1_000_003 + index
        sizes = random.Random(-article_seed)
        size, jitter = sizes.randint(min_size, max_size), sizes.randint(-3, 3)
        yield make_article(article_seed, size, spans + jitter)


@lru_cache(maxsize=2)
def big_article(size: int = 1_000_000, spans: int = 5_000) -> GenArticle:
    """The "open a big article" input: 1 MB of text with 5,000 spans."""
    return make_article(424242, size, spans)


def with_header(article: GenArticle, header: str) -> GenArticle:
    """``article`` with a first line prepended (its spans shifted): a cheap distinct copy."""
    prefix = header + "\n\n"
    shift = len(prefix)
    spans = tuple(
        GenSpan(span.start + shift, span.end + shift, span.layer, span.label)
        for span in article.spans
    )
    return GenArticle(header, prefix + article.text, article.source, article.published, spans)


def ref_code(index: int) -> str:
    """A unique lower-case word per index (``qa``, ``qb``…), for rare-term searches."""
    letters = "bcdfghjklmnpqrstvwxz"
    code = ""
    index += 1
    while index:
        index, digit = divmod(index, len(letters))
        code = letters[digit] + code
    return "q" + code


# -- files ----------------------------------------------------------------------------


def plain_record(article: GenArticle) -> dict[str, object]:
    """A plain ``redline import`` JSONL line: the article without annotations."""
    return {
        "title": article.title,
        "source": article.source,
        "published": article.published.isoformat(),
        "text": article.text,
    }


def native_record(article: GenArticle, annotator: str) -> dict[str, object]:
    """redline's own JSONL line (``storage.exporters.native``) with entities and figures."""

    def span(item: GenSpan) -> dict[str, object]:
        value: dict[str, object] = {
            "start": item.start,
            "end": item.end,
            "text": article.text[item.start : item.end],
            "label": item.label,
            "status": "accepted",
        }
        if item.layer == "figure":
            value["figure"] = {"kind": item.label}
        return value

    return {
        "redline": 1,
        **plain_record(article),
        "annotator": annotator,
        "entities": [span(item) for item in article.spans if item.layer == "entity"],
        "figures": [span(item) for item in article.spans if item.layer == "figure"],
        "topics": [],
    }


def write_jsonl(path: Path, records: Iterator[dict[str, object]]) -> Path:
    """Write records one per line (atomically: a partial file never keeps the name)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".part")
    with temp.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False))
            handle.write("\n")
    temp.replace(path)
    return path
