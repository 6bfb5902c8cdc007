"""A finished export reaches the disk before it replaces the target, and the rename after.

``fsync`` calls are recorded (by the path of their descriptor) together with the
rename that puts the export in place: the staged file (each file of a directory
export) is synced before the rename, the target's directory after it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import storage.formats.writing.staging as staging
from storage.articles import add_article
from storage.db import Database
from storage.export import export
from storage.importers import ParsedArticle
from storage.repository import Repository


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    fsync, rename = os.fsync, staging._rename

    def recording_fsync(descriptor: int) -> None:
        seen.append(("fsync", os.readlink(f"/proc/self/fd/{descriptor}")))
        fsync(descriptor)

    def recording_rename(source: Path, destination: Path) -> None:
        seen.append(("rename", str(Path(destination).absolute())))
        rename(source, destination)

    monkeypatch.setattr(staging.os, "fsync", recording_fsync)
    monkeypatch.setattr(staging, "_rename", recording_rename)
    return seen


def _one_article(db: Database) -> None:
    article = add_article(db, ParsedArticle("Kaja Kallas met Murat Nurtleu.", "Talks")).article_id
    repo = Repository(db, "ana")
    repo.add_span(article, 0, 11, "PERSON")
    repo.set_state(article, "done")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name descriptors")
@pytest.mark.parametrize("fmt", ["jsonl", "brat"])
def test_export_is_synced_before_the_rename_and_its_directory_after(
    sqlite_db: Database, tmp_path: Path, events: list[tuple[str, str]], fmt: str
) -> None:
    _one_article(sqlite_db)
    target = (tmp_path / f"out-{fmt}").absolute()
    report = export(sqlite_db, fmt, target, annotator="ana")
    assert report.written
    [renamed] = [index for index, (kind, _) in enumerate(events) if kind == "rename"]
    assert events[renamed] == ("rename", str(target))
    before = [path for kind, path in events[:renamed] if kind == "fsync"]
    staged = [path for path in before if Path(path).name == target.name or target.name in path]
    if fmt == "jsonl":
        assert any(Path(path).name == target.name for path in staged)
    else:
        files = {Path(path).name for path in staged}
        assert {"annotation.conf", "1.txt", "1.ann"} <= files
    assert ("fsync", str(tmp_path.absolute())) in events[renamed + 1 :]
