"""Stats: the chart data, the files ``redline stats --plot`` writes, the Stats screen."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest

from storage.charts import inline_svg, plain, render
from storage.db import Database, open_db
from storage.insight import Chart, charts, collect
from tests.insight import corpus
from tests.insight.test_checks import redline
from tui.app import RedlineApp
from tui.screens.stats import StatsScreen


def by_name(database: Database, annotator: str | None) -> dict[str, Chart]:
    return {chart.name: chart for chart in charts(collect(database, annotator))}


def test_chart_data_per_annotator_and_for_everyone(db: Database) -> None:
    corpus.build_team(db)
    everyone = collect(db, None)
    assert everyone.done_by_day == {
        "ana": {dt.date(2026, 3, 2): 1, dt.date(2026, 3, 4): 1},
        "bob": {dt.date(2026, 3, 2): 1, dt.date(2026, 3, 3): 1},
    }
    assert sorted(everyone.seconds) == [30.0, 240.0, 750.0, 1860.0]
    assert everyone.topics == {"trade": 1, "investment": 1}  # articles, not assignments
    shown = by_name(db, None)
    progress = shown["progress"]
    assert progress.categories == ("2026-03-02", "2026-03-03", "2026-03-04")
    assert progress.series == (("ana", (1.0, 0.0, 1.0)), ("bob", (1.0, 1.0, 0.0)))
    assert shown["time"].series[0][1] == (1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0)
    labels = dict(zip(shown["labels"].categories, shown["labels"].series[0][1], strict=True))
    assert labels == {"GPE": 8, "ORG": 3, "PERSON": 1, "COUNT": 1, "MONEY": 2, "PERCENT": 1}
    assert dict(zip(shown["figures"].categories, shown["figures"].series[0][1], strict=True)) == {
        "COUNT": 1, "MONEY": 2, "PERCENT": 1
    }
    ana = by_name(db, "ana")
    assert ana["progress"].series == (("ana", (1.0, 0.0, 1.0)),)
    spans = dict(zip(ana["spans"].categories, ana["spans"].series[0][1], strict=True))
    assert spans == {"0": 0, "1–4": 2, "5–9": 1, "10–19": 0, "20–49": 0, "50+": 0}


def test_svg_is_deterministic_self_contained_and_labels_are_plain() -> None:
    chart = Chart("t", "Title $x$ <b>", ("a$b", "c\x1bd", "-->"), (("n", (1.0, 2.0, 3.0)),))
    first, second = render(chart), render(chart)
    assert first == second
    svg = inline_svg(chart)
    assert svg.startswith("<svg") and "http" not in svg
    assert "<b>" not in svg and "\x1b" not in svg
    assert "-->" not in svg.replace("-->\n", "")  # only comment ends, never the label raw
    assert plain("a$b") == r"a\$b"
    assert render(chart, "png").startswith(b"\x89PNG")
    with pytest.raises(ValueError):
        render(chart, "gif")


def test_stats_plot_writes_png_and_svg(tmp_path: Path) -> None:
    database = open_db(str(tmp_path / "redline.db"))
    corpus.build_team(database)
    database.dispose()
    result = redline(tmp_path, "stats", "--all", "--plot", "charts")
    assert result.returncode == 0, result.stderr
    names = sorted(path.name for path in (tmp_path / "charts").iterdir())
    expected = sorted(f"{n}.{f}" for n in ("progress", "time", "labels", "spans", "figures",
                                           "topics") for f in ("png", "svg"))  # fmt: skip
    assert names == expected
    assert "12 chart files (all annotators)" in result.stdout
    svg = (tmp_path / "charts" / "progress.svg").read_text()
    assert "<svg" in svg and "<metadata" not in svg
    assert set(re.findall(r"https?://[^\"' ]+", svg)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink",
        "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd",
    }  # namespace names only: nothing to fetch
    (tmp_path / "file").write_text("x")
    failed = redline(tmp_path, "stats", "--plot", "file")
    assert failed.returncode == 1
    assert failed.stderr.strip().endswith("not a directory: file")


def team_app(tmp_path: Path) -> RedlineApp:
    database = open_db(str(tmp_path / "redline.db"))
    corpus.build_team(database)
    config = replace(corpus.config(tmp_path), auto_suggest=False)
    return RedlineApp(database, "ana", config)


def test_stats_screen_snapshot(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def open_stats(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.app.workers.wait_for_complete()
        await pilot.app.push_screen(StatsScreen())
        await pilot.app.workers.wait_for_complete()
        await pilot.press("a")  # everyone: two annotators in the progress chart
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(team_app(tmp_path), terminal_size=(120, 40), run_before=open_stats)


async def test_stats_screen_switches_scope(tmp_path: Path) -> None:
    app = team_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.push_screen(StatsScreen())
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        summary = str(app.screen.query_one("#stats-summary").render())
        assert "Stats · ana · 2 of 3 articles done" in summary
        await pilot.press("a")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        summary = str(app.screen.query_one("#stats-summary").render())
        assert "Stats · everyone · 3 articles · done: ana 2, bob 2" in summary
