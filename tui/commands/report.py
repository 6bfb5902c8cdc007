"""Rich tables for ``redline list``, ``stats`` and ``schema``.

Every value from the database or the schema file (titles, sources, labels,
topics, annotator names, paths) goes in as a ``Text`` of :func:`~tui.literal.visible_line`:
never parsed as console markup, and no control character reaches the terminal.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from storage import queries
from storage.db import Database
from storage.schema import Config
from tui.literal import visible, visible_line
from tui.states import STATE_STYLE, state_name

SCHEMA_LAYERS = (("entity", "Entity labels"), ("figure", "Figure kinds"), ("topic", "Topics"))


def cell(value: object, style: str = "", **options: object) -> Text:
    """One table cell or line showing ``value`` literally, on one line."""
    return Text(visible_line("" if value is None else str(value)), style=style, **options)  # type: ignore[arg-type]


def print_articles(
    console: Console,
    database: Database,
    annotator: str,
    search: str,
    state: str | None,
    limit: int,
    rows: list[queries.ArticleRow] | None = None,
) -> None:
    """The library table; ``rows`` given (e.g. in active-learning order) are printed as they are."""
    if rows is None:
        rows = queries.list_articles(
            database, annotator, queries.LibraryQuery(search=search, state=state, limit=limit)
        )
    done, total = queries.progress(database, annotator)
    table = Table(
        title=cell(f"{done} of {total} done · annotator {annotator}"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
        pad_edge=False,
    )
    fixed = (("id", 3, "right"), ("source", 12, "left"), ("date", 10, "left"))
    counts = (("length", 7, "right"), ("state", 11, "left"))
    small = (("ent", 3, "right"), ("fig", 3, "right"), ("top", 3, "right"))
    columns = (*fixed, *counts, *small)
    title_width = max(12, console.width - sum(width + 1 for _, width, _ in columns) - 6)
    for name, width, justify in columns[:1]:
        table.add_column(name, width=width, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    table.add_column("title", width=title_width, no_wrap=True)
    for name, width, justify in columns[1:]:
        table.add_column(name, width=width, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(
            str(row.id),
            cell(row.title, overflow="ellipsis", no_wrap=True),
            cell(row.source, overflow="ellipsis", no_wrap=True),
            cell(row.published),
            f"{row.length:,}",
            cell(state_name(row.state), STATE_STYLE.get(row.state, "")),
            str(row.entities),
            str(row.figures),
            str(row.topics),
        )
    console.print(table)
    if not rows:
        console.print("No articles. Import some with: redline import PATH…")


def print_stats(console: Console, database: Database, annotator: str | None) -> None:
    stats = queries.stats(database, annotator)
    who = annotator or "all annotators"
    console.print(cell(f"{stats.articles} articles · {who}", "bold"))
    states = Table("state", "articles", title="Progress", title_justify="left")
    for state in ("todo", "in_progress", "done", "skipped"):
        states.add_row(state_name(state), str(stats.by_state.get(state, 0)))
    console.print(states)
    labels = Table("layer", "label", "accepted", title="Spans", title_justify="left")
    for (layer, label), count in sorted(stats.spans_by_label.items()):
        labels.add_row(cell(layer), cell(label), str(count))
    console.print(labels)
    kinds = Table("kind", "figures", title="Figures", title_justify="left")
    for kind, count in sorted(stats.figure_kinds.items()):
        kinds.add_row(cell(kind), str(count))
    console.print(kinds)
    topics = Table("topic", "articles", title="Topics", title_justify="left")
    for topic, count in stats.topics.most_common():
        topics.add_row(cell(topic), str(count))
    console.print(topics)
    console.print(
        f"{stats.entities} canonical entities · {stats.suggested} pending suggestions",
        markup=False,
    )


def print_schema(console: Console, config: Config) -> None:
    """One table per layer, sized to the console: 80 columns keep keys whole, text wraps."""
    from storage.schema import schema_rows

    origin = str(config.source) if config.source else "built-in"
    console.print(cell(f"Label schema ({origin})", "bold"))
    rows = schema_rows(config.schema)
    for layer, heading in SCHEMA_LAYERS:
        labels = [row for row in rows if row[0] == layer]
        if not labels:
            continue
        hotkeys = layer == "entity"
        parents = any(row[5] for row in labels)
        table = Table(
            title=cell(heading), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
            expand=True,
        )  # fmt: skip
        table.add_column("key", no_wrap=True)
        if hotkeys:
            table.add_column("hotkey", no_wrap=True, justify="center")
        table.add_column("title", ratio=2)
        if parents:
            table.add_column("parent", no_wrap=True)
        table.add_column("description", ratio=3)
        for _, key, title, colour, hotkey, parent, description in labels:
            cells = [cell(key, f"bold {colour}")]
            if hotkeys:
                cells.append(cell(hotkey))
            cells.append(Text(visible_line(title)))
            if parents:
                cells.append(cell(parent))
            cells.append(Text(visible(description or "")))
            table.add_row(*cells)
        console.print(table)
