"""The one tokenizer of redline, and character spans → spaCy tokens, exactly or not at all.

Token-based formats (spaCy, CoNLL, Prodigy's token indices) use the tokenizer
of ``spacy.blank("en")``, so a trained pipeline sees the same tokens. A span
whose edges fall inside a token is *misaligned*: it is reported, never moved to
the nearest token boundary. spaCy is imported here, lazily, so nothing that
merely imports :mod:`storage` pays for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from storage.formats.writing.records import ExportRecord, ExportSpan
from storage.formats.writing.report import ExportProblem, ExportReport

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer
    from spacy.tokens import Doc

TOKENIZER_LANG = "en"


_lock = threading.Lock()
_nlp: Language | None = None


def blank_nlp() -> Language:
    """The one ``spacy.blank("en")`` of the process, created on first use (thread-safe).

    Exports, imports and the reading pane's word snapping (``tui.tokens``) all
    use it, so a span drawn at the keyboard has the edges an export sees.
    """
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                import spacy

                _nlp = spacy.blank(TOKENIZER_LANG)
    return _nlp


def tokenizer() -> Tokenizer:
    return blank_nlp().tokenizer


RENEW_AFTER = 250
"""Docs an export tokenizes with one pipeline before a fresh one replaces it.

A pipeline's vocabulary grows fastest over its first docs (every word is new): at
10,000 articles, 1,000 docs per pipeline peaked 14 MB higher than 250 (the hf export:
199 → 185 MB). A fresh ``spacy.blank`` costs ≈ 0.13 s, ≈ 0.5 ms per doc at 250."""


class _RenewedPipeline:
    """``spacy.blank("en")`` for exports, replaced every :data:`RENEW_AFTER` docs.

    spaCy's vocabulary keeps a lexeme and a string for every new word it ever
    tokenizes, and never lets them go: over 10,000 articles that grew the
    process by 67 MB, whatever the export wrote. A fresh pipeline has the same
    rules, so the tokens are the same; the old vocabulary goes with its last doc.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.nlp: Language | None = None
        self.made = 0

    def make_doc(self, text: str) -> Doc:
        with self.lock:
            if self.nlp is None or self.made >= RENEW_AFTER:
                blank_nlp()  # spaCy is imported once, under the import lock
                import spacy

                self.nlp, self.made = spacy.blank(TOKENIZER_LANG), 0
            self.made += 1
            nlp = self.nlp
        return nlp.make_doc(text)


_export_pipeline = _RenewedPipeline()


def make_doc(text: str) -> Doc:
    """``text`` tokenized as :func:`blank_nlp` would, in memory that does not grow with use."""
    return _export_pipeline.make_doc(text)


def token_range(doc: Doc, span: ExportSpan) -> tuple[int, int] | None:
    """``[token_start, token_end)`` when ``span`` falls exactly on token edges, else None."""
    found = doc.char_span(span.start, span.end)
    return None if found is None else (found.start, found.end)


def expanded_range(doc: Doc, span: ExportSpan) -> tuple[int, int]:
    """The smallest token range covering ``span`` (for formats that also keep offsets)."""
    found = doc.char_span(span.start, span.end, alignment_mode="expand")
    if found is None:  # only when the span covers nothing but trailing whitespace
        token = doc[-1] if len(doc) else None
        return (token.i, token.i + 1) if token is not None else (0, 0)
    return found.start, found.end


def problem(record: ExportRecord, span: ExportSpan, reason: str) -> ExportProblem:
    assert record.article.id is not None
    return ExportProblem(
        article_id=record.article.id,
        annotator=record.annotator,
        layer=span.layer,
        label=span.label,
        start=span.start,
        end=span.end,
        text=span.text,
        reason=reason,
    )


MISALIGNED = "misaligned with spaCy tokens (edge inside a token)"


def aligned(
    doc: Doc, record: ExportRecord, spans: Sequence[ExportSpan], report: ExportReport
) -> list[tuple[ExportSpan, int, int]]:
    """The spans that map exactly onto tokens; each other one is reported."""
    result: list[tuple[ExportSpan, int, int]] = []
    for span in spans:
        tokens = token_range(doc, span)
        if tokens is None:
            report.problems.append(problem(record, span, MISALIGNED))
        else:
            result.append((span, *tokens))
    return result


def without_overlaps(
    items: Sequence[tuple[ExportSpan, int, int]],
    on_dropped: Callable[[ExportSpan, ExportSpan], None],
) -> list[tuple[ExportSpan, int, int]]:
    """A non-overlapping subset (earliest first, then longest), reporting the rest.

    Overlap is judged on tokens, since that is what the target format holds.
    """
    ordered = sorted(items, key=lambda item: (item[1], -(item[2] - item[1]), item[0].label))
    kept: list[tuple[ExportSpan, int, int]] = []
    for item in ordered:
        if kept and item[1] < kept[-1][2]:
            on_dropped(item[0], kept[-1][0])
            continue
        kept.append(item)
    return kept


def overlap_reason(other: ExportSpan, where: str) -> str:
    return f"overlaps {other.layer} {other.label} [{other.start}, {other.end}); {where}"
