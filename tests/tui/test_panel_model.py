"""The panels' view models, without an app: a patch gives the rows a full load would.

Each case starts from a set of mentions (or figures), applies one change the
way the reader does (the span ids touched and their new items), and checks
the rows, and that the reported splice is exactly where old and new differ.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from tui.widgets import list_cursor
from tui.widgets.entity_panel import MentionItem
from tui.widgets.figure_panel import FigureItem
from tui.widgets.panel_model import EntityRows, Heading, Splice, TableRows


def m(
    span_id: int,
    start: int,
    entity: int | None = None,
    *,
    text: str = "word",
    label: str = "PERSON",
    status: str = "accepted",
    pending: bool = False,
) -> MentionItem:
    name = f"Entity {entity}" if entity is not None else None
    return MentionItem(span_id, start, text, label, "#fff", status, entity, name, pending)


BASE = [
    m(1, 0, 7),
    m(2, 10),
    m(3, 20, 8),
    m(4, 30, 7),
    m(5, 40),
    m(6, 50, 8),
    m(7, 60, 7),
    m(8, 70),
]


def _full(mentions: list[MentionItem]) -> list[MentionItem | Heading]:
    rows: EntityRows[MentionItem] = EntityRows()
    rows.load(mentions)
    return list(rows.rows)


def _apply(
    base: list[MentionItem], removed: set[int], added: list[MentionItem]
) -> list[MentionItem]:
    by_id = {item.span_id: item for item in base if item.span_id not in removed}
    by_id.update({item.span_id: item for item in added})
    return list(by_id.values())


def _check_splice(old: list[object], new: list[object], splice: Splice | None) -> None:
    if splice is None:
        assert old == new
        return
    start, old_stop, new_stop = splice
    assert new[:start] == old[:start]
    assert new[new_stop:] == old[old_stop:]
    assert new == old[:start] + new[start:new_stop] + old[old_stop:]


ENTITY_CASES = {
    "add unlinked": (set(), [m(9, 15)]),
    "add pending before everything": (set(), [m(-1, 0, text="w", pending=True)]),
    "add to a group, in its middle": (set(), [m(9, 35, 7)]),
    "add before a group's first mention (the block moves)": (set(), [m(9, 5, 8)]),
    "add a new entity's first mention": (set(), [m(9, 45, 9)]),
    "remove unlinked": ({2}, []),
    "remove a group's first mention (the block moves)": ({3}, []),
    "remove the last mention of an entity (heading goes)": ({3, 6}, []),
    "relabel in place": ({5}, [m(5, 40, label="ORG")]),
    "accept a suggestion": ({4}, [m(4, 30, 7, status="accepted")]),
    "reject (gone)": ({7}, []),
    "link an unlinked mention": ({2}, [m(2, 10, 8)]),
    "unlink a mention": ({4}, [m(4, 30)]),
    "move a mention to another entity": ({1}, [m(1, 0, 8)]),
    "pending label replaced by the stored span": ({-1}, [m(11, 0, text="w")]),
    "undo of a label (stored span gone)": ({11}, []),
    "relabel of a pending label": ({-1}, [m(-1, 0, text="w", label="ORG", pending=True)]),
    "ids not shown and unchanged items": ({99, 1}, [m(1, 0, 7)]),
    "several at once": ({2, 3, 8}, [m(9, 1, 8), m(10, 75, 7), m(5, 40, 9)]),
}


@pytest.mark.parametrize("removed, added", ENTITY_CASES.values(), ids=ENTITY_CASES.keys())
def test_entity_patch_gives_the_rows_of_a_full_load(
    removed: set[int], added: list[MentionItem]
) -> None:
    extra = {-1: m(-1, 0, text="w", pending=True), 11: m(11, 0, text="w")}
    base = [*BASE, *(extra[span_id] for span_id in removed if span_id in extra)]
    rows: EntityRows[MentionItem] = EntityRows()
    rows.load(base)
    old = list(rows.rows)
    splice = rows.patch(removed, added)
    after = _apply(base, removed, added)
    assert rows.rows == _full(after)
    assert rows.mentions == {item.span_id: item for item in after}
    _check_splice(old, list(rows.rows), splice)


def test_entity_rows_group_under_headings_in_reading_order() -> None:
    rows = _full(BASE)
    order = [f"e{row.entity_id}" if isinstance(row, Heading) else row.span_id for row in rows]
    assert order == ["e7", 1, 4, 7, 2, "e8", 3, 6, 5, 8]
    assert rows[0] == Heading(7, "Entity 7", "#fff", 3)


def test_a_run_of_patches_ends_as_a_full_load() -> None:
    """Label, relabel, undo, undo, accept, undo, reject, undo: as the benchmark's cycle."""
    shown = list(BASE)
    rows: EntityRows[MentionItem] = EntityRows()
    rows.load(shown)
    steps: list[tuple[set[int], list[MentionItem]]] = [
        (set(), [m(-1, 33, text="new", pending=True)]),
        ({-1}, [m(20, 33, text="new")]),
        ({20}, [m(20, 33, text="new", label="ORG", pending=True)]),
        ({20}, [m(20, 33, text="new", label="ORG")]),
        ({20}, [m(20, 33, text="new")]),
        ({20}, []),
        ({5}, [m(5, 40, 7)]),
        ({5}, [m(5, 40)]),
        ({6}, []),
        (set(), [m(6, 50, 8)]),
    ]
    for removed, added in steps:
        old = list(rows.rows)
        splice = rows.patch(removed, added)
        shown = _apply(shown, removed, added)
        assert rows.rows == _full(shown)
        _check_splice(old, list(rows.rows), splice)
    assert rows.rows == _full(BASE)


