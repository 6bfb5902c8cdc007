"""The directory ``DatasetDict.save_to_disk`` writes, written with pyarrow alone.

Importing ``datasets`` costs ≈ 140 MB of RSS by itself, and ``from_generator`` plus
``save_to_disk`` held a cache copy of every split on top (531 MB peak at 10,000
articles). This module writes the same layout, which ``datasets.load_from_disk``
opens: per split ``data-0000i-of-0000N.arrow`` (Arrow IPC streams whose schema
metadata carries the features, as ``datasets`` writes them), ``state.json`` and
``dataset_info.json``; ``dataset_dict.json`` lists the splits.

Rows go to a spill stream per split as record batches while records arrive
(the ``ClassLabel`` names are only complete at the end, and they are in every
shard's schema); :func:`save_split` copies the batches into the shards one at a
time, so memory stays one batch whatever the corpus size.
"""

from __future__ import annotations

import json
import math
import secrets
from array import array
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

MAX_SHARD_BYTES = 500 * 1000 * 1000
"""``datasets.config.MAX_SHARD_SIZE`` (``"500MB"``): a larger split gets several shards."""

_SPAN_FIELDS = ("start", "int64"), ("end", "int64"), ("text", "string"), ("label", "string")


def _value(dtype: str) -> dict[str, Any]:
    return {"dtype": dtype, "_type": "Value"}


def _list(feature: dict[str, Any]) -> dict[str, Any]:
    return {"feature": feature, "_type": "List"}


def features(tag_names: list[str]) -> dict[str, Any]:
    """The ``Features`` of the export as ``Features.to_dict()`` gives them (``datasets`` 4)."""
    span = _list({name: _value(dtype) for name, dtype in _SPAN_FIELDS})
    return {
        "id": _value("int64"), "title": _value("string"), "text": _value("string"),
        "annotator": _value("string"), "state": _value("string"),
        "tokens": _list(_value("string")),
        "ner_tags": _list({"names": tag_names, "_type": "ClassLabel"}),
        "entities": span, "figures": span, "evidence": span,
        "topics": _list(_value("string")),
    }  # fmt: skip


def arrow_schema(tag_names: list[str] | None = None) -> pa.Schema:
    """The rows' Arrow schema; with ``tag_names``, carrying the features as ``datasets`` does."""
    import pyarrow as pa

    span = pa.list_(pa.struct([(name, pa.int64() if dtype == "int64" else pa.string())
                               for name, dtype in _SPAN_FIELDS]))  # fmt: skip
    schema = pa.schema([
        ("id", pa.int64()), ("title", pa.string()), ("text", pa.string()),
        ("annotator", pa.string()), ("state", pa.string()),
        ("tokens", pa.list_(pa.string())), ("ner_tags", pa.list_(pa.int64())),
        ("entities", span), ("figures", span), ("evidence", span),
        ("topics", pa.list_(pa.string())),
    ])  # fmt: skip
    if tag_names is None:
        return schema
    meta = {"info": {"features": features(tag_names)}}
    return schema.with_metadata({"huggingface": json.dumps(meta)})


def _strings(values: list[str]) -> pa.Array:
    import pyarrow as pa

    data = [value.encode("utf-8") for value in values]
    offsets = array("i", accumulate(map(len, data), initial=0))
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


def _ints(values: list[int]) -> pa.Array:
    import pyarrow as pa

    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(array("q", values))])


def _lists(kind: pa.DataType, lists: list[list[Any]], child: pa.Array) -> pa.Array:
    import pyarrow as pa

    offsets = array("i", accumulate(map(len, lists), initial=0))
    return pa.Array.from_buffers(kind, len(lists), [None, pa.py_buffer(offsets)], children=[child])


def _column(kind: pa.DataType, values: list[Any]) -> pa.Array:
    """``values`` as an Arrow array of ``kind``, built from buffers.

    ``pa.array`` on Python lists imports pandas (≈ 45 MB of RSS) to ask whether
    they are pandas objects; building the buffers here does not, and is no slower.
    """
    import pyarrow as pa

    if kind == pa.int64():
        return _ints(values)
    if kind == pa.string():
        return _strings(values)
    item = kind.value_type
    flat = [value for inner in values for value in inner]
    if pa.types.is_struct(item):
        fields = [_column(field.type, [value[field.name] for value in flat]) for field in item]
        child = pa.Array.from_buffers(item, len(flat), [None], children=fields)
    else:
        child = _column(item, flat)
    return _lists(kind, values, child)


