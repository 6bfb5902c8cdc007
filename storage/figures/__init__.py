"""Figures in news text: parse one under the cursor, or find all of them.

``parse_figure`` pre-fills the figure form; ``find_figures`` feeds the figure
suggester. Both share one scanner (:mod:`.parser`), one rules table
(:mod:`.rules`) and one set of context rules (:mod:`.context`). Pure Python, no
database, no spaCy.
"""

from __future__ import annotations

from storage.figures.finder import find_figures, parse_figure
from storage.figures.model import KINDS, ParsedFigure
from storage.figures.sentences import split_sentences

__all__ = ["KINDS", "ParsedFigure", "find_figures", "parse_figure", "split_sentences"]
