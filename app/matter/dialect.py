"""The SQL the core writes (SQLite's dialect), as PostgreSQL reads it.

The core's statements are written once, for SQLite, and kept to what both servers share
(``ON CONFLICT``, ``RETURNING``, ``COALESCE``...). What still differs is translated here, one
statement at a time, outside string literals and quoted names only:

- ``?`` parameters become psycopg's ``%s``, and a literal ``%`` becomes ``%%``;
- ``COLLATE NOCASE`` is dropped (those columns are ``citext`` on the server);
- ``LIKE`` becomes ``ILIKE`` (SQLite's LIKE ignores ASCII case; PostgreSQL's does not);
- ``IFNULL(`` becomes ``COALESCE(``; ``BEGIN IMMEDIATE`` becomes ``BEGIN``.

The scan is one pass over the text and the patterns have no nested quantifiers, so a statement
costs time linear in its length. Translations are cached (the core has a few hundred shapes).
"""

from __future__ import annotations

import functools
import re

_WORDS = [
    (re.compile(r"\bCOLLATE\s+NOCASE\b", re.IGNORECASE), ""),
    (re.compile(r"\bLIKE\b", re.IGNORECASE), "ILIKE"),
    (re.compile(r"\bIFNULL\s*\(", re.IGNORECASE), "COALESCE("),
    (re.compile(r"^BEGIN\s+(IMMEDIATE|DEFERRED|EXCLUSIVE)\b", re.IGNORECASE), "BEGIN"),
]


def _code(segment: str) -> str:
    segment = segment.replace("%", "%%").replace("?", "%s")
    for pattern, repl in _WORDS:
        segment = pattern.sub(repl, segment)
    return segment


@functools.lru_cache(maxsize=4096)
def to_postgres(sql: str) -> str:
    """``sql`` in PostgreSQL's dialect with psycopg's ``%s`` parameters."""
    out: list[str] = []
    code_start = 0
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            out.append(_code(sql[code_start:i]))
            end = i + 1
            while end < n:  # a doubled quote inside the literal is an escaped one
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i:end + 1].replace("%", "%%"))
            i = code_start = end + 1
        elif ch == "-" and sql.startswith("--", i):
            out.append(_code(sql[code_start:i]))
            end = sql.find("\n", i)
            end = n if end < 0 else end
            i = code_start = end
        else:
            i += 1
    out.append(_code(sql[code_start:]))
    return "".join(out)


_INSERT = re.compile(r"INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


def insert_table(sql: str) -> str | None:
    """The table an ``INSERT`` without ``RETURNING`` writes to (None for any other statement)."""
    match = _INSERT.match(sql.lstrip())
    if match is None or _RETURNING.search(sql):
        return None
    return match.group(1).lower()
