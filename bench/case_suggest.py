"""Case 6, suggesters: figures + gazetteer over the corpus, vs spaCy's ``PhraseMatcher``.

redline runs what the app runs per article: the figure rules
(``storage.suggestions.figure_suggestions``) and the gazetteer
(``storage.suggest.Gazetteer.find``) built from 50,000 entries. The baseline is
spaCy's ``PhraseMatcher`` alone with the same 50,000 surfaces as patterns,
over ``nlp.make_doc(text)`` of the same texts (``spacy.blank("en")``).

The figure rules look for subjects only when there is an entity to link one
to (on a fresh database there is none); an extra row times them as they run
on a database with entities (the 50,000 surfaces as known entities), which
adds the entity rules' pass over each article.

The corpus is split into ``MIN_RUNS`` chunks; each chunk is timed on both
sides in turn, and the reported rate is chunk size / median chunk time (one
pass over all articles per side). Building the gazetteer and the matcher is timed
once and reported apart. The two suggesters are timed apart on each chunk
(redline's time is their sum), which gives two extra rows splitting the cost.

A last row times what ``redline suggest`` does with the same two suggesters:
``suggest_corpus`` over articles of a copy of the corpus database, proposals
*and* their storage (one transaction and one event per article), with one job
and with two (worker processes propose, the parent stores in order), against
the same PhraseMatcher rate.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import data, db
from bench.common import MIN_RUNS, Row, median

NAME = "suggest"
TARGET_RATIO = 2.0
STORED_FROM = 2_000
"""The corpus database the stored run copies (the import case's, already cached)."""


def texts(count: int) -> list[str]:
    """The corpus texts, read from the same batch files the import case uses."""
    size = count // MIN_RUNS
    found: list[str] = []
    for index in range(MIN_RUNS):
        with db.corpus_jsonl(size, "plain", index * size).open("rb") as handle:
            found.extend(json.loads(line)["text"] for line in handle)
    return found


def build_gazetteer(entries: Sequence[tuple[str, str]]) -> Any:
    from storage.suggest import Gazetteer, GazetteerEntry

    return Gazetteer(GazetteerEntry(surface, label) for surface, label in entries)


def build_matcher(entries: Sequence[tuple[str, str]]) -> tuple[Any, Any]:
    """(nlp, matcher): ``spacy.blank("en")`` and a PhraseMatcher with one key per label."""
    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab)
    by_label: dict[str, list[str]] = {}
    for surface, label in entries:
        by_label.setdefault(label, []).append(surface)
    for label, surfaces in by_label.items():
        matcher.add(label, list(nlp.tokenizer.pipe(surfaces)))
    return nlp, matcher


def elapsed(function: Callable[[str], object], chunk: Sequence[str]) -> tuple[float, float]:
    """(wall, CPU) seconds ``function`` takes over every text of ``chunk``: the CPU time
    of this process moves less with the load other programs put on the machine."""
    started, cpu = time.perf_counter(), time.process_time()
    for text in chunk:
        function(text)
    return time.perf_counter() - started, time.process_time() - cpu


def stored_rate(count: int, jobs: int, entries: Sequence[tuple[str, str]]) -> float:
    """Articles per second of ``suggest_corpus`` (figures + the gazetteer of ``entries``, as a
    ``--gazetteer`` file), proposals stored, on a fresh copy of the corpus database."""
    from storage import queries
    from storage.db import open_db
    from storage.repository import Repository
    from storage.suggestions import SuggestOptions, suggest_corpus

    with tempfile.TemporaryDirectory() as folder:
        gazetteer = Path(folder) / "gazetteer.tsv"
        gazetteer.write_text("".join(f"{text}\t{label}\n" for text, label in entries), "utf-8")
        options = SuggestOptions(
            entity_rules=False, topics=False, trained_model=None, gazetteer_file=gazetteer
        )
        path = Path(folder) / "suggest.db"
        shutil.copy(db.corpus_db(STORED_FROM), path)
        database = open_db(str(path))
        try:
            ids = queries.article_ids(database)[:count]
            with Repository(database, db.ANNOTATOR) as repository:
                started = time.perf_counter()
                report = suggest_corpus(database, repository, ids, options, jobs=jobs)
                seconds = time.perf_counter() - started
        finally:
            database.dispose()
    if report.failed:
        raise RuntimeError(f"suggest failed on {len(report.failed)} articles")
    return len(ids) / seconds


