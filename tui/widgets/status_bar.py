"""The reader's header line and status bar.

Both are one line high (``app.tcss``), so updating them never needs a layout:
they repaint their own line only. Short notices ("Undone: …", "Wrapped to the
first pending suggestion") are said in the status bar rather than as a toast,
whose mount, layout and full-screen repaint would cost the key a frame or two.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from storage.schema import Schema
from tui.literal import visible_line


class ArticleHeader(Static):
    """Title, source, date, dateline and the position in the reading sequence."""

    _shown: Text | None = None

    def show(
        self,
        title: str,
        source: str | None,
        published: str | None,
        dateline: str | None,
        position: int,
        total: int,
        state: str,
    ) -> None:
        # Titles and sources come from imported files: controls made visible, one line.
        details = visible_line(" · ".join(part for part in (source, published, dateline) if part))
        line = Text.assemble(
            (f"article {position} of {total} · " if total else "", "dim"),
            (f"{state.replace('_', ' ')}  ", "italic"),
            (visible_line(title), "bold"),
            ("  " + details if details else "", "dim"),
        )
        line.no_wrap = True
        line.overflow = "ellipsis"
        # One line, always: a repaint of that line, never a layout (a full repaint).
        if line != self._shown:
            self._shown = line
            self.update(line, layout=False)


class StatusBar(Widget):
    """Whether every action is saved, the label keys in their colours, and the annotator.

    It changes on every key (saving, saved, the pending count), so it draws its
    one line itself (the Line API) from the line's :class:`~rich.text.Text`,
    kept until one of its reactives changes: going through ``Static`` turns the
    Text into ``Content`` and wraps it on every repaint, the costliest part of a
    key's frame.
    """

    DEFAULT_CSS = """
    StatusBar { height: 1; }
    """

    save_state: reactive[str] = reactive("saved")
    """'saved', 'saving' or 'unsaved' (see :attr:`tui.app.RedlineApp.save_state`)."""
    unsaved: reactive[int] = reactive(0)
    """How many actions are not stored yet."""
    mode: reactive[str] = reactive("")
    pending: reactive[int | None] = reactive(None)
    """Pending suggestions in the article (None: not known yet; 0 shows nothing)."""
    training: reactive[str] = reactive("")
    """The model's training progress ("" when not training; see ``tui.training``)."""
    notice: reactive[str] = reactive("")
    """A short notice (see :meth:`say`); "" shows nothing."""

    NOTICE_SECONDS = 3.0
    """How long a notice stays (a later one replaces it at once)."""

    class Said(Message):
        """A notice was shown (tests catch it with ``run_test(message_hook=...)``)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, schema: Schema, annotator: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._schema = schema
        self._annotator = annotator
        self._notice_timer: Timer | None = None
        self._drawn: tuple[tuple[Any, ...], Strip] | None = None

    def say(self, text: str) -> None:
        """Show ``text`` (one line, shown literally) for :attr:`NOTICE_SECONDS`."""
        self.notice = visible_line(text)
        if self._notice_timer is not None:
            self._notice_timer.stop()
        self._notice_timer = self.set_timer(self.NOTICE_SECONDS, self._clear_notice)
        self.post_message(self.Said(self.notice))

    def _clear_notice(self) -> None:
        self.notice = ""
        self._notice_timer = None

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self.rich_style
        if y != 0:
            return Strip.blank(width, base)
        shown = (width, base, self.mode, self.save_state, self.unsaved, self.notice)
        shown += (self.pending, self.training)
        if self._drawn is not None and self._drawn[0] == shown:
            return self._drawn[1]
        line = self.render()
        line.truncate(width, overflow="ellipsis")
        segments = Segment.apply_style(line.render(self.app.console), base)
        strip = Strip(list(segments), line.cell_len).extend_cell_length(width, base)
        self._drawn = (shown, strip)
        return strip

    def notify_style_update(self) -> None:
        """Theme or focus changed the colours: draw the line again."""
        super().notify_style_update()
        self._drawn = None

    def render(self) -> Text:
        """The whole line (before it is cut to the bar's width)."""
        line = Text(no_wrap=True, overflow="ellipsis")
        # Mode and save state first, so a narrow terminal never cuts them off.
        if self.mode:
            line.append(f" {self.mode} ", "bold reverse")
        if self.save_state == "saved":
            line.append(" ● saved ", "green")
        elif self.save_state == "saving":
            line.append(" ◌ saving ", "yellow")
        else:
            line.append(f" ✗ {self.unsaved} unsaved — ctrl+s retries ", "bold red")
        if self.notice:
            line.append(f" {self.notice} ", "bold")
        if self.pending:
            line.append(f" {self.pending} pending ", "bold magenta")
        if self.training:
            line.append(f" ⟳ {visible_line(self.training)} ", "cyan")
        for label in self._schema.layer("entity"):
            if label.hotkey:
                line.append(f" {visible_line(label.hotkey)}", "bold")
                line.append(f" {visible_line(label.key)} ", f"black on {label.colour}")
        line.append(f"  {visible_line(self._annotator)}", "dim")
        return line
