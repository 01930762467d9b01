"""Importing an agency's Vaughn index into a matter, in versions, and what changed between them.

:func:`import_index` reads the file (any format of :mod:`app.vaughn_index.parse`), stores a
new version of the index (a revised index of the same production is version 2, 3, ...; every
version is kept) with its entries, and reconciles it with the production, all in ONE
transaction: a file that cannot be read or mapped leaves nothing behind.
:func:`version_changes` lists the entries added, removed and changed since the version before.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import VaughnError
from app.matter.store import Matter, now_iso
from app.vaughn_index.parse import Entry, Table, entries_from_table, read_table

# Fields compared between versions (vaughn_entries columns).
COMPARED = ("exemptions", "justification", "description", "doc_date", "page_count",
            "pages_released", "pages_withheld_in_part", "pages_withheld_in_full",
            "disposition")


@dataclass(frozen=True)
class ImportResult:
    """What one import stored."""

    index_id: int
    version: int
    file_name: str
    production: str | None
    entries: int
    findings: int
    columns: dict[str, str]
    changes: dict[str, Any] = field(default_factory=dict)
    skipped_tables: int = 0  # later tables whose columns differ from the index's (not read)


def production_id(matter: Matter, name: str | None) -> int | None:
    """The id of production ``name`` (None for the whole matter); VaughnError when unknown."""
    if name is None:
        return None
    pid = matter.scalar("SELECT id FROM productions WHERE name = ? ORDER BY tranche LIMIT 1",
                        (name,))
    if pid is None:
        names = [r[0] for r in matter.conn.execute("SELECT name FROM productions ORDER BY "
                                                   "tranche")]
        raise VaughnError(f"no production named {name!r} in the matter "
                          f"(productions: {', '.join(names) or 'none'})")
    return int(pid)


def _entry_row(index_id: int, entry: Entry) -> dict[str, Any]:
    ranges = entry.ranges
    return {
        "index_id": index_id,
        "row": entry.row,
        "item": entry.cells.get("item", ""),
        "bates": entry.cells.get("bates", ""),
        "bates_first": ranges[0].first if ranges else None,
        "bates_last": ranges[-1].last if ranges else None,
        "ranges": json.dumps([r.as_dict() for r in ranges]),
        "doc_date": entry.cells.get("date", ""),
        "description": entry.cells.get("description", ""),
        "exemptions": json.dumps(entry.exemptions),
        "justification": entry.cells.get("justification", ""),
        "page_count": entry.number("pages"),
        "pages_released": entry.number("pages_released"),
        "pages_withheld_in_part": entry.number("pages_withheld_in_part"),
        "pages_withheld_in_full": entry.number("pages_withheld_in_full"),
        "disposition": entry.disposition,
        "cells": json.dumps(entry.cells, ensure_ascii=False),
    }


def import_index(matter: Matter, path: str | Path, *, production: str | None = None,
                 mapping: dict[str, int] | None = None, reviewer: str = "",
                 table: Table | None = None) -> ImportResult:
    """Store the index at ``path`` as a new version and reconcile it; one transaction.

    ``mapping`` (field -> column) is the one a reviewer confirmed; guessed from the headers
    when None. Raises VaughnError naming what is missing when the file is not an index.
    """
    from app.vaughn_index.reconcile import reconcile_index

    path = Path(path)
    table = table or read_table(path)
    entries = entries_from_table(table, mapping)
    if not entries:
        raise VaughnError(f"{path.name}: the table has a header row but no entries")
    if mapping is None:
        from app.vaughn_index.columns import require_columns

        mapping = require_columns(table.headers, table.source)
    columns = {f: table.headers[i] if i < len(table.headers) else "" for f, i in
               mapping.items()}
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    prod_id = production_id(matter, production)
    with matter.write() as conn:
        version = 1 + int(conn.execute(
            "SELECT coalesce(max(version), 0) FROM vaughn_indexes WHERE production_id IS ?",
            (prod_id,)).fetchone()[0])
        cur = conn.execute(
            "INSERT INTO vaughn_indexes(production_id, version, file_name, sha256, file_format, "
            "columns, imported_at, reviewer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (prod_id, version, path.name, digest, table.file_format,
             json.dumps(columns, ensure_ascii=False), now_iso(), reviewer))
        index_id = int(cur.lastrowid or 0)
        rows = [_entry_row(index_id, e) for e in entries]
        cols = list(rows[0])
        conn.executemany(
            f"INSERT INTO vaughn_entries({', '.join(cols)}) VALUES "
            f"({', '.join('?' * len(cols))})", [list(r.values()) for r in rows])
        findings = reconcile_index(matter, index_id)
        changes = version_changes(matter, index_id)
    return ImportResult(index_id, version, path.name, production, len(entries), findings,
                        columns, changes, table.skipped_tables)


def indexes(matter: Matter) -> list[dict[str, Any]]:
    """Every imported version, newest first, with its entry and finding counts."""
    rows = matter.query(
        "SELECT i.id, i.version, i.file_name, i.file_format, i.imported_at, i.sha256, "
        "pr.name AS production, (SELECT count(*) FROM vaughn_entries e WHERE e.index_id = i.id) "
        "AS entries, (SELECT count(*) FROM vaughn_findings f WHERE f.index_id = i.id) AS "
        "findings, i.production_id FROM vaughn_indexes i LEFT JOIN productions pr ON pr.id = "
        "i.production_id ORDER BY i.id DESC")
    current = set(current_index_ids(matter))
    return [{**dict(r), "current": r["id"] in current} for r in rows]


def current_index_ids(matter: Matter) -> list[int]:
    """The newest version of each index (one per production, one for the whole matter)."""
    return [int(r[0]) for r in matter.conn.execute(
        "SELECT max(id) FROM vaughn_indexes GROUP BY production_id ORDER BY 1")]


def _entry_key(row: dict[str, Any]) -> str:
    ranges = json.loads(row["ranges"] or "[]")
    if ranges:
        return ";".join(f"{r['prefix']}{r['start']}-{r['end']}" for r in ranges)
    return f"item:{row['item']}" if row["item"] else f"row:{row['row']}"


def version_changes(matter: Matter, index_id: int) -> dict[str, Any]:
    """Entries added, removed and changed (field: [before, after]) since the previous version.

    Entries are matched by their Bates ranges (else item number, else row). Empty lists when
    this is the first version.
    """
    info = matter.query("SELECT production_id, version FROM vaughn_indexes WHERE id = ?",
                        (index_id,))
    if not info:
        raise VaughnError(f"no Vaughn index version {index_id}")
    prev = matter.scalar("SELECT id FROM vaughn_indexes WHERE production_id IS ? AND "
                         "version < ? ORDER BY version DESC LIMIT 1",
                         (info[0]["production_id"], info[0]["version"]))
    out: dict[str, Any] = {"previous_index_id": prev, "added": [], "removed": [],
                           "changed": []}
    if prev is None:
        return out
    cols = "row, item, bates, ranges, " + ", ".join(COMPARED)
    old = {_entry_key(r): r for r in matter.query(
        f"SELECT {cols} FROM vaughn_entries WHERE index_id = ? ORDER BY row", (prev,))}
    new = {_entry_key(r): r for r in matter.query(
        f"SELECT {cols} FROM vaughn_entries WHERE index_id = ? ORDER BY row", (index_id,))}
    out["added"] = [new[k]["bates"] or new[k]["item"] for k in new if k not in old]
    out["removed"] = [old[k]["bates"] or old[k]["item"] for k in old if k not in new]
    for k, row in new.items():
        if k not in old:
            continue
        diff = {f: [old[k][f], row[f]] for f in COMPARED if old[k][f] != row[f]}
        if diff:
            out["changed"].append({"bates": row["bates"] or row["item"], "fields": diff})
    return out


def entry_rows(matter: Matter, index_ids: list[int]) -> list[dict[str, Any]]:
    """The entries of these index versions in order, each with its page count, first page and
    number of findings (the index view's table)."""
    if not index_ids:
        return []
    marks = ",".join("?" * len(index_ids))
    return [{**dict(r), "exemptions": json.loads(r["exemptions"] or "[]")} for r in matter.query(
        "SELECT e.id, e.row, e.item, e.bates, e.exemptions, (SELECT count(*) FROM "
        "vaughn_entry_pages ep WHERE ep.entry_id = e.id) AS pages, (SELECT min(page_id) "
        "FROM vaughn_entry_pages ep WHERE ep.entry_id = e.id) AS first_page, (SELECT "
        "count(*) FROM vaughn_findings f WHERE f.entry_id = e.id) AS findings FROM "
        f"vaughn_entries e WHERE e.index_id IN ({marks}) ORDER BY e.index_id, e.row",
        index_ids)]


def production_names(matter: Matter) -> list[str]:
    """The matter's productions by name, in tranche order (what an index may be tied to)."""
    return [r[0] for r in matter.conn.execute("SELECT name FROM productions ORDER BY tranche")]
