"""The label schema and everything else ``redline.toml`` can set.

Where the configuration comes from, first match wins: ``load_config(path)``
(the CLI's ``--schema FILE``) > ``$REDLINE_SCHEMA`` > ``./redline.toml`` > the
built-in schema (``storage/builtin_schema.toml``). A named file that does not
exist is an error, never a silent fall-back.

Format of ``redline.toml`` (every part optional)::

    [schema]
    mode = "extend"        # default; or "replace"

    [[schema.entity]]      # one table per label; layers: entity, figure, topic
    key = "PERSON"         # entity/figure: letters, digits, _ and -; topic: a.b.c
    title = "Person"       # default: made from the key
    colour = "#f4a261"     # "#rrggbb" or "#rgb" ("color" works too); default: a free palette colour
    hotkey = "1"           # entity labels only; "" = none; default: next free of 1-9, 0
    description = "People, real or fictional"

    [[schema.topic]]
    key = "trade.tariffs"  # a dotted key implies its parent ("trade")
    title = "Tariffs"
    parent = "trade"       # topics only; must exist
    patterns = ["tariff", "customs duty"]  # topics only: words/phrases that mention it
    examples = ["The EU raised tariffs on steel."]  # topics only: sentences patterns must catch

    [keymap]               # binding id = keys, applied by the TUI with App.set_keymap
    "label-entity-1" = "1"

    [reader]
    max_width = 100        # reading pane column width, 40-1000

    [suggest]
    on_open = true         # run the rule suggesters when an article opens
    model = "models/latest"  # the `redline train` pipeline, used when present; false = never

    [train]
    every = 10             # the app retrains after this many more articles are done (0 = never)

    [team]
    poll_seconds = 2       # SQLite: how often the app looks for other programs' changes

    [check]
    ignore = ["figure-no-period"]  # quality checks `redline check` skips (ids: storage.checks)

    [kb]
    file = "kb.jsonl"      # offline knowledge base for the entity picker (storage.kb); JSONL/TSV

``extend`` merges into the built-in schema: a label whose key exists gets the
fields you give (the others stay), a new key is appended. ``replace`` replaces
each layer the file lists (``entity = []`` under ``[schema]`` empties a layer);
layers it does not list keep their built-in labels.

Entity and figure keys share one namespace (both are span labels and exporters
mix them), topics have their own. Every mistake is a :class:`SchemaError` whose
message reads ``file:line: problem``, the line found by scanning the file text.

This module finds the file; the types it yields are :mod:`storage.label_schema`
and the parser is :mod:`storage.config_parser` (both re-exported here).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from storage.config_parser import BUILTIN_PATH, ENTITY_HOTKEYS, builtin_schema, parse_config
from storage.label_schema import (
    DEFAULT_TRAINED_MODEL,
    LAYERS,
    Config,
    LabelDef,
    Schema,
    SchemaError,
)

__all__ = [
    "BUILTIN_PATH",
    "CONFIG_ENV",
    "CONFIG_FILENAME",
    "DEFAULT_TRAINED_MODEL",
    "ENTITY_HOTKEYS",
    "LAYERS",
    "SCHEMA_COLUMNS",
    "Config",
    "LabelDef",
    "Schema",
    "SchemaError",
    "builtin_schema",
    "load_config",
    "parse_config",
    "schema_rows",
]
"""Re-exported: callers take the schema types and the parser from here."""

CONFIG_ENV = "REDLINE_SCHEMA"
CONFIG_FILENAME = "redline.toml"
SCHEMA_COLUMNS = ("layer", "key", "title", "colour", "hotkey", "parent", "description")


def load_config(
    path: Path | None = None, *, cwd: Path | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """Find and read the configuration in force (order in the module docstring)."""
    environ = environ if environ is not None else os.environ
    if path is None and environ.get(CONFIG_ENV):
        path = Path(os.path.expanduser(environ[CONFIG_ENV]))
    if path is None:
        path = (cwd or Path()) / CONFIG_FILENAME
        if not path.is_file():
            return Config(schema=builtin_schema(), keymap={})
    elif cwd is not None and not path.is_absolute():
        path = cwd / path
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SchemaError(path, None, "no such file") from None
    except IsADirectoryError:
        raise SchemaError(path, None, "is a directory, not a TOML file") from None
    except UnicodeDecodeError as error:
        raise SchemaError(path, None, f"not valid UTF-8 (at byte offset {error.start})") from None
    except OSError as error:
        raise SchemaError(path, None, (error.strerror or str(error)).lower()) from None
    return parse_config(text, path)


def schema_rows(schema: Schema) -> list[tuple[str, ...]]:
    """One row per label (columns: :data:`SCHEMA_COLUMNS`) for ``redline schema``.

    Plain strings so the CLI decides how to render; topics come in tree order.
    """
    rows = [_row(label) for layer in ("entity", "figure") for label in schema.layer(layer)]
    rows += [_row(label) for _, label in schema.topic_tree()]
    return rows


def _row(label: LabelDef) -> tuple[str, ...]:
    return (label.layer, label.key, label.title, label.colour, label.hotkey or "",
            label.parent or "", label.description)  # fmt: skip
