"""The Label Studio labelling config matching redline's tasks (``labelstudio-config.xml``).

Label Studio needs a project's labelling config to show, edit or convert tasks
(``label-studio-converter`` reads its controls to know which results are which).
redline's tasks use three controls on one ``<Text name="text" value="$text">``:

* ``<Labels name="label">`` — entity and figure spans (the labels the NER converters read);
* ``<Labels name="evidence">`` — topic evidence, ``Topic_<key>``, in a control of
  its own so that converters which take one ``Labels`` control (CoNLL) never mix
  evidence into the entity tags;
* ``<Choices name="topics" choice="multiple">`` — the article's topics.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import quoteattr

SPAN_CONTROL = "label"
EVIDENCE_CONTROL = "evidence"
TOPIC_CONTROL = "topics"
TEXT_OBJECT = "text"


def labelling_config(
    span_labels: Iterable[str], evidence_labels: Iterable[str], topics: Iterable[str]
) -> str:
    """The ``<View>`` XML declaring every label the tasks use (each once, in order)."""

    def options(tag: str, values: Iterable[str]) -> list[str]:
        return [f"    <{tag} value={quoteattr(value)}/>" for value in dict.fromkeys(values)]

    lines = [
        "<View>",
        f'  <Labels name="{SPAN_CONTROL}" toName="{TEXT_OBJECT}">',
        *options("Label", span_labels),
        "  </Labels>",
        f'  <Labels name="{EVIDENCE_CONTROL}" toName="{TEXT_OBJECT}">',
        *options("Label", evidence_labels),
        "  </Labels>",
        f'  <Text name="{TEXT_OBJECT}" value="$text"/>',
        f'  <Choices name="{TOPIC_CONTROL}" toName="{TEXT_OBJECT}" choice="multiple">',
        *options("Choice", topics),
        "  </Choices>",
        "</View>",
    ]
    return "\n".join(lines) + "\n"