def f(span_id: int, start: int, value: str | None = "1", **kw: object) -> FigureItem:
    values = {"unit": None, "metric": None, "period": None, **kw}
    return FigureItem(
        span_id,
        start,
        "12",
        "MONEY",
        "#fff",
        "accepted",
        Decimal(value) if value is not None else None,
        values["unit"],  # type: ignore[arg-type]
        values["metric"],  # type: ignore[arg-type]
        values["period"],  # type: ignore[arg-type]
    )


def _measure(item: FigureItem) -> tuple[int, ...]:
    return (len(item.kind), len(str(item.value)), len(item.unit or ""))


FIGURES = [f(1, 0), f(2, 10, unit="EUR"), f(3, 20, "12345", unit="per cent")]

FIGURE_CASES = {
    "add": (set(), [f(4, 15, "7")]),
    "remove the widest unit": ({3}, []),
    "remove one of two equal widths": ({1}, []),
    "edit a value (wider)": ({2}, [f(2, 10, "1234567", unit="EUR")]),
    "add a wider unit": (set(), [f(4, 5, unit="kilometres")]),
    "remove all": ({1, 2, 3}, []),
}


@pytest.mark.parametrize("removed, added", FIGURE_CASES.values(), ids=FIGURE_CASES.keys())
def test_figure_patch_gives_the_rows_and_widths_of_a_full_load(
    removed: set[int], added: list[FigureItem]
) -> None:
    rows: TableRows[FigureItem] = TableRows(_measure, 3)
    rows.load(FIGURES)
    old = list(rows.rows)
    splice = rows.patch(removed, added)
    full: TableRows[FigureItem] = TableRows(_measure, 3)
    full.load(_apply(FIGURES, removed, added))  # type: ignore[arg-type]
    assert rows.rows == full.rows
    assert rows.widest == full.widest
    _check_splice(old, list(rows.rows), splice)


def test_an_unchanged_item_is_no_splice() -> None:
    rows: EntityRows[MentionItem] = EntityRows()
    rows.load(BASE)
    assert rows.patch({1, 2}, [replace(BASE[0]), replace(BASE[1])]) is None


@pytest.mark.parametrize(
    "splice, expected",
    [
        ((50, 51, 51), (50, 0)),  # a row replaced below the view [10, 20): nothing
        ((12, 13, 13), (12, 1)),  # replaced in view: that line
        ((12, 13, 14), (12, 8)),  # one added in view: it and every line below
        ((3, 4, 3), (10, 10)),  # one removed above the view: the whole view shifts
        ((15, 30, 15), (15, 5)),
    ],
)
def test_lines_to_redraw(splice: Splice, expected: tuple[int, int]) -> None:
    assert list_cursor.lines_to_redraw(splice, 10, 20) == expected


@pytest.mark.parametrize(
    "splice, cursor, expected",
    [
        ((8, 9, 9), 5, 5),  # changed below the cursor
        ((1, 1, 3), 5, 7),  # two added above: it moves down
        ((1, 3, 1), 5, 3),  # two removed above
        ((4, 6, 7), 5, 6),  # inside the splice: follows its item
        ((4, 6, 5), 4, 5),  # inside, its item gone: same place (a heading now), next enabled
    ],
)
def test_cursor_after_splice(splice: Splice, cursor: int, expected: int) -> None:
    old = list(range(10))
    start, old_stop, new_stop = splice
    added = {(4, 6, 7): [4, 100, 5], (4, 6, 5): [0]}.get(
        splice, list(range(1000, 1000 + new_stop - start))
    )
    rows = old[:start] + added + old[old_stop:]
    enabled = lambda row: row != 0  # noqa: E731
    found = list_cursor.after_splice(rows, enabled, lambda row: row, cursor, old[cursor], splice)
    assert found == expected
