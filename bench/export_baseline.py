"""The JSONL export's baseline: a ``json.dumps`` loop writing the same records redline writes.

The export target (at most 2×, :mod:`bench.import_export_export`) is measured against
it, since issue 16 asks export to be close to the raw engine.

Read with the driver alone (``sqlite3`` or psycopg, DB-API cursors), every
article with its state and its accepted spans (figure columns joined), each
line the dict redline's native JSONL holds (same keys, same order, figure
attributes, entity references, topics with their evidence), one
``json.dumps(..., ensure_ascii=False)`` per line. On the bench corpora it writes
the very bytes ``redline export --format jsonl`` writes (the case checks), so
the ratio is the cost of redline's machinery, not of a richer record than the
baseline's.

What it leaves out, being a baseline: merged entities are not followed to the
surviving one, there is no batching (every span is read before the first line),
no Unicode line-break escaping, no staging file, no fsync.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

SPAN_SQL = (
    'SELECT s.article_id, s.layer, s.start, s."end", s.text, s.label, s.status, s.origin, '
    "s.score, s.note, s.entity_id, s.topic, f.kind, f.value, f.value_max, f.unit, f.scale, "
    "f.metric, f.period, f.subject_id, f.approximate, f.bound, f.change, f.direction, "
    "f.date_value FROM span s LEFT JOIN figure f ON f.span_id = s.id "
    "WHERE s.annotator_id = {mark} AND s.status = 'accepted' "
    'ORDER BY s.article_id, s.start, s."end", s.id'
)
ARTICLE_SQL = (
    "SELECT a.id, a.sha256, a.title, a.source, a.url, a.published, a.dateline, a.lang, "
    "a.meta, a.text, st.state FROM article a LEFT JOIN articlestate st "
    "ON st.article_id = a.id AND st.annotator_id = {mark} ORDER BY a.id"
)
TOPIC_SQL = (
    "SELECT article_id, topic, status, note FROM topicassignment "
    "WHERE annotator_id = {mark} AND status = 'accepted' ORDER BY id"
)
SPAN_KEYS = ("start", "end", "text", "label", "status", "origin", "score", "note")
FIGURE_KEYS = ("kind", "value", "value_max", "unit", "scale", "metric", "period", "subject",
               "approximate", "bound", "change", "direction", "date_value")  # fmt: skip


def dump_native(connection: Any, out: Path, annotator: str, mark: str) -> None:
    """``annotator``'s records of every article as redline JSONL lines (``mark``: the
    driver's placeholder, ``?`` or ``%s``)."""
    cursor = connection.cursor()
    cursor.execute(f"SELECT id FROM annotator WHERE name = {mark}", (annotator,))
    (annotator_id,) = cursor.fetchone()
    entities = {
        row[0]: {"name": row[1], "type": row[2], "kb_id": row[3],
                 "aliases": row[4] if isinstance(row[4], list) else json.loads(row[4])}
        for row in cursor.execute("SELECT id, name, type, kb_id, aliases FROM entity")
    }  # fmt: skip
    layers: dict[int, dict[str, list[dict[str, Any]]]] = {}
    evidence: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for row in cursor.execute(SPAN_SQL.format(mark=mark), (annotator_id,)).fetchall():
        span = dict(zip(SPAN_KEYS, row[2:10], strict=True))
        span["entity"] = entities.get(row[10])
        if row[1] == "figure":
            span["figure"] = _figure(row[5], row[12:], entities)
            layers.setdefault(row[0], {}).setdefault("figures", []).append(span)
        elif row[1] == "entity":
            layers.setdefault(row[0], {}).setdefault("entities", []).append(span)
        else:
            evidence.setdefault(row[0], {}).setdefault(row[11] or row[5], []).append(span)
    topics: dict[int, list[dict[str, Any]]] = {}
    for article_id, key, status, note in cursor.execute(TOPIC_SQL.format(mark=mark),
                                                        (annotator_id,)).fetchall():  # fmt: skip
        found = evidence.get(article_id, {}).pop(key, [])
        topics.setdefault(article_id, []).append(
            {"key": key, "status": status, "note": note, "evidence": found}
        )
    with out.open("w", encoding="utf-8") as handle:
        for row in cursor.execute(ARTICLE_SQL.format(mark=mark), (annotator_id,)):
            article_id, meta, published = row[0], row[8], row[5]
            spans = layers.get(article_id, {})
            own = topics.get(article_id, [])
            for key, found in evidence.get(article_id, {}).items():  # evidence without topic
                own.append({"key": key, "status": "accepted", "note": None, "evidence": found})
            record = {
                "redline": 1, "id": article_id, "sha256": row[1], "title": row[2],
                "source": row[3], "url": row[4],
                "published": None if published is None else str(published),
                "dateline": row[6], "lang": row[7],
                "meta": meta if isinstance(meta, dict) else json.loads(meta),
                "text": row[9], "annotator": annotator, "state": row[10] or "todo",
                "entities": spans.get("entities", []), "figures": spans.get("figures", []),
                "topics": own,
            }  # fmt: skip
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    cursor.close()


def _figure(
    label: str, values: tuple[Any, ...], entities: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    if values[0] is None:  # a figure span without its row: the defaults
        return {**dict.fromkeys(FIGURE_KEYS), "kind": label, "scale": 1,
                "approximate": False, "change": False}  # fmt: skip
    figure = dict(zip(FIGURE_KEYS, values, strict=True))
    for name in ("value", "value_max"):
        if figure[name] is not None:
            figure[name] = str(Decimal(figure[name]))
    figure["approximate"], figure["change"] = bool(figure["approximate"]), bool(figure["change"])
    if figure["subject"] is not None:
        figure["subject"] = entities[figure["subject"]]
    return figure
