"""Every field of every figure, compared with a recording: speed work must not change output.

The gold tests check offsets, kind and value of the sample articles' figures;
this one checks all sixteen fields of ``find_figures`` (with and without the
subject pass) and of ``parse_figure`` at cursor positions through each text,
over the shipped articles (sample, held-out, Wikinews) and a few generated
bench articles whose texts the recording keeps. The recording was made by the
scanner before its speed work (commit e1a9ed8); a deliberate change to the
rules re-records it::

    .venv/bin/python -m tests.storage.test_figure_recorded --write
"""

from __future__ import annotations

import json
import sys
from dataclasses import astuple
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from storage.figures import find_figures, parse_figure
from storage.figures.quality import HELDOUT_DIR, SAMPLE_DIR, article_text

ROOT = Path(__file__).resolve().parents[2]
RECORDING = ROOT / "tests/data/figures/recorded.jsonl"
FOLDERS = (SAMPLE_DIR, HELDOUT_DIR, Path("tests/data/wikinews"))
GENERATED = 12
CURSORS = 40
"""``parse_figure`` is asked at this many evenly spaced cursor positions per text."""


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def output(text: str) -> dict[str, Any]:
    """Everything the figure parser says about ``text``, as JSON values."""
    step = max(1, len(text) // CURSORS)
    parsed = []
    for cursor in range(0, len(text) + 1, step):
        figure = parse_figure(text, cursor)
        parsed.append(None if figure is None else [_plain(v) for v in astuple(figure)])
    return {
        "figures": [[_plain(v) for v in astuple(f)] for f in find_figures(text, subjects=False)],
        "with_subjects": [[_plain(v) for v in astuple(f)] for f in find_figures(text)],
        "parsed": parsed,
    }


def _shipped() -> list[tuple[str, str]]:
    found = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).iterdir()):
            if path.suffix in (".txt", ".md") and path.name not in ("SOURCES.md", "README.md"):
                found.append((str(folder / path.name), article_text(path)))
    return found


def _records() -> list[dict[str, Any]]:
    lines = RECORDING.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


RECORDS = _records() if RECORDING.exists() else []


def test_the_recording_covers_the_shipped_articles_and_generated_ones() -> None:
    sources = {record["source"] for record in RECORDS}
    assert {name for name, _ in _shipped()} <= sources
    assert sum(1 for record in RECORDS if "text" in record) == GENERATED
    assert sum(len(record["figures"]) for record in RECORDS) > 1_000


@pytest.mark.parametrize("record", RECORDS, ids=[r["source"] for r in RECORDS])
def test_figures_equal_the_recording(record: dict[str, Any]) -> None:
    text = record["text"] if "text" in record else article_text(ROOT / record["source"])
    found = output(text)
    for key in ("figures", "with_subjects", "parsed"):
        assert found[key] == record[key], key


def write() -> None:
    """Re-record from the current code (shipped articles, then generated bench texts)."""
    from bench import data

    RECORDING.parent.mkdir(parents=True, exist_ok=True)
    generated = [
        (f"generated-{number}", data.plain_record(article)["text"])
        for number, article in enumerate(data.corpus(GENERATED))
    ]
    with RECORDING.open("w", encoding="utf-8") as handle:
        for source, text in _shipped():
            handle.write(json.dumps({"source": source, **output(text)}, ensure_ascii=False) + "\n")
        for source, text in generated:
            record = {"source": source, "text": text, **output(text)}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.storage.test_figure_recorded --write")
    write()
