"""The reader's dialog keys: the figure form (f), topics (t) and entity links (e).

Each flow runs in a worker on the reader (``@work`` in
:class:`~tui.screens.reader.screen.ReaderScreen`): it reads what the dialog
needs off the event loop, waits for the answer with ``push_screen_wait`` and
turns it into one write queued with the app (several repository calls run as
one batch: one event, one undo step). The screen shows it when its
:class:`~tui.messages.AnnotationSaved` arrives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from storage import queries
from storage.errors import StorageError
from storage.figures import parse_figure
from storage.kb import KnowledgeBase
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.entity_picker import EntityOption, EntityPicker, KBCandidate, KBSearch
from tui.dialogs.figure_fields import (
    FigureFields,
    SubjectOption,
    figure_choices,
    resolve_subject,
)
from tui.dialogs.figure_form import FigureForm
from tui.dialogs.topic_picker import TopicChoice, TopicPicker
from tui.literal import visible_line
from tui.screens.reader import linking
from tui.services import services

if TYPE_CHECKING:
    from tui.screens.reader.screen import ReaderScreen
    from tui.widgets.pane_model import PaneSpan

Write = tuple[Callable[[], Any], str]


def _queue(
    reader: ReaderScreen,
    writes: list[Write],
    then: Callable[[Any], None] | None,
    *,
    batched: bool = False,
) -> None:
    """Queue one dialog's answer as one action (one event, one undo step); ``then`` once stored.

    Several repository calls run inside :meth:`Repository.batch`, in the writer
    thread (``batched``: also one write that makes several calls).
    """
    if not writes:
        return
    if len(writes) == 1 and not batched:
        write, description = writes[0]
        reader.save(write, description, then)
        return
    repository, article_id = services(reader).repository, reader.article_id
    description = ", ".join(description for _, description in writes)

    def together() -> None:
        with repository.batch("annotate", article_id, description):
            for write, _ in writes:
                write()

    reader.save(together, description, then)


def _text(reader: ReaderScreen) -> str:
    """The stored text (offsets and parsing use it, not the pane's display copy)."""
    return reader.article.text if reader.article is not None else reader.pane.text


async def _subjects(reader: ReaderScreen, extra: int | None = None) -> list[SubjectOption]:
    """The article's linked entities (plus ``extra``), as figure subjects."""
    ids = reader.model.linked_entities() if reader.model is not None else set()
    if extra is not None:
        ids.add(extra)
    entities = await asyncio.to_thread(queries.entities_by_id, services(reader).database, ids)
    options = [
        SubjectOption(entity_id, entity.name, tuple(entity.aliases))
        for entity_id, entity in entities.items()
    ]
    return sorted(options, key=lambda option: option.name.casefold())


def _kinds(reader: ReaderScreen) -> list[tuple[str, str]]:
    return [(label.title, label.key) for label in services(reader).config.schema.layer("figure")]


def _cannot_read(reader: ReaderScreen, what: str, exc: StorageError) -> None:
    reader.notify(visible_line(f"Cannot read {what}: {exc}"), severity="error", markup=False)


# -- f: figures ---------------------------------------------------------------------


async def figure_form(reader: ReaderScreen) -> None:
    """The figure form for the figure here (edit) or a new one (pre-filled by the parser)."""
    try:
        existing = reader.span_here("figure")
        if existing is not None:
            await _edit_figure(reader, existing)
        else:
            await _new_figure(reader)
    except StorageError as exc:
        _cannot_read(reader, "the figure", exc)


async def _new_figure(reader: ReaderScreen) -> None:
    text, pane = _text(reader), reader.pane
    selection = pane.selection
    if selection is not None:
        start, end = selection
        parsed = parse_figure(text, start, end)
    else:
        parsed = parse_figure(text, pane.cursor)
        if parsed is None:
            reader.refuse("No figure here: select its text, then press f")
            return
        start, end = parsed.start, parsed.end
    subjects, kinds = await _subjects(reader), _kinds(reader)
    if parsed is not None:
        fields = FigureFields.from_parsed(parsed, subjects)
    else:
        fields = FigureFields(kind=kinds[0][1] if kinds else "QUANTITY")
    choices = figure_choices(text, start, end, fields)
    form = FigureForm(text[start:end], fields, kinds, subjects, choices=choices)
    result = await reader.app.push_screen_wait(form)
    if result is None:
        return
    article_id, add = reader.article_id, services(reader).repository.add_span
    values = result.figure_values()

    def added(_: object) -> None:
        pane.clear_selection()
        pane.move_cursor(start)

    write = lambda: add(  # noqa: E731 (one write, named for the queue)
        article_id, start, end, result.kind, layer="figure", note=result.note, figure=values
    )
    _queue(reader, [(write, f"figure {result.kind}")], added)


async def _edit_figure(reader: ReaderScreen, span: PaneSpan) -> None:
    database = services(reader).database
    stored = await asyncio.to_thread(queries.get_span, database, span.id)
    figures = await asyncio.to_thread(queries.figures_for, database, [span.id])
    figure = figures.get(span.id)
    note = stored.note if stored is not None else None
    subjects = await _subjects(reader, figure.subject_id if figure else None)
    if figure is None:
        parsed = parse_figure(_text(reader), span.start, span.end)
        fields = (
            FigureFields.from_parsed(parsed, subjects)
            if parsed is not None
            else FigureFields(kind=span.label)
        )
        fields = replace(fields, kind=span.label, note=note)
    else:
        fields = FigureFields.from_stored(figure, span.label, note, subjects)
        if figure.subject_id is None:  # suggested before its subject was an entity here
            parsed = parse_figure(_text(reader), span.start, span.end)
            if parsed is not None and parsed.subject:
                subject_id = resolve_subject(parsed.subject, subjects)
                fields = replace(fields, subject_id=subject_id, subject_text=parsed.subject)
    form = FigureForm(
        _text(reader)[span.start : span.end],
        fields,
        _kinds(reader),
        subjects,
        editing=span.status == "accepted",
        suggested=span.status == "suggested",
        choices=figure_choices(_text(reader), span.start, span.end, fields),
    )
    result = await reader.app.push_screen_wait(form)
    if result is None:
        return
    repository, values = services(reader).repository, result.figure_values()
    accept = span.status == "suggested"
    write = lambda: repository.set_figure(  # noqa: E731
        span.id, accept=accept, note=result.note, **values
    )
    _queue(reader, [(write, "edit figure")], None)


# -- t: topics ----------------------------------------------------------------------


async def topic_picker(reader: ReaderScreen) -> None:
    """Toggle the article's topics, or (with a selection) add evidence for one."""
    app = services(reader)
    tree = app.config.schema.topic_tree()
    if not tree:
        reader.refuse("The schema has no topics (add [[schema.topic]] to redline.toml)")
        return
    model = reader.model
    assigned = dict(model.topics) if model is not None else {}
    items = model.topic_items() if model is not None else []
    counts = {item.key: len(item.evidence) for item in items}
    selection = reader.pane.selection
    evidence_text = _text(reader)[slice(*selection)] if selection else None
    picker = TopicPicker(tree, assigned, counts, evidence_text=evidence_text)
    choice = await reader.app.push_screen_wait(picker)
    if choice is None:
        return
    if choice.evidence_for is not None and selection is not None:
        _add_evidence(reader, choice, assigned, selection)
    else:
        await _change_topics(reader, choice, assigned, counts)


def _add_evidence(
    reader: ReaderScreen,
    choice: TopicChoice,
    assigned: dict[str, str | None],
    selection: tuple[int, int],
) -> None:
    topic = choice.evidence_for
    assert topic is not None
    note = choice.topics.get(topic)
    article_id, (start, end) = reader.article_id, selection
    repository = services(reader).repository
    writes: list[Write] = []
    if note is not None and note != assigned.get(topic):
        writes.append((lambda: repository.assign_topic(article_id, topic, note), "topic note"))
    writes.append(
        (lambda: repository.add_evidence(article_id, topic, start, end), f"evidence {topic}")
    )
    _queue(reader, writes, lambda _: reader.pane.clear_selection())


async def _change_topics(
    reader: ReaderScreen,
    choice: TopicChoice,
    assigned: dict[str, str | None],
    counts: dict[str, int],
) -> None:
    """Assign new topics, update changed notes, remove unchecked ones (asking first
    when that would delete evidence)."""
    article_id, repository = reader.article_id, services(reader).repository
    writes: list[Write] = []
    for topic, note in choice.topics.items():
        if topic not in assigned:
            writes.append(
                (lambda t=topic, n=note: repository.assign_topic(article_id, t, n), f"+{topic}")
            )
        elif (note or None) != (assigned[topic] or None):
            writes.append(
                (
                    lambda t=topic, n=note: repository.assign_topic(article_id, t, n or ""),
                    f"note {topic}",
                )
            )
    removed = [topic for topic in assigned if topic not in choice.topics]
    removals: list[Write] = [
        (lambda t=topic: repository.unassign_topic(article_id, t), f"−{topic}") for topic in removed
    ]
    evidence = sum(counts.get(topic, 0) for topic in removed)
    if evidence:
        question = f"Remove {', '.join(removed)} and {evidence} evidence span(s)?"
        detail = "No keeps them (your other changes are saved either way); u undoes a removal."
        dialog = ConfirmDialog(question, detail, yes="Remove", no="Keep")
        if not await reader.app.push_screen_wait(dialog):
            removals = []
    _queue(reader, writes + removals, None)


# -- e: entity links ----------------------------------------------------------------


async def _kb_search(reader: ReaderScreen, label: str) -> KBSearch | None:
    """Search of the offline knowledge base for ``label`` entries; None (noticed) if unreadable."""
    try:
        kb = await asyncio.to_thread(KnowledgeBase.for_config, services(reader).config)
    except StorageError as exc:
        reader.notify(visible_line(f"Knowledge base: {exc}"), severity="warning", markup=False)
        return None

    def search(query: str) -> list[KBCandidate]:
        return [
            KBCandidate(entry.name, entry.type, entry.id, entry.aliases)
            for entry in kb.search(query, type=label)
        ]

    return search


async def entity_link(reader: ReaderScreen) -> None:
    """Link the entity span here to a canonical entity (or create one)."""
    span = reader.span_here("entity")
    if span is None:
        reader.refuse("No entity span here: label it first (1–9), then press e")
        return
    database = services(reader).database
    try:
        entities = await asyncio.to_thread(queries.entities, database, span.label)
        mentions = await asyncio.to_thread(queries.entity_mentions, database)
        stored = await asyncio.to_thread(queries.get_span, database, span.id)
    except StorageError as exc:
        _cannot_read(reader, "entities", exc)
        return
    options = [
        EntityOption(e.id, e.name, e.type, e.kb_id, tuple(e.aliases), mentions.get(e.id, 0))
        for e in entities
        if e.id is not None
    ]
    by_id = {option.entity_id: option for option in options}
    current = stored.entity_id if stored is not None else None
    span_text = _text(reader)[span.start : span.end]
    in_article = reader.model.linked_entities() if reader.model is not None else set()
    kb_search = await _kb_search(reader, span.label)
    picker = EntityPicker(
        span_text, span.label, options, current, in_article=in_article, kb_search=kb_search
    )
    choice = await reader.app.push_screen_wait(picker)
    if choice is None:
        return
    repository = services(reader).repository
    writes: list[Write] = []
    accept = span.status == "suggested"
    others = [reader.optimistic.ref(i) for i in linking.unlinked_group(reader.model, span.id)]
    also = f" (+{len(others)} mentions)" if others else ""

    def link_others(entity_id: int | None) -> None:
        """The article's other accepted mentions of it ("Nurtleu", "EU") join it too."""
        for ref in others:
            repository.link_span(ref.resolve(), entity_id)

    if choice.unlink:
        writes.append((lambda: repository.link_span(span.id, None, accept=accept), "unlink"))
    elif choice.create_name is not None:
        name, kb_id = choice.create_name, choice.kb_id

        def create() -> None:
            link_others(repository.create_and_link(span.id, name, kb_id, accept=accept).id)

        writes.append((create, f"new {name}{also}"))
    elif choice.entity_id is not None:
        target = by_id[choice.entity_id]

        def link() -> None:
            repository.link_span(span.id, target.entity_id, accept=accept)
            link_others(target.entity_id)

        writes.append((link, f"→ {target.name}{also}"))
        if choice.kb_id is not None and choice.kb_id != target.kb_id:
            kb_id = choice.kb_id
            writes.append(
                (
                    lambda: repository.rename_entity(target.entity_id, target.name, kb_id),
                    f"kb id {kb_id}",
                )
            )
    if others and not choice.unlink:
        notice = f"Also linked {len(others)} other mention{'s' if len(others) > 1 else ''} of it"

        def linked(_: object) -> None:
            reader.say(notice)

        _queue(reader, writes, linked, batched=True)
    else:
        _queue(reader, writes, None)
