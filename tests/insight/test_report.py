"""The HTML report: agreement numbers, escaping, no URL, and a real browser renders it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from storage.agreement import entity_agreement
from storage.db import Database, open_db
from storage.repository import Repository
from tests.insight import corpus
from tests.insight.test_checks import redline
from tui.commands.report_html import build_report

HOSTILE = "<script>alert(1)</script>\x1b[2J"


def test_entity_agreement_over_articles_both_marked_done(db: Database) -> None:
    corpus.build_team(db)  # ana done: 2, 3; bob done: 1, 2
    [pair] = entity_agreement(db)
    assert (pair.first, pair.second, pair.articles) == ("ana", "bob", 1)
    # article 2: ana has Astana/GPE; bob has Astana/GPE and Brussels/GPE
    assert (pair.first_spans, pair.second_spans, pair.matched) == (1, 2, 1)
    assert pair.f1 == pytest.approx(2 / 3)
    assert (pair.recall, pair.precision) == (1.0, 0.5)
    Repository(db, "carl").set_state(3, "done")
    pairs = entity_agreement(db)
    assert [(p.first, p.second) for p in pairs] == [("ana", "bob"), ("ana", "carl")]
    assert pairs[1].f1 == 0.0  # carl labelled nothing in article 3, ana four spans
    assert entity_agreement(db, ["bob", "carl"]) == []  # no article both finished


def hostile_database(tmp_path: Path) -> Database:
    database = open_db(str(tmp_path / "redline.db"))
    corpus.build_team(database)
    eve = Repository(database, "<b>eve</b>\x07")
    eve.set_state(1, "in_progress", seconds=90)
    eve.create_entity(HOSTILE, "PERSON")  # no mention: an entity-orphan finding names it
    return database


def test_report_escapes_every_text_and_names_no_url(tmp_path: Path) -> None:
    database = hostile_database(tmp_path)
    page = build_report(database, corpus.config(tmp_path), None)
    assert "<script" not in page and "<b>eve" not in page and "\x1b" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;␛[2J" in page
    assert "&lt;b&gt;eve&lt;/b&gt;␇" in page
    assert page.count("<svg") == 6
    assert not re.search(r"https?:|ftp:|//[\w.-]+\.\w", page)
    assert set(re.findall(r'(?:href|src)="([^"]*)"', page)) <= {
        href for href in re.findall(r'href="(#[^"]*)"', page)
    }  # only links to glyphs inside the page's own SVGs
    for section in ("Corpus", "Progress per annotator", "Charts", "Agreement",
                    "Quality findings", "Label schema"):  # fmt: skip
        assert f"<h2>{section}" in page
    assert "<td>ana</td><td>bob</td><td class=\"n\">1</td>" in page
    assert "66.7%" in page  # F1 of ana and bob
    assert "entity-orphan" in page and "trade, export, tariff" in page  # topic patterns


def test_report_command_writes_the_file(tmp_path: Path) -> None:
    hostile_database(tmp_path).dispose()
    corpus.config(tmp_path)
    result = redline(tmp_path, "report", "--out", "out.html")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "report written to out.html"
    assert (tmp_path / "out.html").read_text(encoding="utf-8").count("<svg") == 6
    result = redline(tmp_path, "report", "--annotator", "zed")
    assert result.returncode == 1 and "no annotator named 'zed'" in result.stderr


def chromium(page: Path) -> tuple[str, list[str]]:
    """Headless Chromium's DOM of ``page`` and the console messages it logged."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed")
    result = subprocess.run(
        [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
         "--v=0", "--host-resolver-rules=MAP * ~NOTFOUND", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


def test_report_renders_in_chromium_with_charts_and_no_console_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>notDefined();</script></body></html>")
    _, console = chromium(broken)
    assert any("Uncaught" in line for line in console)  # the detector sees errors

    page = tmp_path / "report.html"
    page.write_text(build_report(hostile_database(tmp_path), corpus.config(tmp_path), None))
    dom, console = chromium(page)
    assert console == []
    assert dom.count("<svg") == 6
    assert dom.count("<path") > 100  # the charts' bars, axes and glyphs were parsed
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
