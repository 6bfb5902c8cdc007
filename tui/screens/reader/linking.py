"""Within-article linking in the reader: a mention joins the entity its article already names.

Accepting or labelling "Nurtleu" when "Murat Nurtleu" is linked to an entity
links it to that entity in the same action (one key, one undo step, a
notice "Linked to Murat Nurtleu"); ``e`` on a mention also links the other
accepted, unlinked mentions of the same entity in the article ("EU" after
"European Union"). The rules are :func:`storage.suggest.linking.within_article_links`
(surname, acronym, same name; never a NORP such as "Kazakhstani").

No entity is ever created by accepting: a new entity is corpus-wide (it is
offered in every article and exported), may duplicate one of the corpus or
of the knowledge base, and its name is a choice, so it is made only with
``e``, where the annotator sees the name and the knowledge-base candidates.
Once made, the article's other mentions of it follow: the accepted ones at
once, the suggested ones as each is accepted.

Computed on the reader's model (what the pane shows, pending writes
included), on the event loop. One mention's entity is found among the
mentions that can bear on it (its name, a PERSON's surname, an acronym and
what it spells): a few, however long the article. ``A`` links many at once
over all of them, kept for the next key (:func:`_canonical_of`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from storage.suggest.linking import (
    NEVER_LINKED,
    Mention,
    within_article_links,
)

if TYPE_CHECKING:
    from tui.screens.reader.model import ReaderModel
    from tui.screens.reader.rows import SpanRow


@dataclass(frozen=True)
class Joined:
    """The entity a mention joins, and the name the notice shows."""

    entity_id: int
    name: str


def indexed(rows: Iterable[SpanRow]) -> Iterator[tuple[int, Mention]]:
    """The rows the reader links among, as (span id, mention): accepted and suggested entities."""
    for row in rows:
        if row.layer == "entity" and row.status != "rejected":
            yield row.id, Mention(row.start, row.end, row.text, row.label, row.entity_id, row.id)


def _mentions(model: ReaderModel) -> list[Mention]:
    return list(model.mention_index.mentions.values())


@lru_cache(maxsize=4)
def _links(mentions: frozenset[Mention]) -> dict[Mention, Mention]:
    return {link.mention: link.canonical for link in within_article_links(list(mentions))}


def _canonical_of(mentions: list[Mention]) -> dict[Mention, Mention]:
    """Each linked mention's canonical one (the same mentions again: no work)."""
    return _links(frozenset(mentions))


def _group(model: ReaderModel, mention: Mention, leave_out: int | None = None) -> list[Mention]:
    """The mentions naming the same entity as ``mention`` (itself included).

    The links are found among the few mentions that can bear on it
    (:meth:`~storage.suggest.linking.MentionIndex.component`), not the article's all.
    """
    related = model.mention_index.component(mention, leave_out)
    canonical_of = {link.mention: link.canonical for link in within_article_links(related)}
    root = canonical_of.get(mention, mention)
    return [m for m in related if m == root or canonical_of.get(m) == root]


def entity_for(
    model: ReaderModel | None,
    start: int,
    end: int,
    text: str,
    label: str,
    span_id: int | None = None,
) -> Joined | None:
    """The one entity the article's other mentions of this one are linked to, else None.

    ``span_id`` is the mention's own span when it has one (its current row is
    replaced by ``[start, end)`` with ``label``); None for a span about to be
    added. Two different entities in the group (the annotator linked them
    apart) join nothing.
    """
    if model is None or label in NEVER_LINKED:
        return None
    if span_id is not None and span_id in model.spans and model.spans[span_id].entity_id:
        return None  # already linked: accepting keeps the annotator's link
    mention = Mention(start, end, text, label, None, span_id)
    group = _group(model, mention, span_id)
    entities = {m.entity_id for m in group if m.entity_id is not None}
    if len(entities) != 1:
        return None
    entity_id = next(iter(entities))
    name = model.entity_names.get(entity_id)
    if name is None:
        name = next(m.text for m in group if m.entity_id == entity_id)
    return Joined(entity_id, name)


def for_span(model: ReaderModel | None, span_id: int, label: str | None = None) -> Joined | None:
    """:func:`entity_for` of a span the model has (accepted now, or relabelled ``label``)."""
    row = model.spans.get(span_id) if model is not None else None
    if row is None or row.layer != "entity":
        return None
    return entity_for(model, row.start, row.end, row.text, label or row.label, span_id)


def joins(model: ReaderModel | None, span_ids: Iterable[int]) -> dict[int, int]:
    """:func:`for_span` of many unlinked spans at once (``A``): span id → entity id.

    The article's links are found once, not per span.
    """
    if model is None:
        return {}
    mentions = _mentions(model)
    canonical_of = _canonical_of(mentions)
    entities: dict[Mention, set[int]] = {}
    for mention in mentions:
        if mention.entity_id is not None:
            entities.setdefault(canonical_of.get(mention, mention), set()).add(mention.entity_id)
    by_id = {m.span_id: m for m in mentions}
    found: dict[int, int] = {}
    for span_id in span_ids:
        mention = by_id.get(span_id)
        if mention is None or mention.entity_id is not None or mention.label in NEVER_LINKED:
            continue
        group = entities.get(canonical_of.get(mention, mention), set())
        if len(group) == 1:
            found[span_id] = next(iter(group))
    return found


def unlinked_group(model: ReaderModel | None, span_id: int) -> list[int]:
    """The other accepted, unlinked mentions naming the same entity as span ``span_id``.

    ``e`` links them with it. Suggested mentions are left to be decided: each
    joins the entity when accepted.
    """
    if model is None or span_id not in model.spans:
        return []
    row = model.spans[span_id]
    if row.layer != "entity" or row.label in NEVER_LINKED:
        return []
    mention = model.mention_index.mentions.get(span_id)
    if mention is None:
        return []
    return [
        m.span_id
        for m in _group(model, mention, span_id)
        if m.span_id is not None
        and m.span_id != span_id
        and m.entity_id is None
        and model.spans[m.span_id].status == "accepted"
    ]
