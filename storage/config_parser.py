"""Parsing and validating one ``redline.toml`` text (format: :mod:`storage.schema`).

Every mistake is a :class:`~storage.label_schema.SchemaError` placed at
``file:line``, the line found by scanning the text (tomllib keeps no positions).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storage.label_schema import (
    DEFAULT_TRAINED_MODEL,
    LAYERS,
    Config,
    LabelDef,
    Schema,
    SchemaError,
)

BUILTIN_PATH = Path(__file__).with_name("builtin_schema.toml")
Fail = Callable[[int | None, str], "SchemaError"]
Where = Callable[[str | None], int | None]
ENTITY_HOTKEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")
_FIELDS = ("key", "title", "colour", "hotkey", "description", "parent", "patterns", "examples")
_TOPIC_LISTS = ("patterns", "examples")
_SECTIONS = {
    "schema": None,
    "keymap": None,
    "reader": ("max_width",),
    "suggest": ("on_open", "model"),
    "check": ("ignore",),
    "train": ("every",),
    "kb": ("file",),
    "team": ("poll_seconds",),
}
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_KEY = {
    "entity": re.compile(r"[A-Za-z][A-Za-z0-9_-]*"),
    "figure": re.compile(r"[A-Za-z][A-Za-z0-9_-]*"),
    "topic": re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9][A-Za-z0-9_-]*)*"),
}
_HEADER = re.compile(r"^\s*(\[\[?)([^\]]+)\]")
_TOML_POSITION = re.compile(
    r"^(?P<problem>.*?) \((?:at line (?P<line>\d+), column (?P<col>\d+)|at end of document)\)$"
)
_PALETTE = (
    "#ffab91", "#90caf9", "#a5d6a7", "#fff59d", "#ce93d8", "#80deea",
    "#f48fb1", "#e6ee9c", "#bcaaa4", "#b39ddb", "#ffcc80", "#80cbc4",
)  # fmt: skip


@functools.cache
def builtin_schema() -> Schema:
    """The schema shipped with redline (validated by the same parser as user files)."""
    return parse_config(BUILTIN_PATH.read_text("utf-8"), BUILTIN_PATH, base=Schema(())).schema


class _Locator:
    """Find the line (1-based) of a section, a setting or a label's field in TOML text.

    tomllib forgets positions once parsed, so semantic errors are placed by
    scanning the text for the table header and the ``name =`` line under it.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str]] = []
        for number, line in enumerate(self.lines, 1):
            match = _HEADER.match(line)
            if match:
                name = re.sub(r"[\s\"']", "", match.group(2))
                self.headers.append((number, name))

    def _block(self, name: str, occurrence: int = 0) -> tuple[int, int] | None:
        """First and last line of the ``occurrence``-th table named ``name``."""
        starts = [i for i, (_, header) in enumerate(self.headers) if header == name]
        if occurrence >= len(starts):
            return None
        i = starts[occurrence]
        end = self.headers[i + 1][0] - 1 if i + 1 < len(self.headers) else len(self.lines)
        return self.headers[i][0], end

    def _assignment(self, name: str, first: int, last: int) -> int | None:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=")
        return next((n for n in range(first, last + 1) if pattern.match(self.lines[n - 1])), None)

    def section(self, name: str) -> int | None:
        """A table header, else a dotted or inline assignment that creates it."""
        for number, header in self.headers:
            if header == name or header.startswith(name + "."):
                return number
        parent, _, last = name.rpartition(".")
        if parent:
            return self.setting(parent, last)
        pattern = re.compile(rf"^\s*{re.escape(name)}\s*[.=]")
        return next((n for n, line in enumerate(self.lines, 1) if pattern.match(line)), None)

    def setting(self, section: str, name: str) -> int | None:
        block = self._block(section)
        if block is not None:
            return self._assignment(name, *block) or block[0]
        return self._assignment(f"{section}.{name}", 1, len(self.lines))

    def entry_field(self, layer: str, index: int, name: str | None) -> int | None:
        """The line of ``name`` in the ``index``-th ``[[schema.layer]]`` table."""
        block = self._block(f"schema.{layer}", index)
        if block is None:
            return self.setting("schema", layer)
        if name is None:
            return block[0]
        names = ("colour", "color") if name == "colour" else (name,)
        found = (self._assignment(candidate, *block) for candidate in (*names, "key"))
        return next((line for line in found if line), block[0])


