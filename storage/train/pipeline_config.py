"""The spaCy pipeline ``redline train`` starts from, made offline in code.

The config is what ``spacy init config --lang LANG --pipeline ner,textcat_multilabel
--optimize efficiency`` writes (CPU: a small CNN tok2vec shared by the
components, no vectors, nothing downloaded), generated with spaCy's own
``init_config`` so it follows the installed spaCy version. Figures use
``spancat`` with its spans under ``doc.spans["figures"]``.

One change to that config: the shared tok2vec is narrower and shallower
(:data:`TOK2VEC_WIDTH` × :data:`TOK2VEC_DEPTH`, not 96 × 4). The CNN is most
of the cost of suggesting with the model; 64 × 2 suggests about 3× faster on
the 2-core machine (``python -m bench learning_curve`` times both), and a
project's few dozen annotated articles do not fill 96 × 4 (the learning curve
in the README compares them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING

from storage.train.evaluate import FIGURE_SPANS_KEY

if TYPE_CHECKING:
    from spacy.language import Language
    from thinc.api import Config

TOK2VEC_WIDTH = 64
TOK2VEC_DEPTH = 2

COMPONENTS = {"entity": "ner", "topic": "textcat_multilabel", "figure": "spancat"}
"""Layer → the spaCy component that learns it."""


@cache
def _config_text(lang: str, pipeline: tuple[str, ...], width: int, depth: int) -> str:
    from spacy.cli.init_config import init_config

    config = init_config(
        lang=lang, pipeline=list(pipeline), optimize="efficiency", gpu=False, silent=True
    )
    tok2vec = config["components"]["tok2vec"]["model"]
    tok2vec["embed"]["width"] = tok2vec["encode"]["width"] = width
    tok2vec["encode"]["depth"] = depth
    for name in pipeline:
        listener = config["components"][name]["model"].get("tok2vec")
        if isinstance(listener, dict) and "width" in listener:
            listener["width"] = width
    if "spancat" in pipeline:
        config["components"]["spancat"]["spans_key"] = FIGURE_SPANS_KEY
    return config.to_str()


def pipeline_config(
    lang: str, layers: Sequence[str], width: int | None = None, depth: int | None = None
) -> Config:
    """The config for ``layers``; ``width``/``depth`` of the tok2vec (default ours)."""
    from thinc.api import Config

    pipeline = tuple(COMPONENTS[layer] for layer in layers)
    text = _config_text(lang, pipeline, width or TOK2VEC_WIDTH, depth or TOK2VEC_DEPTH)
    return Config().from_str(text)


def blank_pipeline(
    lang: str,
    layers: Sequence[str],
    labels: Mapping[str, Sequence[str]],
    width: int | None = None,
    depth: int | None = None,
) -> Language:
    """``spacy.blank(lang)`` with the efficiency components for ``layers`` and their labels."""
    from spacy.util import load_model_from_config

    config = pipeline_config(lang, layers, width, depth)
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    for layer in layers:
        component = nlp.get_pipe(COMPONENTS[layer])
        for label in labels.get(layer, ()):
            component.add_label(label)  # type: ignore[attr-defined]
    return nlp
