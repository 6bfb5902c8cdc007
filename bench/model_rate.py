"""How fast the trained model suggests, against a bare ``nlp.pipe`` of the same pipeline.

Part of the learning-curve case (issue 13: "suggesting with the model over 1,000
articles ≥ 50 articles/s"). Three measurements over the same corpus texts
(``bench.case_suggest.texts``, ≈ 5,000 characters each):

- one process: ``TrainedModel.suggestions`` (tok2vec, beam NER, topic
  classifier, calibration, evidence) against ``nlp.pipe`` of the same pipeline
  (greedy NER, nothing read back) on the same chunk, chunk after chunk;
- two worker processes, as ``redline suggest --jobs 2`` runs the model: each
  worker loads the saved pipeline once and gets batches of
  ``trained_model.BATCH`` texts; the baseline is the same pool running the bare
  ``nlp.pipe``;
- for information, the bare ``nlp.pipe`` of the stock ``--optimize
  efficiency`` tok2vec (96 wide, 4 deep; untrained weights cost the same) on
  part of the corpus, so the README can say what the smaller tok2vec buys.

Rates are articles per wall-clock second, median over chunks; on the shared
2-core machine read the ratios, not the absolute numbers. Each measurement also
counts articles per CPU-second of the processes doing the work (the parent, or
the sum over the workers), which other jobs on the machine disturb much less:
twice that is what two idle cores would give.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import MIN_RUNS, Row, median

RATE_TARGET = 50.0
NAME = "learning_curve"

_worker: dict[str, Any] = {}


def _load_in_worker(directory: str) -> None:
    import spacy

    from storage.suggest.trained_model import TrainedModel
    from storage.train.store import ModelMeta

    nlp = spacy.load(directory)
    _worker["model"] = TrainedModel(ModelMeta(Path(directory), {}), nlp)


def _suggest_in_worker(texts: Sequence[str]) -> float:
    """CPU seconds this worker spent suggesting for ``texts``."""
    started = time.process_time()
    _worker["model"].suggestions(texts)
    return time.process_time() - started


def _pipe_in_worker(texts: Sequence[str]) -> float:
    from storage.suggest.trained_model import BATCH

    started = time.process_time()
    list(_worker["model"].nlp.pipe(texts, batch_size=BATCH))
    return time.process_time() - started


def _chunks(corpus: Sequence[str]) -> list[Sequence[str]]:
    size = max(1, len(corpus) // MIN_RUNS)
    return [corpus[index * size : (index + 1) * size] for index in range(MIN_RUNS)]


def _seconds(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


class Rate:
    """Articles per wall-clock second (median over chunks) and per CPU-second (pooled)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.articles = 0
        self.cpu = 0.0

    def add(self, articles: int, wall: float, cpu: float) -> None:
        self.wall.append(articles / wall)
        self.articles += articles
        self.cpu += cpu

    @property
    def per_second(self) -> float:
        return median(self.wall)

    @property
    def per_cpu_second(self) -> float:
        return self.articles / self.cpu if self.cpu else 0.0


def _timed(rate: Rate, articles: int, function: Callable[[], object]) -> None:
    cpu = time.process_time()
    wall = _seconds(function)
    rate.add(articles, wall, time.process_time() - cpu)


def _one_process(model: Any, corpus: Sequence[str]) -> tuple[Rate, Rate]:
    from storage.suggest.trained_model import BATCH

    model.suggestions(corpus[:8])
    list(model.nlp.pipe(corpus[:8]))
    ours, base = Rate(), Rate()
    for chunk in _chunks(corpus):
        _timed(ours, len(chunk), lambda chunk=chunk: model.suggestions(chunk))
        _timed(base, len(chunk), lambda chunk=chunk: list(model.nlp.pipe(chunk, batch_size=BATCH)))
    return ours, base