def _toml_error(source: Path, error: tomllib.TOMLDecodeError, line_count: int) -> SchemaError:
    """tomllib (3.11) puts the position only in its message: move it to ``file:line``."""
    match = _TOML_POSITION.match(str(error))
    if match is None:
        return SchemaError(source, None, f"invalid TOML: {error}")
    line = int(match["line"]) if match["line"] else max(line_count, 1)
    column = f" (column {match['col']})" if match["col"] else " (at end of file)"
    return SchemaError(source, line, f"invalid TOML: {match['problem']}{column}")


def parse_config(text: str, source: Path, *, base: Schema | None = None) -> Config:
    """Parse and validate one TOML text on top of ``base`` (default: the built-in schema)."""
    locate = _Locator(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _toml_error(source, error, len(locate.lines)) from None

    def fail(line: int | None, problem: str) -> SchemaError:
        return SchemaError(source, line, problem)

    for section, value in data.items():
        if section not in _SECTIONS:
            expected = ", ".join(f"[{name}]" for name in _SECTIONS)
            what = f"section [{section}]" if isinstance(value, dict) else f"setting {section!r}"
            raise fail(locate.section(section), f"unknown {what} ({expected} exist)")
        if not isinstance(value, dict):
            raise fail(locate.section(section), f"[{section}] must be a table")
    settings: dict[str, Any] = {}
    for section in ("reader", "suggest", "check", "train", "kb", "team"):
        for name, value in data.get(section, {}).items():
            if name not in (_SECTIONS[section] or ()):
                line = locate.setting(section, name)
                raise fail(line, f"unknown setting {name!r} in [{section}]")
            settings[f"{section}.{name}"] = value
    width = settings.get("reader.max_width", 88)
    if isinstance(width, bool) or not isinstance(width, int) or not 40 <= width <= 1000:
        raise fail(locate.setting("reader", "max_width"), "max_width must be a number 40-1000")
    on_open = settings.get("suggest.on_open", True)
    if not isinstance(on_open, bool):
        raise fail(locate.setting("suggest", "on_open"), "on_open must be true or false")
    suggest_model = settings.get("suggest.model", DEFAULT_TRAINED_MODEL)
    if suggest_model is False:
        suggest_model = None
    elif not isinstance(suggest_model, str) or not suggest_model.strip():
        line = locate.setting("suggest", "model")
        raise fail(line, 'model must be a path such as "models/latest", or false')
    every = settings.get("train.every", 0)
    if isinstance(every, bool) or not isinstance(every, int) or every < 0:
        raise fail(locate.setting("train", "every"), "every must be a whole number >= 0")
    poll = settings.get("team.poll_seconds", 2.0)
    if isinstance(poll, bool) or not isinstance(poll, int | float) or not 0.1 <= poll <= 600:
        raise fail(locate.setting("team", "poll_seconds"), "poll_seconds must be 0.1-600")
    kb_file = settings.get("kb.file")
    if kb_file is not None and (not isinstance(kb_file, str) or not kb_file.strip()):
        raise fail(locate.setting("kb", "file"), 'file must be a path such as "kb.jsonl"')
    keymap = data.get("keymap", {})
    for binding, keys in keymap.items():
        if not isinstance(keys, str) or not keys.strip():
            raise fail(locate.setting("keymap", binding), f"keys for {binding!r} must be a string")
    ignore = _check_ignore(settings.get("check.ignore", []), locate, fail)
    schema = _build_schema(
        data.get("schema", {}), base if base is not None else builtin_schema(), locate, fail
    )
    return Config(
        schema,
        dict(keymap),
        width,
        on_open,
        source,
        ignore,
        suggest_model,
        every,
        kb_file=None if kb_file is None else Path(source).parent / kb_file,
        poll_seconds=float(poll),
    )


def _check_ignore(value: Any, locate: _Locator, fail: Fail) -> tuple[str, ...]:
    """``[check] ignore``: a list of known check ids (a typo would silently check nothing)."""
    from storage.checks.registry import CHECK_IDS

    line = locate.setting("check", "ignore")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise fail(line, "ignore must be a list of check ids (strings)")
    unknown = [item for item in value if item not in CHECK_IDS]
    if unknown:
        raise fail(line, f"unknown check {unknown[0]!r} in [check] ignore ({', '.join(CHECK_IDS)})")
    return tuple(dict.fromkeys(value))


def _build_schema(section: dict[str, Any], base: Schema, locate: _Locator, fail: Fail) -> Schema:
    """Merge the ``[schema]`` tables into ``base`` and validate the result."""
    mode = section.get("mode", "extend")
    if mode not in ("extend", "replace"):
        problem = f"mode must be 'extend' or 'replace', not {mode!r}"
        raise fail(locate.setting("schema", "mode"), problem)
    merged: dict[str, dict[str, dict[str, Any]]] = {layer: {} for layer in LAYERS}
    origin: dict[tuple[str, str], int] = {}  # label → index of the entry that last set it
    for label in base.labels:
        if not (mode == "replace" and label.layer in section):
            merged[label.layer][label.key] = {name: getattr(label, name) for name in _FIELDS}
    for layer, entries in section.items():
        if layer == "mode":
            continue
        if layer not in LAYERS:
            problem = f"unknown layer {layer!r} (expected entity, figure or topic)"
            raise fail(locate.section(f"schema.{layer}"), problem)
        if not isinstance(entries, list):
            problem = f"schema.{layer} must be a list of tables ([[schema.{layer}]])"
            raise fail(locate.section(f"schema.{layer}"), problem)
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            where = functools.partial(locate.entry_field, layer, index)
            fields = _check_entry(layer, entry, where, fail)
            key = fields["key"]
            if key in seen:
                problem = f"duplicate {layer} key {key!r} (first at line {seen[key]})"
                raise fail(where("key"), problem)
            seen[key] = where("key") or 0
            merged[layer].setdefault(key, {}).update(fields)
            origin[(layer, key)] = index
    return _finish(merged, origin, locate, fail)


def _check_entry(layer: str, entry: Any, where: Where, fail: Fail) -> dict[str, Any]:
    """Validate one label table's fields (types, key syntax, colour, layer rules)."""
    if not isinstance(entry, dict):
        raise fail(where(None), f"each schema.{layer} entry must be a table")
    fields = dict(entry)
    if "color" in fields:
        fields.setdefault("colour", fields.pop("color"))
    for name, value in fields.items():
        if name not in _FIELDS:
            expected = ", ".join(f for f in _FIELDS if layer == "topic" or f not in _TOPIC_LISTS)
            raise fail(where(name), f"unknown field {name!r} for {layer} labels ({expected})")
        if name in _TOPIC_LISTS:
            fields[name] = _check_patterns(value, where, fail, name)
        elif not isinstance(value, str):
            raise fail(where(name), f"{name!r} must be a string")
    key = fields.get("key")
    if not key:
        raise fail(where(None), f"a {layer} label needs a 'key'")
    if not _KEY[layer].fullmatch(key):
        shape = "dotted words (a.b)" if layer == "topic" else "letters, digits, '_' or '-'"
        raise fail(where("key"), f"{layer} key {key!r} must be {shape}")
    if "colour" in fields:
        colour = fields["colour"]
        if not _COLOUR.fullmatch(colour):
            raise fail(where("colour"), f"bad colour {colour!r} for {key} (expected #rrggbb)")
        if len(colour) == 4:
            colour = "#" + "".join(c * 2 for c in colour[1:])
        fields["colour"] = colour.lower()
    if fields.get("hotkey"):
        if layer != "entity":
            raise fail(where("hotkey"), f"hotkeys are only for entity labels ({layer} {key!r})")
        if len(fields["hotkey"]) != 1 or fields["hotkey"].isspace():
            raise fail(where("hotkey"), f"hotkey {fields['hotkey']!r} must be one character")
    elif "hotkey" in fields:
        fields["hotkey"] = None
    for name in _TOPIC_LISTS:
        if name in fields and layer != "topic":
            raise fail(where(name), f"only topics have {name} ({layer} {key!r})")
    if "parent" in fields and layer != "topic":
        raise fail(where("parent"), f"only topics have a parent ({layer} {key!r})")
    if layer == "topic" and "." in key:
        implied = key.rsplit(".", 1)[0]
        if fields.setdefault("parent", implied) != implied:
            raise fail(where("parent"), f"parent {fields['parent']!r} contradicts key {key!r}")
    return fields


def _check_patterns(
    value: Any, where: Where, fail: Fail, name: str = "patterns"
) -> tuple[str, ...]:
    """A topic's ``patterns`` or ``examples``: non-empty strings, in order, duplicates dropped."""
    items = value if isinstance(value, list) else [None]
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise fail(where(name), f"'{name}' must be a list of non-empty strings")
    return tuple(dict.fromkeys(item.strip() for item in items))


def _finish(
    merged: dict[str, dict[str, dict[str, Any]]],
    origin: dict[tuple[str, str], int],
    locate: _Locator,
    fail: Fail,
) -> Schema:
    """Fill defaults, then check what needs the whole schema: hotkeys, parents, key clashes."""

    def where(layer: str, key: str, name: str) -> int | None:
        index = origin.get((layer, key))
        return locate.entry_field(layer, index, name) if index is not None else None

    for key in merged["entity"].keys() & merged["figure"].keys():
        line = where("entity", key, "key") or where("figure", key, "key")
        raise fail(line, f"key {key!r} is both an entity and a figure label")
    labels: list[LabelDef] = []
    for layer in LAYERS:
        _fill_defaults(layer, merged[layer])
        hotkeys: dict[str, str] = {}
        for key, fields in merged[layer].items():
            hotkey = fields.get("hotkey")
            if hotkey is not None and hotkey in hotkeys:
                other = hotkeys[hotkey]
                line = where(layer, key, "hotkey") or where(layer, other, "hotkey")
                raise fail(line, f"hotkey {hotkey!r} is used by both {other} and {key}")
            if hotkey is not None:
                hotkeys[hotkey] = key
            parent = fields.get("parent")
            if parent is not None and parent not in merged["topic"]:
                problem = f"unknown parent {parent!r} for topic {key!r}"
                raise fail(where(layer, key, "parent"), problem)
            labels.append(LabelDef(layer=layer, **fields))
    _check_cycles(merged["topic"], where, fail)
    return Schema(tuple(labels))


def _fill_defaults(layer: str, labels: dict[str, dict[str, Any]]) -> None:
    """Give every label a title, a free palette colour and (entities) a free digit hotkey."""
    used_colours = {fields.get("colour") for fields in labels.values()}
    free_keys = [k for k in ENTITY_HOTKEYS if k not in {f.get("hotkey") for f in labels.values()}]
    for key, fields in labels.items():
        fields["title"] = fields.get("title") or _title_from(key)
        fields["description"] = fields.get("description") or ""
        if "colour" not in fields:
            fields["colour"] = next((c for c in _PALETTE if c not in used_colours), _PALETTE[0])
            used_colours.add(fields["colour"])
        if "hotkey" not in fields:
            fields["hotkey"] = free_keys.pop(0) if layer == "entity" and free_keys else None
        fields.setdefault("parent", None)
        fields["patterns"] = tuple(fields.get("patterns") or ())
        fields["examples"] = tuple(fields.get("examples") or ())


def _check_cycles(
    topics: dict[str, dict[str, Any]], where: Callable[[str, str, str], int | None], fail: Fail
) -> None:
    """A parent chain must end at a top-level topic."""
    for start in topics:
        chain, key = [start], topics[start].get("parent")
        while key is not None:
            if key in chain:
                problem = f"topic parents form a cycle: {' > '.join([*chain, key])}"
                raise fail(where("topic", start, "parent"), problem)
            chain.append(key)
            key = topics[key].get("parent")


def _title_from(key: str) -> str:
    """A readable default title: "trade.tariffs" → "Tariffs", "NEWS_AGENCY" → "News agency"."""
    return key.rsplit(".", 1)[-1].replace("_", " ").replace("-", " ").capitalize()
