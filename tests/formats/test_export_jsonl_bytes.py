"""The native JSONL export, written straight from rows, is byte for byte what it was.

``tests/data/export/*.jsonl`` were written by the export before it stopped building
an object per span (commit e3e70b2), from :func:`build_corpus`: linked and merged
entities, figures with every attribute (a subject among them), topics with notes and
evidence, two annotators, suggestions, emoji, CJK and RTL text. The repository's
path in article metadata is written as ``@ROOT@``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from formats_corpus import ROOT, build_corpus

from storage.db import Database
from storage.export import export

EXPECTED = ROOT / "tests" / "data" / "export"
CASES = {
    "corpus-all.jsonl": {"annotator": "all", "status": "all", "include_suggested": True},
    "corpus-ana-done-figure-topic.jsonl": {"annotator": "ana", "layers": ("figure", "topic")},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_jsonl_export_is_byte_identical_to_the_recorded_one(
    db: Database, tmp_path: Path, name: str
) -> None:
    build_corpus(db)
    out = tmp_path / name
    export(db, "jsonl", out, **CASES[name])  # type: ignore[arg-type]
    written = out.read_bytes().replace(str(ROOT).encode(), b"@ROOT@")
    assert written == (EXPECTED / name).read_bytes()
