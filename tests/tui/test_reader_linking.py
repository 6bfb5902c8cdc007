"""Within-article linking in the reader (issue 12 item 3): a mention accepted or labelled
after its entity is linked joins it in the same action, one undo step; ``e`` links the
article's other accepted mentions of the entity too; accepting never creates an entity."""

from __future__ import annotations

from pathlib import Path

from storage import queries
from storage.db import Database
from storage.repository import Repository, SpanSuggestion
from storage.schema import load_config
from tests.tui.app_fixtures import make_app, sample_database
from tests.tui.conftest import open_reader
from tests.tui.test_review_keys import Notices
from tui.screens.reader import linking
from tui.screens.reader.model import ReaderModel
from tui.screens.reader.rows import SpanRow
from tui.widgets.reading_pane import ReadingPane

FULL_NAME = (113, 126)  # "Murat Nurtleu", reference article
SURNAME = (1297, 1304)  # "Nurtleu pointed ..."
KAZAKHSTANI = (576, 587)  # NORP: never a link to Kazakhstan
KAZAKHSTAN = (8, 18)
UK_ARTICLE = 3  # 05_wikinews_uk_asylum_questionnaire_2023
UNITED_KINGDOM = (312, 326)
UK = [(197, 199), (1865, 1867)]
RISHI_SUNAK, SUNAK = (592, 603), (2616, 2621)


def _suggest(database: Database, article_id: int, *spans: tuple[int, int, str]) -> None:
    Repository(database, "ana").add_suggestions(
        article_id, [SpanSuggestion(start, end, label, "entity") for start, end, label in spans]
    )


def _spans(database: Database, article_id: int) -> dict[tuple[int, int], tuple[str, int | None]]:
    spans = queries.spans_for(database, article_id, "ana", layers=("entity",))
    return {(s.start, s.end): (s.status, s.entity_id) for s in spans}


