"""The offline knowledge base: JSONL/TSV files, `[kb] file`, search, the shipped list."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from storage.kb import SHIPPED_KB, KBFileError, KnowledgeBase, read_kb
from storage.schema import SchemaError, load_config


def test_shipped_kb_has_unique_qids_and_the_reference_article_names() -> None:
    kb = KnowledgeBase.load()
    ids = Counter(entry.id for entry in kb.entries)
    assert len(kb.entries) > 200
    assert [qid for qid, count in ids.items() if count > 1] == []
    assert all(re.fullmatch(r"Q[1-9][0-9]*", entry.id) for entry in kb.entries)
    assert {entry.type for entry in kb.entries} == {"GPE", "ORG"}
    expected = {"Kazakhstan": "Q232", "EU": "Q458", "Astana": "Q1520", "Ashgabat": "Q23438",
                "Uzbekistan": "Q265", "European Commission": "Q8880", "NATO": "Q7184"}
    for name, qid in expected.items():
        entry = kb.lookup(name)
        assert entry is not None and entry.id == qid, name


def test_search_ranks_exact_then_prefix_then_word_prefix_ignoring_case_and_accents() -> None:
    kb = KnowledgeBase.load()
    assert kb.search("turkiye")[0].name == "Turkey"
    assert kb.search("eu")[0].name == "European Union"
    names = [entry.name for entry in kb.search("korea")]
    assert names[:2] == ["North Korea", "South Korea"]
    assert [entry.name for entry in kb.search("un sec")] == ["United Nations Security Council"]
    assert kb.search("  ") == []
    assert all(entry.type == "ORG" for entry in kb.search("united", type="ORG"))


def test_tsv_and_jsonl_files(tmp_path: Path) -> None:
    tsv = tmp_path / "kb.tsv"
    tsv.write_text("name\taliases\ttype\tid\nKazakh Invest\tKI|NC KI\tORG\tQ999\n", "utf-8")
    [entry] = read_kb(tsv)
    assert (entry.name, entry.aliases, entry.type, entry.id) == (
        "Kazakh Invest", ("KI", "NC KI"), "ORG", "Q999")
    jsonl = tmp_path / "kb.jsonl"
    jsonl.write_text("# comment\n\n" + json.dumps({"name": "Trend", "type": "ORG", "id": "x1"}))
    assert [e.name for e in read_kb(jsonl)] == ["Trend"]


@pytest.mark.parametrize(
    ("suffix", "content", "reason"),
    [
        (".jsonl", '{"name": "A", "type": "ORG"}\n', ":1: 'id' must be a non-empty string"),
        (".jsonl", '\n{"name": "A", "type": "ORG", "id": "Q1", "aliases": "B"}\n',
         ":2: 'aliases' must be a list of strings"),
        (".jsonl", "[1, 2]\n", ":1: each line must be a JSON object"),
        (".jsonl", "{oops\n", ":1: not JSON"),
        (".tsv", "A\tORG\tQ1\n", ":1: expected 4 tab-separated fields"),
    ],
)
def test_bad_kb_line_fails_the_file_with_its_line(
    tmp_path: Path, suffix: str, content: str, reason: str
) -> None:
    path = tmp_path / f"kb{suffix}"
    path.write_text(content, "utf-8")
    with pytest.raises(KBFileError) as error:
        read_kb(path)
    assert str(error.value).startswith(f"{path}{reason}")
    assert "\n" not in str(error.value)


def test_missing_or_binary_kb_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(KBFileError, match="cannot read"):
        KnowledgeBase.load(tmp_path / "absent.jsonl")
    binary = tmp_path / "kb.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(KBFileError, match="cannot read"):
        read_kb(binary)


def test_config_kb_file_is_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "mine.jsonl").write_text(
        json.dumps({"name": "Trend News Agency", "aliases": ["Trend"], "type": "ORG",
                    "id": "Q4"}) + "\n", "utf-8")
    toml = tmp_path / "redline.toml"
    toml.write_text('[kb]\nfile = "mine.jsonl"\n', "utf-8")
    config = load_config(toml)
    assert config.kb_file == tmp_path / "mine.jsonl"
    kb = KnowledgeBase.for_config(config)
    assert [entry.name for entry in kb.search("trend")] == ["Trend News Agency"]
    assert KnowledgeBase.for_config(load_config(tmp_path / "redline.toml")).entries
    toml.write_text("[kb]\nfile = 3\n", "utf-8")
    with pytest.raises(SchemaError, match=r"redline.toml:2: file must be a path"):
        load_config(toml)
    toml.write_text('[kb]\npath = "x"\n', "utf-8")
    with pytest.raises(SchemaError, match="unknown setting 'path' in \\[kb\\]"):
        load_config(toml)


def test_default_config_uses_the_shipped_kb(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path, environ={})
    assert config.kb_file is None
    assert KnowledgeBase.for_config(config).entries == KnowledgeBase.load(SHIPPED_KB).entries
