"""An ``Input`` whose keystrokes repaint the field only, not the whole screen.

Textual's ``Input`` sets its ``virtual_size`` (the text's width plus the
cursor) on every change of its value, and ``Widget.virtual_size`` is a
reactive with ``layout=True``: each key laid the screen out again and
repainted every widget on it (header, footer, the library's table: about
8 ms of a search keystroke's 10 ms before the query could start, on the
development machine). A field sized by CSS (``width: 1fr; height: 3``) keeps
its size whatever it holds; it needs its scroll range updated, not a layout.
``Input`` itself still asks for a layout when its size is ``auto``
(``Input._watch_value``), and so does this one.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class SearchInput(Input):
    """A text field whose typing never lays out the screen (see the module)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    """As ``Widget.virtual_size`` (same storage), without the layout on change."""

    def watch_virtual_size(self, size: Size) -> None:
        """What a layout would have done for this widget (``ScrollView._size_updated``):
        the scrollbars and the scroll offset follow the new width."""
        if self.styles.auto_dimensions:
            self.refresh(layout=True)
        else:
            self._scroll_update(size)
