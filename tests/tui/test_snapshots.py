"""Snapshots of the library and the reader (with highlighted spans) at two sizes.

Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` only when a
change is intended, and look at the SVGs in ``__snapshots__`` first.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from storage.articles import add_articles
from storage.db import Database, open_db
from storage.importers import ParsedArticle
from storage.repository import Repository, SpanSuggestion
from tests.tui.app_fixtures import make_app, sample_database
from tui.widgets.reading_pane import ReadingPane

SIZES = [(120, 40), (80, 24)]
MARKUP = "[bold]x[/bold] [/] [link=http://a]"


def _annotated(path: Path) -> Database:
    """The sample corpus with entities, a figure, topic evidence and a suggestion."""
    database = sample_database(path)
    repository = Repository(database, "ana")
    article_id = 1
    text = database_text(database, article_id)
    for phrase, label in [
        ("Murat Nurtleu", "PERSON"),
        ("Kaja Kallas", "PERSON"),
        ("European Union", "ORG"),
        ("Astana", "GPE"),
        ("Brussels", "GPE"),
    ]:
        start = text.index(phrase)
        repository.add_span(article_id, start, start + len(phrase), label)
    evidence = "Trade turnover in 2024 amounted to $49.7 billion (+16.9 percent)"
    start = text.index(evidence)
    repository.add_evidence(article_id, "trade", start, start + len(evidence))
    money = text.index("$49.7 billion")
    repository.add_span(
        article_id,
        money,
        money + len("$49.7 billion"),
        "MONEY",
        layer="figure",
        figure={"value": Decimal("49700000000"), "unit": "USD", "metric": "trade turnover"},
    )
    kazakhstan = text.index("Kazakhstan")
    repository.add_suggestions(
        article_id, [SpanSuggestion(kazakhstan, kazakhstan + len("Kazakhstan"), "GPE")]
    )
    repository.set_state(2, "done")
    return database


def database_text(database: Database, article_id: int) -> str:
    from storage.queries import get_article

    article = get_article(database, article_id)
    assert article is not None
    return article.text


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_library(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(_annotated(tmp_path / "redline.db"))
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_reader_with_spans(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(_annotated(tmp_path / "redline.db"))

    async def open_first(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_first)


def test_empty_library_explains_import(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(open_db(str(tmp_path / "redline.db")))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def _markup_database(path: Path) -> Database:
    database = open_db(str(path))
    text = f"Markup stays text\n\nThe article says {MARKUP} literally."
    add_articles(database, [ParsedArticle(text=text, title="Markup stays text")])
    return database


def test_article_markup_renders_literally(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(_markup_database(tmp_path / "redline.db"), open_articles=[1])
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


async def test_article_markup_text_assertion(tmp_path: Path) -> None:
    app = make_app(_markup_database(tmp_path / "redline.db"), open_articles=[1])
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        pane = app.screen.query_one(ReadingPane)
        rendered = "\n".join(pane.render_line(y).text for y in range(pane.size.height))
        assert MARKUP in rendered
