"""The public entry points: ``find_figures`` (suggestions) and ``parse_figure`` (the form).

Both run the same scanner and the same context rules, so what the suggester
proposes and what the figure form pre-fills can never disagree.
"""

from __future__ import annotations

from bisect import bisect_right
from operator import itemgetter

from storage.figures.context import change_of, metric_of, period_of
from storage.figures.model import ParsedFigure, new_figure
from storage.figures.numbers import Tokens
from storage.figures.parser import Candidate, scan
from storage.figures.sentences import split_sentences
from storage.figures.subjects import fill_subjects

_FIRST = itemgetter(0)

#: How far ``parse_figure`` looks around the cursor when the paragraph is huge.
_WINDOW = 4000


def _annotate(
    tokens: Tokens, candidates: list[Candidate], sentences: list[tuple[int, int]]
) -> list[tuple[Candidate, ParsedFigure]]:
    """Add change, metric, period and subject to every candidate."""
    starts = list(map(_FIRST, sentences))
    token_starts = tokens.starts
    by_sentence: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        sentence = max(0, bisect_right(starts, tokens.starts[candidate.first]) - 1)
        by_sentence.setdefault(sentence, []).append(candidate)
    results: list[tuple[Candidate, ParsedFigure]] = []
    for sentence, members in sorted(by_sentence.items()):
        start, end = sentences[sentence] if sentences else (0, len(tokens.text))
        first = bisect_right(token_starts, start - 1)
        last = max(first, bisect_right(token_starts, end - 1) - 1)
        dates = [member for member in members if member.kind == "DATE"]
        floor = first
        previous: ParsedFigure | None = None
        for candidate in members:
            change, direction = change_of(tokens, candidate, first)
            metric, subject = metric_of(tokens, candidate, first, last, floor)
            period = period_of(tokens, candidate, dates)
            if (
                previous is not None
                and candidate.first >= 1
                and tokens.words[candidate.first - 1] == "("
                and candidate.first - 2 == floor - 1
                and candidate.kind != "DATE"
            ):
                metric, subject, period = previous.metric, previous.subject, previous.period
            start, end = tokens.starts[candidate.first], tokens.ends[candidate.last]
            figure = new_figure(
                {
                    "start": start,
                    "end": end,
                    "text": tokens.text[start:end],
                    "kind": candidate.kind,
                    "value": candidate.value,
                    "value_max": candidate.value_max,
                    "unit": candidate.unit,
                    "scale": candidate.scale,
                    "approximate": candidate.approximate,
                    "bound": candidate.bound,
                    "change": change,
                    "direction": direction,
                    "metric": metric,
                    "period": period,
                    "subject": subject,
                    "date_value": candidate.date_value,
                }
            )
            results.append((candidate, figure))
            if candidate.kind != "DATE":
                previous = figure
                floor = candidate.last + 1
    return results


def find_figures(text: str, *, subjects: bool = True) -> list[ParsedFigure]:
    """Every figure in an article, sorted by start, non-overlapping, high precision.

    Only strong candidates are returned: figures with a currency, percent or
    unit, dates, and counts backed by a counted noun, a qualifier or a range.
    ``subjects=False`` skips the sentence-entity fallback for a figure's subject
    (:func:`fill_subjects`, the entity rules over the text: about half the cost)
    for callers that cannot use it, e.g. a suggester with no entity to link to;
    the subjects the phrase rules find ("Kazakhstan's exports") stay.
    """
    tokens = Tokens(text)
    candidates = scan(tokens)
    sentences = split_sentences(text)
    strong = [figure for candidate, figure in _annotate(tokens, candidates, sentences)
              if candidate.strong]
    return fill_subjects(text, strong, sentences) if subjects else strong


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph around ``[start, end)``, clipped to a few thousand characters."""
    low = text.rfind("\n\n", 0, start)
    low = 0 if low < 0 else low + 2
    high = text.find("\n\n", end)
    high = len(text) if high < 0 else high
    if start - low > _WINDOW:
        low = text.rfind(" ", 0, start - _WINDOW) + 1
    if high - end > _WINDOW:
        found = text.find(" ", end + _WINDOW)
        high = len(text) if found < 0 else found
    return low, high


def parse_figure(text: str, start: int, end: int | None = None) -> ParsedFigure | None:
    """The figure expression at/around ``[start, end)`` (``end`` None = a cursor position).

    Expands to the whole expression: a cursor on "49.7" in "amounted to $49.7
    billion (+16.9 percent)" gives "$49.7 billion", MONEY, 49700000000 USD. A
    selection picks the figure it overlaps most. Weak figures (a bare "22", "one
    shell") are returned too, since the user asked for them. None when nothing
    figure-like is there.
    """
    if not 0 <= start <= len(text):
        return None
    cursor = end is None or end <= start
    stop = start if cursor else int(end)  # type: ignore[arg-type]
    low, high = _window(text, start, stop)
    tokens = Tokens(text, low, high)
    sentences = [(low + a, low + b) for a, b in split_sentences(text[low:high])]
    annotated = _annotate(tokens, scan(tokens), sentences)
    best: tuple[tuple[int, int], ParsedFigure] | None = None
    for candidate, figure in annotated:
        if cursor:
            inside = figure.start <= start < figure.end
            touching = figure.start <= start <= figure.end
            score = (2 if inside else 1 if touching else 0, int(candidate.strong))
        else:
            overlap = min(stop, figure.end) - max(start, figure.start)
            score = (overlap if overlap > 0 else 0, int(candidate.strong))
        if score[0] > 0 and (best is None or score > best[0]):
            best = (score, figure)
    if best is None:
        return None
    [figure] = fill_subjects(text[low:high], [best[1]], sentences, offset=low)
    return figure
