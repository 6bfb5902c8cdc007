"""Parquet, brat, Label Studio, doccano and Prodigy exports, read the way their users read them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from formats_corpus import Corpus, build_corpus

from storage import queries
from storage.db import Database
from storage.export import export

EVIDENCE = "Topic_"


@pytest.fixture
def corpus(db: Database) -> Corpus:
    return build_corpus(db)


def db_spans(db: Database, article_id: int) -> set[tuple[int, int, str]]:
    """Every accepted span in the flat label namespace (evidence as Topic_<key>)."""
    spans = queries.spans_for(db, article_id, "ana", statuses=("accepted",))
    return {
        (s.start, s.end, f"{EVIDENCE}{s.topic}" if s.layer == "evidence" else s.label)
        for s in spans
    }


def test_parquet_reads_the_same_in_pyarrow_and_datasets(
    db: Database, corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "corpus.parquet"
    export(db, "parquet", out, annotator="ana")
    rows = pq.read_table(out).to_pylist()
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    loaded = datasets.load_dataset(
        "parquet", data_files=str(out), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert [dict(row) for row in loaded] == rows
    assert [row["id"] for row in rows] == [corpus.kazakhstan, corpus.hong_kong, corpus.unicode]
    for row in rows:
        spans = {(e["start"], e["end"], e["label"]) for e in row["entities"]}
        spans |= {(f["start"], f["end"], f["label"]) for f in row["figures"]}
        spans |= {(e["start"], e["end"], f"{EVIDENCE}{t['key']}") for t in row["topics"]
                  for e in t["evidence"]}  # fmt: skip
        assert spans == db_spans(db, row["id"])
        for entity in row["entities"]:
            assert row["text"][entity["start"] : entity["end"]] == entity["text"]
    money = rows[2]["figures"][0]
    assert (money["value"], money["value_number"], money["unit"]) == ("49700000000", 49.7e9, "USD")
    assert money["subject"]["name"] == "European Union" and money["bound"] == "lower"
    kz = rows[0]
    assert kz["state"] == "done" and kz["published"].isoformat() == "2025-03-28"
    assert {t["key"]: t["note"] for t in kz["topics"]}["diplomacy"].startswith("EU–Kazakhstan")


# -- brat: an independent parser following the standoff spec ----------------------

T_LINE = re.compile(r"^T(\d+)\t([A-Za-z0-9_.\-]+) (\d+ \d+(?:;\d+ \d+)*)\t([^\n]*)$")
A_LINE = re.compile(r"^A(\d+)\t([A-Za-z_\-]+) (T\d+)(?: ([A-Za-z0-9_\-]+))?$")
N_LINE = re.compile(r"^N(\d+)\tReference (T\d+) ([A-Za-z0-9_\-]+):([^\s]+)\t([^\n]*)$")
NOTE_LINE = re.compile(r"^#(\d+)\tAnnotatorNotes (T\d+)\t([^\n]*)$")


def parse_ann(ann: Path, text: str) -> dict[str, Any]:
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    ids: set[str] = set()
    others: list[tuple[str, str]] = []
    for line in ann.read_bytes().decode("utf-8").split("\n")[:-1]:
        ident = line.split("\t")[0]
        assert ident not in ids, f"duplicate id {ident}"
        ids.add(ident)
        if match := T_LINE.match(line):
            fragments = [tuple(map(int, part.split())) for part in match[3].split(";")]
            for start, end in fragments:
                assert 0 <= start < end <= len(text)
                assert "\n" not in text[start:end]
            assert " ".join(text[s:e] for s, e in fragments) == match[4]
            spans[f"T{match[1]}"] = (match[2], fragments)  # type: ignore[assignment]
        elif match := (A_LINE.match(line) or N_LINE.match(line) or NOTE_LINE.match(line)):
            target = next(group for group in match.groups() if group and group.startswith("T"))
            assert target in spans, f"{ident} refers to an undefined {target}"
            others.append((ident, line))
        else:
            raise AssertionError(f"not a brat standoff line: {line!r}")
    return {"spans": spans, "others": others}


def test_brat_standoff_is_valid(db: Database, corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    report = export(db, "brat", out, annotator="ana")
    assert report.problems == []
    conf = (out / "annotation.conf").read_text("utf-8")
    declared = set(conf.split("[relations]")[0].split()[1:])
    for article_id in (corpus.kazakhstan, corpus.hong_kong, corpus.unicode):
        text = (out / f"{article_id}.txt").read_bytes().decode("utf-8")
        article = queries.get_article(db, article_id)
        assert article is not None and text == article.text
        parsed = parse_ann(out / f"{article_id}.ann", text)
        found = {(f[0][0], f[-1][1], label) for label, f in parsed["spans"].values()}
        assert found == db_spans(db, article_id)
        assert {label for label, _ in parsed["spans"].values()} <= declared
        side = json.loads((out / f"{article_id}.json").read_text("utf-8"))
        assert side["article"]["sha256"] == article.sha256
    uni = parse_ann(
        out / f"{corpus.unicode}.ann", (out / f"{corpus.unicode}.txt").read_bytes().decode()
    )
    lines = [line for _, line in uni["others"]]
    assert any(
        line.startswith("A") and "\tBound " in line and line.endswith(" lower") for line in lines
    )
    assert any("value=49700000000; unit=USD; metric=trade turnover" in line for line in lines)
    kz = parse_ann(
        out / f"{corpus.kazakhstan}.ann", (out / f"{corpus.kazakhstan}.txt").read_bytes().decode()
    )
    assert any("Wikidata:Q3740786\tKaja Kallas" in line for _, line in kz["others"])
    assert any("Topic_transport" == label for label, _ in kz["spans"].values())


def test_labelstudio_tasks_follow_the_task_schema(
    db: Database, corpus: Corpus, tmp_path: Path
) -> None:
    out = tmp_path / "tasks.json"
    export(db, "labelstudio", out, annotator="ana")
    tasks = json.loads(out.read_text("utf-8"))
    assert isinstance(tasks, list) and len(tasks) == 3
    for task, article_id in zip(tasks, (corpus.kazakhstan, corpus.hong_kong, corpus.unicode),
                                strict=True):  # fmt: skip
        assert set(task) >= {"data", "annotations"}
        text = task["data"]["text"]
        assert isinstance(text, str)
        [annotation] = task["annotations"]
        assert isinstance(annotation["result"], list)
        ids = [result["id"] for result in annotation["result"]]
        assert len(ids) == len(set(ids))
        spans = set()
        for result in annotation["result"]:
            assert {"id", "from_name", "to_name", "type", "value"} <= set(result)
            assert isinstance(result["id"], str) and result["to_name"] == "text"
            value = result["value"]
            if result["type"] == "labels":  # evidence in its own control (issue 15 item 5)
                evidence = result["value"]["labels"][0].startswith("Topic_")
                assert result["from_name"] == ("evidence" if evidence else "label")
                assert isinstance(value["start"], int) and isinstance(value["end"], int)
                assert text[value["start"] : value["end"]] == value["text"]
                assert isinstance(value["labels"], list) and len(value["labels"]) == 1
                assert isinstance(result.get("meta", {}), dict)
                spans.add((value["start"], value["end"], value["labels"][0]))
            else:
                assert (result["type"], result["from_name"]) == ("choices", "topics")
                assert all(isinstance(choice, str) for choice in value["choices"])
        assert spans == db_spans(db, article_id)
    money = next(
        r for r in tasks[2]["annotations"][0]["result"] if r["value"].get("labels") == ["MONEY"]
    )
    assert money["meta"]["value"] == "49700000000" and money["meta"]["layer"] == "figure"


def test_doccano_and_prodigy_jsonl(db: Database, corpus: Corpus, tmp_path: Path) -> None:
    export(db, "doccano", tmp_path / "d.jsonl", annotator="ana")
    export(db, "prodigy", tmp_path / "p.jsonl", annotator="ana")
    doccano = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text().splitlines()]
    prodigy = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text().splitlines()]
    ids = (corpus.kazakhstan, corpus.hong_kong, corpus.unicode)
    for d_task, p_task, article_id in zip(doccano, prodigy, ids, strict=True):
        expected = db_spans(db, article_id)
        assert {tuple(item) for item in d_task["label"]} == expected
        assert {(s["start"], s["end"], s["label"]) for s in p_task["spans"]} == expected
        topics = {t.topic for t in queries.topics_for(db, article_id, "ana")}
        assert set(d_task["cats"]) == topics == set(p_task["accept"])
        assert p_task["answer"] == "accept"
        text = p_task["text"]
        for token in p_task["tokens"]:
            assert text[token["start"] : token["end"]] == token["text"]
        tokens = p_task["tokens"]
        for span in p_task["spans"]:
            first, last = tokens[span["token_start"]], tokens[span["token_end"]]
            assert first["start"] <= span["start"] and span["end"] <= last["end"]


def test_brat_confs_link_wikidata_and_notes_read_as_written(
    db: Database, corpus: Corpus, tmp_path: Path
) -> None:
    """visual.conf/tools.conf come with the export; a percent unit is ``unit=%``, not ``%25``."""
    out = tmp_path / "brat"
    export(db, "brat", out, annotator="ana")
    tools = (out / "tools.conf").read_text("utf-8").splitlines()
    [wikidata] = [line for line in tools if line.startswith("Wikidata\t")]
    assert "URLBASE:https://www.wikidata.org/wiki/%s" in wikidata
    visual = (out / "visual.conf").read_text("utf-8")
    labels = visual.split("[labels]\n")[1].split("\n\n")[0].split("\n")
    conf = (out / "annotation.conf").read_text("utf-8")
    assert set(labels) == set(conf.split("[relations]")[0].split()[1:])
    ann = "".join(path.read_text("utf-8") for path in out.glob("*.ann"))
    assert "\tReference " in ann and " Wikidata:Q3740786\t" in ann
    assert "unit=%;" in ann or ann.count("unit=%\n")
    assert "%25" not in ann