def _batch(schema: pa.Schema, rows: list[dict[str, Any]]) -> pa.RecordBatch:
    import pyarrow as pa

    columns = [_column(field.type, [row[field.name] for row in rows]) for field in schema]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


class Spill:
    """One split's rows, appended as record batches to an Arrow stream file."""

    def __init__(self, path: Path) -> None:
        import pyarrow as pa

        self.path = path
        self.schema = arrow_schema()
        self.sink = pa.OSFile(str(path), "wb")
        self.writer = pa.ipc.new_stream(self.sink, self.schema)
        self.rows = 0
        self.nbytes = 0

    def write(self, rows: list[dict[str, Any]]) -> None:
        batch = _batch(self.schema, rows)
        self.writer.write_batch(batch)
        self.rows += batch.num_rows
        self.nbytes += batch.nbytes

    def close(self) -> None:
        if not self.sink.closed:
            self.writer.close()
            self.sink.close()


def _dump(path: Path, data: dict[str, Any], **kwargs: Any) -> None:
    path.write_text(json.dumps(data, **kwargs), encoding="utf-8", newline="")


def save_split(spill: Spill | None, directory: Path, split: str, tag_names: list[str]) -> None:
    """Write one split's directory from its spilled batches (``None``: an empty split)."""
    import pyarrow as pa

    directory.mkdir(parents=True)
    schema = arrow_schema(tag_names)
    nbytes = spill.nbytes if spill else 0
    shards = max(1, math.ceil(nbytes / MAX_SHARD_BYTES))
    names = [f"data-{i:05d}-of-{shards:05d}.arrow" for i in range(shards)]
    per_shard = nbytes / shards
    shard, written = 0, 0
    sink = pa.OSFile(str(directory / names[0]), "wb")
    writer = pa.ipc.new_stream(sink, schema)
    if spill is not None:
        spill.close()
        # The system allocator hands each copied batch back as it goes; jemalloc, pyarrow's
        # default, kept what the copy took (≈ 5 MB more peak RSS at 10,000 articles).
        with pa.OSFile(str(spill.path), "rb") as source:
            for batch in pa.ipc.open_stream(source, memory_pool=pa.system_memory_pool()):
                if written >= per_shard * (shard + 1) and shard < shards - 1:
                    writer.close()
                    sink.close()
                    shard += 1
                    sink = pa.OSFile(str(directory / names[shard]), "wb")
                    writer = pa.ipc.new_stream(sink, schema)
                writer.write_batch(batch.replace_schema_metadata(schema.metadata))
                written += batch.nbytes
    writer.close()
    sink.close()
    for name in names[shard + 1 :]:  # a shard left without a batch still exists, empty
        with pa.OSFile(str(directory / name), "wb") as empty:
            pa.ipc.new_stream(empty, schema).close()
    _dump(directory / "state.json", {
        "_data_files": [{"filename": name} for name in names],
        # datasets gives a dataset it cannot hash a random fingerprint too
        "_fingerprint": secrets.token_hex(8),
        "_format_columns": None, "_format_kwargs": {}, "_format_type": None,
        "_output_all_columns": False, "_split": split,
    }, indent=2, sort_keys=True)  # fmt: skip
    _dump(directory / "dataset_info.json", {
        "builder_name": "generator", "citation": "", "config_name": "default",
        "dataset_name": "generator", "dataset_size": nbytes, "description": "",
        "download_size": 0, "features": features(tag_names), "homepage": "", "license": "",
        "size_in_bytes": nbytes,
        "splits": {split: {"name": split, "num_bytes": nbytes,
                           "num_examples": spill.rows if spill else 0,
                           "dataset_name": "generator"}},
        "version": {"version_str": "0.0.0", "major": 0, "minor": 0, "patch": 0},
    }, indent=2)  # fmt: skip


def save_dataset_dict(
    target: Path, spills: dict[str, Spill], default: str, tag_names: list[str]
) -> None:
    """``target`` as ``DatasetDict.save_to_disk`` leaves it (no rows: one empty ``default``)."""
    target.mkdir(parents=True, exist_ok=True)
    splits: dict[str, Spill | None] = dict(spills) or {default: None}
    _dump(target / "dataset_dict.json", {"splits": list(splits)})
    for split, spill in splits.items():
        save_split(spill, target / split, split, tag_names)
