"""``redline train``: learn a pipeline from accepted annotations, with a progress bar.

``register(app)`` adds the command (``tui/cli.py`` calls it). The work is
``storage.train.train``; this module parses options, draws the Rich bar
(steps, loss, dev score) and prints the per-label scores of the dev split.
Every printed label, path or error goes through ``rich.text.Text(visible(…))``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from storage.errors import StorageError
from tui.literal import visible, visible_line

if TYPE_CHECKING:  # storage.train reaches the database layer: only `redline train` pays for it
    from storage.train.loop import TrainOptions, TrainProgress, TrainResult

LAYER_TITLES = {"entity": "entities", "topic": "topics", "figure": "figures"}


def parse_layers(value: str) -> tuple[str, ...]:
    layers = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    unknown = [layer for layer in layers if layer not in LAYER_TITLES]
    if unknown or not layers:
        raise StorageError(
            f"--layer: unknown layer {', '.join(unknown) or '(none)'} "
            f"(choose from {', '.join(LAYER_TITLES)})"
        )
    return layers


def scores_table(result: TrainResult) -> Table:
    """Per-label P/R/F of the dev split, one block per layer, micro average last."""
    table = Table(title="dev scores", title_justify="left")
    for heading in ("layer", "label", "gold", "predicted", "P", "R", "F"):
        table.add_column(heading, justify="left" if heading in ("layer", "label") else "right")
    for layer, scores in result.evaluation.layers.items():
        rows = [*sorted(scores.labels.items()), ("micro", scores.micro)]
        for label, score in rows:
            table.add_row(
                Text(layer),
                Text(visible(label)),
                str(score.gold),
                str(score.predicted),
                f"{score.precision:.3f}",
                f"{score.recall:.3f}",
                f"{score.f1:.3f}",
            )
    return table


def run_train(database: Any, schema: Any, options: TrainOptions, console: Console) -> TrainResult:
    from storage.train import train

    progress = Progress(
        TextColumn("training"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]:.2f}"),
        TextColumn("dev {task.fields[dev]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with progress:
        task = progress.add_task("train", total=options.max_steps, loss=0.0, dev="–")

        def report(step: TrainProgress) -> None:
            dev = "–" if step.dev_score is None else f"{step.dev_score:.3f}"
            progress.update(task, completed=step.step, loss=step.loss, dev=dev)

        return train(database, schema, options, progress=report)


def useful_rows(
    database: Any, annotator: str, config: Any, search: str, state: str | None, limit: int
) -> list[Any]:
    """Library rows, most useful to annotate next first (``storage.train.uncertainty``);
    articles already done go last. Needs the trained model (``[suggest] model``)."""
    from storage import queries
    from storage.suggest.trained_model import configured_model
    from storage.suggestions import SuggestOptions
    from storage.train.uncertainty import article_uncertainty, most_useful_first

    model = configured_model(SuggestOptions.from_config(config))
    if model is None:
        raise StorageError("--sort useful needs a trained model: run redline train first")
    everything = queries.LibraryQuery(search=search, state=state, limit=2**31 - 1)
    rows = queries.list_articles(database, annotator, everything)
    open_rows = [row.id for row in rows if row.state != "done"]
    order = most_useful_first(article_uncertainty(database, model, open_rows), open_rows)
    by_id = {row.id: row for row in rows}
    ranked = [by_id[i] for i in order] + [row for row in rows if row.state == "done"]
    return ranked[:limit]


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_command(
        ctx: typer.Context,
        layer: Annotated[
            str, typer.Option("--layer", help="Layers to learn: entity, topic, figure.")
        ] = "entity,topic",
        annotator: Annotated[
            str, typer.Option("--annotator", help="Whose annotations (a name or all).")
        ] = "all",
        status: Annotated[
            str, typer.Option("--status", help="Articles in this state (done or all).")
        ] = "done",
        eval_split: Annotated[
            float, typer.Option("--eval-split", help="Share of articles kept for dev scores.")
        ] = 0.2,
        seed: Annotated[int, typer.Option("--seed", help="Split and training seed.")] = 0,
        max_minutes: Annotated[
            float, typer.Option("--max-minutes", help="Wall-clock limit for training.")
        ] = 5.0,
        max_steps: Annotated[
            int, typer.Option("--max-steps", help="At most this many updates.")
        ] = 2000,
        out: Annotated[
            Path, typer.Option("--out", help="Where models/<timestamp>/ and latest go.")
        ] = Path("models"),
    ) -> None:
        """Train a spaCy pipeline on accepted annotations; suggest uses models/latest."""
        from storage.train.loop import TrainOptions
        from tui.cli import err
        from tui.cli import out as stdout

        if max_minutes <= 0 or max_steps <= 0:
            raise StorageError("--max-minutes and --max-steps must be positive")
        options = TrainOptions(
            layers=parse_layers(layer),
            annotator=annotator,
            status=status,
            eval_split=eval_split,
            seed=seed,
            max_minutes=max_minutes,
            max_steps=max_steps,
            out=out,
        )
        context = ctx.obj
        result = run_train(context.open_db(), context.config().schema, options, err)
        stdout.print(scores_table(result))
        counts = result.counts
        stdout.print(
            Text(
                visible_line(
                    f"trained on {counts['train']['articles']} articles, "
                    f"evaluated on {counts['dev']['articles']}; {result.steps} steps "
                    f"in {result.seconds:.0f} s ({result.stopped}); "
                    f"saved {result.directory} (latest: {result.latest})"
                )
            ),
            soft_wrap=True,
        )
