"""spaCy DocBin and CoNLL exports, checked with spaCy and seqeval themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from formats_corpus import Corpus, build_corpus
from seqeval.metrics.sequence_labeling import get_entities
from spacy.tokens import DocBin

from storage import queries
from storage.db import Database
from storage.export import StrictExportError, export
from storage.schema import builtin_schema

Key = tuple[int, int, str]


def accepted(db: Database, article_id: int, layer: str) -> list[tuple[int, int, str]]:
    spans = queries.spans_for(db, article_id, "ana", statuses=("accepted",), layers=(layer,))
    return [(span.start, span.end, span.label) for span in spans]


def aligned_only(text: str, spans: list[Key]) -> set[Key]:
    doc = spacy.blank("en").make_doc(text)
    return {span for span in spans if doc.char_span(span[0], span[1]) is not None}


@pytest.fixture
def corpus(db: Database) -> Corpus:
    return build_corpus(db)


def test_docbin_holds_every_layer(db: Database, corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "train.spacy"
    report = export(db, "spacy", out, annotator="ana")
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    ids = [corpus.kazakhstan, corpus.hong_kong, corpus.unicode]
    assert len(docs) == 3
    topics = [label.key for label in builtin_schema().layer("topic")]
    for doc, article_id in zip(docs, ids, strict=True):
        article = queries.get_article(db, article_id)
        assert article is not None and doc.text == article.text
        assert doc.user_data[("redline", "article")]["article"]["sha256"] == article.sha256
        entities = aligned_only(doc.text, accepted(db, article_id, "entity"))
        in_group = {(s.start_char, s.end_char, s.label_) for s in doc.spans["entities"]}
        assert in_group == entities
        ents = {(s.start_char, s.end_char, s.label_) for s in doc.ents}
        assert ents <= entities
        dropped = entities - ents  # only overlapping ones, each reported
        reported = {
            (p.start, p.end, p.label) for p in report.problems if p.article_id == article_id
        }
        assert dropped <= reported
        figures = aligned_only(doc.text, accepted(db, article_id, "figure"))
        assert {(s.start_char, s.end_char, s.label_) for s in doc.spans["figures"]} == figures
        db_figures = queries.figures_for(
            db,
            [
                s.id
                for s in queries.spans_for(
                    db, article_id, "ana", statuses=("accepted",), layers=("figure",)
                )
            ],
        )
        for figure in db_figures.values():
            span = next(s for s in doc.spans["figures"] if s.label_ == figure.kind)
            stored = doc.user_data[("redline", "figure", span.start_char, span.end_char)]
            assert stored["value"] == (str(figure.value) if figure.value is not None else None)
            assert stored["unit"] == figure.unit and stored["metric"] == figure.metric
        evidence = aligned_only(doc.text, accepted(db, article_id, "evidence"))
        assert {(s.start_char, s.end_char, s.label_) for s in doc.spans["evidence"]} == evidence
        assigned = {t.topic for t in queries.topics_for(db, article_id, "ana")}
        assert set(doc.cats) == set(topics) | assigned
        assert {key for key, value in doc.cats.items() if value == 1.0} == assigned
    kallas = [e for e in docs[0].ents if e.text == "Kaja Kallas"]
    assert kallas and kallas[0].kb_id_ == "Q3740786"


def test_misaligned_and_overlapping_spans_are_reported(
    db: Database, corpus: Corpus, tmp_path: Path
) -> None:
    report = export(db, "spacy", tmp_path / "x.spacy", annotator="ana")
    found = {(p.article_id, p.start, p.end): p.reason for p in report.problems}
    [(article_id, start, end)] = corpus.misaligned
    assert "misaligned" in found[(article_id, start, end)]
    [(article_id, start, end)] = corpus.nested
    assert "overlaps" in found[(article_id, start, end)]
    problem = next(p for p in report.problems if "misaligned" in p.reason)
    assert problem.text == "ong" and str(problem).startswith(f"article {article_id} (ana)")


@pytest.mark.parametrize("fmt", ["spacy", "conll"])
def test_strict_fails_and_writes_nothing(
    db: Database, corpus: Corpus, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"x.{fmt}"
    out.write_text("previous good export")
    with pytest.raises(StrictExportError, match="--strict") as failure:
        export(db, fmt, out, annotator="ana", strict=True)
    assert failure.value.report.problems
    assert out.read_text() == "previous good export"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def read_conll(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Documents → sentences → (token, tag), as a CoNLL reader would."""
    documents: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in path.read_text("utf-8").split("\n"):
        if not line:
            if sentence:
                documents[-1].append(sentence)
            sentence = []
            continue
        if line == "-DOCSTART- -X- O O":  # CoNLL-2003's separator, as spaCy splits on it
            documents.append([])
            continue
        token, tag = line.split("\t")
        assert tag == "O" or tag[:2] in ("B-", "I-")
        sentence.append((token, tag))
    assert not sentence
    return documents


def test_conll_tags_give_the_database_spans(db: Database, corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "ner.conll"
    report = export(db, "conll", out, annotator="ana")
    documents = read_conll(out)
    ids = [corpus.kazakhstan, corpus.hong_kong, corpus.unicode]
    assert len(documents) == 3
    for sentences, article_id in zip(documents, ids, strict=True):
        article = queries.get_article(db, article_id)
        assert article is not None
        tokens = [token for sentence in sentences for token, _ in sentence]
        tags = [tag for sentence in sentences for _, tag in sentence]
        offsets, cursor = [], 0
        for token in tokens:  # tokens appear in the text in order
            cursor = article.text.index(token, cursor)
            offsets.append((cursor, cursor + len(token)))
            cursor += len(token)
        found = {
            (offsets[first][0], offsets[last][1], label)
            for label, first, last in get_entities(tags)
        }
        expected = set(accepted(db, article_id, "entity") + accepted(db, article_id, "figure"))
        reported = {
            (p.start, p.end, p.label) for p in report.problems if p.article_id == article_id
        }
        assert found == expected - reported
        for sentence in sentences:  # no entity crosses a sentence break
            assert sentence[0][1][:2] != "I-"
    assert any("no topics" in note for note in report.notes)
