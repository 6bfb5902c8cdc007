"""``redline stats --plot DIR``: the statistics charts as PNG and SVG files (matplotlib).

The charts are those of the app's Stats screen (:func:`storage.insight.charts`),
drawn by :mod:`storage.charts`. Nothing here imports Textual.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from storage.db import Database
from storage.schema import Schema
from tui.literal import visible_line


def plot_stats(
    console: Console, database: Database, annotator: str | None, schema: Schema, directory: Path
) -> list[Path]:
    """Write every chart into ``directory`` and say which files were written."""
    from storage.charts import write_charts
    from storage.insight import charts, collect

    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(20, "not a directory", str(directory))
    written = write_charts(charts(collect(database, annotator), schema), directory)
    who = annotator or "all annotators"
    console.print(
        Text(visible_line(f"{len(written)} chart files ({who}) in {directory}")), highlight=False
    )
    for path in written:
        console.print(Text(visible_line(f"  {path.name}")), highlight=False)
    return written
