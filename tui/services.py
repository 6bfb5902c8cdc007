"""Typed access to the app's services from any screen, widget or command provider.

Screens used to reach ``self.app.database`` through ``# type: ignore``; instead
they call :func:`redline_app` (``cast`` once, as posting does with
``cast("Posting", self.app)``) or :func:`services`::

    database = services(self).database
    redline_app(self).save(write, "label PERSON")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from storage.db import Database
from storage.repository import Repository
from storage.schema import Config

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tui.app import RedlineApp


@dataclass(frozen=True)
class Services:
    """What the app owns and every screen may use; one per running app."""

    database: Database
    repository: Repository
    """The annotator's writes (and this session's undo/redo)."""
    config: Config
    """Schema, keymap and reader settings in force."""
    annotator: str


def redline_app(node: DOMNode) -> RedlineApp:
    """``node.app`` typed as the redline app (every redline screen runs inside one)."""
    return cast("RedlineApp", node.app)


def services(node: DOMNode) -> Services:
    """The services of the app ``node`` belongs to."""
    return redline_app(node).services
