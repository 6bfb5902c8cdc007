"""Entity label consistency: the same text, its canonical entity, entities left empty."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from storage.checks.base import CheckData, Emit, Finding, quoted
from storage.models import Entity, Span


def surface(text: str) -> str:
    """The form texts are compared in: whitespace runs collapsed, case kept
    ("Apple" the company and "apple" the fruit are different texts)."""
    return " ".join(text.split())


def label_conflict(data: CheckData, emit: Emit) -> Iterator[Finding]:
    """The same text carries different entity labels: placed on the first span of the
    rarest label, since that is most often the slip."""
    by_text: dict[str, list[Span]] = defaultdict(list)
    for span in data.accepted("entity"):
        by_text[surface(span.text)].append(span)
    for text, spans in sorted(by_text.items()):
        counts = Counter(span.label for span in spans)
        if len(counts) < 2:
            continue
        rarest = min(counts, key=lambda label: (counts[label], label))
        first = next(span for span in spans if span.label == rarest)
        tally = ", ".join(f"{label} ×{n}" for label, n in sorted(counts.items(), key=_by_count))
        places = len({span.article_id for span in spans})
        message = f"{quoted(text)} is labelled {tally} (in {places} article{'s' * (places > 1)})"
        yield emit(message, **data.span_place(first))


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def _canonical(entities: dict[int, Entity], entity_id: int) -> Entity | None:
    """Follow ``merged_into`` to the entity a merged one lives on as."""
    seen: set[int] = set()
    entity = entities.get(entity_id)
    while entity is not None and entity.merged_into is not None and entity.id not in seen:
        seen.add(entity.id)  # type: ignore[arg-type]
        entity = entities.get(entity.merged_into)
    return entity


def entity_label_mismatch(data: CheckData, emit: Emit) -> Iterator[Finding]:
    """A span's label differs from its canonical entity's type, or (unlinked) from the
    type of the entities whose name or alias it is."""
    types_by_name: dict[str, dict[str, str]] = defaultdict(dict)
    for entity in data.entities.values():
        if entity.merged_into is None:
            for name in (entity.name, *entity.aliases):
                types_by_name[surface(name)].setdefault(entity.type, entity.name)
    for span in data.accepted("entity"):
        if span.entity_id is not None:
            entity = _canonical(data.entities, span.entity_id)
            if entity is not None and entity.type != span.label:
                message = (
                    f"{quoted(span.text)} is labelled {span.label} but linked to "
                    f"{quoted(entity.name)}, of type {entity.type}"
                )
                yield emit(message, entity_id=entity.id, **data.span_place(span))
            continue
        known = types_by_name.get(surface(span.text))
        if known and span.label not in known:
            label, name = sorted(known.items())[0]
            message = (
                f"{quoted(span.text)} is labelled {span.label}; the entity {quoted(name)} "
                f"it names is of type {label}"
            )
            yield emit(message, **data.span_place(span))


def entity_orphan(data: CheckData, emit: Emit) -> Iterator[Finding]:
    """A canonical entity no span links to any more (after merges or removed mentions).

    Corpus-level: skipped when the run is narrowed to some articles.
    """
    if not data.corpus_wide:
        return
    for entity_id, entity in sorted(data.entities.items()):
        if entity.merged_into is None and entity_id not in data.mentioned_entities:
            message = f"entity {quoted(entity.name)} ({entity.type}) has no mention left"
            yield emit(message, entity_id=entity_id)
