"""The reader's dialog keys: the figure form (f), topics (t), entity links (e), all entities (E).

A mixin for :class:`tui.screens.reader.ReaderScreen`, like
:mod:`tui.screens.reader_actions`. Each key gathers what the dialog needs from
the database and the pane, opens it, and turns its answer into repository
calls, each through ``app.save`` (one transaction, one undoable event), then
redraws from the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from storage import queries
from storage.errors import StorageError
from storage.figures import parse_figure
from storage.models import Span
from storage.repository import Repository
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.entity_picker import EntityChoice, EntityOption, EntityPicker
from tui.dialogs.figure_fields import FigureFields, SubjectOption
from tui.dialogs.figure_form import FigureForm
from tui.dialogs.topic_picker import TopicChoice, TopicPicker
from tui.widgets.reading_pane import PaneSpan

if TYPE_CHECKING:
    from storage.models import Article
    from tui.reader_view import ArticleView
    from tui.widgets.reading_pane import ReadingPane

ANNOTATE_BINDINGS: list[Binding] = [
    Binding("f", "figure_form", "Figure", id="figure-form"),
    Binding("t", "topic_picker", "Topics", id="topic-picker"),
    Binding("e", "entity_link", "Link entity", id="entity-link"),
    Binding("E", "entities_screen", "All entities", id="entities-screen"),
]


class ReaderAnnotate:
    """Handlers for :data:`ANNOTATE_BINDINGS` (mixed into the reader screen)."""

    article_id: int
    if TYPE_CHECKING:
        app: Any
        pane: ReadingPane
        article: Article | None
        view: ArticleView | None

        def reload(self) -> None: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...
        def _span_here(self, layer: str) -> PaneSpan | None: ...

    # -- plumbing -------------------------------------------------------------------

    @property
    def _repository(self) -> Repository:
        return self.app.repository

    def _article_text(self) -> str:
        """The stored text (offsets and parsing use it, not the pane's display copy)."""
        return self.article.text if self.article is not None else self.pane.text

    def _apply(
        self,
        writes: list[tuple[Callable[[], Any], str]],
        then: Callable[[Any], None] | None = None,
    ) -> None:
        """Queue each write through ``app.save`` (in order); ``then`` once the last is stored.

        Each write's :class:`~tui.messages.AnnotationSaved` redraws what it changed.
        """
        for index, (write, description) in enumerate(writes):
            last = index == len(writes) - 1
            self.app.save(write, description, then if last else None, article_id=self.article_id)

    def _stored_span(self, span_id: int) -> Span | None:
        return queries.get_span(self.app.database, span_id)

    def _subjects(self, extra: int | None = None) -> list[SubjectOption]:
        """The article's linked entities (plus ``extra``), as figure subjects."""
        ids = {m.entity_id for m in (self.view.mentions if self.view else ()) if m.entity_id}
        if extra is not None:
            ids.add(extra)
        entities = queries.entities_by_id(self.app.database, ids)
        options = [
            SubjectOption(entity_id, entity.name, tuple(entity.aliases))
            for entity_id, entity in entities.items()
        ]
        return sorted(options, key=lambda option: option.name.casefold())

    def _figure_kinds(self) -> list[tuple[str, str]]:
        return [(label.title, label.key) for label in self.app.config.schema.layer("figure")]

    # -- f: figures -----------------------------------------------------------------

    def action_figure_form(self) -> None:
        """Open the figure form for the figure here (edit) or a new one (parser pre-fill)."""
        try:
            existing = self._span_here("figure")
            if existing is not None:
                self._edit_figure(existing)
            else:
                self._new_figure()
        except StorageError as exc:
            self.notify(f"Cannot read the figure: {exc}", severity="error")

    def _new_figure(self) -> None:
        text = self._article_text()
        selection = self.pane.selection
        if selection is not None:
            start, end = selection
            parsed = parse_figure(text, start, end)
        else:
            parsed = parse_figure(text, self.pane.cursor)
            if parsed is None:
                self.app.refuse("No figure here: select its text, then press f")
                return
            start, end = parsed.start, parsed.end
        subjects = self._subjects()
        kinds = self._figure_kinds()
        if parsed is not None:
            fields = FigureFields.from_parsed(parsed, subjects)
        else:
            fields = FigureFields(kind=kinds[0][1] if kinds else "QUANTITY")

        def save(result: FigureFields | None) -> None:
            if result is None:
                return
            article_id = self.article_id
            add = self._repository.add_span

            def added(_: object) -> None:
                if self.article_id == article_id:
                    self.pane.clear_selection()
                    self.pane.move_cursor(start)

            self._apply(
                [
                    (
                        lambda: add(
                            article_id,
                            start,
                            end,
                            result.kind,
                            layer="figure",
                            note=result.note,
                            figure=result.figure_values(),
                        ),
                        f"figure {result.kind}",
                    )
                ],
                added,
            )

        self.app.push_screen(FigureForm(text[start:end], fields, kinds, subjects), save)

    def _edit_figure(self, span: PaneSpan) -> None:
        stored = self._stored_span(span.id)
        figure = queries.figures_for(self.app.database, [span.id]).get(span.id)
        note = stored.note if stored is not None else None
        subjects = self._subjects(figure.subject_id if figure else None)
        if figure is None:
            parsed = parse_figure(self._article_text(), span.start, span.end)
            fields = (
                FigureFields.from_parsed(parsed, subjects)
                if parsed is not None
                else FigureFields(kind=span.label)
            )
            fields = replace(fields, kind=span.label, note=note)
        else:
            fields = FigureFields.from_stored(figure, span.label, note, subjects)
        repository = self._repository

        def save(result: FigureFields | None) -> None:
            if result is None:
                return
            values = result.figure_values()
            accept = span.status == "suggested"
            self._apply(
                [
                    (
                        lambda: repository.set_figure(
                            span.id, accept=accept, note=result.note, **values
                        ),
                        "edit figure",
                    )
                ]
            )

        form = FigureForm(
            self._article_text()[span.start : span.end],
            fields,
            self._figure_kinds(),
            subjects,
            editing=span.status == "accepted",
            suggested=span.status == "suggested",
        )
        self.app.push_screen(form, save)

    # -- t: topics ------------------------------------------------------------------

    def action_topic_picker(self) -> None:
        """Toggle the article's topics, or (with a selection) add evidence for one."""
        tree = self.app.config.schema.topic_tree()
        if not tree:
            self.app.refuse("The schema has no topics (add [[schema.topic]] to redline.toml)")
            return
        try:
            topics = queries.topics_for(self.app.database, self.article_id, self.app.annotator)
        except StorageError as exc:
            self.notify(f"Cannot read topics: {exc}", severity="error")
            return
        assigned = {topic.topic: topic.note for topic in topics}
        counts = {item.key: len(item.evidence) for item in (self.view.topics if self.view else ())}
        selection = self.pane.selection
        evidence_text = self._article_text()[slice(*selection)] if selection else None

        def chosen(choice: TopicChoice | None) -> None:
            if choice is None:
                return
            if choice.evidence_for is not None and selection is not None:
                self._add_evidence(choice, assigned, selection)
            else:
                self._change_topics(choice, assigned, counts)

        picker = TopicPicker(tree, assigned, counts, evidence_text=evidence_text)
        self.app.push_screen(picker, chosen)

    def _add_evidence(
        self, choice: TopicChoice, assigned: dict[str, str | None], selection: tuple[int, int]
    ) -> None:
        topic = choice.evidence_for
        assert topic is not None
        note = choice.topics.get(topic)
        article_id, (start, end) = self.article_id, selection
        repository = self._repository
        writes: list[tuple[Callable[[], Any], str]] = []
        if note is not None and note != assigned.get(topic):
            writes.append((lambda: repository.assign_topic(article_id, topic, note), "topic note"))
        writes.append(
            (lambda: repository.add_evidence(article_id, topic, start, end), f"evidence {topic}")
        )
        self._apply(writes, lambda _: self.pane.clear_selection())

    def _change_topics(
        self, choice: TopicChoice, assigned: dict[str, str | None], counts: dict[str, int]
    ) -> None:
        """Assign new topics, update changed notes, remove unchecked ones (asking first
        when that would delete evidence)."""
        article_id, repository = self.article_id, self._repository
        writes: list[tuple[Callable[[], Any], str]] = []
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
        removals = [
            (lambda t=topic: repository.unassign_topic(article_id, t), f"−{topic}")
            for topic in removed
        ]
        evidence = sum(counts.get(topic, 0) for topic in removed)
        if not evidence:
            self._apply(writes + removals)
            return

        def answered(yes: bool | None) -> None:
            self._apply(writes + (removals if yes else []))

        question = f"Remove {', '.join(removed)} and {evidence} evidence span(s)?"
        detail = "No keeps them (your other changes are saved either way); u undoes a removal."
        self.app.push_screen(ConfirmDialog(question, detail, yes="Remove", no="Keep"), answered)

    # -- e: entity links ------------------------------------------------------------

    def action_entity_link(self) -> None:
        """Link the entity span here to a canonical entity (or create one)."""
        span = self._span_here("entity")
        if span is None:
            self.app.refuse("No entity span here: label it first (1–9), then press e")
            return
        database = self.app.database
        try:
            entities = queries.entities(database, span.label)
            mentions = queries.entity_mentions(database)
            stored = self._stored_span(span.id)
        except StorageError as exc:
            self.notify(f"Cannot read entities: {exc}", severity="error")
            return
        options = [
            EntityOption(e.id, e.name, e.type, e.kb_id, tuple(e.aliases), mentions.get(e.id, 0))
            for e in entities
            if e.id is not None
        ]
        by_id = {option.entity_id: option for option in options}
        current = stored.entity_id if stored is not None else None
        repository = self._repository
        span_text = self._article_text()[span.start : span.end]

        def chosen(choice: EntityChoice | None) -> None:
            if choice is None:
                return
            writes: list[tuple[Callable[[], Any], str]] = []
            accept = span.status == "suggested"
            if choice.unlink:
                writes.append(
                    (lambda: repository.link_span(span.id, None, accept=accept), "unlink")
                )
            elif choice.create_name is not None:
                name, kb_id = choice.create_name, choice.kb_id
                writes.append(
                    (
                        lambda: repository.create_and_link(span.id, name, kb_id, accept=accept),
                        f"new {name}",
                    )
                )
            elif choice.entity_id is not None:
                target = by_id[choice.entity_id]
                writes.append(
                    (
                        lambda: repository.link_span(span.id, target.entity_id, accept=accept),
                        f"→ {target.name}",
                    )
                )
                if choice.kb_id is not None and choice.kb_id != target.kb_id:
                    kb_id = choice.kb_id
                    writes.append(
                        (
                            lambda: repository.rename_entity(target.entity_id, target.name, kb_id),
                            f"kb id {kb_id}",
                        )
                    )
            self._apply(writes)

        self.app.push_screen(EntityPicker(span_text, span.label, options, current), chosen)

    # -- E: all entities ------------------------------------------------------------

    def action_entities_screen(self) -> None:
        """All canonical entities (merge, rename); the article redraws on return."""
        from tui.screens.entities import EntitiesScreen

        self.app.push_screen(EntitiesScreen(), lambda _: self.reload())
