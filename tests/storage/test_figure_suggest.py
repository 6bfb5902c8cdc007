"""Figure suggestions arrive complete: metric, ISO period and subject stored with the span."""

from __future__ import annotations

from pathlib import Path

from storage import queries
from storage.articles import add_articles
from storage.db import Database
from storage.figures.quality import article_text
from storage.importers import ParsedArticle
from storage.repository import Repository
from storage.suggestions import Suggester, SuggestOptions

ROOT = Path(__file__).resolve().parents[2]
FIGURES_ONLY = SuggestOptions(
    entity_rules=False, gazetteer=False, topics=False, trained_model=None
)


def test_stored_figure_suggestions_carry_metric_period_and_subject(db: Database) -> None:
    text = article_text(ROOT / "sample_articles" / "kazakhstan-eu-kallas.md")
    [added] = add_articles(db, [ParsedArticle(text=text, title="Kallas")])
    repository = Repository(db, "ana")
    kazakhstan = repository.create_entity("Kazakhstan", "GPE", kb_id="Q232")
    union = repository.create_entity("European Union", "ORG", aliases=["EU"])
    spans = Suggester(db, repository, FIGURES_ONLY).run(added.article_id, text)
    figures = queries.figures_for(db, [span.id or 0 for span in spans])
    by_text = {span.text: figures[span.id or 0] for span in spans}
    export = by_text["$38.6 billion"]
    assert (export.metric, export.period, export.subject_id) == ("export", "2024", kazakhstan.id)
    inflow = by_text["$200.7 billion"]
    assert (inflow.metric, inflow.period, inflow.subject_id) == (
        "gross inflow of direct investments", "2005/2024-09", union.id)
    assert by_text["+16.9 percent"].change is True
    assert by_text["3,000"].bound == "lower"
