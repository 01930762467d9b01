"""The server's full-text pieces that need no server: FTS5 expressions to tsquery, the search
vector of a page, marks and snippets cut from page text (app.search.text_index, words)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import QueryError
from app.matter import words
from app.search.text_index import mark, parse_expression, phrases_of, snippet, to_tsquery


@pytest.mark.parametrize(("expr", "tsquery"), [
    ('"memo"', "'memo'"),
    ('"draft memo"', "('draft' <-> 'memo')"),
    ('"draft mem" *', "('draft' <-> 'mem':*)"),
    ('("a" AND "b")', "('a' & 'b')"),
    ('("a" OR "b" OR "c")', "('a' | 'b' | 'c')"),
    ('("a" NOT "b")', "('a' & !'b')"),
    ('"a" "b"', "('a' & 'b')"),
    ('NEAR("a" "b", 1)', "('a' <1> 'b' | 'a' <2> 'b' | 'b' <1> 'a' | 'b' <2> 'a')"),
    ('(NEAR("a" "b", 0) OR "c")', "(('a' <1> 'b' | 'b' <1> 'a') | 'c')"),
    ('NEAR("a" "b" "c", 2)', "('a' & 'b' & 'c')"),
    ('ONEAR("a b" "c", 1)', "(('a' <-> 'b') <1> 'c' | ('a' <-> 'b') <2> 'c')"),
    ('SNEAR("a" "b", 2)', "('a' <1> 'b' | 'a' <2> 'b' | 'a' <3> 'b' | 'b' <1> 'a')"),
    ('SNEAR("a" "b", 0)', "('a' <1> 'b')"),
    ('NEAR("a" "b", 99)', "('a' & 'b')"),
    ('""', "'\u2205'"),
])
def test_expressions_become_tsqueries(expr: str, tsquery: str) -> None:
    assert to_tsquery(expr) == tsquery


@pytest.mark.parametrize("bad", ['("a"', 'NEAR "a"', '"a" )', "AND"])
def test_a_malformed_expression_is_a_query_error(bad: str) -> None:
    with pytest.raises(QueryError):
        parse_expression(bad)


def test_excluded_words_are_not_hits_to_show() -> None:
    assert [p.tokens for p in phrases_of('(("a b" OR "c") NOT "d")')] == [("a", "b"), ("c",)]


def test_the_vector_keeps_positions_folds_and_caps() -> None:
    assert words.tsvector("Café café, the CAFE") == "'cafe':1,2,4 'the':3"
    long = " ".join(["word"] * 300 + ["late"])
    vec = words.tsvector(long)
    assert vec.count(",") == words.MAX_POSITIONS - 1 and "'late':301" in vec
    assert "'x':" not in words.tsvector("y " * words.MAX_POSITION + "x")
    assert words.quote("it's") == "'it''s'"


def test_marks_and_snippets_come_from_the_page_text() -> None:
    text = "Operation Falcon Ridge arrests in Houston. John Doe was detained."
    phrases = phrases_of('("john doe" OR "falc" *)')
    assert mark(text, phrases) == ("Operation \x01Falcon\x02 Ridge arrests in Houston. "
                                   "\x01John Doe\x02 was detained.")
    assert snippet(text, phrases) == ("Operation «Falcon» Ridge arrests in Houston. «John» "
                                      "«Doe» was detained.")
    many = " ".join(f"w{i}" for i in range(40)) + " needle " + " ".join("x" * 40)
    cut = snippet(many, phrases_of('"needle"'), words=6)
    assert cut.startswith("…") and cut.endswith("…") and "«needle»" in cut
    assert len(cut.split()) == 6


@given(st.text(st.characters(blacklist_characters="\x01\x02"), max_size=200))
def test_any_text_marks_without_losing_a_character(text: str) -> None:
    phrases = phrases_of('("a" OR "b c" OR "d" *)')
    assert mark(text, phrases).replace("\x01", "").replace("\x02", "") == text
