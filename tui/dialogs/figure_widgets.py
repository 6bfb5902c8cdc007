"""The figure form's widgets: labelled one-line fields and a checkbox that shows its state."""

from __future__ import annotations

from textual.content import Content
from textual.style import Style
from textual.suggester import Suggester
from textual.validation import Validator
from textual.widgets import Checkbox, Input, Static

from tui.literal import visible_line


def stored_text(value: str) -> str | None:
    """A trimmed field value, None when empty (so blanks are stored as NULL)."""
    return value.strip() or None


def field_label(text: str, name: str) -> Static:
    """A field's label; ``name`` (the widget's id) ties it to its field, to mark focus."""
    return Static(text, classes="figure-form--label", name=name)


class Tick(Checkbox):
    """A checkbox whose box says its state in any theme: ``[✓]`` checked, ``[ ]`` not.

    Textual's own box differs only in colour, which the form's tinting and
    many terminals make hard to tell apart.
    """

    @property
    def _button(self) -> Content:
        if self.value:
            colour = self.get_visual_style("toggle--button").foreground
            return Content.styled("[✓]", Style(foreground=colour, bold=True))
        return Content("[ ]")


def field_input(
    name: str,
    value: str | None,
    placeholder: str,
    validator: Validator | None = None,
    *,
    wide: bool = False,
    suggester: Suggester | None = None,
) -> Input:
    """A one-line field with id ``figure-<name>``; ``wide`` spans the rest of the row."""
    return Input(
        visible_line(value or ""),
        placeholder=placeholder,
        id=f"figure-{name}",
        compact=True,
        select_on_focus=False,
        validators=[validator] if validator else None,
        validate_on=["changed", "submitted"],
        suggester=suggester,
        classes="figure-form--wide" if wide else "",
    )
