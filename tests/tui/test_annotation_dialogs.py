"""The reader's dialogs driven by real keystrokes: figure form, topic and entity pickers, E screen.

Every test runs on the first sample article (Kazakhstan–EU) and asserts what the
database holds afterwards, not just what the screen shows.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from textual.widgets import DataTable, Input, Select

from storage import queries
from storage.db import Database
from storage.models import Entity
from storage.repository import SpanSuggestion
from tests.tui.app_fixtures import make_app, sample_database
from tui.commands.report import print_stats
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.entity_picker import EntityPicker
from tui.dialogs.figure_form import FigureForm
from tui.dialogs.topic_picker import TopicPicker
from tui.screens.entities import EntitiesScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.reading_pane import ReadingPane


async def _open_first(pilot) -> ReaderScreen:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


async def _find(pilot, word: str) -> ReadingPane:  # type: ignore[no-untyped-def]
    await pilot.press("slash", *word, "enter", "escape")
    await pilot.pause()
    pane = pilot.app.screen.query_one(ReadingPane)
    assert pane.text[pane.cursor : pane.cursor + len(word)] == word
    return pane


async def _select(pilot, pane: ReadingPane, phrase: str) -> None:  # type: ignore[no-untyped-def]
    """Find ``phrase`` and select it word by word with shift+right."""
    await _find(pilot, phrase)
    for _ in phrase.split():
        await pilot.press("shift+right")
    assert pane.selection is not None
    assert pane.text[slice(*pane.selection)] == phrase


def _field(form: FigureForm, name: str) -> str:
    return form.query_one(f"#figure-{name}", Input).value


async def _retype(pilot, form: FigureForm, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Focus a form field (its cursor at the end), clear it (ctrl+u) and type."""
    form.query_one(f"#figure-{name}", Input).focus()
    await pilot.pause()
    await pilot.press("ctrl+u", *text)


def _figures(database: Database, article_id: int) -> list[tuple[str, str, object]]:
    spans = queries.spans_for(database, article_id, "ana", layers=("figure",))
    figures = queries.figures_for(database, [span.id for span in spans if span.id])
    return [(span.text, span.status, figures.get(span.id)) for span in spans]


async def test_figure_form_stores_trade_turnover_and_stats_show_it(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot)
        await _find(pilot, "49.7")
        await pilot.press("f")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FigureForm)
        assert form.query_one("#figure-kind", Select).value == "MONEY"
        assert (_field(form, "value"), _field(form, "unit"), _field(form, "scale")) == (
            "49700000000",
            "USD",
            "1000000000",
        )
        assert (_field(form, "metric"), _field(form, "period")) == ("trade turnover", "2024")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is reader
        [(text, status, figure)] = _figures(database, reader.article_id)
        assert (text, status) == ("$49.7 billion", "accepted")
        assert figure is not None
        assert figure.value == Decimal("49700000000")
        assert (figure.kind, figure.unit, figure.scale) == ("MONEY", "USD", 10**9)
        assert (figure.metric, figure.period) == ("trade turnover", "2024")
        assert reader.view is not None
        assert [(f.kind, f.value, f.metric) for f in reader.view.figures] == [
            ("MONEY", Decimal("49700000000"), "trade turnover")
        ]
        assert app.save_state == "saved"
        await pilot.press("u")  # one action, one undo
        await pilot.pause()
        assert _figures(database, reader.article_id) == []
        await pilot.press("ctrl+r")
        await pilot.pause()
    out = io.StringIO()
    print_stats(Console(file=out, width=120), database, "ana")
    report = out.getvalue()
    assert "MONEY" in report and "figure" in report


async def test_escape_cancels_the_figure_form(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot)
        await _find(pilot, "38.6")
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FigureForm)
        await pilot.press("tab", "tab", "x", "escape")
        await pilot.pause()
        assert app.screen is reader
        assert queries.spans_for(database, reader.article_id, "ana") == []


