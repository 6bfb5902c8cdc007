"""Label schema and redline.toml: the built-in schema, overrides, and file:line errors."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest

from storage.schema import (
    CONFIG_ENV,
    SCHEMA_COLUMNS,
    Config,
    LabelDef,
    SchemaError,
    builtin_schema,
    load_config,
    schema_rows,
)


def write(tmp_path: Path, text: str, name: str = "redline.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    return path


def load(tmp_path: Path, text: str) -> Config:
    return load_config(write(tmp_path, text), environ={})


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the only line containing ``needle``."""
    lines = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


def contrast(colour_a: str, colour_b: str) -> float:
    """WCAG contrast ratio, computed independently of storage.schema."""

    def luminance(colour: str) -> float:
        rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted([luminance(colour_a), luminance(colour_b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- built-in schema -------------------------------------------------------------------


def test_builtin_layers_and_hotkeys() -> None:
    schema = builtin_schema()
    entities = schema.layer("entity")
    assert [label.key for label in entities] == [
        "PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "LAW", "FAC", "PRODUCT", "MISC",
    ]  # fmt: skip
    assert [label.hotkey for label in entities] == list("1234567890")
    assert [label.key for label in schema.layer("figure")] == [
        "MONEY", "PERCENT", "QUANTITY", "COUNT", "DATE",
    ]  # fmt: skip
    assert all(label.hotkey is None for label in schema.labels if label.layer != "entity")
    assert schema.by_hotkey("3") == schema.get("entity", "GPE")
    assert schema.by_hotkey("f") is None


def test_builtin_topic_taxonomy() -> None:
    schema = builtin_schema()
    topics = schema.layer("topic")
    assert 15 <= len(topics) <= 25
    keys = {topic.key for topic in topics}
    for expected in ["diplomacy", "trade", "investment", "energy", "transport", "climate",
                     "digital", "security", "migration", "raw_materials"]:  # fmt: skip
        assert expected in keys
    children = [topic for topic in topics if topic.parent is not None]
    assert len(children) >= 2
    assert schema.get("topic", "energy.green").parent == "energy"
    assert all(child.parent in keys for child in children)
    assert all(topic.description and topic.title for topic in topics)


def test_builtin_colours_are_distinct_and_readable() -> None:
    schema = builtin_schema()
    # Span colours sit side by side in the text: keep them far apart. Topics are
    # shown with their titles, and 23 light colours cannot all be that far apart.
    for layer, min_distance in (("entity", 40), ("figure", 40), ("topic", 25)):
        colours = [label.colour for label in schema.layer(layer)]
        assert len(set(colours)) == len(colours), layer
        for a, b in itertools.combinations(colours, 2):
            distance = sum((int(a[i : i + 2], 16) - int(b[i : i + 2], 16)) ** 2 for i in (1, 3, 5))
            assert distance**0.5 > min_distance, (layer, a, b)
    for label in schema.labels:
        assert contrast(label.colour, label.text_colour) >= 7, label.key


def test_text_colour_picks_white_on_dark() -> None:
    dark = LabelDef("entity", "X", "X", "#1a237e", None)
    light = LabelDef("entity", "Y", "Y", "#fff59d", None)
    assert (dark.text_colour, light.text_colour) == ("#ffffff", "#000000")


def test_schema_rows_list_topics_as_a_tree() -> None:
    rows = schema_rows(builtin_schema())
    assert all(len(row) == len(SCHEMA_COLUMNS) for row in rows)
    assert rows[0] == (
        "entity", "PERSON", "Person", "#f4a261", "1", "",
        builtin_schema().get("entity", "PERSON").description,
    )  # fmt: skip
    topic_keys = [row[1] for row in rows if row[0] == "topic"]
    assert topic_keys[topic_keys.index("energy") + 1] == "energy.green"
    assert len(rows) == len(builtin_schema().labels)


def test_unknown_layer_name_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown layer 'entities'"):
        builtin_schema().layer("entities")


# --- where the config comes from -------------------------------------------------------


def test_precedence_explicit_then_env_then_cwd_then_builtin(tmp_path: Path) -> None:
    (tmp_path / "cwd").mkdir()
    cwd_file = write(tmp_path / "cwd", "[reader]\nmax_width = 70\n")
    env_file = write(tmp_path, "[reader]\nmax_width = 80\n", "env.toml")
    explicit = write(tmp_path, "[reader]\nmax_width = 90\n", "explicit.toml")
    env = {CONFIG_ENV: str(env_file)}
    cwd = tmp_path / "cwd"
    assert load_config(explicit, cwd=cwd, environ=env).reader_max_width == 90
    assert load_config(cwd=cwd, environ=env).reader_max_width == 80
    assert load_config(cwd=cwd, environ={}).source == cwd_file
    assert load_config(cwd=cwd, environ={}).reader_max_width == 70
    default = load_config(cwd=tmp_path, environ={})
    assert default == Config(schema=builtin_schema(), keymap={})
    assert default.source is None and default.auto_suggest is True


def test_named_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError) as caught:
        load_config(tmp_path / "nope.toml", environ={})
    assert str(caught.value) == f"{tmp_path / 'nope.toml'}: no such file"
    with pytest.raises(SchemaError, match="no such file"):
        load_config(cwd=tmp_path, environ={CONFIG_ENV: str(tmp_path / "gone.toml")})


def test_relative_path_is_taken_from_cwd(tmp_path: Path) -> None:
    write(tmp_path, "[suggest]\non_open = false\n", "team.toml")
    config = load_config(Path("team.toml"), cwd=tmp_path, environ={})
    assert config.auto_suggest is False


# --- extend and replace ----------------------------------------------------------------


def test_extend_merges_fields_and_appends(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """
        [[schema.entity]]
        key = "PERSON"
        colour = "#ABC"

        [[schema.entity]]
        key = "MISC"
        hotkey = "m"

        [[schema.entity]]
        key = "SHIP"
        description = "Named vessels"

        [[schema.topic]]
        key = "trade.tariffs"
        title = "Tariffs"

        [keymap]
        "label-entity-1" = "ctrl+1"
        """,
    )
    schema = config.schema
    person = schema.get("entity", "PERSON")
    assert (person.colour, person.title, person.hotkey) == ("#aabbcc", "Person", "1")
    assert schema.get("entity", "MISC").hotkey == "m"
    ship = schema.get("entity", "SHIP")
    assert (ship.title, ship.hotkey, ship.description) == ("Ship", "0", "Named vessels")
    assert ship.colour.startswith("#") and len(ship.colour) == 7
    assert [label.key for label in schema.layer("entity")][-1] == "SHIP"
    tariffs = schema.get("topic", "trade.tariffs")
    assert tariffs.parent == "trade"
    tree = [label.key for _, label in schema.topic_tree()]
    assert tree[tree.index("trade") + 1 : tree.index("trade") + 3] == [
        "trade.sanctions",
        "trade.tariffs",
    ]
    assert len(schema.layer("topic")) == len(builtin_schema().layer("topic")) + 1
    assert config.keymap == {"label-entity-1": "ctrl+1"}


def test_replace_replaces_only_the_layers_listed(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """
        [schema]
        mode = "replace"

        [[schema.entity]]
        key = "PER"
        [[schema.entity]]
        key = "ORG"
        hotkey = ""
        [[schema.entity]]
        key = "LOC"
        color = "#112233"
        """,
    )
    schema = config.schema
    assert [(lab.key, lab.hotkey) for lab in schema.layer("entity")] == [
        ("PER", "1"),
        ("ORG", None),
        ("LOC", "2"),
    ]
    assert schema.get("entity", "LOC").text_colour == "#ffffff"
    assert schema.layer("figure") == builtin_schema().layer("figure")
    assert schema.layer("topic") == builtin_schema().layer("topic")


def test_replace_with_empty_list_empties_a_layer(tmp_path: Path) -> None:
    config = load(tmp_path, '[schema]\nmode = "replace"\ntopic = []\n')
    assert config.schema.layer("topic") == []
    assert len(config.schema.layer("entity")) == 10


def test_settings(tmp_path: Path) -> None:
    config = load(tmp_path, "[reader]\nmax_width = 100\n[suggest]\non_open = false\n")
    assert (config.reader_max_width, config.auto_suggest) == (100, False)


# --- errors: file:line: problem --------------------------------------------------------


ERROR_CASES = {
    "toml-syntax": (
        """
        [[schema.entity]]
        key = "PERSON"
        title = "Person  # <- unterminated
        """,
        "# <-",
        "invalid TOML: ",
    ),
    "unknown-layer": (
        """
        [reader]
        max_width = 90

        [[schema.orgs]]  # <-
        key = "X"
        """,
        "# <-",
        "unknown layer 'orgs' (expected entity, figure or topic)",
    ),
    "duplicate-key": (
        """
        [[schema.topic]]
        key = "ports"
        [[schema.topic]]
        key = "rail"
        [[schema.topic]]
        key = "ports"  # <-
        """,
        "# <-",
        "duplicate topic key 'ports' (first at line 2)",
    ),
    "bad-colour": (
        """
        [[schema.entity]]
        key = "SHIP"
        title = "Ship"
        colour = "navy"  # <-
        """,
        "# <-",
        "bad colour 'navy' for SHIP (expected #rrggbb)",
    ),
    "duplicate-hotkey": (
        """
        [[schema.entity]]
        key = "SHIP"
        description = "Vessels"

        [[schema.entity]]
        key = "PLANE"
        hotkey = "2"  # <-
        """,
        "# <-",
        "hotkey '2' is used by both ORG and PLANE",
    ),
    "unknown-parent": (
        """
        [[schema.topic]]
        key = "ports"
        parent = "logistics"  # <-
        """,
        "# <-",
        "unknown parent 'logistics' for topic 'ports'",
    ),
    "unknown-implied-parent": (
        """
        [[schema.topic]]
        title = "Pipelines"
        key = "oil.pipelines"  # <-
        """,
        "# <-",
        "unknown parent 'oil' for topic 'oil.pipelines'",
    ),
    "parent-cycle": (
        """
        [[schema.topic]]
        key = "a"
        parent = "b"  # <-
        [[schema.topic]]
        key = "b"
        parent = "a"
        """,
        "# <-",
        "topic parents form a cycle: a > b > a",
    ),
    "hotkey-on-topic": (
        """
        [[schema.topic]]
        key = "trade"
        hotkey = "t"  # <-
        """,
        "# <-",
        "hotkeys are only for entity labels (topic 'trade')",
    ),
    "unknown-field": (
        """
        [[schema.entity]]
        key = "PERSON"
        hotky = "1"  # <-
        """,
        "# <-",
        "unknown field 'hotky' for entity labels (key, title, colour, hotkey, description, parent)",
    ),
    "entity-figure-clash": (
        """
        [[schema.figure]]
        key = "SHIP"
        [[schema.entity]]
        key = "SHIP"  # <-
        """,
        "# <-",
        "key 'SHIP' is both an entity and a figure label",
    ),
    "bad-mode": (
        """
        [schema]
        mode = "merge"  # <-
        """,
        "# <-",
        "mode must be 'extend' or 'replace', not 'merge'",
    ),
    "unknown-section": (
        """
        [reader]
        max_width = 90
        [theme]  # <-
        name = "dark"
        """,
        "# <-",
        "unknown section [theme] ([schema], [keymap], [reader], [suggest], [check], [train], "
        "[kb], [team] exist)",
    ),
    "bad-width": (
        """
        [reader]
        max_width = "wide"  # <-
        """,
        "# <-",
        "max_width must be a number 40-1000",
    ),
    "single-table-not-a-list": (
        """
        [schema]
        mode = "extend"
        [schema.entity]  # <-
        key = "SHIP"
        """,
        "# <-",
        "schema.entity must be a list of tables ([[schema.entity]])",
    ),
    "bad-key": (
        """
        [[schema.entity]]
        key = "NEWS AGENCY"  # <-
        """,
        "# <-",
        "entity key 'NEWS AGENCY' must be letters, digits, '_' or '-'",
    ),
}


@pytest.mark.parametrize(("text", "marker", "problem"), ERROR_CASES.values(), ids=ERROR_CASES)
def test_errors_name_file_and_line(tmp_path: Path, text: str, marker: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SchemaError) as caught:
        load_config(path, environ={})
    error = caught.value
    assert error.line == line_of(path, marker)
    assert str(error).startswith(f"{path}:{error.line}: {problem}")


def test_inline_tables_still_point_at_the_layer_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [schema]
        mode = "replace"
        entity = [{key = "A", colour = "#zzzzzz"}]  # <-
        """,
    )
    with pytest.raises(SchemaError) as caught:
        load_config(path, environ={})
    assert caught.value.line == line_of(path, "# <-")
    assert "bad colour '#zzzzzz'" in str(caught.value)


def test_team_poll_seconds(tmp_path: Path) -> None:
    path = tmp_path / "redline.toml"
    path.write_text("[team]\npoll_seconds = 0.5\n", "utf-8")
    assert load_config(path).poll_seconds == 0.5
    path.write_text("[team]\npoll_seconds = 0\n", "utf-8")
    with pytest.raises(SchemaError, match=r"redline.toml:2: poll_seconds must be 0.1-600"):
        load_config(path)
