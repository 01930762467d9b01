"""Move a whole matter between a file and a server, either way (``vaughn migrate``).

Every table is copied row for row, ids included, in an order that satisfies the foreign keys,
inside one transaction on the destination: a copy that fails leaves the destination as empty
as it was. The derived tables are not copied but rebuilt by the destination's own triggers as
their sources arrive (the search-code counts from redactions; SQLite's FTS index from page
text; the server's search vectors from page text, computed here as the rows go over). Both ends must be at their latest schema, which opening them ensures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import MatterError
from app.matter import pg_schema
from app.matter.store import Matter
from app.matter.words import tsvector

# Rebuilt by triggers on the destination: copying them would count twice.
DERIVED = frozenset({"search_codes", "page_words"})
BATCH = 2000


def table_order() -> list[str]:
    """The matter's tables in creation order (parents before the tables that refer to them)."""
    names = [n for _, sql in pg_schema.MIGRATIONS for n in re.findall(r"CREATE TABLE (\w+)", sql)]
    return [n for n in names if n not in DERIVED]


@dataclass(frozen=True)
class Moved:
    """How many rows of each table were copied."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def copy_matter(source: Matter, dest: Matter,
                progress: Callable[[str, int], None] | None = None) -> Moved:
    """Copy every row of ``source`` into the empty matter ``dest``."""
    if dest.scalar("SELECT count(*) FROM productions") or dest.scalar(
            "SELECT count(*) FROM audit_log"):
        raise MatterError(f"{dest.location}: already holds a matter; migrate into an empty one")
    counts: dict[str, int] = {}
    with dest.write() as out:
        for table in table_order():
            cols = [r[1] for r in source.conn.execute(f"PRAGMA table_info({table})")]
            want = {r[1] for r in out.execute(f"PRAGMA table_info({table})")}
            cols = [c for c in cols if c in want]
            if table == "settings":
                out.execute("DELETE FROM settings")  # the destination's defaults give way
            sql = (f"INSERT INTO {table}({', '.join(cols)}) "
                   f"VALUES ({', '.join('?' * len(cols))})")
            cur = source.conn.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY 1")
            n = 0
            while rows := cur.fetchmany(BATCH):
                if dest.on_server:
                    _copy_to_server(out, table, cols, rows)
                else:
                    out.executemany(sql, rows)
                n += len(rows)
                if progress:
                    progress(table, n)
            counts[table] = n
        _after_copy(dest)
    return Moved(counts)


def _copy_to_server(out: Any, table: str, cols: list[str], rows: list[Any]) -> None:
    """A batch of rows in one ``COPY`` (tens of times faster than one INSERT a row); page
    text goes with its search vector, and the server's vocabulary trigger counts the batch
    once."""
    if table == "page_text":
        ids, texts = cols.index("page_id"), cols.index("text")
        cols = ["page_id", "text", "tsv"]
        rows = [(r[ids], r[texts], tsvector(r[texts])) for r in rows]
    import psycopg

    from app.matter.server import translate

    try:
        with out.raw.cursor() as cur, cur.copy(
                f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row))
    except psycopg.Error as exc:
        raise translate(exc, out.url) from exc


def _after_copy(dest: Matter) -> None:
    """Identity counters on a server continue after the copied ids."""
    if not dest.on_server:
        return
    for table in table_order():
        if "id" in {r[1] for r in dest.conn.execute(f"PRAGMA table_info({table})")}:
            dest.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
