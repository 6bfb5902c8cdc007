"""The entity rules' per-text reuse (figure subjects and entity suggestions share one run)."""

from __future__ import annotations

from storage.figures import find_figures
from storage.suggest.entity_rules import _recent_entities, suggest_entities

TEXT = (
    "More than 3,000 companies with European participation operate in Kazakhstan, "
    "Kaja Kallas said in Astana."
)


def test_a_caller_changing_its_list_does_not_change_the_next_callers() -> None:
    _recent_entities.cache_clear()
    first = suggest_entities(TEXT)
    assert [s.text for s in first] == ["European", "Kazakhstan", "Kaja Kallas", "Astana"]
    first.clear()
    again = suggest_entities(TEXT)
    assert [s.text for s in again] == ["European", "Kazakhstan", "Kaja Kallas", "Astana"]
    assert _recent_entities.cache_info().hits == 1


def test_figure_subjects_reuse_the_entity_rules_run_and_agree_with_a_cold_one() -> None:
    _recent_entities.cache_clear()
    cold = find_figures(TEXT)
    assert _recent_entities.cache_info().misses == 1
    suggest_entities(TEXT)  # what the entity suggester asks next in the same batch
    assert _recent_entities.cache_info().hits == 1
    assert find_figures(TEXT) == cold
    assert [(f.text, f.subject) for f in cold] == [("3,000", "Kazakhstan")]
