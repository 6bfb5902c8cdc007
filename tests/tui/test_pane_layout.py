"""The reading pane's layout, without Textual: wrapping, offsets and cells, span lookup, words."""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from tui import tokens
from tui.widgets import pane_layout as layout
from tui.widgets.pane_words import WordIndex


def lines_of(text: str, width: int) -> list[str]:
    table = layout.wrap(text, width)
    return [layout.line_text(text, table, row) for row in range(len(table))]


def test_wraps_at_spaces_and_the_break_space_hangs() -> None:
    text = "The quick brown fox jumps over the lazy dog"
    assert lines_of(text, 10) == ["The quick ", "brown fox ", "jumps over ", "the lazy ", "dog"]
    assert lines_of(text, 9) == ["The quick ", "brown fox ", "jumps ", "over the ", "lazy dog"]
    assert lines_of(text, 100) == [text]


def test_a_word_longer_than_the_width_is_cut() -> None:
    assert lines_of("abcdefghij xy", 4) == ["abcd", "efgh", "ij ", "xy"]


def test_newlines_break_lines_and_a_blank_line_separates_paragraphs() -> None:
    assert lines_of("One.\nTwo.", 20) == ["One.", "Two."]
    assert lines_of("One.\n\nTwo.", 20) == ["One.", "", "Two."]
    assert lines_of("One.\n", 20) == ["One.", ""]
    assert lines_of("", 20) == [""]


def test_cjk_takes_two_cells_a_column() -> None:
    text = "中文字符"
    assert lines_of(text, 5) == ["中文", "字符"]
    table = layout.wrap(text, 5)
    assert layout.offset_to_cell(text, table, 1) == (0, 2)
    assert layout.cell_to_offset(text, table, 0, 3) == 1  # the right half of 文
    assert layout.offset_to_cell(text, table, 3) == (1, 2)


def test_emoji_and_combining_marks() -> None:
    text = "a👍b e\u0301x"
    table = layout.wrap(text, 40)
    assert layout.offset_to_cell(text, table, 2) == (0, 3)  # after a two-cell emoji
    # The combining acute accent is drawn in the cell of its base "e".
    assert layout.offset_to_cell(text, table, 4) == (0, 5)
    assert layout.offset_to_cell(text, table, 5) == (0, 5)
    assert layout.offset_to_cell(text, table, 6) == (0, 6)
    assert layout.cell_to_offset(text, table, 0, 5) == 4
    assert layout.cell_to_offset(text, table, 0, 6) == 6


def test_clicks_past_the_line_end_clamp() -> None:
    text = "alpha beta gamma\nend"
    table = layout.wrap(text, 11)
    assert [layout.line_text(text, table, row) for row in range(3)] == [
        "alpha beta ",
        "gamma",
        "end",
    ]
    assert layout.cell_to_offset(text, table, 0, 50) == 10  # the break space, not the next line
    assert layout.cell_to_offset(text, table, 1, 50) == 16  # the newline position
    assert layout.cell_to_offset(text, table, 9, 0) == 17  # rows clamp too


def test_sanitize_keeps_length_and_newlines() -> None:
    text = "a\tb\x00c\x1b[31m\nd"
    shown = layout.sanitize(text)
    assert len(shown) == len(text)
    assert shown == f"a b{layout.REPLACEMENT}c{layout.REPLACEMENT}[31m\nd"


ALPHABET = st.sampled_from([*"ab cd  ef\n", "中", "字", "👍", "\u0301", "é", "–", "’"])


@settings(max_examples=200, deadline=None)
@given(text=st.text(ALPHABET, max_size=80), width=st.integers(min_value=1, max_value=24))
def test_wrap_covers_the_text_and_offsets_round_trip(text: str, width: int) -> None:
    table = layout.wrap(text, width)
    ranges = [table.line_range(row) for row in range(len(table))]
    assert ranges[0][0] == 0 and ranges[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in pairwise(ranges))
    for row, (start, _) in enumerate(ranges):
        shown = layout.line_text(text, table, row)
        assert "\n" not in shown
        content = shown[:-1] if shown.endswith(" ") else shown
        one_glyph = len(content.rstrip("\u0301")) <= 1
        assert cell_len(content) <= width or one_glyph
        for index, char in enumerate(shown):
            if cell_len(char) == 0:
                continue
            row_col = layout.offset_to_cell(text, table, start + index)
            assert row_col[0] == row
            assert layout.cell_to_offset(text, table, *row_col) == start + index
    assert layout.offset_to_cell(text, table, len(text))[0] == len(table) - 1


