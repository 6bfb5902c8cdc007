"""Article and annotation text is data: shown literally everywhere, never run (issue 18, 6–7).

One article whose title, source, text, spans, entity names and aliases, notes
and topic note carry Textual markup (``[/]``, ``[@click=app.quit]x[/]``, a
``[link=file://…]``, ``[b]``) and terminal controls (``ESC [2J`` clears the
screen, ``ESC ]0;…BEL`` retitles the terminal). A Pilot walks every screen
and dialog over it and checks, on what is actually drawn, that each piece of
text shows as written (controls as their visible pictures), that no drawn
character is a control code and no drawn cell carries a click action, and
that the app is still running. The CLI commands that print data are run as
processes and must not write a single ESC byte.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.widget import Widget
from textual.widgets import Input

from storage import queries
from storage.articles import add_articles
from storage.db import Database, open_db
from storage.importers import ParsedArticle
from storage.repository import Repository
from tests.tui.app_fixtures import ROOT, make_app
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.entity_picker import EntityPicker
from tui.dialogs.figure_form import FigureForm
from tui.dialogs.rename_entity import RenameEntityDialog
from tui.dialogs.topic_picker import TopicPicker
from tui.literal import visible_line
from tui.screens.entities import EntitiesScreen
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.status_bar import StatusBar

CLEAR = "\x1b[2J"
RETITLE = "\x1b]0;pwned\x07"
QUIT = "[@click=app.quit]x[/]"
LINK = "[link=file:///etc/passwd]x[/link]"
TITLE = f"Hostile [/] {QUIT} [b] {CLEAR} {RETITLE} title"
SOURCE = "[b]src[/]"  # fits the library's source column
MENTION = f"Kallas [/] {QUIT}"
TEXT = (
    f"{MENTION} met {LINK} and [b] in Astana {CLEAR} and {RETITLE} today.\n\n"
    "Trade rose to $49.7 billion in 2024."
)
ENTITY = f"Evil [/] {QUIT}"
ALIASES = ["[b]", f"alias {CLEAR}"]
OTHER_ENTITY = f"{LINK} Corp {CLEAR}"
SPAN_NOTE = f"{LINK} {RETITLE}"
TOPIC_NOTE = f"[/] {QUIT} {RETITLE}"
FIGURE = {"unit": "[b]", "metric": f"[/] {CLEAR}", "period": QUIT}


def shown(text: str) -> str:
    """How ``text`` must look on one line of the screen."""
    return visible_line(text)


def hostile_database(path: Path) -> tuple[Database, int]:
    """A SQLite database at ``path`` holding the hostile article (see :func:`add_hostile`)."""
    database = open_db(str(path))
    return database, add_hostile(database)


def add_hostile(database: Database) -> int:
    """The hostile article with spans, entities, notes, a figure and a topic by 'ana'."""
    [added] = add_articles(database, [ParsedArticle(text=TEXT, title=TITLE, source=SOURCE)])
    article_id = added.article_id
    with Repository(database, "ana") as repository:
        mention = repository.add_span(article_id, 0, len(MENTION), "PERSON", note=SPAN_NOTE)
        entity = repository.create_entity(ENTITY, "PERSON", aliases=ALIASES)
        repository.create_entity(OTHER_ENTITY, "PERSON")
        assert mention.id is not None and entity.id is not None
        repository.link_span(mention.id, entity.id)
        money = TEXT.index("$49.7 billion")
        repository.add_span(
            article_id,
            money,
            money + len("$49.7 billion"),
            "MONEY",
            layer="figure",
            note=SPAN_NOTE,
            figure={"kind": "MONEY", "scale": 10**9, **FIGURE},
        )
        repository.assign_topic(article_id, "diplomacy", TOPIC_NOTE)
        link = TEXT.index(LINK)
        repository.add_span(article_id, link, link + len(LINK), "ORG")  # the last action: u
    return article_id


def drawn(app: App[object], within: Widget | None = None) -> tuple[str, list[dict[str, object]]]:
    """The plain text of the top screen as drawn (or of ``within``'s region), and its metas."""
    strips = app.screen._compositor.render_strips()
    if within is not None:
        region = within.region
        strips = [strip.crop(region.x, region.right) for strip in strips[region.y : region.bottom]]
    metas = [
        dict(segment.style.meta)
        for strip in strips
        for segment in strip
        if segment.style is not None and segment.style.meta
    ]
    return "\n".join(strip.text for strip in strips), metas


def assert_safe(app: App[object], *expected: str, within: Widget | None = None) -> str:
    """The app runs, each ``expected`` text is drawn literally, nothing raw or clickable.

    ``within`` narrows the look to one widget (a dialog's box) so the screen
    underneath cannot supply the expected text.
    """
    assert app.is_running and app.return_code is None
    text, metas = drawn(app)
    controls = sorted({char for char in text if ord(char) < 0x20 and char != "\n"})
    assert controls == [], f"control characters drawn: {controls!r}"
    assert "\x7f" not in text and not any(0x80 <= ord(char) < 0xA0 for char in text)
    for meta in metas:
        action = str(meta.get("@click", ""))
        assert "quit" not in action and "screenshot" not in action, meta
    if within is not None:
        text, _ = drawn(app, within)
    flat = " ".join(text.split())
    for piece in expected:
        wanted = " ".join(shown(piece).split())
        assert wanted in flat, f"{wanted!r} is not on screen:\n{flat}"
    return text


def assert_notified(app: App[object], *expected: str) -> None:
    """The newest notification shows ``expected`` literally (never parsed as markup)."""
    notifications = list(app._notifications)
    assert notifications, "no notification"
    last = notifications[-1]
    message = last.message if isinstance(last.message, str) else str(last.message)
    for piece in expected:
        assert shown(piece) in message or piece in message, (piece, message)
    assert not last.markup or not any(mark in message for mark in ("[/]", "[@", "[link")), last
    assert "\x1b" not in message and "\x07" not in message, message


def assert_said(app: App[object], *expected: str) -> None:
    """The reader's status-bar notice shows ``expected`` literally (appended to a Text as
    plain text, never parsed as markup)."""
    notice = app.screen.query_one(StatusBar).notice
    assert notice, "no notice"
    for piece in expected:
        assert shown(piece) in notice or piece in notice, (piece, notice)
    assert "\x1b" not in notice and "\x07" not in notice, notice


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    # A dialog key's flow is a worker waiting on the dialog's answer, not work to finish.
    busy = [worker for worker in pilot.app.workers if worker.group != "dialog"]
    await pilot.app.workers.wait_for_complete(busy)
    await pilot.pause()


async def wait_until(pilot, condition: Callable[[], bool], seconds: float = 20) -> None:  # type: ignore[no-untyped-def]
    """Pause until ``condition()`` holds (a write stored, a screen open)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


async def test_library_palette_help_and_entities_show_hostile_text_literally(
    tmp_path: Path,
) -> None:
    database, _ = hostile_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert_safe(app, "Hostile [/] [@click=app.quit]x[/] [b] ␛[2J ␛]0;pwned␇ title", SOURCE)

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Hostile")
        await pilot.pause(0.5)
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert_safe(app, TITLE, within=app.screen.query_one(CommandList))
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert_safe(app)
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("E")
        await settle(pilot)
        entities = app.screen
        assert isinstance(entities, EntitiesScreen)
        assert_safe(app, ENTITY, OTHER_ENTITY, ", ".join(ALIASES))
        row = entities.current
        assert row is not None
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RenameEntityDialog)
        assert app.screen.query_one("#rename-name", Input).value == shown(row.name)
        assert_safe(app, within=app.screen.query_one("#rename-box"))
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("m", "down", "m")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        question = f"Merge “{OTHER_ENTITY}” into “{ENTITY}”?"
        assert_safe(app, question, within=app.screen.query_one("#confirm-question"))
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is entities

        await pilot.press("u")  # undoes creating OTHER_ENTITY (the last corpus-wide action)
        await settle(pilot)
        assert_notified(app, OTHER_ENTITY)
        assert_safe(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert_notified(app, OTHER_ENTITY)
        assert_safe(app, OTHER_ENTITY)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert_safe(app, SOURCE)
    assert app.return_code in (None, 0)


async def _find(pilot, word: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash", *word, "enter", "escape")
    await pilot.pause()


async def test_reader_dialogs_and_undo_show_hostile_text_literally(tmp_path: Path) -> None:
    database, _ = hostile_database(tmp_path / "redline.db")
    app = make_app(database)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert_safe(app, TITLE, MENTION, LINK, CLEAR, RETITLE)

        await _find(pilot, "Kallas")
        await pilot.press("e")  # the reader awaits the dialog in a worker: wait for the screen
        await wait_until(pilot, lambda: isinstance(app.screen, EntityPicker))
        picker = app.screen
        assert isinstance(picker, EntityPicker)
        box = picker.query_one("#entity-box")
        assert_safe(app, f"Link “{MENTION}” (PERSON)", ENTITY, ", ".join(ALIASES), within=box)
        await pilot.press("escape")
        await pilot.pause()

        await _find(pilot, "49.7")
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FigureForm))
        form = app.screen
        assert isinstance(form, FigureForm)
        for name, value in (("unit", "[b]"), ("metric", FIGURE["metric"]), ("period", QUIT)):
            assert form.query_one(f"#figure-{name}", Input).value == shown(value)
        assert_safe(app, "$49.7 billion", QUIT, "[/] ␛[2J", within=form.query_one("#figure-box"))
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TopicPicker))
        assert_safe(app, TOPIC_NOTE, within=app.screen.query_one("#topic-box"))
        await pilot.press("escape")
        await pilot.pause()

        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await pilot.press("u")  # undoes the ORG span over the [link=…] text
        await settle(pilot)
        assert_said(app, LINK)
        assert_safe(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert_said(app, LINK)
        assert_safe(app, TITLE)
    assert app.return_code in (None, 0)


async def test_dialogs_saved_as_shown_keep_the_stored_text_exactly(tmp_path: Path) -> None:
    """Controls are made visible on screen only: saving a field untouched stores no pictures."""
    database, article_id = hostile_database(tmp_path / "redline.db")
    app = make_app(database)

    def figure_row() -> tuple[object, ...]:
        [span] = queries.spans_for(database, article_id, "ana", layers=("figure",))
        assert span.id is not None
        figure = queries.figures_for(database, [span.id])[span.id]
        return (figure.unit, figure.metric, figure.period, span.updated_at)

    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await wait_until(pilot, lambda: isinstance(app.screen, EntitiesScreen))
        entities = app.screen
        assert isinstance(entities, EntitiesScreen)
        await wait_until(pilot, lambda: entities.current is not None)
        for _ in range(2):  # two entities: the one to rename is one of them
            if entities.current is not None and entities.current.name == OTHER_ENTITY:
                break
            await pilot.press("down")
        assert entities.current is not None and entities.current.name == OTHER_ENTITY
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameEntityDialog))
        assert app.screen.query_one("#rename-name", Input).value == shown(OTHER_ENTITY)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is entities)
        await pilot.pause(0.3)
        assert sorted(e.name for e in queries.entities(database)) == sorted([ENTITY, OTHER_ENTITY])
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))

        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await pilot.pause(0.3)
        await _find(pilot, "49.7")
        before = figure_row()
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FigureForm))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await wait_until(pilot, lambda: figure_row() != before)  # the form's save is stored
        assert figure_row()[:3] == (FIGURE["unit"], FIGURE["metric"], FIGURE["period"])

        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TopicPicker))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await pilot.pause(0.3)
        [topic] = queries.topics_for(database, article_id, "ana")
        assert (topic.topic, topic.note) == ("diplomacy", TOPIC_NOTE)


def _redline(db_path: Path | str, *args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
    env.update(PYTHONPATH=str(ROOT), COLUMNS="200", REDLINE_ANNOTATOR="ana")
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db_path), *args],
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_cli_prints_no_escape_byte_and_no_markup(db: Database, tmp_path: Path) -> None:
    add_hostile(db)
    location = db.url.render_as_string(hide_password=False)

    def redline(*args: str) -> subprocess.CompletedProcess[bytes]:
        return _redline(location, *args, cwd=tmp_path)

    listed = redline("list")
    assert listed.returncode == 0, listed.stderr
    assert b"\x1b" not in listed.stdout and b"\x07" not in listed.stdout
    text = listed.stdout.decode()
    assert "Hostile [/] [@click=app.quit]x[/] [b] ␛[2J ␛]0;pwned␇" in text
    assert SOURCE in text

    stats = redline("stats")
    assert stats.returncode == 0, stats.stderr
    assert b"\x1b" not in stats.stdout

    searched = redline("list", "--search", "\x1b[2J")
    assert searched.returncode == 0, searched.stderr
    assert b"\x1b" not in searched.stdout

    missing = redline("open", "99")
    assert missing.returncode != 0
    assert b"\x1b" not in missing.stderr and b"Traceback" not in missing.stderr


def test_error_line_shows_paths_literally(tmp_path: Path) -> None:
    """The ``redline: error:`` printer: a hostile file name is neither markup nor control."""
    bad = tmp_path / "bad [b] [@click=app.quit]x \x1b[2J.toml"  # no "/" in a file name
    bad.write_text("[[schema.entity]]\nkey = \n", encoding="utf-8")
    result = _redline(tmp_path / "redline.db", "--schema", str(bad), "schema", cwd=tmp_path)
    assert result.returncode != 0
    assert b"\x1b" not in result.stderr and b"Traceback" not in result.stderr
    assert "bad [b] [@click=app.quit]x ␛[2J.toml" in result.stderr.decode()


def test_schema_titles_and_descriptions_print_literally(tmp_path: Path) -> None:
    schema = tmp_path / "redline.toml"
    schema.write_text(
        "[[schema.entity]]\n"
        'key = "PERSON"\n'
        f'title = "Person [/] {QUIT}"\n'
        'description = "People \\u001b]0;pwned\\u0007 [b]"\n',
        encoding="utf-8",
    )
    result = _redline(tmp_path / "redline.db", "--schema", str(schema), "schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert b"\x1b" not in result.stdout and b"\x07" not in result.stdout
    out = result.stdout.decode()
    assert f"Person [/] {QUIT}"[:20] in out
