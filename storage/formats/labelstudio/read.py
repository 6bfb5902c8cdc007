"""Reading Label Studio JSON exports: a list of tasks with ``annotations``.

The task text is ``data.text``. Every non-cancelled annotation's ``labels``
results become spans (one per label in ``value.labels``; ``value.text`` must
match the slice) and ``choices`` results become topics. Region ``meta`` carries
redline's layer, figure attributes, entity link and note (``meta.text``).
Results of other types (relations, text areas) carry nothing redline stores
and are counted as ignored. Duplicate task ids, and duplicate result ids within
a task, are errors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from storage.formats.codec import FIGURE_ATTRS
from storage.formats.flat import merge_topics
from storage.formats.jsonlines import json_array, json_lines
from storage.formats.record import (
    MALFORMED,
    SCALAR_ID,
    AnnotatedRecord,
    Fail,
    SchemaLike,
    apply_extras,
    failer,
    offsets,
    record_id,
    span_from_extras,
)
from storage.importers import ImportFileError

SPAN_TYPES = ("labels",)
TOPIC_TYPES = ("choices",)


def _tasks(path: Path) -> Iterator[tuple[int, int | None, dict[str, Any]] | ImportFileError]:
    """(line, task index, task): a JSON array's tasks by index, a JSON-lines file's by line."""
    if path.suffix.lower() != ".jsonl":
        yield from json_array(path)
        return
    for item in json_lines(path):
        yield item if isinstance(item, ImportFileError) else (item[0], None, item[1])


def read_labelstudio(
    path: Path, schema: SchemaLike | None
) -> Iterator[AnnotatedRecord | ImportFileError]:
    """Every task of a Label Studio export (a JSON array, or JSON lines), or why it failed.

    Errors name the task by its 1-based index in the array (an exported array
    is often a single line, so its line says nothing), or by line in JSON lines.
    """
    seen: dict[Any, str] = {}
    for item in _tasks(path):
        if isinstance(item, ImportFileError):
            yield item
            continue
        number, index, task = item
        fail = failer(path, number if index is None else None, index)
        try:
            task_id = record_id(task.get("id"), "id", fail)
            if task_id is not None and task_id in seen:
                raise fail(f"duplicate task id {task_id!r} (first at {seen[task_id]})")
            seen.setdefault(task_id, f"line {number}" if index is None else f"task {index}")
            for part in per_annotator(task):
                record = parse_task(path, number, part, schema, fail)
                if index is not None:
                    record.line, record.task = None, index
                yield record
        except ImportFileError as error:
            yield error
        except MALFORMED as error:
            yield fail(f"malformed task ({type(error).__name__}: {error})")


def per_annotator(task: dict[str, Any]) -> list[dict[str, Any]]:
    """A task as one task per annotator, each holding that annotator's annotations only.

    Label Studio keeps every annotator's work as its own annotation of the task,
    with ``completed_by`` naming the user. redline's own exports map each
    ``completed_by`` to a name, state and topic notes in ``data.redline.annotators``;
    in a file from Label Studio itself the user is ``completed_by``'s ``email``
    (when the export expanded it to an object) or ``labelstudio-<id>``. A task
    whose annotations name nobody stays one task (its annotator: the importer's).
    """
    data = task.get("data")
    redline = data.get("redline") if isinstance(data, Mapping) else None
    annotations = task.get("annotations")
    if not isinstance(annotations, list) or not isinstance(data, Mapping):
        return [task]
    listed = redline.get("annotators") if isinstance(redline, Mapping) else None
    by_number = {
        entry.get("completed_by"): entry
        for entry in (listed if isinstance(listed, list) else [])
        if isinstance(entry, Mapping) and isinstance(entry.get("completed_by"), SCALAR_ID)
    }
    groups: dict[Any, list[Any]] = {}
    for annotation in annotations:
        who = annotation.get("completed_by") if isinstance(annotation, Mapping) else None
        groups.setdefault(_user_key(who), []).append(annotation)
    if list(groups) in ([], [None]):
        return [task]
    parts = []
    for key, group in groups.items():
        block = dict(redline) if isinstance(redline, Mapping) else {}
        block.pop("annotators", None)
        entry = by_number.get(key)
        if entry is not None:
            block.update({k: v for k, v in entry.items() if k != "completed_by"})
        elif key is not None and (len(groups) > 1 or not block.get("annotator")):
            block = {"article": block.get("article"), "annotator": _user_name(group[0])}
        parts.append({**task, "data": {**data, "redline": block}, "annotations": group})
    return parts


def _user_key(who: Any) -> Any:
    """What tells two annotations' users apart: the id, or an object's id."""
    if isinstance(who, Mapping):
        who = who.get("id", who.get("email"))
    return who if isinstance(who, SCALAR_ID) and not isinstance(who, bool) else None


def _user_name(annotation: Mapping[str, Any]) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, Mapping) and isinstance(who.get("email"), str) and who["email"]:
        return str(who["email"])
    return f"labelstudio-{_user_key(who)}"


def _region_extras(meta: Any, fail: Fail) -> dict[str, Any]:
    """Region ``meta`` → the extras :func:`span_from_extras` reads."""
    if meta is None:
        return {}
    if not isinstance(meta, Mapping):
        raise fail("result 'meta' must be an object")
    keys = ("layer", "entity", "status", "origin", "score")
    extras: dict[str, Any] = {key: meta[key] for key in keys if key in meta}
    figure = {key: meta[key] for key in FIGURE_ATTRS if key in meta}
    if figure:
        extras["figure"] = figure
    notes = meta.get("text")
    if notes is not None:
        if isinstance(notes, str):
            notes = [notes]
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise fail("result 'meta.text' must be a list of strings")
        extras["note"] = "\n".join(notes)
    return extras


def parse_task(
    path: Path, number: int, task: dict[str, Any], schema: SchemaLike | None, fail: Fail
) -> AnnotatedRecord:
    data = task.get("data")
    if not isinstance(data, Mapping) or not isinstance(data.get("text"), str):
        raise fail("a task needs 'data.text' (a string)")
    record = AnnotatedRecord(path=path, line=number, text=data["text"])
    if isinstance(data.get("title"), str):
        record.title = data["title"]
    apply_extras(record, data.get("redline"), fail)
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        raise fail("'annotations' must be a list")
    chosen: list[str] = []
    ignored: Counter[str] = Counter()
    for annotation in annotations:
        if not isinstance(annotation, Mapping):
            raise fail("each annotation must be an object")
        if annotation.get("was_cancelled"):
            continue
        results = annotation.get("result") or []
        if not isinstance(results, list):
            raise fail("annotation 'result' must be a list")
        ids: set[Any] = set()
        for result in results:
            if not isinstance(result, Mapping):
                raise fail("each result must be an object")
            result_id = record_id(result.get("id"), "result id", fail)
            if result_id is not None:
                if result_id in ids:
                    raise fail(f"duplicate result id {result_id!r}")
                ids.add(result_id)
            kind, value = result.get("type"), result.get("value")
            if kind in SPAN_TYPES or kind in TOPIC_TYPES:
                if not isinstance(value, Mapping):
                    raise fail(f"result {result_id!r} needs a 'value' object")
            if kind in TOPIC_TYPES:
                choices = value.get("choices") or []  # type: ignore[union-attr]
                if not isinstance(choices, list):
                    raise fail("'choices' must be a list")
                chosen.extend(choices)
            elif kind in SPAN_TYPES:
                _add_spans(record, value, result.get("meta"), schema, fail)  # type: ignore[arg-type]
            else:
                ignored[kind if kind == "relation" else f"{kind} result"] += 1
    record.ignored = ignored
    record.topics = merge_topics(chosen, record.topics, fail)
    return record


def _add_spans(
    record: AnnotatedRecord,
    value: Mapping[str, Any],
    meta: Any,
    schema: SchemaLike | None,
    fail: Fail,
) -> None:
    start = offsets(value.get("start"), "start", fail)
    end = offsets(value.get("end"), "end", fail)
    claimed = value.get("text")
    if claimed is not None and not isinstance(claimed, str):
        raise fail("result 'value.text' must be a string")
    labels = value.get("labels")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise fail("result 'value.labels' must be a non-empty list of strings")
    extras = _region_extras(meta, fail)
    for label in labels:
        record.spans.append(span_from_extras(extras, start, end, label, schema, fail, text=claimed))
