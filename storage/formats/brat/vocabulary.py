"""What brat files written and read by redline agree on: attribute names and note keys.

Figure attributes travel as brat attributes on the figure's ``T`` line:
binary flags (``A1\\tApproximate T3``) and valued ones (``A2\\tBound T3 lower``).
Everything else a span carries rides in an ``AnnotatorNotes`` ``#`` line as
``key=value`` pairs (:func:`storage.formats.codec.encode_note`).
"""

from __future__ import annotations

FLAG_ATTRIBUTES = {"Approximate": "approximate", "Change": "change"}
"""brat binary attribute → figure field (True when present)."""
VALUED_ATTRIBUTES = {"Bound": "bound", "Direction": "direction"}
"""brat multi-valued attribute → figure field (the value as written)."""

FIGURE_NOTE_KEYS = ("value", "value_max", "unit", "scale", "metric", "period", "date_value", "kind")
ENTITY_NOTE_KEYS = ("entity", "entity_type", "kb_id", "aliases")
SUBJECT_NOTE_KEYS = ("subject", "subject_type", "subject_kb_id", "subject_aliases")
NOTE_KEYS = frozenset(
    (*FIGURE_NOTE_KEYS, *ENTITY_NOTE_KEYS, *SUBJECT_NOTE_KEYS, "note", "status", "score")
)
"""Every key of redline's notes: a note with any other key is free text, kept as the span note."""

WIKIDATA = "Wikidata"
"""The resource a ``Q…`` kb id is normalised to (``N1\\tReference T1 Wikidata:Q42``)."""
NORMALIZATION_URLS = {
    WIKIDATA: "URL:https://www.wikidata.org/,URLBASE:https://www.wikidata.org/wiki/%s",
}
"""``tools.conf`` entries of the resources brat can link to (``%s``: the id)."""
