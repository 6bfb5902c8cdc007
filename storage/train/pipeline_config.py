"""The spaCy pipeline ``redline train`` starts from, made offline in code.

The config is what ``spacy init config --lang LANG --pipeline ner,textcat_multilabel
--optimize efficiency`` writes (CPU: a small CNN tok2vec shared by the
components, no vectors, nothing downloaded), generated with spaCy's own
``init_config`` so it follows the installed spaCy version. Figures use
``spancat`` with its spans under ``doc.spans["figures"]``.

One change to that config: the shared tok2vec is narrower and shallower
(:data:`TOK2VEC`: 64 wide, 2 deep, maxout with 2 pieces; not
:data:`STOCK_TOK2VEC`, 96 × 4 with 3). With the stock CNN the tok2vec
was most of the cost of suggesting with the model; this one suggests about
2.5× faster (``python -m bench learning_curve`` times it against the stock
96 × 4), leaving the NER's beam parse the larger part, and
trained on the gold articles it scored as well as 96 × 4 (README, "A model
that learns from you"): a project's few dozen annotated articles do not fill
the larger one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING

from storage.train.evaluate import FIGURE_SPANS_KEY

if TYPE_CHECKING:
    from spacy.language import Language
    from thinc.api import Config

TOK2VEC = (64, 2, 2)
"""Width, depth and maxout pieces of the shared tok2vec ``redline train`` builds."""
STOCK_TOK2VEC = (96, 4, 3)
"""What ``--optimize efficiency`` gives (the bench compares the two)."""

COMPONENTS = {"entity": "ner", "topic": "textcat_multilabel", "figure": "spancat"}
"""Layer → the spaCy component that learns it."""


@cache
def _config_text(lang: str, pipeline: tuple[str, ...], tok2vec: tuple[int, int, int]) -> str:
    from spacy.cli.init_config import init_config

    config = init_config(
        lang=lang, pipeline=list(pipeline), optimize="efficiency", gpu=False, silent=True
    )
    width, depth, pieces = tok2vec
    model = config["components"]["tok2vec"]["model"]
    model["embed"]["width"] = model["encode"]["width"] = width
    model["encode"]["depth"] = depth
    model["encode"]["maxout_pieces"] = pieces
    for name in pipeline:
        listener = config["components"][name]["model"].get("tok2vec")
        if isinstance(listener, dict) and "width" in listener:
            listener["width"] = width
    if "spancat" in pipeline:
        config["components"]["spancat"]["spans_key"] = FIGURE_SPANS_KEY
    return config.to_str()


def pipeline_config(
    lang: str, layers: Sequence[str], tok2vec: tuple[int, int, int] | None = None
) -> Config:
    """The config for ``layers``; ``tok2vec`` = (width, depth, pieces), default :data:`TOK2VEC`."""
    from thinc.api import Config

    pipeline = tuple(COMPONENTS[layer] for layer in layers)
    return Config().from_str(_config_text(lang, pipeline, tok2vec or TOK2VEC))


def blank_pipeline(
    lang: str,
    layers: Sequence[str],
    labels: Mapping[str, Sequence[str]],
    tok2vec: tuple[int, int, int] | None = None,
) -> Language:
    """``spacy.blank(lang)`` with the efficiency components for ``layers`` and their labels."""
    from spacy.util import load_model_from_config

    config = pipeline_config(lang, layers, tok2vec)
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    for layer in layers:
        component = nlp.get_pipe(COMPONENTS[layer])
        for label in labels.get(layer, ()):
            component.add_label(label)  # type: ignore[attr-defined]
    return nlp
