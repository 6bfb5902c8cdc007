"""``redline agree`` and ``redline assign``: team mode on the command line.

``register(app)`` adds both commands to the Typer app (``tui/cli.py`` calls it).
Names and numbers are printed literally (Rich ``Text``, never markup). Nothing
here imports Textual.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tui.commands.check_cmd import parse_ids
from tui.literal import visible_line


def parse_names(value: str | None, option: str) -> list[str] | None:
    """``"ana, ben"`` → ``["ana", "ben"]``; None stays None (everyone)."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise typer.BadParameter("no annotator names given", param_hint=option)
    return list(dict.fromkeys(names))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def agreement_table(document: dict[str, Any]) -> Table:
    """One row per pair; the last row is the overall figure."""
    layer = document["layer"]
    table = Table(
        title=f"{layer} agreement · {plural(document['articles'], 'article')}",
        title_justify="left",
    )
    for heading in ("a (reference)", "b", "articles"):
        table.add_column(heading, justify="right" if heading == "articles" else "left")
    if layer == "entity":
        columns = ("precision", "recall", "exact F1", "partial F1")
    elif layer == "topic":
        columns = ("Cohen's κ",)
    else:
        columns = ("compared", "value agreement")
    for heading in columns:
        table.add_column(heading, justify="right")
    for pair in document["pairs"]:
        if layer == "entity":
            exact = pair["exact"]
            values = [
                number(exact["precision"]),
                number(exact["recall"]),
                number(exact["f1"]),
                number(pair["partial"]["f1"]),
            ]
        elif layer == "topic":
            values = [number(pair["kappa"])]
        else:
            values = [str(pair["compared"]), number(pair["value_agreement"])]
        table.add_row(
            Text(visible_line(pair["a"])),
            Text(visible_line(pair["b"])),
            str(pair["articles"]),
            *values,
        )
    overall = document["overall"]
    if layer == "entity":
        total = ["", "", number(overall["exact_f1"]), number(overall["partial_f1"])]
    elif layer == "topic":
        total = [f"α {number(overall['alpha'])}"]
    else:
        total = ["", number(overall["value_agreement"])]
    table.add_section()
    table.add_row(Text("overall", style="bold"), "", "", *total)
    return table


def label_table(document: dict[str, Any]) -> Table | None:
    """Exact F1 per entity label and pair (None when no pair labelled anything)."""
    labels = sorted({label for pair in document["pairs"] for label in pair["by_label"]})
    if not labels:
        return None
    table = Table(title="exact F1 by label", title_justify="left")
    table.add_column("label")
    for pair in document["pairs"]:
        table.add_column(Text(visible_line(f"{pair['a']}–{pair['b']}")), justify="right")
    for label in labels:
        cells = [
            number(pair["by_label"].get(label, {}).get("f1")) if label in pair["by_label"] else "–"
            for pair in document["pairs"]
        ]
        table.add_row(Text(visible_line(label)), *cells)
    return table


def run_agree(
    context: Any, *, layer: str, annotators: str | None, articles: str | None, gold: str = "gold"
) -> dict[str, Any]:
    from storage.team.agreement import agreement

    keys: list[str] = []
    if layer == "topic":
        keys = [label.key for label in context.config().schema.layer("topic")]
    return agreement(
        context.open_db(),
        layer,
        parse_names(annotators, "--annotators"),
        parse_ids(articles),
        keys,
        exclude=(gold,),
    )


def progress_table(rows: list[Any]) -> Table:
    """Per annotator: assigned articles, done, in progress, skipped, left to do."""
    table = Table(title="progress", title_justify="left")
    table.add_column("annotator")
    for heading in ("assigned", "done", "in progress", "skipped", "to do"):
        table.add_column(heading, justify="right")
    for row in rows:
        table.add_row(
            Text(visible_line(row.annotator)),
            *(
                str(value)
                for value in (row.assigned, row.done, row.in_progress, row.skipped, row.todo)
            ),
        )
    return table