@dataclass(frozen=True)
class Range:
    start: int
    end: int


def test_span_index_matches_a_brute_force_scan() -> None:
    generator = random.Random(7)
    spans = [Range(s, s + generator.randint(1, 40)) for s in generator.sample(range(5000), 600)]
    spans += [Range(100, 4900), Range(0, 5000)]  # long evidence-like spans
    index = layout.SpanIndex(spans)
    assert len(index) == len(spans)
    for start in range(0, 5000, 37):
        end = start + 23
        expected = {span for span in spans if span.start < end and span.end > start}
        assert set(index.touching(start, end)) == expected
    covering = index.covering(2500)
    assert covering[-1] == Range(0, 5000)
    lengths = [span.end - span.start for span in covering]
    assert lengths == sorted(lengths)


def test_match_ranges() -> None:
    matches = [(0, 3), (10, 13), (20, 23)]
    assert layout.match_ranges(matches, 3, 11) == [(10, 13)]
    assert layout.match_ranges(matches, 2, 21) == matches
    assert layout.match_ranges(matches, 13, 20) == []


# -- word boundaries (tui.tokens and the pane's lazy WordIndex) ----------------


def test_token_bounds_skip_whitespace_and_shift_by_base() -> None:
    text = "Murat Nurtleu,  held\nit."
    assert tokens.token_bounds(text) == [(0, 5), (6, 13), (13, 14), (16, 20), (21, 23), (23, 24)]
    assert tokens.token_bounds("a b", base=10) == [(10, 11), (12, 13)]


def test_snap_and_word_helpers() -> None:
    text = "Kazakhstan, Murat Nurtleu, held"
    bounds = tokens.token_bounds(text)
    murat = text.index("Murat")
    assert tokens.snap(bounds, murat + 1, murat + 8) == (murat, murat + 13)
    assert tokens.snap(bounds, murat - 1, murat + 1) == (murat, murat + 5)  # space trimmed
    assert tokens.snap(bounds, 11, 12) == (11, 11)  # only a space: nothing
    assert tokens.word_at(bounds, murat + 2) == (murat, murat + 5)
    assert tokens.word_at(bounds, murat - 1) is None
    assert tokens.next_word(bounds, murat) == murat + 6
    assert tokens.prev_word(bounds, murat) == 10
    assert tokens.next_word_end(bounds, murat + 5) == murat + 13


def test_word_index_walks_across_paragraphs() -> None:
    text = "First one.\n\n\nSecond para here."
    words = WordIndex(text)
    second = text.index("Second")
    assert words.next_start(text.index("one.") + 3) == second
    assert words.previous_start(second) == text.index(".")
    assert words.next_end(second + 6) == second + 11
    assert words.word_at(10) is None
    assert words.next_start(len(text) - 1) == len(text)
    assert words.previous_start(0) == 0


def test_word_index_snaps_a_range_spanning_paragraphs() -> None:
    text = "alpha beta\n\n\ngamma delta"
    words = WordIndex(text)
    assert words.snap(7, text.index("gamma") + 2) == (6, text.index("gamma") + 5)
    assert words.snap(10, 13) is None  # only newlines
    assert words.snap(text.index("gamma"), len(text)) == (text.index("gamma"), len(text))


def test_word_index_tokenizes_a_window_of_a_huge_paragraph() -> None:
    text = "word " * 10_000
    words = WordIndex(text)
    offset = 30_002
    assert words.word_at(offset) == (30_000, 30_004)
    low, high = words._window(offset)
    assert high - low < len(text) // 2