def _two_processes(model: Any, corpus: Sequence[str]) -> tuple[Rate, Rate]:
    from storage.suggest.trained_model import BATCH

    with tempfile.TemporaryDirectory() as temp:
        model.nlp.to_disk(temp)
        pool = ProcessPoolExecutor(
            max_workers=2,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load_in_worker,
            initargs=(temp,),
        )
        with pool:
            list(pool.map(_suggest_in_worker, [corpus[:4], corpus[4:8]]))

            def run(rate: Rate, work: Callable[[Sequence[str]], float], chunk: Sequence[str]):
                batches = [chunk[i : i + BATCH] for i in range(0, len(chunk), BATCH)]
                cpu: list[float] = []
                parent = time.process_time()
                wall = _seconds(lambda: cpu.extend(pool.map(work, batches)))
                rate.add(len(chunk), wall, sum(cpu) + time.process_time() - parent)

            ours, base = Rate(), Rate()
            for chunk in _chunks(corpus):
                run(ours, _suggest_in_worker, chunk)
                run(base, _pipe_in_worker, chunk)
    return ours, base


def _stock_pipe(corpus: Sequence[str], labels: Sequence[str]) -> float:
    """Bare ``nlp.pipe`` rate of the ``--optimize efficiency`` tok2vec (96 × 4) + NER."""
    from storage.train.pipeline_config import STOCK_TOK2VEC, blank_pipeline

    nlp = blank_pipeline("en", ["entity"], {"entity": list(labels)}, STOCK_TOK2VEC)
    nlp.initialize()
    list(nlp.pipe(corpus[:8]))
    return len(corpus) / _seconds(lambda: list(nlp.pipe(corpus)))


def rate_rows(model: Any, quick: bool) -> tuple[list[Row], dict[str, float]]:
    """The three measurements as summary rows, and the same numbers for the JSON."""
    from bench.case_suggest import texts

    corpus = texts(200 if quick else 1_000)
    chars = sum(len(text) for text in corpus) // len(corpus)
    one, one_base = _one_process(model, corpus)
    two, two_base = _two_processes(model, corpus)
    ours_1, base_1, ours_2, base_2 = (r.per_second for r in (one, one_base, two, two_base))
    labels = model.nlp.get_pipe("ner").labels if "ner" in model.nlp.pipe_names else ("PERSON",)
    stock = _stock_pipe(corpus[: max(40, len(corpus) // 5)], labels)
    encode = model.nlp.config["components"]["tok2vec"]["model"]["encode"]
    shape = f"tok2vec {encode['width']}×{encode['depth']}×{encode['maxout_pieces']}"
    numbers = {
        "articles": len(corpus),
        "chars_per_article": chars,
        "suggest_1_process": round(ours_1, 1),
        "pipe_1_process": round(base_1, 1),
        "suggest_2_processes": round(ours_2, 1),
        "pipe_2_processes": round(base_2, 1),
        "stock_efficiency_pipe_1_process": round(stock, 1),
        "suggest_1_process_per_cpu_s": round(one.per_cpu_second, 1),
        "pipe_1_process_per_cpu_s": round(one_base.per_cpu_second, 1),
        "suggest_2_processes_per_cpu_s": round(two.per_cpu_second, 1),
        "pipe_2_processes_per_cpu_s": round(two_base.per_cpu_second, 1),
    }
    rows = [
        Row(
            NAME,
            f"suggest with the trained model, 2 processes, {len(corpus):,} articles",
            ours_2,
            base_2,
            "art/s",
            target_value=RATE_TARGET,
            runs=MIN_RUNS,
            note=f"{shape}, ≈ {chars:,} chars/article; baseline: bare nlp.pipe, same pool",
        ),
        Row(
            NAME,
            "suggest with the trained model, 1 process",
            ours_1,
            base_1,
            "art/s",
            runs=MIN_RUNS,
            note="info; baseline: bare nlp.pipe of the same pipeline",
        ),
        Row(
            NAME,
            "suggest with the trained model, per CPU-second (2 processes, summed)",
            two.per_cpu_second,
            two_base.per_cpu_second,
            "CPU art/s",
            runs=MIN_RUNS,
            note=f"info: ×2 = two idle cores; 1 process {one.per_cpu_second:.1f} art/CPU-s",
        ),
        Row(
            NAME,
            "bare nlp.pipe, stock efficiency tok2vec 96×4×3, 1 process",
            stock,
            base_1,
            "art/s",
            runs=1,
            note=f"info; baseline: bare nlp.pipe, {shape}",
        ),
    ]
    return rows, numbers
