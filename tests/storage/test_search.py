"""Library search takes ``%``, ``_`` and the escape character literally (issue 18, item 10):
``redline list --search _`` used to return every article. Parameters only, never SQL text."""

from __future__ import annotations

import pytest

from storage import queries
from storage.articles import add_article
from storage.db import Database
from storage.queries import LIKE_ESCAPE, LibraryQuery, like_pattern
from tests.storage.test_repository import Parsed

TITLES = {
    "percent": "Growth of 100% in a year",
    "underscore": "snake_case names",
    "backslash": r"C:\path to nowhere",
    "escape": "Stop! Said the minister",
    "plain": "Plain title about trade",
    "quote": "It's 'quoted'; DROP TABLE article; --",
}


@pytest.fixture
def titled(db: Database) -> dict[str, int]:
    return {
        key: add_article(db, Parsed(f"Body number {index}.", title=title)).article_id
        for index, (key, title) in enumerate(TITLES.items())
    }


def _found(db: Database, search: str) -> set[int]:
    rows = queries.list_articles(db, "ana", LibraryQuery(search=search))
    assert queries.count_articles(db, "ana", search) == len(rows)
    return {row.id for row in rows}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("_", {"underscore"}),
        ("%", {"percent"}),
        ("\\", {"backslash"}),
        (LIKE_ESCAPE, {"escape"}),
        ("0%", {"percent"}),
        ("e_c", {"underscore"}),  # "snake_case": the underscore itself, not any one character
        ("h t", {"backslash"}),
        ("'; drop table", {"quote"}),
        ("trade", {"plain"}),
    ],
)
def test_wildcards_match_only_themselves(
    db: Database, titled: dict[str, int], search: str, expected: set[str]
) -> None:
    assert _found(db, search) == {titled[key] for key in expected}


def test_a_wildcard_in_the_text_is_literal_too(db: Database) -> None:
    """Full-text search (issue 16) indexes words, so ``7%`` is the one-character word "7":
    a title substring (``storage.search``); next to a word, ``%`` and ``_`` only separate."""
    wanted = add_article(db, Parsed("Inflation hit 7% in March.", title="Prices 7%")).article_id
    other = add_article(db, Parsed("Inflation hit 7 points in March.", title="Points 7")).article_id
    assert _found(db, "7%") == {wanted}
    assert _found(db, "7_") == set()
    assert _found(db, "%") == {wanted}
    assert _found(db, "inflation%") == {wanted, other}
    assert _found(db, "_poin") == {other}


def test_like_pattern_escapes_every_special_character() -> None:
    assert like_pattern("a%b_c!d") == "%a!%b!_c!!d%"
    assert like_pattern("plain") == "%plain%"


# Full-text search (issue 16, item 1): the FTS5 index (SQLite) and the tsvector (PostgreSQL)
# find what the LIKE scan found for words and word prefixes, and stay in sync.

CORPUS = [
    ("Trade talks resume", "Ministers met in Astana to discuss trade policy and tariffs."),
    ("Energy prices", "Gas and electricity prices rose nearby, says the regulator."),
    ("Budget 2026", "The budget for 2026 raises spending on schools and hospitals."),
    ("Kallas visits Tallinn", "Kaja Kallas opened the summit; tariffs were not discussed."),
    ("Weather", "Rain and wind across the north; schools closed early."),
    ("Inflation report", "Inflation rates fell to 3.1 per cent in March."),
]
WORDS_AND_PREFIXES = [
    "trade", "TRADE", "tra", "tariffs", "tarif", "schools", "scho", "kallas", "kaja kallas",
    "trade policy", "2026", "budget 2026", "inflation rates", "infl", "rain and wind", "astana",
    "march", "summ", "electricity prices", "nowhere",
]  # fmt: skip


@pytest.fixture
def corpus(db: Database) -> dict[str, int]:
    return {title: add_article(db, Parsed(text, title=title)).article_id for title, text in CORPUS}


def _like_scan(db: Database, search: str) -> set[int]:
    """The library's search before the index: a substring of the title or the text."""
    from sqlalchemy import or_
    from sqlmodel import col, select

    from storage.models import Article

    pattern = like_pattern(search.lower())
    with db.reading() as session:
        rows = session.exec(
            select(Article.id).where(
                or_(
                    func_lower(col(Article.title)).like(pattern, escape=LIKE_ESCAPE),
                    func_lower(col(Article.text)).like(pattern, escape=LIKE_ESCAPE),
                )
            )
        ).all()
    return set(rows)


