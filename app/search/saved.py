"""Saved searches (named queries with live hit counts) and the search history of a matter.

Both live in the matter file (migration 0004_search), so they travel with the review. A query
is parsed before it is saved: a saved search that cannot run is refused with the QueryError.
Counts are computed on request (``saved_searches(matter, counts=True)``), never stored, so they
are always those of the matter as it is now.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from app.errors import MatterError, QueryError, VaughnError
from app.matter.store import Matter, now_iso
from app.search.query import parse

HISTORY_KEEP = 500
MAX_NAME = 200


class SavedSearchError(VaughnError):
    """A saved search cannot be stored, renamed or found."""


@dataclass(frozen=True)
class SavedSearch:
    """A named query; ``count`` (and ``error`` when it no longer runs) when asked for."""

    id: int
    name: str
    query: str
    ocr_tolerant: bool
    created_at: str
    updated_at: str
    count: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    """One query the reviewer ran, newest first in :func:`history`."""

    query: str
    ocr_tolerant: bool
    total: int | None
    at: str


def _name(name: str) -> str:
    clean = " ".join(str(name).split())
    if not clean:
        raise SavedSearchError("a saved search needs a name")
    if len(clean) > MAX_NAME:
        raise SavedSearchError(f"a saved search name is at most {MAX_NAME} characters")
    return clean


def _row(r: dict[str, Any]) -> SavedSearch:
    return SavedSearch(r["id"], r["name"], r["query"], bool(r["ocr_tolerant"]), r["created_at"],
                       r["updated_at"])


def save_search(matter: Matter, name: str, query: str, *, ocr_tolerant: bool = False,
                overwrite: bool = True) -> SavedSearch:
    """Store ``query`` under ``name`` (replacing a search of that name unless not ``overwrite``).

    Raises QueryError when the query cannot be parsed, SavedSearchError for a bad name or, with
    ``overwrite=False``, a name already taken (names ignore case).
    """
    clean = _name(name)
    parse(query)
    now = now_iso()
    with matter.write() as conn:
        old = conn.execute("SELECT id FROM saved_searches WHERE name = ?", (clean,)).fetchone()
        if old and not overwrite:
            raise SavedSearchError(f"a saved search named {clean!r} exists already")
        if old:
            conn.execute("UPDATE saved_searches SET name = ?, query = ?, ocr_tolerant = ?, "
                         "updated_at = ? WHERE id = ?", (clean, query, int(ocr_tolerant), now,
                                                         old[0]))
        else:
            conn.execute("INSERT INTO saved_searches(name, query, ocr_tolerant, created_at, "
                         "updated_at) VALUES (?, ?, ?, ?, ?)",
                         (clean, query, int(ocr_tolerant), now, now))
    found = get_saved_search(matter, clean)
    assert found is not None
    return found


def get_saved_search(matter: Matter, name: str) -> SavedSearch | None:
    """The saved search called ``name`` (ignoring case), or None."""
    rows = matter.query("SELECT * FROM saved_searches WHERE name = ?", (" ".join(name.split()),))
    return _row(rows[0]) if rows else None


def saved_searches(matter: Matter, *, counts: bool = False) -> list[SavedSearch]:
    """Every saved search by name; with ``counts``, each with its live hit count (or error)."""
    from app.search.index import count

    out = [_row(r) for r in matter.query(
        "SELECT * FROM saved_searches ORDER BY name COLLATE NOCASE")]
    if not counts:
        return out
    counted = []
    for s in out:
        try:
            counted.append(replace(s, count=count(matter, s.query, ocr_tolerant=s.ocr_tolerant)))
        except QueryError as exc:
            counted.append(replace(s, error=exc.message))
        except MatterError as exc:  # no full-text search here (a shared matter, for now)
            counted.append(replace(s, error=str(exc)))
    return counted


def rename_saved_search(matter: Matter, old: str, new: str) -> SavedSearch:
    """Give a saved search another name (SavedSearchError if missing or the name is taken)."""
    clean = _name(new)
    with matter.write() as conn:
        row = conn.execute("SELECT id FROM saved_searches WHERE name = ?",
                           (" ".join(old.split()),)).fetchone()
        if row is None:
            raise SavedSearchError(f"no saved search named {old!r}")
        clash = conn.execute("SELECT id FROM saved_searches WHERE name = ? AND id != ?",
                             (clean, row[0])).fetchone()
        if clash:
            raise SavedSearchError(f"a saved search named {clean!r} exists already")
        conn.execute("UPDATE saved_searches SET name = ?, updated_at = ? WHERE id = ?",
                     (clean, now_iso(), row[0]))
    found = get_saved_search(matter, clean)
    assert found is not None
    return found


def delete_saved_search(matter: Matter, name: str) -> bool:
    """Delete the saved search called ``name``; False when there was none."""
    with matter.write() as conn:
        cur = conn.execute("DELETE FROM saved_searches WHERE name = ?", (" ".join(name.split()),))
    return cur.rowcount > 0


def record_history(matter: Matter, query: str, total: int | None = None, *,
                   ocr_tolerant: bool = False) -> None:
    """Remember a query the reviewer ran (the same query twice in a row is kept once)."""
    if not query.strip() or matter.read_only:
        return
    with matter.write() as conn:
        last = conn.execute("SELECT id, query, ocr_tolerant FROM search_history "
                            "ORDER BY id DESC LIMIT 1").fetchone()
        if last and last[1] == query and bool(last[2]) == ocr_tolerant:
            conn.execute("UPDATE search_history SET total = ?, at = ? WHERE id = ?",
                         (total, now_iso(), last[0]))
        else:
            conn.execute("INSERT INTO search_history(query, ocr_tolerant, total, at) "
                         "VALUES (?, ?, ?, ?)", (query, int(ocr_tolerant), total, now_iso()))
        conn.execute("DELETE FROM search_history WHERE id <= "
                     "(SELECT max(id) FROM search_history) - ?", (HISTORY_KEEP,))


def history(matter: Matter, limit: int = 50) -> list[HistoryEntry]:
    """Recent distinct queries, newest first."""
    rows = matter.conn.execute(
        "SELECT query, ocr_tolerant, total, at FROM search_history h WHERE id = "
        "(SELECT max(id) FROM search_history h2 WHERE h2.query = h.query "
        "AND h2.ocr_tolerant = h.ocr_tolerant) ORDER BY id DESC LIMIT ?", (limit,))
    return [HistoryEntry(q, bool(o), t, a) for q, o, t, a in rows]


def clear_history(matter: Matter) -> None:
    """Forget every query in the history."""
    with matter.write() as conn:
        conn.execute("DELETE FROM search_history")