async def test_edit_an_existing_figure_and_refuse_a_bad_value(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot)
        await _find(pilot, "11.1")
        await pilot.press("f", "enter")
        await pilot.pause()
        [(text, _, figure)] = _figures(database, reader.article_id)
        assert text == "$11.1 billion" and figure.value == Decimal("11100000000")

        await pilot.press("f")  # the cursor is on the stored figure: edit it
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FigureForm) and form.editing
        assert _field(form, "value") == "11100000000"
        await _retype(pilot, form, "value", "11.1 bn")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FigureForm)  # not a number: the form stays open
        assert "not a number" in str(form.query_one("#figure-error").render())
        await _retype(pilot, form, "value", "11,100,000,001")
        await _retype(pilot, form, "metric", "imports to Kazakhstan")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is reader
        [(text, _, figure)] = _figures(database, reader.article_id)
        assert figure.value == Decimal("11100000001")
        assert (figure.metric, figure.unit) == ("imports to Kazakhstan", "USD")
        await pilot.press("u")  # undo the edit, not the figure
        await pilot.pause()
        [(_, _, figure)] = _figures(database, reader.article_id)
        assert figure.value == Decimal("11100000000")


async def test_a_suggested_figure_is_accepted_through_the_form(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot)
        start = reader.pane.text.index("$200.7 billion")
        app.repository.add_suggestions(
            reader.article_id,
            [
                SpanSuggestion(
                    start, start + 14, "MONEY", layer="figure", figure={"value": Decimal("200.7")}
                )
            ],
        )
        reader.reload()
        await _find(pilot, "200.7")
        await pilot.press("f")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FigureForm) and form.suggested and not form.editing
        assert _field(form, "value") == "200.7"  # the stored suggestion, not a re-parse
        await _retype(pilot, form, "value", "200700000000")
        await pilot.press("enter")
        await pilot.pause()
        [(text, status, figure)] = _figures(database, reader.article_id)
        assert (text, status, figure.value) == ("$200.7 billion", "accepted", Decimal("2.007E+11"))


async def test_two_topics_with_evidence(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot)
        pane = reader.pane
        await pilot.press("t")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, TopicPicker)
        await pilot.press(*"trade", "space", *["backspace"] * 5, *"invest", "space")
        await pilot.press("tab", *"FDI from the EU", "enter")
        await pilot.pause()
        assert app.screen is reader
        topics = queries.topics_for(database, reader.article_id, "ana")
        assert {(t.topic, t.note) for t in topics} == {
            ("trade", None),
            ("investment", "FDI from the EU"),
        }

        await _select(pilot, pane, "Trade turnover in 2024")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TopicPicker) and app.screen.single
        await pilot.press(*"trade", "enter")
        await pilot.pause()
        await _select(pilot, pane, "direct investments")
        await pilot.press("t", *"invest", "enter")
        await pilot.pause()
        evidence = queries.spans_for(database, reader.article_id, "ana", layers=("evidence",))
        assert [(span.topic, span.text) for span in evidence] == [
            ("trade", "Trade turnover in 2024"),
            ("investment", "direct investments"),
        ]
        assert reader.view is not None
        assert {(t.key, len(t.evidence)) for t in reader.view.topics} == {
            ("trade", 1),
            ("investment", 1),
        }
        assert {span.layer for span in pane.spans} == {"evidence"}

        await pilot.press("t", *"trade", "space", "enter")  # unchecking asks first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert len(queries.topics_for(database, reader.article_id, "ana")) == 2
    out = io.StringIO()
    print_stats(Console(file=out, width=120), database, "ana")
    assert "trade" in out.getvalue() and "investment" in out.getvalue()


