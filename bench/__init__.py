"""redline's benchmarks: each case times redline against a baseline in the same run.

Run them with ``make bench`` (``.venv/bin/python -m bench``), a subset with
``python -m bench startup keystroke``, small sizes with ``--quick``. They are
never part of ``make test``: timings depend on the machine and its load, so
they print numbers (ours, baseline, ratio, target) instead of asserting them.
Generated data and databases go to ``bench/out/`` (gitignored, cached by size).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