def run_assign(
    context: Any,
    *,
    annotators: str,
    overlap: int,
    articles: str | None,
    every: bool,
    seed: int,
    replace: bool,
) -> Any:
    from storage.team.assignment import assign

    if articles is not None and every:
        raise typer.BadParameter("give --articles or --all, not both", param_hint="--all")
    names = parse_names(annotators, "--annotators")
    assert names is not None
    return assign(
        context.open_db(), names, overlap, parse_ids(articles), seed=seed, replace=replace
    )


def register(app: typer.Typer) -> None:
    """Add ``redline agree`` and ``redline assign`` to ``app``."""

    @app.command("assign")
    def assign_command(
        ctx: typer.Context,
        annotators: Annotated[
            str, typer.Option("--annotators", help="a,b,c: who labels the articles.")
        ],
        overlap: Annotated[
            int, typer.Option("--overlap", help="How many annotators label each article.")
        ] = 1,
        articles: Annotated[
            str | None, typer.Option("--articles", help="Only these ids: 1,3-5.")
        ] = None,
        every: Annotated[
            bool, typer.Option("--all", help="Every article (the default without --articles).")
        ] = False,
        seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same plan.")] = 0,
        replace: Annotated[
            bool, typer.Option("--replace", help="Reassign articles that already have annotators.")
        ] = False,
    ) -> None:
        """Spread articles over annotators: each gets exactly --overlap of them, loads balanced."""
        from storage.team.assignment import progress

        report = run_assign(
            ctx.obj,
            annotators=annotators,
            overlap=overlap,
            articles=articles,
            every=every,
            seed=seed,
            replace=replace,
        )
        console = Console(soft_wrap=True)
        counts = ", ".join(f"{name} {count}" for name, count in sorted(report.counts.items()))
        line = f"assigned {plural(len(report.plan), 'article')} × {overlap} (seed {seed})"
        if counts:
            line += f": {counts}"
        if report.skipped:
            line += f"; {len(report.skipped)} already assigned, kept (--replace reassigns them)"
        console.print(Text(visible_line(line)), highlight=False)
        console.print(progress_table(progress(ctx.obj.open_db())), highlight=False)

    @app.command("review")
    def review_command(
        ctx: typer.Context,
        article_id: Annotated[int, typer.Argument(help="The article to review.")],
        gold: Annotated[
            str,
            typer.Option(
                "--gold", envvar="REDLINE_GOLD", help="Who the adjudicated version is saved as."
            ),
        ] = "gold",
    ) -> None:
        """Compare the annotators of one article side by side and adjudicate a gold version."""
        from storage.team.adjudication import compare

        context = ctx.obj
        database = context.open_db()
        compare(database, article_id, gold=gold)  # refuse before the screen opens
        config = context.config()
        from tui.screens.review import review_app

        review_app(database, context.annotator, config, article_id, gold).run()

    @app.command("agree")
    def agree_command(
        ctx: typer.Context,
        layer: Annotated[
            str, typer.Option("--layer", help="entity (default), figure or topic.")
        ] = "entity",
        annotators: Annotated[
            str | None,
            typer.Option("--annotators", help="a,b,…: who to compare (default: all who finished)."),
        ] = None,
        articles: Annotated[
            str | None, typer.Option("--articles", help="Only these ids: 1,3-5 (default: all).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
        gold: Annotated[
            str,
            typer.Option(
                "--gold", envvar="REDLINE_GOLD", help="Left out unless named in --annotators."
            ),
        ] = "gold",
    ) -> None:
        """Agreement between annotators over the articles both marked done."""
        if layer not in ("entity", "figure", "topic"):
            raise typer.BadParameter(
                f"{layer!r} is not entity, figure or topic", param_hint="--layer"
            )
        document = run_agree(
            ctx.obj, layer=layer, annotators=annotators, articles=articles, gold=gold
        )
        if as_json:
            sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
            sys.stdout.flush()
            return
        console = Console(soft_wrap=True)
        if not document["pairs"]:
            console.print(Text("no two annotators finished a common article"), highlight=False)
            return
        console.print(agreement_table(document), highlight=False)
        by_label = label_table(document) if layer == "entity" else None
        if by_label is not None:
            console.print(by_label, highlight=False)