async def _link(pilot, pane: ReadingPane, phrase: str, *keys: str, words: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Find ``phrase``, label its first ``words`` words (0: the word under the cursor)
    PERSON, open the entity picker and press ``keys`` in it."""
    await _find(pilot, phrase)
    for _ in range(words):
        await pilot.press("shift+right")
    await pilot.press("1", "e")
    await pilot.pause()
    assert isinstance(pilot.app.screen, EntityPicker)
    await pilot.press(*keys)
    await pilot.pause()


async def test_link_two_mentions_to_one_entity(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot)
        await _link(pilot, reader.pane, "Kaja Kallas", "tab", *"q1234", "enter", words=2)
        await _find(pilot, "Kallas assured")
        await pilot.press("1", "e")  # no selection: the word under the cursor
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, EntityPicker)
        assert picker.query_one("#entity-search", Input).value == "Kallas"
        await pilot.press("enter")  # the best match: Kaja Kallas
        await pilot.pause()
        spans = queries.spans_for(database, reader.article_id, "ana")
        assert [(s.text, s.label) for s in spans] == [
            ("Kaja Kallas", "PERSON"),
            ("Kallas", "PERSON"),
        ]
        assert spans[0].entity_id is not None and spans[0].entity_id == spans[1].entity_id
        [entity] = queries.entities(database, "PERSON")
        assert (entity.name, entity.kb_id, entity.aliases) == ("Kaja Kallas", "Q1234", ["Kallas"])
        assert queries.entity_mentions(database) == {entity.id: 2}
        assert reader.view is not None
        assert {m.entity_name for m in reader.view.mentions} == {"Kaja Kallas"}


async def test_the_picker_offers_the_offline_knowledge_base(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot)
        await _find(pilot, "Astana and Brussels")
        await pilot.press("3", "e")  # GPE, then link: no entity yet, the shipped KB has it
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, EntityPicker)
        assert picker.query_one("#entity-search", Input).value == "Astana"
        await pilot.press("enter")  # the best row: Astana from the knowledge base
        await pilot.pause()
        assert app.screen is reader
        [entity] = queries.entities(database, "GPE")
        assert (entity.name, entity.kb_id) == ("Astana", "Q1520")
        [span] = queries.spans_for(database, reader.article_id, "ana")
        assert (span.text, span.entity_id) == ("Astana", entity.id)


async def test_bad_knowledge_base_id_keeps_the_picker_open(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot)
        await _link(pilot, reader.pane, "Murat", "tab", *"not an id", "enter")
        assert isinstance(app.screen, EntityPicker)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is reader
        assert queries.entities(database) == []


async def test_merge_two_entities_and_undo_on_the_entities_screen(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        reader = await _open_first(pilot)
        await _link(pilot, reader.pane, "Murat Nurtleu", "enter", words=2)
        # "Nurtleu" finds Murat Nurtleu first; go down to "create new" instead.
        await _link(pilot, reader.pane, "Nurtleu pointed", "down", "enter")
        by_name = {e.name: e.id for e in queries.entities(database)}
        assert set(by_name) == {"Murat Nurtleu", "Nurtleu"}

        await pilot.press("E")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EntitiesScreen)
        await pilot.press("slash", *"nurtleu", "enter")
        await pilot.pause()
        # Murat Nurtleu first: "Nurtleu" became its alias when the label key linked the
        # surname to it (within-article linking), before e moved it to a new entity.
        assert [row.name for row in screen._shown] == ["Murat Nurtleu", "Nurtleu"]
        assert screen.query_one(DataTable).row_count == 2
        await pilot.press("down", "m", "up", "m")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        source = queries.entities_by_id(database, {by_name["Nurtleu"]})[by_name["Nurtleu"]]
        assert source.merged_into == by_name["Murat Nurtleu"]
        links = {s.text: s.entity_id for s in queries.spans_for(database, reader.article_id, "ana")}
        assert links == {
            "Murat Nurtleu": by_name["Murat Nurtleu"],
            "Nurtleu": by_name["Murat Nurtleu"],
        }
        assert [row.name for row in screen._shown] == ["Murat Nurtleu"]

        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        entities: list[Entity] = queries.entities(database)
        assert {e.name: e.merged_into for e in entities} == {"Murat Nurtleu": None, "Nurtleu": None}
        links = {s.text: s.entity_id for s in queries.spans_for(database, reader.article_id, "ana")}
        assert links == {"Murat Nurtleu": by_name["Murat Nurtleu"], "Nurtleu": by_name["Nurtleu"]}
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is reader


async def test_rename_an_entity_and_undo_on_the_entities_screen(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_first(pilot)
        entity = app.repository.create_entity("Kallas", "PERSON")
        await pilot.press("E")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+shift+a", *"Kaja Kallas", "tab", "ctrl+shift+a", *"q3196386")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [renamed] = queries.entities(database)
        assert (renamed.id, renamed.name, renamed.kb_id) == (entity.id, "Kaja Kallas", "Q3196386")
        assert renamed.aliases == ["Kallas"]
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [restored] = queries.entities(database)
        assert (restored.name, restored.kb_id, restored.aliases) == ("Kallas", None, [])
