"""The figure form: field order, the advanced fold, focus, typing, ticks, candidates."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from textual.app import App
from textual.widgets import Collapsible, Input, Static

from storage.figures import parse_figure
from tui.dialogs.figure_fields import FigureChoices, FigureFields, figure_choices
from tui.dialogs.figure_form import FigureForm
from tui.dialogs.figure_widgets import Tick

ARTICLE = (Path(__file__).parents[2] / "sample_articles" / "kazakhstan-eu-kallas.md").read_text()
KINDS = [("Money", "MONEY"), ("Percent", "PERCENT"), ("Count", "COUNT")]
FIELDS = FigureFields(
    kind="MONEY",
    value=Decimal("49700000000"),
    unit="USD",
    scale=10**9,
    metric="trade turnover",
    period="2024",
)
CHOICES = FigureChoices(metrics=("trade turnover", "export", "imports"), periods=("2024", "2005"))


class FormApp(App[None]):
    """Shows one figure form and keeps what it was dismissed with."""

    def __init__(self, fields: FigureFields = FIELDS, choices: FigureChoices = CHOICES) -> None:
        super().__init__()
        self.form = FigureForm("$49.7 billion", fields, KINDS, choices=choices)
        self.results: list[FigureFields | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.form, self.results.append)


def _field(form: FigureForm, name: str) -> Input:
    return form.query_one(f"#figure-{name}", Input)


async def test_the_important_fields_come_first_and_the_rest_is_folded() -> None:
    app = FormApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.form
        order = []
        for _ in range(6):
            order.append(form.focused.id if form.focused else None)
            await pilot.press("tab")
        assert order == [
            "figure-kind",
            "figure-value",
            "figure-unit",
            "figure-metric",
            "figure-period",
            "figure-subject",
        ]
        advanced = form.query_one("#figure-advanced", Collapsible)
        assert advanced.collapsed
        assert _field(form, "note") not in form.focus_chain  # folded away: tab skips it
        # what is set inside the fold is named on it
        assert "scale 1,000,000,000" in str(advanced.title)


async def test_focus_is_marked_and_typing_appends_at_the_end() -> None:
    app = FormApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.form
        await pilot.press("tab", "tab")  # kind → value → unit
        unit = _field(form, "unit")
        assert form.focused is unit
        assert unit.cursor_position == len("USD") and unit.selection.is_empty
        labels = {label.name: label for label in form.query(".figure-form--label").results(Static)}
        assert labels["figure-unit"].has_class("-focused")
        assert str(labels["figure-unit"].content) == "▸ Unit"
        assert not labels["figure-value"].has_class("-focused")
        assert str(labels["figure-value"].content) == "Value"
        assert unit.styles.background != _field(form, "metric").styles.background
        await pilot.press(*" (nominal)")
        assert unit.value == "USD (nominal)"  # kept, not replaced by the first key


async def test_ticks_show_checked_and_unchecked() -> None:
    app = FormApp(FigureFields(kind="PERCENT", approximate=True, change=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.form
        form.query_one("#figure-advanced", Collapsible).collapsed = False
        await pilot.pause()
        approximate = form.query_one("#figure-approximate", Tick)
        change = form.query_one("#figure-change", Tick)
        assert str(approximate.render()).startswith("[✓]")
        assert str(change.render()).startswith("[ ]")
        change.focus()
        await pilot.press("space")
        assert change.value and str(change.render()).startswith("[✓]")


async def test_enter_saves_from_any_field() -> None:
    for presses, metric in (([], "trade turnover"), (["tab"] * 3, "trade turnover"),
                            (["tab"] * 3 + ["ctrl+u", *"exports"], "exports")):  # fmt: skip
        app = FormApp()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press(*presses, "enter")
            await pilot.pause()
            [saved] = app.results
            assert saved is not None and saved.metric == metric
            assert saved.value == Decimal("49700000000") and saved.scale == 10**9

    app = FormApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.form
        form.query_one("#figure-advanced", Collapsible).collapsed = False
        await pilot.pause()
        form.query_one("#figure-approximate", Tick).focus()
        await pilot.press("space", "enter")  # tick it, then save from the checkbox
        await pilot.pause()
        [saved] = app.results
        assert saved is not None and saved.approximate


async def test_other_candidates_are_one_key_away() -> None:
    app = FormApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.form
        metric = _field(form, "metric")
        metric.focus()
        await pilot.pause()
        hint = str(form.query_one("#figure-choices", Static).content)
        assert hint == "metric ↓ export · imports"
        await pilot.press("down")
        assert metric.value == "export" and metric.cursor_position == len("export")
        await pilot.press("down", "down")
        assert metric.value == "trade turnover"  # wrapped to the pre-filled one
        await pilot.press("up")
        assert metric.value == "imports"
        await pilot.press("tab", "down")
        assert _field(form, "period").value == "2005"
        await pilot.press("enter")
        await pilot.pause()
        [saved] = app.results
        assert saved is not None and (saved.metric, saved.period) == ("imports", "2005")


def test_candidates_come_from_the_figures_around_it() -> None:
    start = ARTICLE.index("$49.7 billion")
    parsed = parse_figure(ARTICLE, start + 1)
    assert parsed is not None
    fields = FigureFields.from_parsed(parsed)
    choices = figure_choices(ARTICLE, parsed.start, parsed.end, fields)
    assert choices.metrics[0] == "trade turnover"  # the pre-filled one first
    assert {"export", "imports", "gross inflow of direct investments"} <= set(choices.metrics)
    assert choices.periods[0] == "2024" and "2005/2024-09" in choices.periods
    assert len(set(choices.metrics)) == len(choices.metrics)
