"""Every key of the reader, in one place (ids are the keymap names in redline.toml)."""

from __future__ import annotations

from textual.binding import Binding

LABELS = Binding.Group("Label", compact=True)
"""The footer shows the ten label keys as one entry, first."""

LABEL_BINDINGS: list[Binding] = [
    Binding(str(n), f"label('{n}')", f"Label {n}", id=f"label-entity-{n}", group=LABELS)
    for n in (*range(1, 10), 0)
]

EDIT_BINDINGS: list[Binding] = [
    Binding(
        "space", "select_phrase", "Select name (again: phrase)", id="select-phrase", show=False
    ),
    Binding(
        "greater_than_sign",
        "resize('end', 1)",
        "Grow end by a token",
        id="span-end-grow",
        show=False,
    ),
    Binding(
        "less_than_sign",
        "resize('end', -1)",
        "Shrink end by a token",
        id="span-end-shrink",
        show=False,
    ),
    Binding(
        "alt+less_than_sign",
        "resize('start', -1)",
        "Grow start by a token",
        id="span-start-grow",
        show=False,
    ),
    Binding(
        "alt+greater_than_sign",
        "resize('start', 1)",
        "Shrink start by a token",
        id="span-start-shrink",
        show=False,
    ),
    Binding("x,delete", "remove", "Remove span", id="span-remove"),
    Binding("u", "undo", "Undo", id="undo"),
    Binding("ctrl+r", "redo", "Redo", id="redo"),
]

MOVE_BINDINGS: list[Binding] = [
    Binding("d", "done", "Done → next", id="article-done"),
    Binding("n", "next_span", "Next span", id="span-next", show=False),
    Binding("N", "previous_span", "Previous span", id="span-previous", show=False),
    Binding("left_square_bracket", "step_article(-1)", "Previous article", id="article-previous"),
    Binding("right_square_bracket", "step_article(1)", "Next article", id="article-next"),
    Binding("s", "skip", "Skip", id="article-skip"),
    Binding("slash", "find", "Search", id="article-search"),
    Binding("escape", "escape", "Clear", id="reader-escape", show=False),
]

DIALOG_BINDINGS: list[Binding] = [
    Binding("f", "figure_form", "Figure", id="figure-form"),
    Binding("t", "topic_picker", "Topics", id="topic-picker"),
    Binding("e", "entity_link", "Link entity", id="entity-link"),
    Binding("E", "entities_screen", "All entities", id="entities-screen", show=False),
]

REVIEW_BINDINGS: list[Binding] = [
    Binding("a", "accept", "Accept suggestion", id="suggestion-accept"),
    Binding("A", "accept_all", "Accept all", id="suggestion-accept-all", show=False),
    Binding("r", "reject", "Reject suggestion", id="suggestion-reject"),
    Binding("o", "label_occurrences", "Label occurrences", id="occurrences-article", show=False),
    Binding(
        "O", "suggest_occurrences", "Occurrences in corpus", id="occurrences-corpus", show=False
    ),
]

READER_BINDINGS: list[Binding] = [
    *LABEL_BINDINGS,
    *DIALOG_BINDINGS,
    *REVIEW_BINDINGS,
    *MOVE_BINDINGS,
    *EDIT_BINDINGS,
    Binding("q", "back", "Library", id="reader-back"),
]
"""The reader screen's bindings, in the order the footer, the help screen and the palette list them.

Annotation keys first (labels, f t e, a r, d), so a narrow footer still shows them.
"""