async def test_accepting_a_surname_joins_the_linked_full_name_in_one_undo(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    spans = [(*FULL_NAME, "PERSON"), (*SURNAME, "PERSON"), (*KAZAKHSTAN, "GPE")]
    _suggest(database, 1, *spans, (*KAZAKHSTANI, "NORP"))
    notices = Notices()
    app = make_app(database, open_articles=[1])
    try:
        async with app.run_test(size=(120, 40), message_hook=notices) as pilot:
            screen = await open_reader(pilot)
            pane = screen.query_one(ReadingPane)
            pane.move_cursor(FULL_NAME[0])
            await pilot.press("a")  # no entity yet: accepted, nothing created
            await pilot.pause()
            assert _spans(database, 1)[FULL_NAME] == ("accepted", None)
            assert queries.entities(database) == []
            pane.move_cursor(FULL_NAME[0])
            await pilot.press("e")
            await pilot.pause()
            await pilot.press("enter")  # "+ create new: Murat Nurtleu"
            await pilot.pause()
            [entity] = queries.entities(database)
            assert entity.name == "Murat Nurtleu"
            assert _spans(database, 1)[FULL_NAME] == ("accepted", entity.id)
            assert _spans(database, 1)[SURNAME] == ("suggested", None)

            notices.take()
            pane.move_cursor(SURNAME[0])
            await pilot.press("a")  # one key: accepted and linked to the same entity
            await pilot.pause()
            assert _spans(database, 1)[SURNAME] == ("accepted", entity.id)
            assert "Linked to Murat Nurtleu" in notices.take()
            assert "Nurtleu" in queries.entities(database)[0].aliases

            await pilot.press("u")  # one undo takes back the accept and the link
            await pilot.pause()
            assert _spans(database, 1)[SURNAME] == ("suggested", None)
            assert _spans(database, 1)[FULL_NAME] == ("accepted", entity.id)

            pane.move_cursor(KAZAKHSTAN[0])
            await pilot.press("e", "enter")
            await pilot.pause()
            kazakhstan = _spans(database, 1)[KAZAKHSTAN][1]
            assert kazakhstan is not None
            pane.move_cursor(KAZAKHSTANI[0])
            await pilot.press("a")  # a nationality is not a mention of the country
            await pilot.pause()
            assert _spans(database, 1)[KAZAKHSTANI] == ("accepted", None)
    finally:
        database.dispose()


async def test_e_links_the_accepted_acronyms_and_a_label_key_joins_a_surname(
    tmp_path: Path,
) -> None:
    """Another sample article: "UK" → "United Kingdom", "Sunak" → "Rishi Sunak"."""
    database = sample_database(tmp_path / "redline.db")
    _suggest(database, UK_ARTICLE, (*UNITED_KINGDOM, "GPE"), *[(*uk, "GPE") for uk in UK])
    _suggest(database, UK_ARTICLE, (*RISHI_SUNAK, "PERSON"))
    notices = Notices()
    app = make_app(database, open_articles=[UK_ARTICLE])
    try:
        async with app.run_test(size=(120, 40), message_hook=notices) as pilot:
            screen = await open_reader(pilot)
            pane = screen.query_one(ReadingPane)
            for start, _ in UK:
                pane.move_cursor(start)
                await pilot.press("a")
                await pilot.pause()
            assert {_spans(database, UK_ARTICLE)[uk] for uk in UK} == {("accepted", None)}
            notices.take()
            pane.move_cursor(UNITED_KINGDOM[0])
            await pilot.press("e")
            await pilot.pause()
            await pilot.press("enter")  # the KB's United Kingdom, or a new entity
            await pilot.pause()
            stored = _spans(database, UK_ARTICLE)
            entity_id = stored[UNITED_KINGDOM][1]
            assert entity_id is not None
            assert {stored[uk] for uk in UK} == {("accepted", entity_id)}
            assert "Also linked 2 other mentions of it" in notices.take()
            await pilot.press("u")  # one undo: the link and the two it brought
            await pilot.pause()
            stored = _spans(database, UK_ARTICLE)
            assert {stored[uk] for uk in UK} == {("accepted", None)}
            assert stored[UNITED_KINGDOM] == ("suggested", None)

            pane.move_cursor(RISHI_SUNAK[0])
            await pilot.press("e", "enter")
            await pilot.pause()
            sunak = _spans(database, UK_ARTICLE)[RISHI_SUNAK][1]
            assert sunak is not None
            notices.take()
            pane.move_cursor(SUNAK[0])
            await pilot.press("1")  # PERSON by key, no suggestion: labelled and linked
            await pilot.pause()
            assert _spans(database, UK_ARTICLE)[SUNAK] == ("accepted", sunak)
            assert any(n.startswith("Linked to ") for n in notices.take())
            await pilot.press("u")  # the label and its link go together
            await pilot.pause()
            assert SUNAK not in _spans(database, UK_ARTICLE)
    finally:
        database.dispose()


async def test_accept_all_links_the_mentions_of_entities_the_article_links(
    tmp_path: Path,
) -> None:
    """``A``: every "EU" and later "European Union" joins the one linked; one undo."""
    database = sample_database(tmp_path / "redline.db")
    article = queries.get_article(database, 1)
    assert article is not None
    text = article.text
    union = [(i, i + 14) for i in range(len(text)) if text.startswith("European Union", i)]
    eu = [(i, i + 2) for i in range(len(text)) if text.startswith("EU ", i)]
    assert len(union) >= 2 and len(eu) >= 2
    _suggest(database, 1, *[(*span, "ORG") for span in union + eu], (*FULL_NAME, "PERSON"))
    notices = Notices()
    app = make_app(database, open_articles=[1])
    try:
        async with app.run_test(size=(120, 40), message_hook=notices) as pilot:
            screen = await open_reader(pilot)
            pane = screen.query_one(ReadingPane)
            pane.move_cursor(union[0][0])
            await pilot.press("e", "enter")
            await pilot.pause()
            entity_id = _spans(database, 1)[union[0]][1]
            assert entity_id is not None
            notices.take()
            await pilot.press("A", "y")
            await pilot.pause()
            stored = _spans(database, 1)
            assert {stored[span] for span in union + eu} == {("accepted", entity_id)}
            assert stored[FULL_NAME] == ("accepted", None)  # no entity made by accepting
            assert f"Linked {len(union) + len(eu) - 1} mentions to this article's entities" in (
                notices.take()
            )
            await pilot.press("u")
            await pilot.pause()
            stored = _spans(database, 1)
            assert {stored[span] for span in union[1:] + eu} == {("suggested", None)}
            assert stored[union[0]] == ("accepted", entity_id)
    finally:
        database.dispose()


async def test_done_accepting_the_pending_links_them_too(tmp_path: Path) -> None:
    database = sample_database(tmp_path / "redline.db")
    _suggest(database, 1, (*FULL_NAME, "PERSON"), (*SURNAME, "PERSON"), (*KAZAKHSTAN, "GPE"))
    app = make_app(database, open_articles=[1])
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_reader(pilot)
            screen.query_one(ReadingPane).move_cursor(FULL_NAME[0])
            await pilot.press("e", "enter")
            await pilot.pause()
            entity_id = _spans(database, 1)[FULL_NAME][1]
            await pilot.press("d", "a")  # accept the pending ones, mark done: one action
            await pilot.pause()
            assert queries.article_state(database, 1, "ana") == "done"
            stored = _spans(database, 1)
            assert stored[SURNAME] == ("accepted", entity_id)
            assert stored[KAZAKHSTAN] == ("accepted", None)
    finally:
        database.dispose()


def _model(*rows: tuple[int, int, str, str, str, int | None]) -> ReaderModel:
    """A reader model of entity spans (start, end, text, label, status, entity id)."""
    schema = load_config(None).schema
    spans = {
        i: SpanRow(i, start, end, "entity", label, text, status, entity_id, None)
        for i, (start, end, text, label, status, entity_id) in enumerate(rows, 1)
    }
    return ReaderModel(schema, 1, 1, spans=spans, entity_names={7: "Murat Nurtleu"})


def test_a_mention_joins_one_entity_only_and_never_a_nationality() -> None:
    model = _model(
        (0, 13, "Murat Nurtleu", "PERSON", "accepted", 7),
        (20, 27, "Nurtleu", "PERSON", "suggested", None),
        (30, 40, "Kazakhstan", "GPE", "accepted", 8),
        (50, 61, "Kazakhstani", "NORP", "suggested", None),
    )
    assert linking.for_span(model, 2) == linking.Joined(7, "Murat Nurtleu")
    assert linking.for_span(model, 4) is None
    assert linking.entity_for(model, 70, 77, "Nurtleu", "PERSON") == linking.Joined(
        7, "Murat Nurtleu"
    )
    assert linking.joins(model, [2, 4]) == {2: 7}
    # The annotator linked a second "Nurtleu" elsewhere: the group is split, nothing joins.
    split = _model(
        (0, 13, "Murat Nurtleu", "PERSON", "accepted", 7),
        (20, 27, "Nurtleu", "PERSON", "accepted", 9),
        (40, 47, "Nurtleu", "PERSON", "suggested", None),
    )
    assert linking.for_span(split, 3) is None
    assert linking.joins(split, [3]) == {}


def test_e_brings_the_accepted_unlinked_mentions_not_the_suggested() -> None:
    model = _model(
        (0, 14, "European Union", "ORG", "accepted", None),
        (20, 22, "EU", "ORG", "accepted", None),
        (30, 32, "EU", "ORG", "suggested", None),
        (40, 42, "EU", "ORG", "accepted", 5),
    )
    assert linking.unlinked_group(model, 1) == [2]
    assert linking.unlinked_group(model, 2) == [1]
