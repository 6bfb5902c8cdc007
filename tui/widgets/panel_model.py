"""The side panels' view models: their rows in order, patched per change in O(changed rows).

Pure Python (no Textual). A panel loads its rows in full when an article opens
(or is read again), then each action's changes are applied as *patches*: the
span ids whose rows may have changed and their new items (an id without an
item is gone). A patch inserts, removes or replaces just those rows, found by
bisection on a sort key kept beside the rows, and answers the :data:`Splice`
of the row list it changed, so the list repaints only those lines.

Rows are ordered as the reader model lists its spans: by ``(start, end, id)``,
``end`` being ``start + len(text)`` (a span's text is its slice). The
Entities rows group linked mentions under a heading for their entity, the
block standing where its first mention would; a change to a group re-sorts
that group only.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

Splice = tuple[int, int, int]
"""``(start, old_stop, new_stop)``: rows ``[start, old_stop)`` became ``[start, new_stop)``."""
SpanKey = tuple[int, int, int]


class SpanItem(Protocol):
    """What a panel row built from a span has (MentionItem, FigureItem)."""

    @property
    def span_id(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def text(self) -> str: ...


ItemT = TypeVar("ItemT", bound=SpanItem)
RowT = TypeVar("RowT")


def span_key(item: SpanItem) -> SpanKey:
    """The reading-order key of a span's row: ``(start, end, id)``."""
    return (item.start, item.start + len(item.text), item.span_id)


def changed_items(
    shown: Mapping[int, ItemT], changed: Iterable[int], items: Iterable[ItemT]
) -> list[tuple[ItemT | None, ItemT | None]]:
    """``(old, new)`` for each id whose row really changed (``None``: absent)."""
    new_of = {item.span_id: item for item in items}
    pairs = []
    for span_id in {*changed, *new_of}:
        old, new = shown.get(span_id), new_of.get(span_id)
        if old != new:
            pairs.append((old, new))
    return pairs


class _Tracker:
    """Folds a run of row insertions and deletions into one :data:`Splice`.

    ``start`` is the first row any edit touched; ``tail`` the rows at the end
    no edit reached (edits after it shorten it, edits before it leave it).
    """

    def __init__(self, length: int) -> None:
        self.old_length = length
        self.start = length
        self.tail = length

    def edited(self, index: int, length: int, stop: int) -> None:
        """An edit at ``index``; the list is ``length`` long, unchanged from ``stop`` on."""
        self.start = min(self.start, index)
        self.tail = min(self.tail, length - stop)

    def splice(self, length: int) -> Splice | None:
        if self.start == self.old_length and self.tail == length == self.old_length:
            return None
        return (self.start, self.old_length - self.tail, length - self.tail)


class _SortedRows(Generic[RowT]):
    """Rows with a sort key each, kept in key order; every edit is reported to a tracker."""

    def __init__(self) -> None:
        self.rows: list[RowT] = []
        self.keys: list[tuple[object, ...]] = []

    def reset(self, keyed: list[tuple[tuple[object, ...], RowT]]) -> None:
        self.keys = [key for key, _ in keyed]
        self.rows = [row for _, row in keyed]

    def insert(self, keys: list[tuple[object, ...]], rows: list[RowT], tracker: _Tracker) -> None:
        """``rows`` (a run whose ``keys`` are consecutive in the order) where they belong."""
        index = bisect_left(self.keys, keys[0])
        self.rows[index:index] = rows
        self.keys[index:index] = keys
        tracker.edited(index, len(self.rows), index + len(rows))

    def delete(self, key: tuple[object, ...], count: int, tracker: _Tracker) -> None:
        """The ``count`` rows from the one with ``key``."""
        index = bisect_left(self.keys, key)
        assert index < len(self.keys) and self.keys[index] == key, key
        del self.rows[index : index + count]
        del self.keys[index : index + count]
        tracker.edited(index, len(self.rows), index)


@dataclass(frozen=True, slots=True)
class Heading:
    """The Entities panel's row above a canonical entity's mentions."""

    entity_id: int
    name: str
    colour: str
    count: int


class _MentionLike(SpanItem, Protocol):
    @property
    def entity_id(self) -> int | None: ...
    @property
    def entity_name(self) -> str | None: ...
    @property
    def colour(self) -> str: ...


MentionT = TypeVar("MentionT", bound=_MentionLike)
Group = list[tuple[SpanKey, MentionT]]


