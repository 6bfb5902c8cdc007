"""The reader patches its Entities and Figures panels after each key (no rebuild).

After every key of a label / relabel / accept / reject / undo / redo run (and
a figure edit stored by another action), the panels hold exactly the rows a
full load of the reader's model gives, the highlighted row stays on its item,
and the patched rows are what the pane shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from storage import queries
from storage.db import Database
from storage.repository import Repository, SpanSuggestion
from tests.tui.app_fixtures import make_app, sample_database
from tests.tui.conftest import open_reader
from tui.screens.reader import ReaderScreen
from tui.widgets.entity_panel import EntityPanel, MentionItem
from tui.widgets.figure_panel import FigurePanel
from tui.widgets.panel_model import EntityRows
from tui.widgets.reading_pane import ReadingPane


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = sample_database(tmp_path / "redline.db")
    yield database
    database.dispose()


def _seed(database: Database) -> dict[str, int]:
    """Linked mentions of Kallas and Kazakhstan, a figure, suggestions on three words.

    The offsets of the words the run puts the cursor on, and the figure's span id.
    """
    article = queries.get_article(database, 1)
    assert article is not None
    text = article.text
    repository = Repository(database, "ana")
    kallas = repository.create_entity("Kaja Kallas", "PERSON")
    kazakhstan = repository.create_entity("Kazakhstan", "GPE")
    at = {}
    for word, entity in (("Kallas", kallas), ("Kazakhstan", kazakhstan)):
        start = -1
        for _ in range(2):
            start = text.index(word, start + 1)
            span = repository.add_span(1, start, start + len(word), entity.type)
            repository.link_span(span.id, entity.id)
    billion = text.index("$49.7 billion")
    figure = repository.add_span(
        1, billion, billion + len("$49.7 billion"), "MONEY", layer="figure"
    )
    repository.set_figure(figure.id, value=Decimal("49700000000"), unit="USD")
    for word in ("Brussels", "Astana", "Nurtleu"):
        at[word] = text.index(word, text.index("meeting"))
    repository.add_suggestions(
        1, [SpanSuggestion(at[w], at[w] + len(w), "MISC", origin="rule") for w in at]
    )
    repository.end_session()
    at["Murat"] = text.index("Murat")
    at["figure"] = figure.id
    return at


def _assert_as_full_load(screen: ReaderScreen) -> None:
    model = screen.model
    assert model is not None
    entities, figures = screen.query_one(EntityPanel), screen.query_one(FigurePanel)
    full: EntityRows[MentionItem] = EntityRows()
    full.load(model.mentions())
    assert list(entities.rows) == full.rows
    assert list(figures.rows) == model.figure_items()
    pane = {(s.id, s.label, s.status) for s in screen.query_one(ReadingPane).spans}
    shown = {(m.span_id, m.label, m.status) for m in entities.rows if isinstance(m, MentionItem)}
    assert shown == {s for s in pane if s[0] in {m[0] for m in shown}}


async def test_each_key_leaves_the_panels_as_a_full_load(database: Database) -> None:
    at = _seed(database)
    app = make_app(database, open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reader(pilot)
        pane, entities = screen.query_one(ReadingPane), screen.query_one(EntityPanel)
        _assert_as_full_load(screen)
        entities.cursor = 1  # the first Kallas mention, under its heading
        highlighted = entities.highlighted_row
        run = [
            ("Murat", "1"),  # label
            ("Murat", "3"),  # relabel
            ("Murat", "u"),
            ("Murat", "u"),
            ("Brussels", "a"),  # accept
            ("Brussels", "u"),
            ("Astana", "r"),  # reject
            ("Astana", "u"),
            ("Nurtleu", "a"),
            ("Nurtleu", "u"),
            ("Nurtleu", "ctrl+r"),  # redo
        ]
        for word, key in run:
            pane.move_cursor(at[word])
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            _assert_as_full_load(screen)
            assert entities.highlighted_row == highlighted, key
        stored = queries.spans_for(database, 1, "ana", statuses=("accepted", "suggested"))
        shown = [
            (m.span_id, m.label, m.status) for m in entities.rows if isinstance(m, MentionItem)
        ]
        assert sorted(shown) == sorted(
            (s.id, s.label, s.status) for s in stored if s.layer == "entity"
        )

        figure_id = at["figure"]
        value = Decimal("38600000000")
        screen.save(lambda: app.repository.set_figure(figure_id, value=value), "set figure")
        await pilot.pause()
        _assert_as_full_load(screen)
        [figure] = screen.query_one(FigurePanel).rows
        assert figure.value == Decimal("38600000000")
