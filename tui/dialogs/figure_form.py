"""The figure form: every attribute of one figure, pre-filled, corrected at the keyboard.

``tab`` walks the fields, ``space`` toggles a checkbox or opens a choice list,
``enter`` saves (dismissing with a :class:`FigureFields`), ``escape`` cancels
(dismissing with None). Values are read as exact decimals; a field that does
not parse keeps the form open with the problem shown under the fields.

Stored text (the mention, unit, metric, period, subject, note) is data: shown
with control characters made visible (:func:`~tui.literal.visible_line`) and
never as markup; a text field saved as shown keeps its stored value exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester, SuggestFromList
from textual.validation import Validator
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static

from tui.dialogs.figure_fields import (
    BOUNDS,
    DIRECTIONS,
    FigureFields,
    SubjectOption,
    resolve_subject,
)
from tui.dialogs.validators import (
    DecimalValidator,
    ScaleValidator,
    parse_decimal,
    parse_scale,
    plain_decimal,
)
from tui.literal import literal, visible, visible_line


def _text(value: str) -> str | None:
    """A trimmed field value, None when empty (so blanks are stored as NULL)."""
    return value.strip() or None


def _label(text: str) -> Static:
    return Static(text, classes="figure-form--label")


def _input(
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
        validators=[validator] if validator else None,
        validate_on=["changed", "submitted"],
        suggester=suggester,
        classes="figure-form--wide" if wide else "",
    )


class FigureForm(ModalScreen[FigureFields | None]):
    """Edit a figure's kind, value, unit, scale, qualifiers, metric, period, subject, note."""

    DEFAULT_CSS = """
    FigureForm {
        align: center middle;
        background: $background 60%;
    }
    FigureForm > #figure-box {
        width: 96;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 2;
        border: thick $accent;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        background: $surface;
    }
    FigureForm #figure-text {
        margin: 1 0;
        color: $text;
    }
    FigureForm #figure-fields {
        grid-size: 4;
        grid-columns: 11 1fr 11 1fr;
        grid-rows: 1;
        grid-gutter: 1 2;
        height: auto;
    }
    FigureForm .figure-form--label {
        color: $text-muted;
        text-align: right;
        width: 100%;
    }
    FigureForm .figure-form--wide {
        column-span: 3;
    }
    FigureForm Input.-invalid {
        background-tint: $error 25%;
    }
    FigureForm #figure-subject-status {
        color: $text-muted;
    }
    FigureForm #figure-error {
        color: $error;
        height: auto;
        margin-top: 1;
    }
    FigureForm #figure-help {
        color: $text-muted;
        margin: 1 0;
    }
    """

    BINDINGS = [
        Binding("enter", "save", "Save", id="figure-form-save", priority=True),
        Binding("escape", "cancel", "Cancel", id="figure-form-cancel"),
    ]

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
    ) -> None:
        """``kinds`` are (title, key) pairs from the schema's figure layer."""
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

    def compose(self) -> ComposeResult:
        with Vertical(id="figure-box") as box:
            box.border_title = "Edit figure" if self.editing else "New figure"
            if self.suggested:
                box.border_title = "Suggested figure: enter accepts it"
            box.border_subtitle = "enter save · esc cancel · tab next field"
            shown = visible_line(self.span_text.replace("\n", " "))
            yield Static(
                Text.assemble(("“", "dim"), (shown, "bold"), ("”", "dim")), id="figure-text"
            )
            with Grid(id="figure-fields"):
                for label, widget in self._fields():
                    yield _label(label)
                    yield widget
            yield Static(id="figure-error")

    def _fields(self) -> list[tuple[str, Widget]]:
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
            ("Date", _input("date", initial.date_value, "ISO date, for DATE figures")),
            ("Value", _input("value", plain_decimal(initial.value), "49700000000",
                             DecimalValidator())),
            ("Up to", _input("value-max", plain_decimal(initial.value_max), "range maximum",
                             DecimalValidator())),
            ("Unit", _input("unit", initial.unit, "USD, EUR, %, pp, t, km")),
            ("Scale", _input("scale", str(initial.scale), "1000000000", ScaleValidator())),
            ("", Checkbox("approximate", initial.approximate, compact=True,
                          id="figure-approximate")),
            ("Bound", Select(BOUNDS, value=initial.bound or Select.NULL, prompt="none",
                             compact=True, id="figure-bound")),
            ("", Checkbox("change (growth rate)", initial.change, compact=True,
                          id="figure-change")),
            ("Direction", Select(DIRECTIONS, value=initial.direction or Select.NULL,
                                 prompt="none", compact=True, id="figure-direction")),
            ("Metric", _input("metric", initial.metric, "what it measures: trade turnover",
                              wide=True)),
            ("Period", _input("period", initial.period, "2024, 2005–9M2024")),
            ("", Static("")),
            ("Subject", _input("subject", initial.subject_text,
                               "an entity of this article, or free text", wide=True,
                               suggester=subject_suggester)),
            ("", Static(id="figure-subject-status", classes="figure-form--wide")),
            ("Note", _input("note", initial.note, "optional", wide=True)),
        ]  # fmt: skip

    def on_mount(self) -> None:
        self._show_subject(self.query_one("#figure-subject", Input).value)

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
        """Let ``enter`` pick an option while a choice list is open, instead of saving."""
        if action == "save" and any(select.expanded for select in self.query(Select)):
            return False
        return True

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            fields = self.read_fields()
        except _FieldError as error:
            self.query_one("#figure-error", Static).update(Text(visible(error.message)))
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
                return _text(stored)
            return _text(value)

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