def func_lower(column):  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    return func.lower(column)


def _fts_integrity(db: Database) -> None:
    """SQLite: FTS5 compares its index with the article rows (raises when out of step)."""
    if db.is_sqlite:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO article_fts(article_fts, rank) VALUES ('integrity-check', 1)"
            )


@pytest.mark.parametrize("search", WORDS_AND_PREFIXES)
def test_index_finds_what_the_like_scan_found(
    db: Database, corpus: dict[str, int], search: str
) -> None:
    from storage.search import uses_index

    assert uses_index(search)
    assert _found(db, search) == _like_scan(db, search)


def test_the_fixture_tells_the_searches_apart(db: Database, corpus: dict[str, int]) -> None:
    """Guards the comparison above against a fixture where everything finds everything."""
    found = {search: frozenset(_found(db, search)) for search in WORDS_AND_PREFIXES}
    assert found["trade"] == {corpus["Trade talks resume"]}
    assert found["tarif"] == {corpus["Trade talks resume"], corpus["Kallas visits Tallinn"]}
    assert found["nowhere"] == set()
    assert len(set(found.values())) >= 8


def test_words_are_prefixes_of_words_in_any_order(db: Database, corpus: dict[str, int]) -> None:
    assert _found(db, "policy trade") == {corpus["Trade talks resume"]}
    assert _found(db, "rade") == set()  # inside a word: not a word prefix
    assert _found(db, "ráin") == set()  # accents count, as they did for LIKE, on both backends
    accented = add_article(db, Parsed("Ráin in Spain.", title="Accents")).article_id
    assert _found(db, "RÁIN") == {accented}
    assert accented not in _found(db, "rain")


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ('"', set()),
        ("*", set()),
        ("-", set()),
        ("(", set()),
        (")", set()),
        ('trade"', {"Trade talks resume"}),
        ('"trade', {"Trade talks resume"}),
        ("tra*", {"Trade talks resume"}),
        ("-trade", {"Trade talks resume"}),  # not "NOT trade"
        ("schools -rain", {"Weather"}),  # both words required, "-" only separates
        ("(trade) OR", set()),  # OR is a word no article starts one with
        ("trade AND", {"Trade talks resume"}),  # "and…" is in its text
        ("NEAR", {"Energy prices"}),  # the word "nearby"
        ("NEAR(trade tariffs)", set()),
        ("title:trade", set()),  # no column filter: "title" is a word
        ("tariffs^", {"Trade talks resume", "Kallas visits Tallinn"}),
        ("%", set()),
        ("_", set()),
        ("a%", set()),  # the title substring "a%", the % literal
        ("a", {"Trade talks resume", "Kallas visits Tallinn", "Weather", "Inflation report"}),
    ],
)
def test_query_syntax_typed_by_a_user_is_never_interpreted(
    db: Database, corpus: dict[str, int], search: str, expected: set[str]
) -> None:
    assert _found(db, search) == {corpus[title] for title in expected}


def test_one_character_or_punctuation_searches_titles_only(
    db: Database, corpus: dict[str, int]
) -> None:
    """``a`` is in nearly every text; titles are what a single character can mean."""
    with_k = {corpus["Kallas visits Tallinn"], corpus["Trade talks resume"]}
    assert _found(db, "k") == with_k
    assert _found(db, "K") == with_k
    assert _found(db, "z") == set()
    assert _found(db, "6") == {corpus["Budget 2026"]}


def test_title_only_searches_the_title(db: Database, corpus: dict[str, int]) -> None:
    rows = queries.list_articles(db, "ana", LibraryQuery(search="tariffs", title_only=True))
    assert rows == []
    rows = queries.list_articles(db, "ana", LibraryQuery(search="kallas tall", title_only=True))
    assert [row.id for row in rows] == [corpus["Kallas visits Tallinn"]]


