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


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def agreement_table(document: dict[str, Any]) -> Table:
    """One row per pair; the last row is the overall figure."""
    layer = document["layer"]
    table = Table(
        title=f"{layer} agreement · {document['articles']} articles", title_justify="left"
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
            values = [number(exact["precision"]), number(exact["recall"]), number(exact["f1"]),
                      number(pair["partial"]["f1"])]  # fmt: skip
        elif layer == "topic":
            values = [number(pair["kappa"])]
        else:
            values = [str(pair["compared"]), number(pair["value_agreement"])]
        table.add_row(
            Text(visible_line(pair["a"])), Text(visible_line(pair["b"])), str(pair["articles"]),
            *values,
        )  # fmt: skip
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
        cells = [number(pair["by_label"].get(label, {}).get("f1")) if label in pair["by_label"]
                 else "–" for pair in document["pairs"]]  # fmt: skip
        table.add_row(Text(visible_line(label)), *cells)
    return table


def run_agree(
    context: Any, *, layer: str, annotators: str | None, articles: str | None
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
    )


def register(app: typer.Typer) -> None:
    """Add ``redline agree`` and ``redline assign`` to ``app``."""

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
    ) -> None:
        """Agreement between annotators over the articles both marked done."""
        if layer not in ("entity", "figure", "topic"):
            raise typer.BadParameter(
                f"{layer!r} is not entity, figure or topic", param_hint="--layer"
            )
        document = run_agree(ctx.obj, layer=layer, annotators=annotators, articles=articles)
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
