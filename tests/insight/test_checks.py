"""Quality checks: exactly the planted problems are found, the clean twin has none.

The storage-level runner runs on SQLite and PostgreSQL (``db`` fixture); the
``redline check`` command runs as a real subprocess on SQLite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storage.checks import CHECK_IDS, run_checks
from storage.checks.duplicates import near_duplicates
from storage.checks.topics import mentions
from storage.db import Database, open_db
from storage.errors import StorageError
from storage.schema import SchemaError, parse_config
from tests.insight import corpus

Place = tuple[str, int | None, int | None, int | None]


def expected_places() -> set[Place]:
    return {
        (check, article_id, *corpus.place(article_id, phrase))
        for check, (article_id, phrase) in corpus.PLANTED.items()
    }


def found_places(findings: list[dict]) -> set[Place]:
    return {(f["check"], f["article_id"], f["start"], f["end"]) for f in findings}


def test_every_check_has_a_planted_case() -> None:
    assert set(corpus.PLANTED) == set(CHECK_IDS)


def test_runner_finds_exactly_the_planted_problems(db: Database, tmp_path: Path) -> None:
    corpus.build(db, planted=True)
    report = run_checks(db, corpus.config(tmp_path).schema, annotator=corpus.ANNOTATOR)
    findings = [finding.to_json() for finding in report.findings]
    assert len(findings) == len(CHECK_IDS)
    assert found_places(findings) == expected_places()
    by_check = {finding.check: finding for finding in report.findings}
    assert by_check["duplicate-article"].related_article_id == 3
    assert by_check["entity-orphan"].entity_id is not None
    assert "GPE ×2, ORG ×1" in by_check["label-conflict"].message
    assert "stored as 20000, the text reads 2000000" in by_check["figure-value-mismatch"].message
    assert report.has_errors
    assert report.counts == {"error": 2, "warning": 9, "info": 3}


def test_clean_twin_has_no_findings(db: Database, tmp_path: Path) -> None:
    corpus.build(db, planted=False)
    report = run_checks(db, corpus.config(tmp_path).schema, annotator=corpus.ANNOTATOR)
    assert report.findings == []
    assert report.ran == CHECK_IDS
    assert not report.has_errors


def test_ignored_checks_do_not_run(sqlite_db: Database, tmp_path: Path) -> None:
    corpus.build(sqlite_db, planted=True)
    schema = corpus.config(tmp_path).schema
    ignore = ("span-inside-token", "figure-value-mismatch")
    report = run_checks(sqlite_db, schema, annotator=corpus.ANNOTATOR, ignore=ignore)
    assert {finding.check for finding in report.findings} == set(CHECK_IDS) - set(ignore)
    assert report.skipped == ("figure-value-mismatch", "span-inside-token")
    assert not report.has_errors
    with pytest.raises(StorageError, match="unknown check 'typo'"):
        run_checks(sqlite_db, schema, ignore=("typo",))


def test_scope_by_article_and_annotator(sqlite_db: Database, tmp_path: Path) -> None:
    corpus.build(sqlite_db, planted=True)
    schema = corpus.config(tmp_path).schema
    only_three = run_checks(sqlite_db, schema, annotator=corpus.ANNOTATOR, article_ids=[3])
    assert {(f.check, f.article_id) for f in only_three.findings} == {
        ("entity-overlap", 3),
        ("span-crosses-sentence", 3),
        ("span-inside-token", 3),
        ("duplicate-article", 3),  # its twin, article 4, is out of scope: placed here
    }
    everyone = run_checks(sqlite_db, schema, annotator=None)
    assert len(everyone.findings) == len(CHECK_IDS)
    from storage.repository import Repository

    Repository(sqlite_db, "bob")
    bob = run_checks(sqlite_db, schema, annotator="bob")
    assert {f.check for f in bob.findings} == {"duplicate-article", "entity-orphan"}
    with pytest.raises(StorageError, match="no annotator named 'zed'"):
        run_checks(sqlite_db, schema, annotator="zed")


def test_topics_without_patterns_are_not_checked(sqlite_db: Database, tmp_path: Path) -> None:
    corpus.build(sqlite_db, planted=True)
    bare = '[schema]\nmode = "replace"\n[[schema.topic]]\nkey = "trade"\n'
    schema = parse_config(bare, tmp_path / "redline.toml").schema
    report = run_checks(sqlite_db, schema, annotator=corpus.ANNOTATOR)
    assert "evidence-off-topic" not in {finding.check for finding in report.findings}


def test_pattern_matching_is_whole_word_with_short_endings() -> None:
    patterns = [["trade"], ["customs", "duty"], ["eu"]]
    assert mentions("Trade grew.", patterns)
    assert mentions("New customs duties apply.", patterns)
    assert mentions("The EU said so.", patterns)
    assert mentions("Investment rose.", [["invest"]])
    assert not mentions("Tradesmen left.", patterns)
    assert not mentions("Europe waits.", patterns)  # "eu" is too short to take endings
    assert not mentions("A tirade of duty.", patterns)


def test_near_duplicates_by_shingles() -> None:
    words = [f"word{i}" for i in range(400)]
    base = " ".join(words)
    edited = " ".join([*words[:200], "changed", *words[201:]])
    other = " ".join(reversed(words))
    found = near_duplicates({1: base, 2: other, 3: edited, 4: base.upper()})
    assert set(found) == {3, 4}
    assert found[3][0] == 1 and 0.9 <= found[3][1] < 1.0
    assert found[4] == (1, 1.0)


def test_schema_parses_check_ignore_and_topic_patterns(tmp_path: Path) -> None:
    path = tmp_path / "redline.toml"
    text = '[check]\nignore = ["figure-no-period"]\n\n[[schema.topic]]\nkey = "energy"\n'
    text += 'patterns = ["oil", " gas ", "oil"]\n'
    loaded = parse_config(text, path)
    assert loaded.check_ignore == ("figure-no-period",)
    energy = loaded.schema.get("topic", "energy")
    assert energy is not None and energy.patterns == ("oil", "gas")
    cases = {
        '[check]\nignore = ["nope"]\n': "2: unknown check 'nope' in [check] ignore",
        "[check]\nignore = 3\n": "2: ignore must be a list of check ids",
        "[check]\nskip = []\n": "2: unknown setting 'skip' in [check]",
        '[[schema.topic]]\nkey = "x"\npatterns = [""]\n': "3: 'patterns' must be a list",
        '[[schema.entity]]\nkey = "X"\npatterns = ["a"]\n': "3: only topics have patterns",
    }
    for bad, problem in cases.items():
        with pytest.raises(SchemaError) as caught:
            parse_config(bad, path)
        assert str(caught.value).startswith(f"{path}:{problem}"), str(caught.value)


# -- the command ---------------------------------------------------------------------


def redline(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    command = shutil.which("redline", path=search)
    assert command is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
    env.update(REDLINE_DB=str(tmp_path / "redline.db"), REDLINE_ANNOTATOR=corpus.ANNOTATOR)
    return subprocess.run(
        [command, *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )


def built(tmp_path: Path, *, planted: bool) -> Path:
    database = open_db(str(tmp_path / "redline.db"))
    corpus.build(database, planted=planted)
    database.dispose()
    corpus.config(tmp_path)  # writes ./redline.toml, which the command reads
    return tmp_path


def test_check_json_finds_exactly_the_planted_problems(tmp_path: Path) -> None:
    result = redline(built(tmp_path, planted=True), "check", "--json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert found_places(document["findings"]) == expected_places()
    assert document["counts"] == {"error": 2, "warning": 9, "info": 3}
    assert document["checks"] == list(CHECK_IDS)
    assert result.stderr == ""


def test_check_json_on_the_clean_twin_is_empty(tmp_path: Path) -> None:
    result = redline(built(tmp_path, planted=False), "check", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["findings"] == []


def test_check_text_output_and_ignore_from_redline_toml(tmp_path: Path) -> None:
    built(tmp_path, planted=True)
    result = redline(tmp_path, "check", "--articles", "2-3")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("error") and "span-inside-token" in line and "article 3 @75-84" in line
        for line in lines
    )
    assert lines[-1].startswith("2 errors, 6 warnings, 1 info · 2 articles, 14 checks")
    toml = tmp_path / "redline.toml"
    toml.write_text(
        corpus.TOML + '\n[check]\nignore = ["span-inside-token", "figure-value-mismatch"]\n'
    )
    result = redline(tmp_path, "check", "--annotator", "all")
    assert result.returncode == 0, result.stdout
    *finding_lines, last = result.stdout.splitlines()
    assert not [line for line in finding_lines if "span-inside-token" in line]
    assert len(finding_lines) == len(CHECK_IDS) - 2
    assert "ignored: figure-value-mismatch, span-inside-token" in last


def test_check_bad_input_is_one_line(tmp_path: Path) -> None:
    built(tmp_path, planted=False)
    for args, problem in [
        (("check", "--annotator", "zed"), "no annotator named 'zed'"),
        (("check", "--articles", "99"), "no article with id 99"),
        (("check", "--articles", "x"), "'x' is not an id"),
        (("check", "--articles", "1-999999999"), "longer than 1,000,000 ids"),
    ]:
        result = redline(tmp_path, *args)
        assert result.returncode != 0
        assert problem in result.stderr
        assert "Traceback" not in result.stderr
