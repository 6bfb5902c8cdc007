"""``--jobs N`` workers inherit the runners the parent built (fork) or build their own (spawn)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from storage.db import Database
from storage.repository import SpanSuggestion
from storage.suggest.parallel import can_fork, propose_in_pool
from storage.suggest.registry import SUGGESTERS, SuggesterSpec
from storage.suggestions import SuggestOptions

HERE_ONLY = SpanSuggestion(0, 1, "ORG", origin="rule")


def _here_only(texts: Sequence[str]) -> list[list[SpanSuggestion]]:
    """A runner no worker could build from options: only the parent has it."""
    return [[HERE_ONLY] for _ in texts]


SPEC = SuggesterSpec("here", "entity", cost=0.0, on_open=False, build=lambda _context: None)


def test_models_are_not_forked_and_rule_suggesters_are() -> None:
    by_name = {spec.name: spec for spec in SUGGESTERS}
    assert not by_name["spacy"].fork_safe and not by_name["trained"].fork_safe
    assert all(by_name[name].fork_safe for name in ("figures", "gazetteer", "entity_rules"))
    model = next(spec for spec in SUGGESTERS if spec.name == "trained")
    assert not can_fork([(SPEC, _here_only), (model, _here_only)])


@pytest.mark.skipif(not can_fork([(SPEC, _here_only)]), reason="the platform does not fork")
def test_forked_workers_use_the_runners_built_here_and_keep_batch_order(db: Database) -> None:
    batches = [["a", "b"], ["c"], ["d", "e", "f"], ["g"], ["h"]]
    found = list(
        propose_in_pool(
            "no-such-database", SuggestOptions(), batches, jobs=2, built=(db, [(SPEC, _here_only)])
        )
    )
    # a spawned worker would have had to open "no-such-database" and build from options
    assert found == [[[HERE_ONLY]] * len(batch) for batch in batches]
    with db.reading() as session:  # the parent's engine still works after the workers left
        assert session.connection().exec_driver_sql("SELECT 1").scalar() == 1
