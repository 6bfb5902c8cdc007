"""Every quality check, in the order reports list them: the one place that names them.

An id is stable (``[check] ignore`` and CI scripts use it); severity ``error``
is for data that is wrong as stored, ``warning`` for what is probably a slip,
``info`` for what is incomplete.
"""

from __future__ import annotations

from storage.checks import duplicates, figures, labels, spans, topics
from storage.checks.base import Check

CHECKS: tuple[Check, ...] = (
    Check("label-conflict", "warning", "Same text, different entity labels",
          labels.label_conflict),
    Check("entity-label-mismatch", "warning", "Label differs from its canonical entity's type",
          labels.entity_label_mismatch),
    Check("figure-no-unit", "warning", "Money, percent or quantity without a unit",
          figures.figure_no_unit),
    Check("figure-no-metric", "info", "Figure without a metric", figures.figure_no_metric),
    Check("figure-no-period", "info", "Figure without a period", figures.figure_no_period),
    Check("figure-value-mismatch", "error", "Stored value differs from the text",
          figures.figure_value_mismatch),
    Check("topic-no-evidence", "warning", "Topic without evidence", topics.topic_no_evidence),
    Check("evidence-off-topic", "warning", "Evidence not in a sentence mentioning the topic",
          topics.evidence_off_topic),
    Check("entity-overlap", "warning", "Overlapping entity spans", spans.entity_overlap),
    Check("span-crosses-sentence", "warning", "Span crosses a sentence boundary",
          spans.span_crosses_sentence),
    Check("span-inside-token", "error", "Span starts or ends inside a word",
          spans.span_inside_token),
    Check("done-with-suggestions", "warning", "Done, with suggestions pending",
          spans.done_with_suggestions),
    Check("duplicate-article", "warning", "Near-duplicate article text",
          duplicates.duplicate_article),
    Check("entity-orphan", "info", "Canonical entity with no mention", labels.entity_orphan),
)  # fmt: skip

CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)
BY_ID = {check.id: check for check in CHECKS}
