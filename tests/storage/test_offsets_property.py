"""Offsets stay exact end to end, whatever the Unicode (property tests, both backends).

Strategies cover emoji (ZWJ sequences, flags, skin tones), combining marks,
RTL scripts, CJK, CRLF / lone CR and a leading BOM. They leave out NUL and lone
surrogates: redline refuses both on import (see ``test_unstorable_text_is_refused``)
because PostgreSQL cannot store NUL and UTF-8 cannot encode surrogates.
"""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from storage import queries
from storage.articles import add_article
from storage.db import Database
from storage.errors import StorageError
from storage.repository import Repository
from storage.text import BOM, normalise, sha256
from tests.storage.test_repository import Parsed

PIECES = [
    "👩\u200d👩\u200d👧\u200d👦",  # family: a ZWJ sequence, 7 code points
    "🏳\ufe0f\u200d🌈",  # flag ZWJ sequence with a variation selector
    "🇰🇿",  # regional-indicator flag
    "🇪🇺",
    "👍🏽",  # skin-tone modifier
    "e\u0301",  # composes to é under NFC
    "a\u0308\u0323",  # two marks, reordered and composed by NFC
    "\u212b",  # ANGSTROM SIGN: NFC maps it to Å
    "\u1e9b\u0323",
    "שָׁלוֹם",
    "مرحبا بالعالم",
    "\u200f",  # RIGHT-TO-LEFT MARK
    "北京市",
    "東京都",
    "한국어",
    "\u0928\u093f",
    "\r\n",
    "\r",
    "\n",
    "\ufeff",  # a BOM inside the text is kept: only a leading one is stripped
    "$49.7 billion",
    "[bold]not markup[/]",
    " ",
]
CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


def _join(parts: tuple[int, list[str]]) -> str:
    leading_boms, pieces = parts
    return BOM * leading_boms + "".join(pieces)


RAW_TEXT = st.tuples(
    st.integers(0, 2),
    st.lists(
        st.one_of(st.sampled_from(PIECES), st.text(CHARACTERS, max_size=12)),
        min_size=1,
        max_size=16,
    ),
).map(_join)

_annotators = itertools.count()


# -- normalise, no database ---------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(RAW_TEXT)
def test_normalise_is_idempotent_and_canonical(raw: str) -> None:
    once = normalise(raw)
    assert normalise(once) == once
    assert "\r" not in once
    assert not once.startswith(BOM)
    assert unicodedata.is_normalized("NFC", once)


def test_normalise_strips_every_leading_bom() -> None:
    """Found by the idempotence property: one BOM stripped left "\ufeffx" to a second pass."""
    assert normalise(BOM + BOM + "x") == normalise(BOM + "x") == "x"


# -- import and spans, both backends -------------------------------------------------


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=RAW_TEXT, data=st.data())
@example(raw="👩\u200d👩\u200d👧 e\u0301 שָׁלוֹם\r\n北京 🇰🇿\rend", data=None)
def test_offsets_survive_import_and_storage(db: Database, raw: str, data: st.DataObject) -> None:
    text = normalise(raw)
    assume(text.strip())
    added = add_article(db, Parsed(raw, title="property"))
    stored = queries.get_article(db, added.article_id)
    assert stored is not None
    assert stored.text == text
    assert (stored.length, stored.sha256) == (len(text), sha256(text))

    # Identity is the normalised text: the raw text again, or its normal form, is a duplicate.
    for again in (raw, text):
        duplicate = add_article(db, Parsed(again, title="again"))
        assert (duplicate.article_id, duplicate.created) == (added.article_id, False)

    annotator = f"prop{next(_annotators)}"
    repo = Repository(db, annotator)
    wanted: list[tuple[int, int, str, str]] = []
    draws = data.draw(st.integers(0, 6), label="spans") if data is not None else 3
    for index in range(draws):
        if data is not None:
            start = data.draw(st.integers(0, len(text) - 1), label="start")
            end = data.draw(st.integers(start + 1, len(text)), label="end")
        else:
            start, end = index, len(text) - index
        layer = ("entity", "figure", "evidence")[index % 3]
        span = repo.add_span(
            added.article_id,
            start,
            end,
            "MONEY" if layer == "figure" else "MISC",
            layer=layer,
            topic="trade" if layer == "evidence" else None,
            text=text[start:end],
        )
        assert span.text == text[start:end]
        wanted.append((start, end, layer, text[start:end]))

    spans = queries.spans_for(db, added.article_id, annotator)
    for span in spans:
        assert stored.text[span.start : span.end] == span.text
    assert sorted((s.start, s.end, s.layer, s.text) for s in spans) == sorted(wanted)


@pytest.mark.parametrize(
    ("text", "title", "problem"),
    [
        ("before \x00 after", "nul", "NUL"),
        ("before \ud800 after", "surrogate", "surrogate"),
        ("fine text", "bad \ud83d title", "surrogate"),
    ],
)
def test_unstorable_text_is_refused(db: Database, text: str, title: str, problem: str) -> None:
    """Both backends give the same clear error, instead of PostgreSQL alone refusing NUL
    and a UnicodeEncodeError traceback for surrogates (JSONL can carry "\\ud800")."""
    with pytest.raises(StorageError, match=problem):
        add_article(db, Parsed(text, title=title))
    assert queries.article_ids(db) == []
