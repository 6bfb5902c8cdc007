"""File importers: every format, the sample articles, and every way a file can be bad."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from storage.importers import (
    ImportFileError,
    ParsedArticle,
    expand_paths,
    read_articles,
)
from storage.importers import parsed as parsed_module
from storage.importers.metadata import find_dateline, parse_date
from storage.text import normalise

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_articles"
DATA = ROOT / "tests" / "data" / "import"


def articles(path: Path) -> list[ParsedArticle]:
    """Read a file that must import cleanly."""
    items = list(read_articles(path))
    errors = [item for item in items if isinstance(item, ImportFileError)]
    assert not errors, errors
    return [item for item in items if isinstance(item, ParsedArticle)]


def only_error(path: Path) -> ImportFileError:
    """Read a file that must fail as a whole, with exactly one reason."""
    items = list(read_articles(path))
    assert len(items) == 1 and isinstance(items[0], ImportFileError), items
    return items[0]


# --- sample articles shipped with the project ------------------------------------------


def test_kazakhstan_markdown_sample_front_matter() -> None:
    (article,) = articles(SAMPLES / "kazakhstan-eu-kallas.md")
    assert article.title == "Kazakhstan's foreign minister meets EU High Representative Kaja Kallas"
    assert article.source == "Trend News Agency"
    assert article.published == datetime.date(2025, 3, 28)
    assert article.dateline == "ASTANA, Kazakhstan, March 28"
    assert article.lang == "en"
    # The text is exactly the body after the closing '---' line.
    content = normalise((SAMPLES / "kazakhstan-eu-kallas.md").read_text("utf-8"))
    assert content.endswith(article.text)
    assert article.text.startswith("ASTANA, Kazakhstan, March 28. Deputy Prime Minister")
    assert "$49.7 billion" in article.text


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.name)
def test_txt_samples_text_is_exactly_the_normalised_file(path: Path) -> None:
    (article,) = articles(path)
    assert article.text == normalise(path.read_text("utf-8"))
    first_line = next(line for line in article.text.splitlines() if line.strip())
    assert article.title == first_line.strip()
    assert article.meta == {"path": str(path)}


def test_wikinews_date_line_sets_published() -> None:
    (article,) = articles(SAMPLES / "04_wikinews_hong_kong_legislative_election_2016.txt")
    assert article.published == datetime.date(2016, 9, 9)
    assert article.dateline is None


def test_long_speech_has_no_invented_date() -> None:
    (article,) = articles(SAMPLES / "09_us_state_of_the_union_2022_long.txt")
    assert article.title.startswith("Remarks of President Joe Biden")
    assert article.published is None


def test_sample_directory_skips_sources_md() -> None:
    paths, errors = expand_paths([str(SAMPLES)])
    assert errors == []
    assert [p.name for p in paths] == sorted(
        p.name for p in SAMPLES.iterdir() if p.name != "SOURCES.md"
    )


# --- each format -----------------------------------------------------------------------


def test_txt_wire_story_dateline() -> None:
    (article,) = articles(DATA / "wire_story.txt")
    assert article.title == "Central Asian ministers back new rail link to Europe"
    assert article.dateline == "BAKU, Azerbaijan, Nov. 14"
    assert article.published is None


def test_markdown_front_matter_fields_and_exact_body() -> None:
    (article,) = articles(DATA / "front_matter.md")
    assert article.title == 'Ministers agree "green corridor" for grain exports'
    assert article.source == "Steppe Economic Review"
    assert article.url == "https://steppe-review.example/2024/06/11/green-corridor"
    assert article.published == datetime.date(2024, 6, 11)
    assert article.meta["front_matter"] == {
        "author": "Aigerim Sadykova",
        "tags": ["agriculture", "trade", "transport"],
        "regions": ["Central Asia", "South Caucasus"],
    }
    content = (DATA / "front_matter.md").read_text("utf-8")
    body = content.split("---\n", 2)[2].lstrip("\n")
    assert article.text == body
    assert article.text.startswith("**NUR-SULTAN** — This body keeps its *Markdown*")


def test_markdown_without_front_matter_uses_heading() -> None:
    (article,) = articles(DATA / "headline.md")
    assert article.title == "Parliament passes budget with record defence spending"
    assert article.text == normalise((DATA / "headline.md").read_text("utf-8"))
    assert article.dateline == "LONDON, 3 March"
    assert article.source is None and article.published is None


def test_title_falls_back_to_first_line_not_a_late_heading(tmp_path: Path) -> None:
    path = tmp_path / "untitled.md"
    lines = ["Budget talks resume", "", *[f"Paragraph {n}." for n in range(6)], "# Appendix"]
    path.write_text("---\nsource: Wire\n---\n" + "\n".join(lines) + "\n", "utf-8")
    (article,) = articles(path)
    assert (article.title, article.source) == ("Budget talks resume", "Wire")


def test_front_matter_dateline_wins_over_text(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\ndateline: PARIS, May 2\n---\nROME, Italy, May 1. Text.\n", "utf-8")
    (article,) = articles(path)
    assert article.dateline == "PARIS, May 2"
    assert article.text == "ROME, Italy, May 1. Text.\n"


@pytest.mark.parametrize(
    ("front", "reason", "line"),
    [
        ("title: ok\nthis is not a key\n", "front matter: cannot read 'this is not a key'", 3),
        ("title: a\nTitle: b\n", "front matter: 'title' is given twice", 3),
        ("date: yesterday\n", "front matter: 'date' is not a date ('yesterday')", 2),
    ],
)
def test_bad_front_matter_names_the_line(
    tmp_path: Path, front: str, reason: str, line: int
) -> None:
    path = tmp_path / "bad.md"
    path.write_text(f"---\n{front}---\nBody text.\n", "utf-8")
    error = only_error(path)
    assert error.line == line
    assert error.reason.startswith(reason)


def test_unclosed_front_matter_and_empty_body(tmp_path: Path) -> None:
    unclosed = tmp_path / "unclosed.md"
    unclosed.write_text("---\ntitle: x\nBody without a closing line\n", "utf-8")
    assert "front matter is not closed" in str(only_error(unclosed))
    empty_body = tmp_path / "empty_body.md"
    empty_body.write_text("---\ntitle: x\n---\n\n  \n", "utf-8")
    assert only_error(empty_body).reason == "no article text after the front matter"


def test_html_article_extracted_with_metadata() -> None:
    (article,) = articles(DATA / "article.html")
    assert article.title == "EU and Uzbekistan agree roadmap on critical raw materials"
    assert article.source == "Caspian Policy Wire"
    assert article.url.endswith("/2025/04/04/eu-uzbekistan-raw-materials-roadmap")
    assert article.published == datetime.date(2025, 4, 4)
    assert article.dateline == "TASHKENT, Uzbekistan, April 4"
    assert article.meta["author"] == "Dilnoza Karimova"
    assert "6.4 billion euros in 2024, up 12.5 percent" in article.text
    # Boilerplate is gone and paragraphs are separated by a blank line.
    for chrome in ("cookies", "Related stories", "Sign up", "All rights reserved", "Subscribe"):
        assert chrome not in article.text
    assert "\n\nTASHKENT, Uzbekistan, April 4 — The European Union" in article.text


def test_html_without_body() -> None:
    error = only_error(DATA / "no_body.html")
    assert str(error) == f"{DATA / 'no_body.html'}: HTML has no article body"


def test_jsonl_good_lines_import_and_bad_lines_are_reported() -> None:
    path = DATA / "articles.jsonl"
    items = list(read_articles(path))
    good = [item for item in items if isinstance(item, ParsedArticle)]
    bad = [item for item in items if isinstance(item, ImportFileError)]
    assert [article.title for article in good] == [
        "EU opens visa talks with Kazakhstan",
        "Gas output up",
    ]
    first, second = good
    assert first.source == "Trend News Agency"
    assert first.published == datetime.date(2025, 3, 28)
    assert first.dateline == "ASTANA, Kazakhstan, March 28"
    assert first.meta == {
        "feed": "wire",
        "priority": 2,
        "path": str(path),
        "line": 1,
        "spans": [{"start": 0, "end": 2, "label": "ORG"}],
        "extra": {"id": "a1"},
    }
    assert second.published == datetime.date(2024, 11, 2)
    assert second.lang == "en-GB"
    assert [(error.line, error.reason.split(" (")[0]) for error in bad] == [
        (3, "invalid JSON"),
        (4, "'text' is required"),
        (6, "expected a JSON object, got array"),
        (7, "'published' is not a date"),
        (8, "'text' is empty"),
    ]
    assert str(bad[1]) == f"{path}: line 4: 'text' is required"


def test_jsonl_invalid_utf8_line_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"text": "fine"}\n{"text": "caf\xe9"}\n{"text": "also fine"}\n')
    items = list(read_articles(path))
    assert [type(item).__name__ for item in items] == [
        "ParsedArticle",
        "ImportFileError",
        "ParsedArticle",
    ]
    assert str(items[1]) == f"{path}: line 2: not valid UTF-8 (byte 0xe9 at offset 30)"


# --- bad files -------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".jsonl"])
@pytest.mark.parametrize("content", [b"", b"  \n\r\n\t\n"], ids=["zero-bytes", "whitespace"])
def test_empty_file(tmp_path: Path, suffix: str, content: bytes) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(content)
    assert str(only_error(path)) == f"{path}: empty file"


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".jsonl"])
def test_binary_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"picture{suffix}"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    assert only_error(path).reason == "binary file"


def test_invalid_utf8_names_byte_offset_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Title\n\nCafé au lait\n".encode("latin-1"))
    assert str(only_error(path)) == f"{path}: line 3: not valid UTF-8 (byte 0xe9 at offset 10)"


def test_utf16_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "notepad.txt"
    path.write_bytes("Title\r\n".encode("utf-16"))
    assert only_error(path).reason == "UTF-16 text; save it as UTF-8"


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7")
    assert only_error(path).reason.startswith("unsupported file type .pdf (supported: .txt")


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsed_module, "MAX_FILE_BYTES", 1024)
    path = tmp_path / "huge.txt"
    path.write_text("Title\n\n" + "x" * 2048, "utf-8")
    assert only_error(path).reason == "too large (2.0 KB; the limit is 1.0 KB)"


def test_five_megabyte_article_imports_whole(tmp_path: Path) -> None:
    paragraph = "Trade turnover amounted to $49.7 billion (+16.9 percent) in 2024. " * 20
    body = "\n\n".join([paragraph] * 4000)
    path = tmp_path / "speech.txt"
    path.write_text("A very long speech\n\n" + body + "\n", "utf-8")
    assert path.stat().st_size > 5_000_000
    (article,) = articles(path)
    assert article.title == "A very long speech"
    assert len(article.text) == len("A very long speech\n\n" + body + "\n")


def test_crlf_bom_and_nfc_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbfCafe\xcc\x81 talks\r\n\r\nBody line\r\nsecond\rthird\r\n")
    (article,) = articles(path)
    assert article.text == "Café talks\n\nBody line\nsecond\nthird\n"
    assert article.title == "Café talks"
    md = tmp_path / "windows.md"
    md.write_bytes(b"\xef\xbb\xbf---\r\ntitle: Front\r\n---\r\n\r\nBody\r\n")
    (article,) = articles(md)
    assert (article.title, article.text) == ("Front", "Body\n")
    jsonl = tmp_path / "windows.jsonl"
    jsonl.write_bytes(b'\xef\xbb\xbf{"text": "a\\r\\nb"}\r\n{"text": "c"}\r\n')
    assert [a.text for a in articles(jsonl)] == ["a\nb", "c"]


def test_duplicate_files_parse_identically(tmp_path: Path) -> None:
    source = (SAMPLES / "kazakhstan-eu-kallas.md").read_bytes()
    (tmp_path / "one.md").write_bytes(source)
    (tmp_path / "two.md").write_bytes(source)
    (first,) = articles(tmp_path / "one.md")
    (second,) = articles(tmp_path / "two.md")
    assert (first.text, first.title, first.published) == (
        second.text,
        second.title,
        second.published,
    )
    assert first.meta["path"] != second.meta["path"]


# --- path expansion --------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A corpus directory with articles, boilerplate, hidden files and other junk."""
    for name in [
        "a.txt",
        "b.md",
        "README.md",
        "LICENSE.txt",
        ".hidden.txt",
        "notes.pdf",
        "sub/c.html",
        "sub/d.JSONL",
        "sub/SOURCES.md",
        "sub/deeper/e.markdown",
        ".git/f.txt",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Title\n", "utf-8")
    return tmp_path


def test_directory_is_searched_recursively(tree: Path) -> None:
    paths, errors = expand_paths([str(tree)])
    assert errors == []
    assert [p.relative_to(tree).as_posix() for p in paths] == [
        "a.txt",
        "b.md",
        "sub/c.html",
        "sub/d.JSONL",
        "sub/deeper/e.markdown",
    ]


def test_explicit_files_globs_missing_paths_and_dedup(tree: Path) -> None:
    paths, errors = expand_paths(
        [
            str(tree / "README.md"),  # named explicitly: imported
            str(tree / "**" / "*.txt"),  # glob: recursive, hidden and LICENSE skipped
            str(tree / "*" / "SOURCES.md"),  # glob naming boilerplate: imported
            str(tree / "sub" / ".." / "a.txt"),  # same file, other spelling
            str(tree / "missing.txt"),
            str(tree / "*.docx"),
            str(tree / "notes.pdf"),
        ]
    )
    assert [p.relative_to(tree).as_posix() for p in paths] == [
        "README.md",
        "a.txt",
        "sub/SOURCES.md",
    ]
    assert [str(error) for error in errors] == [
        f"{tree / 'missing.txt'}: no such file or directory",
        f"{tree / '*.docx'}: no importable files match this pattern",
        f"{tree / 'notes.pdf'}: unsupported file type .pdf "
        "(supported: .txt .md .markdown .html .htm .jsonl)",
    ]


def test_glob_matching_a_directory_walks_it(tree: Path) -> None:
    paths, errors = expand_paths([str(tree / "su*")])
    assert errors == []
    assert [p.name for p in paths] == ["c.html", "d.JSONL", "e.markdown"]


def test_empty_directory_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    paths, errors = expand_paths([str(tmp_path / "empty")])
    assert paths == []
    assert [error.reason for error in errors] == ["no importable files in directory"]


# --- shared clues ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("ASTANA, Kazakhstan, March 28. Deputy Prime Minister", "ASTANA, Kazakhstan, March 28"),
        ("WASHINGTON, Jan. 5 — The Senate voted", "WASHINGTON, Jan. 5"),
        ("NEW YORK, Sept. 30, 2024 – Stocks fell", "NEW YORK, Sept. 30, 2024"),
        ("LONDON, 3 March (Reuters) - Parliament", "LONDON, 3 March"),
        ("Astana, Kazakhstan, March 28. Lower-case place", None),
        ("The talks, held on March 28. were long", None),
        ("ASTANA, Kazakhstan. No date here", None),
    ],
)
def test_dateline_rule(paragraph: str, expected: str | None) -> None:
    assert find_dateline(paragraph) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-28", datetime.date(2025, 3, 28)),
        ("2025-03-28T09:30:00+05:00", datetime.date(2025, 3, 28)),
        ("2024-11-02T10:00:00Z", datetime.date(2024, 11, 2)),
        ("Friday, September 9, 2016", datetime.date(2016, 9, 9)),
        ("9 September 2016", datetime.date(2016, 9, 9)),
        ("Sept. 9, 2016", datetime.date(2016, 9, 9)),
    ],
)
def test_parse_date(value: str, expected: datetime.date) -> None:
    assert parse_date(value) == expected


def test_parsed_article_refuses_empty_text() -> None:
    with pytest.raises(ValueError, match="non-empty text"):
        ParsedArticle(text=" \n", title="x")


def test_importers_stay_headless_and_lazy() -> None:
    code = (
        "import sys, storage.importers, storage.schema; "
        "print(sorted(m for m in ('textual', 'trafilatura', 'spacy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
