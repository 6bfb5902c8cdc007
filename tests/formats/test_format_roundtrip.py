"""Export then import gives back exactly the same articles and annotations.

Runs on both backends for the sample corpus, and with hypothesis-generated
corpora (Unicode of every kind, overlapping layers, adjacent spans, spans at the
text's edges) on SQLite.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from formats_corpus import build_corpus, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.articles import add_article
from storage.db import Database, open_db
from storage.export import export
from storage.formats import detect_format, import_annotated
from storage.formats.registry import FORMATS
from storage.importers import ParsedArticle
from storage.queries import get_article
from storage.repository import Repository
from storage.schema import builtin_schema
from storage.text import normalise

LOSSLESS = tuple(name for name, spec in FORMATS.items() if spec.lossless)
"""Every format the registry calls lossless: export then import must give it all back."""
OUT_NAMES = {
    "jsonl": "out.jsonl",
    "prodigy": "prodigy.jsonl",
    "doccano": "doccano.jsonl",
    "labelstudio": "tasks.json",
    "brat": "brat",
}


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Database]:
    database = open_db(str(tmp_path / "target.db"))
    yield database
    database.dispose()


@pytest.mark.parametrize("fmt", LOSSLESS)
def test_round_trip_keeps_every_annotation(
    db: Database, fresh: Database, tmp_path: Path, fmt: str
) -> None:
    corpus = build_corpus(db)
    out = tmp_path / OUT_NAMES[fmt]
    report = export(db, fmt, out, annotator="all", status="done")
    assert report.records == 4  # ana: three done articles; ben: one
    assert detect_format(out) == fmt
    imported = import_annotated(fresh, out, annotator="nobody", keep_annotators=True)
    assert imported.errors == []
    assert imported.records == 4
    assert snapshot(fresh) == exported_part(db, corpus.unfinished)


def exported_part(db: Database, unfinished: int) -> dict:  # type: ignore[type-arg]
    """The source snapshot less what a default export leaves out: articles not done, suggestions."""
    expected = snapshot(db)
    article = get_article(db, unfinished)
    assert article is not None
    del expected[article.sha256]
    for value in expected.values():
        value["spans"] = [span for span in value["spans"] if span[6] == "accepted"]
    return expected


@pytest.mark.parametrize("fmt", LOSSLESS)
def test_reimport_adds_nothing(db: Database, tmp_path: Path, fmt: str) -> None:
    build_corpus(db)
    out = tmp_path / OUT_NAMES[fmt]
    export(db, fmt, out, annotator="ana", status="all", include_suggested=True)
    before = snapshot(db)
    report = import_annotated(db, out, annotator="ana")
    assert report.errors == []
    assert (report.spans_added, report.topics_added, report.articles_created) == (0, 0, 0)
    assert report.spans_skipped > 150
    assert snapshot(db) == before


def test_import_as_another_annotator_keeps_origins(
    sqlite_db: Database, fresh: Database, tmp_path: Path
) -> None:
    """``--as carol`` (keep_annotators=False) stores everything under carol, origins as exported."""
    build_corpus(sqlite_db)
    export(sqlite_db, "doccano", tmp_path / "d.jsonl", annotator="ana")
    import_annotated(fresh, tmp_path / "d.jsonl", annotator="carol", keep_annotators=False)
    from sqlmodel import select

    from storage.models import Span

    with sqlite_db.reading() as session:
        source = {(s.text, s.start, s.label, s.origin) for s in session.exec(select(Span))}
    with fresh.reading() as session:
        spans = session.exec(select(Span)).all()
    assert {(s.text, s.start, s.label, s.origin) for s in spans} <= source
    assert "import" not in {span.origin for span in spans}
    assert {span.annotator_id for span in spans} == {1}
    assert snapshot(fresh, ("carol",))  # stored under carol


# -- hypothesis ---------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        *list("abc XYZ,.\n"),
        "é",
        "é",
        "😀",
        "🇪🇺",
        "東",
        "京",
        "ש",
        "ل",
        "\u200f",
        "\t",
        "\u2028",
        "ß",
        "İ",
    ]
)
TEXTS = st.lists(PIECES, min_size=1, max_size=30).map("".join)
ENTITY_LABELS = [label.key for label in builtin_schema().layer("entity")]
FIGURE_LABELS = [label.key for label in builtin_schema().layer("figure")]
TOPICS = [label.key for label in builtin_schema().layer("topic")]


@st.composite
def corpora(draw: st.DrawFn) -> list[tuple[str, list[tuple[str, int, int, str]], list[str]]]:
    """Articles as (text, spans (layer, start, end, label), topics)."""
    articles = []
    for _ in range(draw(st.integers(1, 3))):
        text = normalise(draw(TEXTS))
        if not text.strip():
            text = "x" + text
        spans = []
        for _ in range(draw(st.integers(0, 6))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            layer = draw(st.sampled_from(["entity", "figure", "evidence"]))
            labels = {"entity": ENTITY_LABELS, "figure": FIGURE_LABELS, "evidence": TOPICS}
            spans.append((layer, start, end, draw(st.sampled_from(labels[layer]))))
        if text and draw(st.booleans()):  # the whole text, and adjacent halves
            spans.append(("entity", 0, len(text), "MISC"))
            if len(text) > 1:
                spans.append(("entity", 0, 1, "ORG"))
                spans.append(("entity", 1, len(text), "ORG"))
        topics = draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True))
        articles.append((text, spans, topics))
    return articles


def _store(database: Database, corpus: list) -> None:  # type: ignore[type-arg]
    repo = Repository(database, "ana")
    seen_texts: set[str] = set()
    for number, (text, spans, topics) in enumerate(corpus):
        if text in seen_texts:
            continue
        seen_texts.add(text)
        article_id = add_article(database, ParsedArticle(text, f"t{number}")).article_id
        keys = set()
        for layer, start, end, label in spans:
            if (layer, start, end, label) in keys:
                continue
            keys.add((layer, start, end, label))
            if layer == "evidence":
                repo.add_evidence(article_id, label, start, end)
            elif layer == "figure":
                repo.add_span(article_id, start, end, label, layer="figure",
                              figure={"value": Decimal("1.50"), "unit": "EUR;=|%",
                                      "approximate": True, "bound": "upper"})  # fmt: skip
            else:
                repo.add_span(article_id, start, end, label, note="n;=%\tx")
        for topic in topics:
            repo.assign_topic(article_id, topic)
        repo.set_state(article_id, "done")


@pytest.fixture(scope="module")
def empty_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty SQLite file: copying it is much faster than migrating per example."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    open_db(str(path)).dispose()
    return path


@pytest.mark.parametrize("fmt", LOSSLESS)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(corpus=corpora())
def test_round_trip_generated_corpora(fmt: str, corpus: list, empty_db_file: Path) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(empty_db_file, Path(folder) / "source.db")
        shutil.copy(empty_db_file, Path(folder) / "target.db")
        source = open_db(str(Path(folder) / "source.db"))
        target = open_db(str(Path(folder) / "target.db"))
        try:
            _store(source, corpus)
            out = Path(folder) / OUT_NAMES[fmt]
            report = export(source, fmt, out, annotator="ana")
            # Only brat (spans starting/ending on a line break) and prodigy (token
            # indices of misaligned spans) report anything; offsets stay exact.
            reasons = {"brat": "line break", "prodigy": "misaligned"}
            assert all(reasons.get(fmt, "-") in problem.reason for problem in report.problems)
            imported = import_annotated(target, out, annotator="ana")
            assert imported.errors == []
            expected = snapshot(source)
            if fmt == "brat":  # what brat could not carry was reported: not expected back
                for problem in report.problems:
                    article = get_article(source, problem.article_id)
                    assert article is not None
                    value = expected[article.sha256]
                    lost = (problem.layer, problem.start, problem.end)
                    value["spans"] = [s for s in value["spans"] if (s[1], s[3], s[4]) != lost]
            assert snapshot(target) == expected
        finally:
            source.dispose()
            target.dispose()


def test_lossless_formats_are_the_ones_with_a_reader() -> None:
    assert set(LOSSLESS) == {"jsonl", "prodigy", "doccano", "labelstudio", "brat"}


@settings(max_examples=300, deadline=None)
@given(value=st.text(alphabet=st.sampled_from(list("%253BbDd7Cc09AaxX ;=|\t\n\r")), max_size=12))
def test_brat_note_values_survive_escaping(value: str) -> None:
    from storage.formats.codec import decode_note, encode_note

    encoded = encode_note({"unit": value})
    assert "\n" not in encoded and "\t" not in encoded
    assert decode_note(encoded, ValueError) == {"unit": value}
