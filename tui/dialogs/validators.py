"""Parsing and validating what users type into dialog fields (no widgets here).

Figure values must stay exact, so they are read into :class:`~decimal.Decimal`
straight from the typed text, never through a float; knowledge-base ids are
normalised so the same Wikidata item is always stored as ``Q42``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from textual.validation import ValidationResult, Validator

_DIGIT_GROUPS = re.compile(r"[\s,_\u00a0\u202f']")
_QID = re.compile(r"[Qq](\d+)")
_WIKIDATA_URL = re.compile(r"(?:https?://)?(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/([Qq]\d+)/?")
_CURIE = re.compile(r"[A-Za-z][\w.+-]*:\S+")


def parse_decimal(text: str) -> Decimal | None:
    """An exact number from ``text`` ('49,700,000,000', '49.7e9', '-0.5'); None when empty.

    Digit-group separators (commas, spaces, underscores, apostrophes) are
    dropped; anything else that is not a finite decimal raises ValueError.
    """
    cleaned = _DIGIT_GROUPS.sub("", text.strip()).replace("\u2212", "-")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text.strip()!r} is not a finite number")
    return value


def plain_decimal(value: Decimal | None) -> str:
    """A Decimal as the form shows it: positional notation, no exponent ('49700000000')."""
    if value is None:
        return ""
    return format(value, "f")


def parse_scale(text: str) -> int:
    """A scale factor: a positive whole number ('1000000000', '1e9'); empty means 1."""
    value = parse_decimal(text)
    if value is None:
        return 1
    if value <= 0 or value != value.to_integral_value():
        raise ValueError("the scale is a positive whole number (1, 1000, 1000000000)")
    return int(value)


def normalise_kb_id(text: str) -> str | None:
    """A knowledge-base id in its stored form; None when empty.

    Wikidata items ('q42', 'Q42', a wikidata.org URL) become 'Q42'; other
    knowledge bases are accepted as 'prefix:identifier' (e.g. 'gnd:118540238')
    or a URL. Anything else raises ValueError, so typos are caught at entry.
    """
    cleaned = text.strip()
    if not cleaned:
        return None
    for pattern in (_QID, _WIKIDATA_URL):
        match = pattern.fullmatch(cleaned)
        if match:
            digits = match.group(1).lstrip("Qq")
            return f"Q{int(digits)}"
    if _CURIE.fullmatch(cleaned):
        return cleaned
    raise ValueError("a Wikidata QID (Q42) or prefix:identifier")


class DecimalValidator(Validator):
    """Accepts an exact decimal number or (when ``optional``) nothing."""

    def __init__(self, optional: bool = True) -> None:
        super().__init__()
        self.optional = optional

    def validate(self, value: str) -> ValidationResult:
        try:
            parsed = parse_decimal(value)
        except ValueError as exc:
            return self.failure(str(exc))
        if parsed is None and not self.optional:
            return self.failure("a number is needed")
        return self.success()


class ScaleValidator(Validator):
    """Accepts a positive whole scale factor."""

    def validate(self, value: str) -> ValidationResult:
        try:
            parse_scale(value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


class KbIdValidator(Validator):
    """Accepts an empty field, a Wikidata QID/URL or a prefix:identifier."""

    def validate(self, value: str) -> ValidationResult:
        try:
            normalise_kb_id(value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()
