"""How redline's own values travel inside other formats, both ways.

Exporters and importers share this module so that a figure's attributes, an
entity link or a brat note written by one side reads back identically on the
other: the round trip depends on the two halves agreeing, so they are one code.

* Figure values are exact decimals; they travel as strings ("49700000000",
  "0.1"), never as floats.
* Evidence spans carry the topic key in flat label namespaces (doccano,
  prodigy, Label Studio, brat) as ``Topic_<key>``.
* brat ``#`` notes carry ``key=value`` pairs separated by ``; `` with ``;``,
  ``=``, ``|``, tab and newline percent-escaped (``%`` itself only where it
  would otherwise read as an escape: ``unit=%``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

EVIDENCE_PREFIX = "Topic_"
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
"""Every character ``str.splitlines`` breaks on: none may appear inside a brat .ann line."""
FIGURE_TEXT_ATTRS = ("unit", "metric", "period", "bound", "direction", "date_value")
FIGURE_ATTRS = (
    "kind", "value", "value_max", "unit", "scale", "metric", "period", "subject",
    "approximate", "bound", "change", "direction", "date_value",
)  # fmt: skip
"""Every figure attribute, in the order exports list them."""

Fail = Callable[[str], Exception]
DECIMAL_TEXT_LIMIT = 64
"""Figure values are stored as their exact text in a 64-character column."""
SCALE_LIMIT = 2**63 - 1
"""A figure's scale is stored as a 64-bit integer on both backends."""


@dataclass(frozen=True)
class EntityRef:
    """A canonical entity as exports name it: the database id means nothing elsewhere."""

    name: str
    type: str
    kb_id: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "kb_id": self.kb_id,
                "aliases": list(self.aliases)}  # fmt: skip

    @classmethod
    def from_json(cls, value: Any, fail: Fail, where: str = "entity") -> EntityRef | None:
        """Parse ``{"name", "type", "kb_id", "aliases"}`` (None stays None)."""
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise fail(f"{where!r} must be an object")
        name, kind, kb_id = value.get("name"), value.get("type"), value.get("kb_id")
        aliases = value.get("aliases") or []
        if not isinstance(name, str) or not name.strip():
            raise fail(f"{where} needs a non-empty 'name'")
        if not isinstance(kind, str) or not kind:
            raise fail(f"{where} needs a 'type'")
        if kb_id is not None and not isinstance(kb_id, str):
            raise fail(f"{where} 'kb_id' must be a string")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise fail(f"{where} 'aliases' must be a list of strings")
        return cls(name=name, type=kind, kb_id=kb_id or None, aliases=tuple(aliases))


def decimal_text(value: Decimal | None) -> str | None:
    """An exact decimal as text (``None`` stays ``None``)."""
    return None if value is None else str(value)


def figure_json(values: Mapping[str, Any], subject: EntityRef | None) -> dict[str, Any]:
    """JSON-safe figure attributes from a :class:`~storage.models.Figure`'s fields."""
    get = values.get
    result = {name: get(name) for name in FIGURE_ATTRS}  # keys in FIGURE_ATTRS order
    result["subject"] = subject.to_json() if subject else None
    for name in ("value", "value_max"):
        if result[name] is not None:
            result[name] = str(result[name])
    return result


def _decimal(value: Any, name: str, fail: Fail) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise fail(f"figure {name!r} must be a number or a numeric string")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise fail(f"figure {name!r} is not a number ({value!r})") from None
    if not number.is_finite():
        raise fail(f"figure {name!r} is not a finite number ({value!r})")
    if len(str(number)) > DECIMAL_TEXT_LIMIT:
        raise fail(f"figure {name!r} is too long (over {DECIMAL_TEXT_LIMIT} characters)")
    return number


def _flag(value: Any, name: str, fail: Fail) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    raise fail(f"figure {name!r} must be true or false")


