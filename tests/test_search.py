"""Full-text search: phrase recall and precision against the answer key, hostile queries."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import QueryError
from app.ingest.pipeline import ingest
from app.matter.store import Matter
from app.search.index import search
from app.search.query import to_fts
from tests.conftest import truth_pages

_TOKEN = re.compile(r"[^\W_]+")


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _holds(tokens: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(tokens[i : i + n] == phrase for i in range(len(tokens) - n + 1))


def test_phrase_search_matches_the_answer_key(matter: Matter, pdf_production) -> None:
    folder, truth = pdf_production
    ingest(matter, [folder])
    text_pages = [p for p in truth_pages(truth) if not p["scanned"]]
    page_tokens = {p["bates"]: _tokens(p["visible_text"]) for p in text_pages}
    rng = random.Random(1)
    checked = 0
    for _ in range(40):
        page = rng.choice(text_pages)
        tokens = page_tokens[page["bates"]]
        if len(tokens) < 8:
            continue
        start = rng.randrange(len(tokens) - 4)
        phrase = tokens[start : start + rng.randint(2, 4)]
        expected = {b for b, toks in page_tokens.items() if _holds(toks, phrase)}
        results = search(matter, '"' + " ".join(phrase) + '"', limit=10_000)
        got = {h.bates for h in results.hits if h.bates in page_tokens}
        assert got == expected, phrase
        checked += 1
    assert checked >= 30


def test_boolean_prefix_and_snippets(matter: Matter, tmp_path) -> None:
    import pymupdf

    doc = pymupdf.open()
    for text in ("Operation Falcon Ridge arrests", "Operation Iron Gate removals",
                 "Residence surveillance report", "José Hernández interview"):
        doc.new_page().insert_text((72, 100), text)
    doc.save(tmp_path / "s.pdf")
    ingest(matter, [tmp_path / "s.pdf"])

    def pages_for(q: str) -> list[int]:
        return [h.page_index for h in search(matter, q, limit=50).hits]

    assert pages_for("operation") == [0, 1]
    assert pages_for("operation NOT falcon") == [1]
    assert pages_for("falcon OR residence") == [0, 2]
    assert pages_for("operation AND (gate OR ridge)") == [0, 1]
    assert pages_for("res*") == [2]  # the typed prefix, not a stem of it
    assert pages_for("jose hernandez") == [3]  # diacritics folded
    hit = search(matter, "falcon").hits[0]
    assert "«Falcon»" in hit.snippet
    assert search(matter, "falcon").total == 1


@pytest.mark.parametrize("query", ['"unclosed', "(a OR b", "a OR", "NOT a", "a AND", ")", "()",
                                   "AND", '""', "***", "NEAR(", "text:foo", "a OR OR b"])
def test_hostile_queries_give_clear_errors_or_run(matter: Matter, query: str) -> None:
    try:
        search(matter, query)
    except QueryError as exc:
        assert 0 <= exc.position <= len(query)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*'ab "()*-:^{}+', " AND ", " OR ", " NOT ", "NEAR", "é"]),
                max_size=20).map("".join))
def test_any_input_parses_or_raises_query_error(query: str) -> None:
    import sqlite3

    try:
        expression = to_fts(query)
    except QueryError:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    db.execute("INSERT INTO t VALUES ('a b ab')")
    db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()
