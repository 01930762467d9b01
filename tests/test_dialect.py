"""The SQLite-to-PostgreSQL statement translation (app/matter/dialect.py): examples and
properties (hypothesis), no server needed."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.matter.dialect import insert_table, to_postgres


def test_examples() -> None:
    assert to_postgres("SELECT id FROM t WHERE a = ? AND b LIKE ?") == \
        "SELECT id FROM t WHERE a = %s AND b ILIKE %s"
    assert to_postgres("SELECT 'what?' , \"x%\" FROM t WHERE c = ?") == \
        "SELECT 'what?' , \"x%%\" FROM t WHERE c = %s"
    assert to_postgres("SELECT name FROM tags WHERE name = ? COLLATE NOCASE") == \
        "SELECT name FROM tags WHERE name = %s "
    assert to_postgres("SELECT IFNULL(a, 0) % 2 FROM t") == "SELECT COALESCE(a, 0) %% 2 FROM t"
    assert to_postgres("SELECT 'it''s ?' FROM t WHERE x NOT LIKE ?") == \
        "SELECT 'it''s ?' FROM t WHERE x NOT ILIKE %s"
    assert to_postgres("SELECT 1 -- why?\nFROM t WHERE a = ?") == "SELECT 1 \nFROM t WHERE a = %s"
    assert to_postgres("BEGIN IMMEDIATE") == "BEGIN"


def test_insert_table() -> None:
    assert insert_table("  INSERT INTO notes(a) VALUES (?)") == "notes"
    assert insert_table("INSERT INTO notes(a) VALUES (?) RETURNING id") is None
    assert insert_table("UPDATE notes SET a = ?") is None


_LITERAL = st.text(alphabet="ab?%' -", max_size=8).map(lambda t: "'" + t.replace("'", "''") + "'")
_CODE = st.text(alphabet="abc =?%(),\n", max_size=12).map(lambda c: f" {c} ")


@given(st.lists(st.tuples(_CODE, _LITERAL), max_size=6), _CODE)
@settings(max_examples=300, deadline=None)
def test_literals_are_kept_and_every_parameter_is_translated(parts, tail) -> None:
    sql = "".join(c + lit for c, lit in parts) + tail
    out = to_postgres(sql)
    code_marks = sum(c.count("?") for c, _ in parts) + tail.count("?")
    assert out.count("%s") - sum(lit.count("%s") for _, lit in parts) >= code_marks
    # psycopg sees no bare % (every literal % doubled) and no ? outside the literals
    literals = re.findall(r"'(?:[^']|'')*'", out)
    outside = re.sub(r"'(?:[^']|'')*'", "", out)
    assert "?" not in outside
    assert re.search(r"(?<!%)%(?![%s])", outside.replace("%%", "")) is None
    assert [lit.replace("%%", "%") for lit in literals] == [lit for _, lit in parts]


def test_a_long_statement_costs_linear_time() -> None:
    import time

    sql = "SELECT " + "a, " * 50_000 + "'x' FROM t WHERE " + " ".join(["b = ?"] * 10_000)
    start = time.perf_counter()
    out = to_postgres(sql)
    assert out.count("%s") == 10_000
    assert time.perf_counter() - start < 5  # a quadratic scan would take minutes