def parse_figure(
    values: Mapping[str, Any], kind: str, fail: Fail
) -> tuple[dict[str, Any], EntityRef | None]:
    """Figure attributes from JSON-ish values → (Figure column values, subject).

    Unknown keys are an error, so a typo never silently drops an attribute.
    """
    unknown = set(values) - set(FIGURE_ATTRS)
    if unknown:
        raise fail(f"unknown figure attribute(s): {', '.join(sorted(unknown))}")
    columns: dict[str, Any] = {"kind": values.get("kind") or kind}
    if not isinstance(columns["kind"], str):
        raise fail("figure 'kind' must be a string")
    columns["value"] = _decimal(values.get("value"), "value", fail)
    columns["value_max"] = _decimal(values.get("value_max"), "value_max", fail)
    scale = values.get("scale", 1)
    if scale is None or scale == "":
        scale = 1
    if isinstance(scale, str) and scale.lstrip("-").isdigit():
        scale = int(scale)
    if isinstance(scale, bool) or not isinstance(scale, int):
        raise fail("figure 'scale' must be an integer")
    if not -SCALE_LIMIT <= scale <= SCALE_LIMIT:
        raise fail(f"figure 'scale' is out of range (at most {SCALE_LIMIT:,} either way)")
    columns["scale"] = scale
    for name in FIGURE_TEXT_ATTRS:
        value = values.get(name)
        if value is not None and not isinstance(value, str):
            raise fail(f"figure {name!r} must be a string")
        columns[name] = value if value != "" else None
    columns["approximate"] = _flag(values.get("approximate"), "approximate", fail)
    columns["change"] = _flag(values.get("change"), "change", fail)
    subject = EntityRef.from_json(values.get("subject"), fail, "figure subject")
    return columns, subject


# -- article metadata ------------------------------------------------------------


ARTICLE_FIELDS = ("id", "sha256", "title", "source", "url", "published", "dateline", "lang", "meta")


def parse_published(value: Any, fail: Fail) -> dt.date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise fail("'published' must be an ISO date string")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"'published' is not an ISO date ({value!r})") from None


# -- brat notes ------------------------------------------------------------------

_ESCAPES = {"%": "%25", ";": "%3B", "=": "%3D", "|": "%7C", "\t": "%09", "\n": "%0A", "\r": "%0D"}
_UNESCAPES = {code: char for char, code in _ESCAPES.items()} | {"%20": " "}


def escape(value: str) -> str:
    """Percent-escape the characters that structure a brat note (and edge spaces).

    A ``%`` stays as it is (``unit=%`` reads as written) unless what follows it
    would read as an escape code, so :func:`unescape` always gives ``value`` back.
    """
    escaped = "".join(
        ("%25" if ("%" + value[i + 1 : i + 3]).upper() in _UNESCAPES else "%")
        if char == "%"
        else _ESCAPES.get(char, char)
        for i, char in enumerate(value)
    )
    if escaped.startswith(" "):
        escaped = "%20" + escaped[1:]
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "%20"
    return escaped


def unescape(value: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(value):
        code = value[index : index + 3]
        if value[index] == "%" and code.upper() in _UNESCAPES:
            out.append(_UNESCAPES[code.upper()])
            index += 3
        else:
            out.append(value[index])
            index += 1
    return "".join(out)


def encode_note(pairs: Mapping[str, str]) -> str:
    """``{"value": "49700000000", "unit": "USD"}`` → ``value=49700000000; unit=USD``."""
    return "; ".join(f"{key}={escape(value)}" for key, value in pairs.items())


def decode_note(text: str, fail: Fail) -> dict[str, str]:
    """The inverse of :func:`encode_note`; a part without ``=`` is an error."""
    pairs: dict[str, str] = {}
    for part in text.split(";"):
        part = part.strip(" ")
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise fail(f"note part {part!r} is not key=value")
        pairs[key.strip()] = unescape(value)
    return pairs
