"""A .txt without a title line gets its first sentence as a short title (issue 12 item 8)."""

from __future__ import annotations

from pathlib import Path

from storage.importers import ParsedArticle, read_articles

PARAGRAPH = (
    "ASTANA, Kazakhstan, March 28. Deputy Prime Minister Murat Nurtleu held a meeting with "
    "the High Representative of the European Union Kaja Kallas. The parties discussed the "
    "visa regime, transport routes and critical raw materials in some detail."
)


def _title(tmp_path: Path, text: str) -> str:
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    [article] = list(read_articles(path))
    assert isinstance(article, ParsedArticle)
    return article.title


def test_a_paragraph_first_line_is_titled_by_its_first_sentence(tmp_path: Path) -> None:
    title = _title(tmp_path, PARAGRAPH + "\n\nSecond paragraph.\n")
    assert title == (
        "Deputy Prime Minister Murat Nurtleu held a meeting with the High Representative "
        "of the European…"
    )
    assert len(title) <= 100


def test_a_short_first_sentence_is_the_whole_title(tmp_path: Path) -> None:
    text = "The talks ended without a deal. " + "Both sides blamed each other at length. " * 5
    assert _title(tmp_path, text) == "The talks ended without a deal."


def test_a_title_line_stays_the_title(tmp_path: Path) -> None:
    assert _title(tmp_path, "Kazakhstan and the EU\n\n" + PARAGRAPH) == "Kazakhstan and the EU"