class EntityRows(Generic[MentionT]):
    """The Entities panel's rows: unlinked mentions alone, linked ones under their entity.

    Sort keys: an unlinked mention ``(k,)``; a group's heading ``(k,)`` and its
    mentions ``(k, own key)``, ``k`` being the key of the group's first
    mention, so a block sorts where its first mention would and stays whole.
    """

    def __init__(self) -> None:
        self._rows: _SortedRows[MentionT | Heading] = _SortedRows()
        self.mentions: dict[int, MentionT] = {}
        """The mentions shown, by span id."""
        self._groups: dict[int, Group[MentionT]] = {}
        """Each linked entity's mentions in reading order."""

    @property
    def rows(self) -> list[MentionT | Heading]:
        return self._rows.rows

    def load(self, mentions: Iterable[MentionT]) -> None:
        """All the rows again (an article opened or was read again)."""
        self.mentions = {mention.span_id: mention for mention in mentions}
        self._groups = {}
        keyed: list[tuple[tuple[object, ...], MentionT | Heading]] = []
        for mention in self.mentions.values():
            key = span_key(mention)
            if mention.entity_id is None:
                keyed.append(((key,), mention))
            else:
                self._groups.setdefault(mention.entity_id, []).append((key, mention))
        for entity_id, group in self._groups.items():
            group.sort(key=_first)
            keys, rows = self._block(entity_id, group)
            keyed.extend(zip(keys, rows, strict=True))
        keyed.sort(key=_first)
        self._rows.reset(keyed)

    def patch(self, changed: Iterable[int], items: Iterable[MentionT]) -> Splice | None:
        """Rows for span ids ``changed`` are now ``items`` (ids without one are gone)."""
        tracker = _Tracker(len(self.rows))
        blocks: dict[int, tuple[SpanKey, int] | None] = {}
        """Entities whose block changes → its first key and size before (None: no block)."""

        def touch(entity_id: int) -> Group[MentionT]:
            group = self._groups.setdefault(entity_id, [])
            if entity_id not in blocks:
                blocks[entity_id] = (group[0][0], len(group) + 1) if group else None
            return group

        for old, new in changed_items(self.mentions, changed, items):
            if old is not None:
                del self.mentions[old.span_id]
                if old.entity_id is None:
                    self._rows.delete((span_key(old),), 1, tracker)
                else:
                    group = touch(old.entity_id)
                    index = bisect_left(group, span_key(old), key=_first)
                    assert group[index][1] is old
                    del group[index]
            if new is not None:
                self.mentions[new.span_id] = new
                if new.entity_id is None:
                    self._rows.insert([(span_key(new),)], [new], tracker)
                else:
                    insort(touch(new.entity_id), (span_key(new), new), key=_first)
        for entity_id, before in blocks.items():
            if before is not None:
                self._rows.delete((before[0],), before[1], tracker)
            group = self._groups[entity_id]
            if group:
                self._rows.insert(*self._block(entity_id, group), tracker)
            else:
                del self._groups[entity_id]
        return tracker.splice(len(self.rows))

    @staticmethod
    def _block(
        entity_id: int, group: Group[MentionT]
    ) -> tuple[list[tuple[object, ...]], list[MentionT | Heading]]:
        """An entity's block: its heading, then its mentions, with their sort keys."""
        first_key, first = group[0]
        heading = Heading(entity_id, first.entity_name or first.text, first.colour, len(group))
        keys: list[tuple[object, ...]] = [(first_key,)]
        keys.extend((first_key, key) for key, _ in group)
        rows: list[MentionT | Heading] = [heading]
        rows.extend(mention for _, mention in group)
        return keys, rows


def _first(pair: tuple[object, ...]) -> object:
    return pair[0]


class _Widths:
    """A multiset of cell widths: the widest of them, kept as rows come and go."""

    def __init__(self) -> None:
        self._counts: Counter[int] = Counter()

    def reset(self, widths: Iterable[int]) -> None:
        self._counts = Counter(widths)

    def change(self, old: int | None, new: int | None) -> None:
        if old is not None:
            self._counts[old] -= 1
            if not self._counts[old]:
                del self._counts[old]
        if new is not None:
            self._counts[new] += 1

    @property
    def widest(self) -> int:
        return max(self._counts, default=0)


class TableRows(Generic[ItemT]):
    """The Figures panel's rows in reading order, with the widest cell of each column.

    ``measure(item)`` gives a row's cell widths (0 for an empty cell); the
    widths of all rows are kept as multisets, so a patch updates the widest
    per column from the changed rows alone.
    """

    def __init__(self, measure: Callable[[ItemT], tuple[int, ...]], columns: int) -> None:
        self._measure = measure
        self._rows: _SortedRows[ItemT] = _SortedRows()
        self._widths = [_Widths() for _ in range(columns)]
        self.items: dict[int, ItemT] = {}

    @property
    def rows(self) -> list[ItemT]:
        return self._rows.rows

    @property
    def widest(self) -> tuple[int, ...]:
        return tuple(widths.widest for widths in self._widths)

    def load(self, items: Iterable[ItemT]) -> None:
        self.items = {item.span_id: item for item in items}
        keyed = sorted(((span_key(item),), item) for item in self.items.values())
        self._rows.reset(keyed)
        measured = [self._measure(item) for item in self.items.values()]
        for column, widths in enumerate(self._widths):
            widths.reset(cells[column] for cells in measured)

    def patch(self, changed: Iterable[int], items: Iterable[ItemT]) -> Splice | None:
        """Rows for span ids ``changed`` are now ``items`` (ids without one are gone)."""
        tracker = _Tracker(len(self.rows))
        for old, new in changed_items(self.items, changed, items):
            before = self._measure(old) if old is not None else None
            after = self._measure(new) if new is not None else None
            for column, widths in enumerate(self._widths):
                widths.change(before[column] if before else None, after[column] if after else None)
            if old is not None:
                del self.items[old.span_id]
                self._rows.delete((span_key(old),), 1, tracker)
            if new is not None:
                self.items[new.span_id] = new
                self._rows.insert([(span_key(new),)], [new], tracker)
        return tracker.splice(len(self.rows))
