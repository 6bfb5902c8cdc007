"""The reader screen, by parts: the screen (layout and message handlers), its
bindings, the model it shows, span targeting, and the dialog flows."""

from tui.screens.reader.screen import ReaderScreen

__all__ = ["ReaderScreen"]
