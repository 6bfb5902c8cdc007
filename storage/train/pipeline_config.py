"""The spaCy pipeline ``redline train`` starts from, made offline in code.

The config is what ``spacy init config --lang LANG --pipeline ner,textcat_multilabel
--optimize efficiency`` writes (CPU: a small CNN tok2vec shared by the
components, no vectors, nothing downloaded), generated with spaCy's own
``init_config`` so it follows the installed spaCy version. Figures use
``spancat`` with its spans under ``doc.spans["figures"]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING

from storage.train.evaluate import FIGURE_SPANS_KEY

if TYPE_CHECKING:
    from spacy.language import Language
    from thinc.api import Config

COMPONENTS = {"entity": "ner", "topic": "textcat_multilabel", "figure": "spancat"}
"""Layer → the spaCy component that learns it."""


@cache
def _config_text(lang: str, pipeline: tuple[str, ...]) -> str:
    from spacy.cli.init_config import init_config

    config = init_config(
        lang=lang, pipeline=list(pipeline), optimize="efficiency", gpu=False, silent=True
    )
    if "spancat" in pipeline:
        config["components"]["spancat"]["spans_key"] = FIGURE_SPANS_KEY
    return config.to_str()


def pipeline_config(lang: str, layers: Sequence[str]) -> Config:
    from thinc.api import Config

    pipeline = tuple(COMPONENTS[layer] for layer in layers)
    return Config().from_str(_config_text(lang, pipeline))


def blank_pipeline(
    lang: str, layers: Sequence[str], labels: Mapping[str, Sequence[str]]
) -> Language:
    """``spacy.blank(lang)`` with the efficiency components for ``layers`` and their labels."""
    from spacy.util import load_model_from_config

    nlp = load_model_from_config(pipeline_config(lang, layers), auto_fill=True, validate=True)
    for layer in layers:
        component = nlp.get_pipe(COMPONENTS[layer])
        for label in labels.get(layer, ()):
            component.add_label(label)  # type: ignore[attr-defined]
    return nlp
