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
2-core machine read the ratios, not the absolute numbers.
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


def _suggest_in_worker(texts: Sequence[str]) -> int:
    return sum(len(found) for found in _worker["model"].suggestions(texts))


def _pipe_in_worker(texts: Sequence[str]) -> int:
    from storage.suggest.trained_model import BATCH

    return sum(len(doc.ents) for doc in _worker["model"].nlp.pipe(texts, batch_size=BATCH))


def _chunks(corpus: Sequence[str]) -> list[Sequence[str]]:
    size = max(1, len(corpus) // MIN_RUNS)
    return [corpus[index * size : (index + 1) * size] for index in range(MIN_RUNS)]


def _seconds(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _one_process(model: Any, corpus: Sequence[str]) -> tuple[float, float]:
    from storage.suggest.trained_model import BATCH

    model.suggestions(corpus[:8])
    list(model.nlp.pipe(corpus[:8]))
    ours, base = [], []
    for chunk in _chunks(corpus):
        ours.append(len(chunk) / _seconds(lambda chunk=chunk: model.suggestions(chunk)))
        base.append(
            len(chunk) / _seconds(lambda chunk=chunk: list(model.nlp.pipe(chunk, batch_size=BATCH)))
        )
    return median(ours), median(base)


def _two_processes(model: Any, corpus: Sequence[str]) -> tuple[float, float]:
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

            def run(work: Callable[[Sequence[str]], int], chunk: Sequence[str]) -> float:
                batches = [chunk[i : i + BATCH] for i in range(0, len(chunk), BATCH)]
                return len(chunk) / _seconds(lambda: list(pool.map(work, batches)))

            ours, base = [], []
            for chunk in _chunks(corpus):
                ours.append(run(_suggest_in_worker, chunk))
                base.append(run(_pipe_in_worker, chunk))
    return median(ours), median(base)


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
    ours_1, base_1 = _one_process(model, corpus)
    ours_2, base_2 = _two_processes(model, corpus)
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
            "bare nlp.pipe, stock efficiency tok2vec 96×4×3, 1 process",
            stock,
            base_1,
            "art/s",
            runs=1,
            note=f"info; baseline: bare nlp.pipe, {shape}",
        ),
    ]
    return rows, numbers