def run(console: Console, quick: bool) -> list[Row]:
    from storage.suggest.entity_rules import _recent_entities
    from storage.suggestions import figure_suggestions

    count = 1_000 if quick else 10_000
    corpus = texts(count)
    entries = data.gazetteer_entries()
    started = time.perf_counter()
    gazetteer = build_gazetteer(entries)
    gazetteer_build = time.perf_counter() - started
    started = time.perf_counter()
    nlp, matcher = build_matcher(entries)
    matcher_build = time.perf_counter() - started

    def baseline(text: str) -> object:
        return matcher(nlp.make_doc(text))

    from storage.kb import fold

    # A database that has entities: every figure then looks for its subject among the
    # entity rules' names of its sentence (the rules' second pass, skipped without one).
    known = {fold(surface): number for number, (surface, _label) in enumerate(entries, 1)}

    def with_subjects(text: str) -> object:
        _recent_entities.cache_clear()  # as in a run without the entity suggester
        return figure_suggestions(text, known)

    for warm in corpus[:20]:
        figure_suggestions(warm)
        with_subjects(warm)
        gazetteer.find(warm)
        baseline(warm)
    # The entity rules keep their last results per text (the figure rules and the entity
    # suggester share them in ``redline suggest``); the timed passes start cold.
    _recent_entities.cache_clear()
    size = len(corpus) // MIN_RUNS
    chunks = [corpus[index * size : (index + 1) * size] for index in range(MIN_RUNS)]
    timed: dict[str, list[tuple[float, float]]] = {
        "figures": [],
        "gazetteer": [],
        "base": [],
        "subjects": [],
    }
    for chunk in chunks:
        # Both suggesters run over the chunk one after the other (timed apart, so the
        # split is known); the sum is redline's time. Then the baseline, same chunk.
        timed["figures"].append(elapsed(figure_suggestions, chunk))
        timed["gazetteer"].append(elapsed(gazetteer.find, chunk))
        timed["base"].append(elapsed(baseline, chunk))
        timed["subjects"].append(elapsed(with_subjects, chunk))
    seconds = {name: [wall for wall, _ in values] for name, values in timed.items()}
    cpu = {name: [used for _, used in values] for name, values in timed.items()}
    ours = [f + g for f, g in zip(seconds["figures"], seconds["gazetteer"], strict=True)]
    ours_cpu = [f + g for f, g in zip(cpu["figures"], cpu["gazetteer"], strict=True)]

    def per_second(values: list[float]) -> float:
        return size / median(values)

    def cpu_ratio(values: list[float]) -> str:
        return f"CPU-time ratio {median(values) / median(cpu['base']):.2f}x"

    builds = f"build: gazetteer {gazetteer_build:.1f} s, PhraseMatcher {matcher_build:.1f} s"
    stored_count = 100 if quick else 400
    one_job = stored_rate(stored_count, 1, entries)
    two_jobs = stored_rate(stored_count, 2, entries)
    return [
        Row(
            "suggest",
            f"figures + gazetteer, {len(corpus):,} articles, {len(entries):,} entries",
            per_second(ours),
            per_second(seconds["base"]),
            "art/s",
            target_ratio=TARGET_RATIO,
            runs=len(chunks),
            note=f"{builds}; baseline is PhraseMatcher(make_doc); {cpu_ratio(ours_cpu)}",
        ),
        Row(
            "suggest",
            "figure rules alone",
            per_second(seconds["figures"]),
            per_second(seconds["base"]),
            "art/s",
            runs=len(chunks),
            note=f"info; {cpu_ratio(cpu['figures'])}",
        ),
        Row(
            "suggest",
            "figure rules alone, with entities to link subjects to",
            per_second(seconds["subjects"]),
            per_second(seconds["base"]),
            "art/s",
            runs=len(chunks),
            note="info: adds the entity rules' pass over each article",
        ),
        Row(
            "suggest",
            "gazetteer alone",
            per_second(seconds["gazetteer"]),
            per_second(seconds["base"]),
            "art/s",
            runs=len(chunks),
            note="info",
        ),
        Row(
            "suggest",
            f"redline suggest (figures + gazetteer, stored), {stored_count:,} articles, --jobs 2",
            two_jobs,
            per_second(seconds["base"]),
            "art/s",
            runs=1,
            note=(
                f"info (the target is the first row's: the baseline stores nothing); --jobs 1: "
                f"{one_job:.0f} art/s; includes opening the gazetteer, the workers and the writes"
            ),
        ),
    ]
