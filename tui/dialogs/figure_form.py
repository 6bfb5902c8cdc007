"""The figure form: every attribute of one figure, pre-filled, corrected at the keyboard.

The fields that matter most come first (kind, value, unit, metric, period,
subject); the rest wait under an "Advanced" fold. ``tab`` walks the fields (the
focused one is marked ``▸`` and tinted), typing in a text field appends (the
cursor starts at the end, nothing is pre-selected), ``space`` toggles a checkbox
(``[✓]``/``[ ]``) or opens a choice list, ``↓``/``↑`` in metric or period put the
next/previous candidate from the sentence in, ``enter`` saves from any field
(dismissing with a :class:`FigureFields`), ``escape`` cancels (dismissing with
None). Values are read as exact decimals; a field that does not parse keeps the
form open with the problem shown under the fields.

Stored text (the mention, unit, metric, period, subject, note) is data: shown
with control characters made visible (:func:`~tui.literal.visible_line`) and
never as markup; a text field saved as shown keeps its stored value exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Checkbox, Collapsible, Input, Select, Static
from textual.widgets._collapsible import CollapsibleTitle

from tui.dialogs.figure_fields import (
    BOUNDS,
    DIRECTIONS,
    FigureChoices,
    FigureFields,
    SubjectOption,
    ordered_choices,
    resolve_subject,
)
from tui.dialogs.figure_widgets import Tick, field_input, field_label, stored_text
from tui.dialogs.validators import (
    DecimalValidator,
    ScaleValidator,
    parse_decimal,
    parse_scale,
    plain_decimal,
)
from tui.literal import literal, visible, visible_line


class FigureForm(ModalScreen[FigureFields | None]):
    """Edit a figure's kind, value, unit, scale, qualifiers, metric, period, subject, note."""

    CSS_PATH = "../styles/figure_form.tcss"

    BINDINGS = [
        Binding("enter", "save", "Save", id="figure-form-save", priority=True),
        Binding("escape", "cancel", "Cancel", id="figure-form-cancel"),
        Binding("down", "next_choice(1)", "Next candidate", id="figure-form-next", show=False),
        Binding("up", "next_choice(-1)", "Previous candidate", id="figure-form-previous",
                show=False),
    ]  # fmt: skip

    AUTO_FOCUS = "#figure-kind"

    def __init__(
        self,
        span_text: str,
        initial: FigureFields,
        kinds: Sequence[tuple[str, str]],
        subjects: Sequence[SubjectOption] = (),
        *,
        editing: bool = False,
        suggested: bool = False,
        choices: FigureChoices | None = None,
    ) -> None:
        """``kinds`` are (title, key) pairs from the schema's figure layer.

        ``choices`` are the metric and period candidates ``↓``/``↑`` step through
        (:func:`~tui.dialogs.figure_fields.figure_choices`); without them only the
        pre-filled values are offered.
        """
        super().__init__()
        self.span_text = span_text
        self.initial = initial
        self.kinds = list(kinds)
        if initial.kind not in {key for _, key in self.kinds}:
            self.kinds.append((initial.kind, initial.kind))
        self._stored = {
            "unit": initial.unit,
            "metric": initial.metric,
            "period": initial.period,
            "date": initial.date_value,
            "subject": initial.subject_text,
            "note": initial.note,
        }
        """Stored values of the text fields, kept exactly when saved unchanged."""
        self.subjects = list(subjects)
        self.editing = editing
        self.suggested = suggested
        given = choices or FigureChoices()
        self.choices: dict[str, tuple[str, ...]] = {
            "metric": ordered_choices(initial.metric, given.metrics),
            "period": ordered_choices(initial.period, given.periods),
        }
        """The candidates of each field that has them, the pre-filled value first."""

    def compose(self) -> ComposeResult:
        with Vertical(id="figure-box") as box:
            box.border_title = "Edit figure" if self.editing else "New figure"
            if self.suggested:
                box.border_title = "Suggested figure: enter accepts it"
            box.border_subtitle = "enter save · esc cancel · tab next field · ↓↑ other candidates"
            shown = visible_line(self.span_text.replace("\n", " "))
            yield Static(
                Text.assemble(("“", "dim"), (shown, "bold"), ("”", "dim")), id="figure-text"
            )
            with Grid(id="figure-fields"):
                for label, widget in self._main_fields():
                    yield field_label(label, widget.id or "")
                    yield widget
            with Collapsible(title=self._advanced_title(), id="figure-advanced"):
                with Grid(id="figure-advanced-fields"):
                    for label, widget in self._advanced_fields():
                        yield field_label(label, widget.id or "")
                        yield widget
            yield Static(id="figure-error")

    def _advanced_title(self) -> str:
        """The fold's title, naming what is set inside it so nothing set is hidden."""
        initial, set_here = self.initial, []
        if initial.date_value:
            set_here.append("date")
        if initial.value_max is not None:
            set_here.append("range")
        if initial.scale != 1:
            set_here.append(f"scale {initial.scale:,}")
        if initial.approximate:
            set_here.append("approximate")
        if initial.bound:
            set_here.append(f"{initial.bound} bound")
        if initial.change:
            set_here.append(f"change {initial.direction or ''}".strip())
        if initial.note:
            set_here.append("note")
        if not set_here:
            return "Advanced: date, range, scale, qualifiers, note"
        return f"Advanced ({', '.join(set_here)})"

    def _main_fields(self) -> list[tuple[str, Widget]]:
        """(label, widget) pairs in grid order, which is also the tab order."""
        initial = self.initial
        names = [
            visible_line(name)
            for option in self.subjects
            for name in (option.name, *option.aliases)
        ]
        subject_suggester = SuggestFromList(names, case_sensitive=False) if names else None
        return [
            ("Kind", Select([(literal(visible_line(title)), key) for title, key in self.kinds],
                            value=initial.kind, allow_blank=False, compact=True,
                            id="figure-kind")),
            ("Value", field_input("value", plain_decimal(initial.value), "49700000000",
                             DecimalValidator())),
            ("Unit", field_input("unit", initial.unit, "USD, EUR, %, pp, t, km")),
            ("Metric", field_input("metric", initial.metric, "what it measures: trade turnover")),
            ("Period", field_input("period", initial.period, "2024, 2005/2024-09, 2012/")),
            ("", Static(id="figure-choices")),
            ("Subject", field_input("subject", initial.subject_text,
                               "an entity of this article, or free text",
                               suggester=subject_suggester)),
            ("", Static(id="figure-subject-status")),
        ]  # fmt: skip

    def _advanced_fields(self) -> list[tuple[str, Widget]]:
        initial = self.initial
        return [
            ("Date", field_input("date", initial.date_value, "ISO date, for DATE figures")),
            ("Up to", field_input("value-max", plain_decimal(initial.value_max), "range maximum",
                             DecimalValidator())),
            ("Scale", field_input("scale", str(initial.scale), "1000000000", ScaleValidator())),
            ("Bound", Select(BOUNDS, value=initial.bound or Select.NULL, prompt="none",
                             compact=True, id="figure-bound")),
            ("", Tick("approximate", initial.approximate, compact=True,
                      id="figure-approximate")),
            ("", Tick("change (growth rate)", initial.change, compact=True,
                      id="figure-change")),
            ("Direction", Select(DIRECTIONS, value=initial.direction or Select.NULL,
                                 prompt="none", compact=True, id="figure-direction")),
            ("", Static("")),
            ("Note", field_input("note", initial.note, "optional", wide=True)),
        ]  # fmt: skip

    def on_mount(self) -> None:
        self._show_subject(self.query_one("#figure-subject", Input).value)
        self._show_choices(None)

    # -- focus and candidates -------------------------------------------------------

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Mark the focused field's label, and show that field's other candidates."""
        ident = event.widget.id or ""
        for label in self.query(".figure-form--label").results(Static):
            focused = bool(ident) and label.name == ident
            if focused != label.has_class("-focused"):
                label.set_class(focused, "-focused")
                text = str(label.content).removeprefix("▸ ")
                label.update(f"▸ {text}" if focused and text else text)
        self._show_choices(ident.removeprefix("figure-"))

    def _show_choices(self, name: str | None) -> None:
        hint = self.query_one("#figure-choices", Static)
        parts = []
        for field in ("metric", "period"):
            others = [c for c in self.choices[field] if c != self._current(field)]
            if others and (name not in self.choices or name == field):
                listed = " · ".join(visible_line(c) for c in others[:4])
                parts.append(f"{field} ↓ {listed}")
        hint.update(Text("   ".join(parts)) if parts else "")

    def _current(self, field: str) -> str:
        return self.query_one(f"#figure-{field}", Input).value

    def action_next_choice(self, step: int) -> None:
        """Put the next (or previous) candidate into the focused metric/period field."""
        widget = self.focused
        if not isinstance(widget, Input):
            return
        field = (widget.id or "").removeprefix("figure-")
        shown = [visible_line(c) for c in self.choices.get(field, ())]
        if not shown:
            return
        index = shown.index(widget.value) + step if widget.value in shown else 0
        widget.value = shown[index % len(shown)]
        widget.cursor_position = len(widget.value)
        self._show_choices(field)

    # -- subject ------------------------------------------------------------------

    @on(Input.Changed, "#figure-subject")
    def _subject_changed(self, event: Input.Changed) -> None:
        self._show_subject(event.value)

    def _show_subject(self, text: str) -> None:
        status = self.query_one("#figure-subject-status", Static)
        entity_id = self._subject_id(text)
        if not text.strip():
            status.update("no subject")
        elif entity_id is not None:
            name = next(o.name for o in self.subjects if o.entity_id == entity_id)
            status.update(
                Text.assemble("→ entity ", (visible_line(name), "bold"), f" (#{entity_id})")
            )
        else:
            status.update("free text: not one of this article's entities, so not stored")

    def _subject_id(self, text: str) -> int | None:
        if (
            self.initial.subject_id is not None
            and self.initial.subject_text is not None
            and text.strip() == self.initial.subject_text.strip()
        ):
            return self.initial.subject_id
        return resolve_subject(text, self.subjects)

    # -- saving -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``enter`` picks an option in an open choice list and opens the fold on its title.

        ``↓``/``↑`` step through candidates only in a field that has them.
        """
        if action == "save":
            if any(select.expanded for select in self.query(Select)):
                return False
            return not isinstance(self.focused, CollapsibleTitle)
        if action == "next_choice":
            field = (getattr(self.focused, "id", None) or "").removeprefix("figure-")
            return isinstance(self.focused, Input) and bool(self.choices.get(field))
        return True

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            fields = self.read_fields()
        except _FieldError as error:
            self.query_one("#figure-error", Static).update(Text(visible(error.message)))
            advanced = self.query_one("#figure-advanced", Collapsible)
            if advanced in error.widget.ancestors:
                advanced.collapsed = False
            error.widget.focus()
            if isinstance(error.widget, Input):
                error.widget.select_all()  # typing replaces the bad value
            return
        self.dismiss(fields)

    def read_fields(self) -> FigureFields:
        """The form's content as :class:`FigureFields`; raises _FieldError when invalid."""

        def field(name: str) -> Input:
            return self.query_one(f"#figure-{name}", Input)

        def text(name: str) -> str | None:
            """The field's text; the stored value itself when the field is as shown."""
            value, stored = field(name).value, self._stored.get(name)
            if stored is not None and value == visible_line(stored):
                return stored_text(stored)
            return stored_text(value)

        def number(name: str, title: str) -> Decimal | None:
            widget = field(name)
            try:
                return parse_decimal(widget.value)
            except ValueError as exc:
                raise _FieldError(widget, f"{title}: {exc}") from None

        value = number("value", "Value")
        value_max = number("value-max", "Up to")
        if value is not None and value_max is not None and value_max < value:
            raise _FieldError(field("value-max"), "Up to: the range maximum is below the value")
        try:
            scale = parse_scale(field("scale").value)
        except ValueError as exc:
            raise _FieldError(field("scale"), f"Scale: {exc}") from None
        kind = self.query_one("#figure-kind", Select).value
        bound = self.query_one("#figure-bound", Select).value
        direction = self.query_one("#figure-direction", Select).value
        subject_text = text("subject")
        return FigureFields(
            kind=str(kind),
            value=value,
            value_max=value_max,
            unit=text("unit"),
            scale=scale,
            approximate=self.query_one("#figure-approximate", Checkbox).value,
            bound=None if bound == Select.NULL else str(bound),
            change=self.query_one("#figure-change", Checkbox).value,
            direction=None if direction == Select.NULL else str(direction),
            metric=text("metric"),
            period=text("period"),
            date_value=text("date"),
            subject_id=self._subject_id(subject_text or ""),
            subject_text=subject_text,
            note=text("note"),
        )


class _FieldError(Exception):
    """A field that does not parse: the message to show and the widget to focus."""

    def __init__(self, widget: Widget, message: str) -> None:
        super().__init__(message)
        self.widget = widget
        self.message = message