def test_the_index_follows_updates_and_deletes(db: Database, corpus: dict[str, int]) -> None:
    from storage.models import Article

    weather = corpus["Weather"]
    with db.transaction() as session:
        article = session.get(Article, weather)
        assert article is not None
        article.title = "Forecast"
        article.text = "Snow in the mountains."
    assert _found(db, "snow") == {weather}
    assert _found(db, "rain") == set()
    assert weather not in _found(db, "schools")
    with db.transaction() as session:
        session.delete(session.get(Article, corpus["Trade talks resume"]))
    assert _found(db, "trade") == set()
    assert _found(db, "tariffs") == {corpus["Kallas visits Tallinn"]}
    _fts_integrity(db)


def test_the_index_follows_import_and_its_undo(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from storage.formats import import_annotated
    from storage.repository import Repository
    from tests.formats.test_import_annotated import doccano_line

    path = tmp_path / "day.jsonl"
    texts = ["Kaja Kallas met Murat Nurtleu in Astana.", "Kaja Kallas flew to Brussels."]
    path.write_text("\n".join(doccano_line(text) for text in texts) + "\n")
    import_annotated(db, path, annotator="ana")
    found = _found(db, "nurtleu")
    assert len(found) == 1
    assert len(_found(db, "kaja kal")) == 2
    repo = Repository(db, "ana")
    for article_id in _found(db, "kaja"):  # an import event belongs to its article
        event = repo.undo(article_id)
        assert event is not None and event.action == "import"
        assert queries.spans_for(db, article_id, "ana") == []
    assert _found(db, "nurtleu") == found  # undo takes back the labels; the articles stay
    assert len(_found(db, "kaja kallas")) == 2
    _fts_integrity(db)
    import_annotated(db, path, annotator="ana")  # the same texts again: nothing new to index
    assert len(_found(db, "kaja")) == 2
    _fts_integrity(db)


def test_corpus_occurrences_take_like_wildcards_literally(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only articles holding the phrase itself are scanned in Python: ``7_`` used to
    match every "7x" in the database's LIKE and send each article to the scan."""
    import storage.occurrences as occurrences

    wanted = add_article(db, Parsed("Code 7_ is literal.", title="Literal")).article_id
    for index in range(5):
        add_article(db, Parsed(f"Code 7{index} is not it.", title=f"Other {index}"))
    scanned: list[str] = []
    find = occurrences.find_occurrences

    def counting(text: str, phrase: str) -> list[tuple[int, int]]:
        scanned.append(text)
        return find(text, phrase)

    monkeypatch.setattr(occurrences, "find_occurrences", counting)
    assert list(occurrences.corpus_occurrences(db, "7_")) == [(wanted, [(5, 7)])]
    assert scanned == ["Code 7_ is literal."]
    scanned.clear()
    assert list(occurrences.corpus_occurrences(db, "%")) == []
    assert scanned == []


def test_rank_sort_puts_the_best_match_first(db: Database, corpus: dict[str, int]) -> None:
    best = add_article(db, Parsed("Tariffs, tariffs and more tariffs.", title="Tariffs")).article_id
    by_id = queries.list_articles(db, "ana", LibraryQuery(search="tariffs"))
    ranked = queries.list_articles(db, "ana", LibraryQuery(search="tariffs", sort="rank"))
    assert [row.id for row in by_id] == sorted(row.id for row in by_id)
    assert by_id[0].id != best and ranked[0].id == best
    assert {row.id for row in ranked} == {row.id for row in by_id}
    plain = queries.list_articles(db, "ana", LibraryQuery(sort="rank"))  # no search: by id
    assert [row.id for row in plain] == [*sorted(corpus.values()), best]


def test_longer_prefix_indexes_keep_the_index_in_step(db: Database, corpus: dict[str, int]) -> None:
    """Migration 0006 makes SQLite's FTS5 table again with prefixes of 4 and 5 characters
    (rebuilt from the articles); down to 0005 and up again, searches find the same."""
    from alembic import command

    from storage.migrations import HEAD_REVISION
    from storage.migrations.runner import alembic_config

    before = {search: _found(db, search) for search in WORDS_AND_PREFIXES}
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005_announcement")
    assert {search: _found(db, search) for search in WORDS_AND_PREFIXES} == before
    assert db.migrate() == ("0005_announcement", HEAD_REVISION)
    _fts_integrity(db)
    assert {search: _found(db, search) for search in WORDS_AND_PREFIXES} == before
    if db.is_sqlite:
        with db.engine.connect() as connection:
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'article_fts'"
            ).scalar_one()
        assert "prefix='1 2 3 4 5'" in sql
