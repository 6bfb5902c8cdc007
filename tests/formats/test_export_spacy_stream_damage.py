"""The spaCy export in bounded memory (DocBin's exact bytes), and export of a damaged database."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import spacy
from formats_corpus import ROOT, Corpus, build_corpus
from spacy.tokens import Doc, DocBin, Span

import storage.formats.spacy_docbin as spacy_docbin
from storage.articles import add_article
from storage.db import Database, open_db
from storage.errors import DatabaseDamaged
from storage.export import export
from storage.formats.docbin_stream import DocBinStream, array_header, bin_header
from storage.importers import ParsedArticle
from storage.repository import Repository


class DocBinReference:
    """The writer's old backend: spaCy's own DocBin, everything in memory until the end."""

    def __init__(self, directory: Path) -> None:
        self.docbin = DocBin(store_user_data=True)

    def add(self, doc: Doc) -> None:
        self.docbin.add(doc)

    def write(self, path: Path) -> None:
        self.docbin.to_disk(path)

    def close(self) -> None:
        pass


def sample_docs(count: int) -> list[Doc]:
    """Docs with what an export puts in them: ents, span groups with kb ids, cats, user data."""
    nlp = spacy.blank("en")
    docs = []
    for index in range(count):
        words = " ".join(f"Word{index}x{n}" for n in range(index * 37 % 900))
        doc = nlp.make_doc(f"Kaja Kallas met the EU in Paris. {words}" if index % 5 else "")
        if len(doc) > 2:
            doc.ents = [Span(doc, 0, 2, label="PERSON", kb_id="Q3740786")]
            doc.spans["figures"] = [Span(doc, 1, 3, label="COUNT")]
            doc.cats = {"trade": 1.0, "diplomacy": 0.0}
        doc.user_data[("redline", "article")] = {"id": index, "title": f"Títle {index}"}
        docs.append(doc)
    return docs


@pytest.mark.parametrize("count", [0, 3, 40])
def test_docbin_stream_writes_what_docbin_writes(tmp_path: Path, count: int) -> None:
    docs = sample_docs(count)
    stream = DocBinStream(tmp_path)
    for doc in docs:
        stream.add(doc)
    stream.write(tmp_path / "out.spacy")
    stream.close()
    expected = DocBin(docs=docs, store_user_data=True).to_bytes()
    assert (tmp_path / "out.spacy").read_bytes() == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.spacy"]  # spill files are gone


def test_msgpack_headers_match_srsly() -> None:
    import srsly

    for size in (0, 1, 255, 256, 65535, 65536, 70000):
        packed = srsly.msgpack_dumps(b"x" * size)
        assert packed == bin_header(size) + b"x" * size
        packed = srsly.msgpack_dumps([None] * size)
        assert packed == array_header(size) + b"\xc0" * size


@pytest.fixture
def corpus(db: Database) -> Corpus:
    return build_corpus(db)


def test_spacy_export_is_byte_for_byte_the_docbin_one(
    db: Database, corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    streamed = tmp_path / "streamed.spacy"
    export(db, "spacy", streamed, annotator="all", status="all", include_suggested=True)
    monkeypatch.setattr(spacy_docbin, "DocBinStream", DocBinReference)
    reference = tmp_path / "reference.spacy"
    export(db, "spacy", reference, annotator="all", status="all", include_suggested=True)
    assert streamed.read_bytes() == reference.read_bytes()
    docs = list(DocBin().from_disk(streamed).get_docs(spacy.blank("en").vocab))
    assert len(docs) == 5 and any(doc.ents for doc in docs)  # 4 articles, 1 with 2 annotators


MEASURE = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    from bench import data as gen
    from bench.db import fill
    from storage.db import open_db
    from storage.export import export
    from storage.formats.tokens import make_doc

    database = Path(sys.argv[1])
    fill(database, gen.corpus(int(sys.argv[2])))
    db = open_db(str(database))
    make_doc("Load spaCy and the tokenizer before the baseline.")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = export(db, "spacy", database.with_suffix(".spacy"), annotator="all", status="all")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(report.records, before // 1024, after // 1024)
    """
)


def test_spacy_export_memory_does_not_grow_with_the_corpus(tmp_path: Path) -> None:
    """400 generated articles: DocBin grew the peak RSS by ~220 MB; streamed, by ~30 MB."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path / "big.db"), "400"],
        cwd=ROOT, capture_output=True, text=True, timeout=280,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    records, before_mb, after_mb = map(int, result.stdout.split())
    assert records == 400
    assert after_mb - before_mb < 100, (before_mb, after_mb)


# item 13: a damaged database


def long_articles(db: Database) -> list[int]:
    """Articles longer than a page: the text and the columns after it are on overflow pages."""
    repo = Repository(db, "ana")
    text = " ".join(f"Word{n} said Ana Berg in Paris." for n in range(3000))
    ids = []
    for number in range(3):
        parsed = ParsedArticle(f"{number} {text}", f"Long {number}", source="Wire",
                               published=dt.date(2024, 1, 2 + number))  # fmt: skip
        article_id = add_article(db, parsed).article_id
        repo.add_span(article_id, 0, 1, "ORG")
        repo.set_state(article_id, "done")
        ids.append(article_id)
    return ids


def overwrite_in_overflow_page(path: Path, needle: bytes) -> int:
    """Overwrite ``needle`` with NUL bytes in the overflow page of ``article`` that holds it."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            page
            for (page,) in connection.execute(
                "SELECT pageno FROM dbstat WHERE name = 'article' AND pagetype = 'overflow'"
            )
        ]
    with path.open("r+b") as file:
        for page in pages:
            file.seek((page - 1) * page_size)
            content = file.read(page_size)
            if needle in content:
                file.seek((page - 1) * page_size + content.index(needle))
                file.write(b"\0" * len(needle))
                return page
    raise AssertionError(f"{needle!r} is on no overflow page")


def test_export_of_a_damaged_overflow_page_is_one_line(sqlite_db: Database, tmp_path: Path) -> None:
    long_articles(sqlite_db)
    path = tmp_path / "redline.db"
    export(sqlite_db, "jsonl", tmp_path / "before.jsonl", annotator="ana")
    sqlite_db.dispose()
    overwrite_in_overflow_page(path, b"2024-01-03")
    damaged = open_db(str(path))
    try:
        with pytest.raises(DatabaseDamaged, match=r"^database is damaged: .*redline\.db: "):
            export(damaged, "jsonl", tmp_path / "x.jsonl", annotator="ana")
    finally:
        damaged.dispose()
    assert not (tmp_path / "x.jsonl").exists()
    result = subprocess.run(
        [sys.executable, "-c", "from tui.cli import main; main()", "--db", str(path),
         "--annotator", "ana", "export", "-f", "spacy", "-o", str(tmp_path / "x.spacy")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("redline: error: database is damaged: ")
    assert not (tmp_path / "x.spacy").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_row_referring_to_a_missing_article_is_damage(
    sqlite_db: Database, tmp_path: Path
) -> None:
    _, middle, _ = long_articles(sqlite_db)
    path = tmp_path / "redline.db"
    sqlite_db.dispose()
    with sqlite3.connect(path) as connection:  # what a lost b-tree page does to the table
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("DELETE FROM article WHERE id = ?", (middle,))
    damaged = open_db(str(path))
    try:
        message = rf"^database is damaged: .*: article {middle} is referred to but missing"
        with pytest.raises(DatabaseDamaged, match=message):
            export(damaged, "brat", tmp_path / "brat", annotator="ana")
    finally:
        damaged.dispose()
    assert not (tmp_path / "brat").exists()
