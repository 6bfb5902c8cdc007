"""CoNLL-2003 and CoNLL-U exports, read back by spaCy's own converters (``spacy convert``)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from formats_corpus import build_corpus
from spacy.training.converters import conll_ner_to_docs, conllu_to_docs

from storage import queries
from storage.db import Database
from storage.export import export
from storage.formats.tokens import make_doc


def expected_entities(db: Database, report: object) -> Counter[tuple[str, tuple[str, ...]]]:
    """(label, tokens) of every exported entity and figure span the report does not name."""
    reported = {(p.article_id, p.start, p.end, p.label) for p in report.problems}  # type: ignore[attr-defined]
    found: Counter[tuple[str, tuple[str, ...]]] = Counter()
    for article_id in queries.article_ids(db):
        if queries.article_state(db, article_id, "ana") != "done":
            continue
        article = queries.get_article(db, article_id)
        assert article is not None
        doc = make_doc(article.text)
        for span in queries.spans_for(db, article_id, "ana", statuses=("accepted",),
                                      layers=("entity", "figure")):  # fmt: skip
            if (article_id, span.start, span.end, span.label) in reported:
                continue
            tokens = doc.char_span(span.start, span.end)
            assert tokens is not None
            found[(span.label, tuple(t.text for t in tokens if not t.is_space))] += 1
    return found


def entities(docs: list) -> Counter[tuple[str, tuple[str, ...]]]:  # type: ignore[type-arg]
    return Counter((ent.label_, tuple(t.text for t in ent)) for doc in docs for ent in doc.ents)


@pytest.mark.parametrize("fmt", ["conll", "conll2003"])
def test_spacy_convert_splits_documents_and_reads_every_entity(
    db: Database, tmp_path: Path, fmt: str
) -> None:
    build_corpus(db)
    out = tmp_path / f"ner.{fmt}"
    report = export(db, fmt, out, annotator="ana")
    text = out.read_text("utf-8")
    articles = report.records
    assert text.count("-DOCSTART- -X- O O\n\n") == articles
    if fmt == "conll2003":
        rows = [line.split(" ") for line in text.splitlines() if line and "DOCSTART" not in line]
        assert rows and all(len(row) == 4 and row[1:3] == ["-X-", "O"] for row in rows)
    docs = list(conll_ner_to_docs(text, n_sents=0, no_print=True))
    assert len(docs) == articles  # one document per -DOCSTART-, none of them a token
    assert all(token.text != "-DOCSTART-" for doc in docs for token in doc)
    assert entities(docs) == expected_entities(db, report)


def test_conllu_is_read_by_spacy_with_its_ner(db: Database, tmp_path: Path) -> None:
    build_corpus(db)
    out = tmp_path / "ner.conllu"
    report = export(db, "conllu", out, annotator="ana")
    text = out.read_text("utf-8")
    assert text.count("# newdoc id = ") == report.records
    for line in text.splitlines():
        if line and not line.startswith("#"):
            columns = line.split("\t")
            assert len(columns) == 10 and columns[9].startswith("NE=")
    docs = list(conllu_to_docs(text, n_sents=1000, no_print=True))
    assert entities(docs) == expected_entities(db, report)
