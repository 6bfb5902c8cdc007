"""Canonical entities: create, link mentions, rename, merge (mixed into Repository)."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.errors import NotFound, StorageError
from storage.models import Entity, Figure, Span, utcnow
from storage.repository_base import RepositoryBase


def _with_alias(aliases: list[str], name: str, alias: str) -> list[str]:
    if alias == name or alias in aliases:
        return aliases
    return [*aliases, alias]


class EntityActions(RepositoryBase):
    """Entity methods of :class:`storage.repository.Repository`."""

    def _entity(self, session: Session, entity_id: int) -> Entity:
        """The entity to change, locked (PostgreSQL) until the action commits."""
        entity = session.get(Entity, entity_id, with_for_update=True)
        if entity is None:
            raise NotFound(f"no entity with id {entity_id}")
        return entity

    def create_entity(
        self, name: str, type: str, kb_id: str | None = None, aliases: list[str] | None = None
    ) -> Entity:
        """A new canonical entity (corpus-wide action: undo with ``undo(None)``)."""
        name = name.strip()
        if not name:
            raise StorageError("an entity needs a name")
        with self._write() as changes:
            entity = Entity(name=name, type=type, kb_id=kb_id or None, aliases=list(aliases or []))
            changes.insert(entity)
            self._event(changes, "create_entity", None, name)
            return entity

    def link_span(self, span_id: int, entity_id: int | None, *, accept: bool = False) -> Span:
        """Link an entity span to a canonical entity; its text becomes an alias.

        ``accept`` also accepts a suggested span, in the same action.
        """
        with self._write() as changes:
            session = changes.session
            span = self._span(session, span_id)
            if entity_id is not None:
                entity = self._entity(session, entity_id)
                aliases = _with_alias(entity.aliases, entity.name, span.text)
                if aliases != entity.aliases:
                    changes.update(entity, aliases=aliases)
            status = "accepted" if accept else span.status
            changes.update(span, entity_id=entity_id, status=status, updated_at=utcnow())
            self._event(changes, "link_span", span.article_id, span.text)
            return span

    def create_and_link(
        self,
        span_id: int,
        name: str | None = None,
        kb_id: str | None = None,
        *,
        accept: bool = False,
    ) -> Entity:
        """Create an entity named after the span (or ``name``) and link the span: one action."""
        with self._write() as changes:
            session = changes.session
            span = self._span(session, span_id)
            entity_name = (name or span.text).strip()
            aliases = [] if span.text == entity_name else [span.text]
            entity = Entity(name=entity_name, type=span.label, kb_id=kb_id or None, aliases=aliases)
            changes.insert(entity)
            status = "accepted" if accept else span.status
            changes.update(span, entity_id=entity.id, status=status, updated_at=utcnow())
            self._event(changes, "create_entity", span.article_id, entity_name)
            return entity

    def rename_entity(self, entity_id: int, name: str, kb_id: str | None = None) -> Entity:
        with self._write() as changes:
            session = changes.session
            entity = self._entity(session, entity_id)
            aliases = _with_alias(entity.aliases, name, entity.name)
            changes.update(entity, name=name.strip(), kb_id=kb_id or entity.kb_id, aliases=aliases)
            self._event(changes, "rename_entity", None, name)
            return entity

    def merge_entities(self, source_id: int, target_id: int) -> Entity:
        """Move every link from ``source`` to ``target``; the source is kept as merged."""
        if source_id == target_id:
            raise StorageError("cannot merge an entity into itself")
        with self._write() as changes:
            session = changes.session
            source = self._entity(session, source_id)
            target = self._entity(session, target_id)
            for span in session.exec(select(Span).where(Span.entity_id == source_id)).all():
                changes.update(span, entity_id=target_id, updated_at=utcnow())
            for figure in session.exec(select(Figure).where(Figure.subject_id == source_id)).all():
                changes.update(figure, subject_id=target_id)
            aliases = list(target.aliases)
            for alias in [source.name, *source.aliases]:
                aliases = _with_alias(aliases, target.name, alias)
            changes.update(target, aliases=aliases, kb_id=target.kb_id or source.kb_id)
            changes.update(source, merged_into=target_id)
            self._event(changes, "merge_entities", None, f"{source.name} → {target.name}")
            return target
