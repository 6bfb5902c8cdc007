"""``redline train``: learn a spaCy pipeline from the annotations people accepted.

Storage code (no Rich, no Textual): ``train()`` runs in a CLI or an app worker
thread and reports progress through a callback. spaCy is imported lazily.
"""

from __future__ import annotations

from storage.train.data import TooLittleData
from storage.train.loop import TrainOptions, TrainProgress, TrainResult, train
from storage.train.store import ModelRefused

__all__ = ["ModelRefused", "TooLittleData", "TrainOptions", "TrainProgress", "TrainResult", "train"]
