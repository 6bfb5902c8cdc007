"""Exports tokenize with a pipeline renewed every RENEW_AFTER docs: the same tokens as
``blank_nlp()``, and a vocabulary that does not keep every word of the corpus."""

from __future__ import annotations

import pytest

import storage.formats.tokens as tokens


def test_renewed_pipeline_gives_the_same_tokens_and_forgets_old_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tokens, "RENEW_AFTER", 2)
    monkeypatch.setattr(tokens, "_export_pipeline", tokens._RenewedPipeline())
    texts = [f"Kallas{n} met Nurtleu{n} in Astana, on 28 March ({n}%)." for n in range(5)]
    docs = [tokens.make_doc(text) for text in texts]
    reference = tokens.blank_nlp()
    for text, doc in zip(texts, docs, strict=True):
        expected = reference.make_doc(text)
        assert [(t.text, t.idx, t.whitespace_) for t in doc] == [
            (t.text, t.idx, t.whitespace_) for t in expected
        ]
    assert docs[0].vocab is docs[1].vocab and docs[1].vocab is not docs[2].vocab
    assert "Kallas0" not in docs[4].vocab.strings and "Kallas4" in docs[4].vocab.strings
