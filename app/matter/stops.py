"""Pages whose analysis or OCR was stopped over its budget: recorded, listed, cleared.

A stop is written in the same transaction as the page (or its OCR result), so a page is never
in the matter without its note. ``vaughn pages`` shows the note, ``vaughn check`` counts the
stops, the window's "Needs a human look" filter lists them, and a successful retry of the step
(``vaughn analyze --page``, ``vaughn ocr --redo``) clears its row.
"""

from __future__ import annotations

from typing import Any

from app.matter.store import Matter, now_iso

STEPS = ("analysis", "ocr")


def record_stop(conn: Any, page_id: int, step: str, note: str,
                seconds: float | None = None) -> None:
    """Mark a page's ``step`` as stopped (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO page_stops(page_id, step, note, seconds, stopped_at) VALUES (?,?,?,?,?) "
        "ON CONFLICT(page_id, step) DO UPDATE SET note = excluded.note, "
        "seconds = excluded.seconds, stopped_at = excluded.stopped_at",
        (page_id, step, note, seconds, now_iso()))


def clear_stop(conn: Any, page_id: int, step: str) -> None:
    """The step succeeded on this page: it no longer needs a look for that."""
    conn.execute("DELETE FROM page_stops WHERE page_id = ? AND step = ?", (page_id, step))


def stopped_pages(matter: Matter) -> list[dict[str, Any]]:
    """Every stop, in page order: page id, Bates, file, page index, step, note, seconds."""
    return [dict(r) for r in matter.query(
        "SELECT s.page_id, p.bates, f.path AS file, p.page_index, s.step, s.note, s.seconds, "
        "s.stopped_at FROM page_stops s JOIN pages p ON p.id = s.page_id "
        "JOIN source_files f ON f.id = p.source_file_id ORDER BY s.page_id, s.step")]


def notes_by_page(matter: Matter) -> dict[int, list[str]]:
    """page id -> its stop notes ("analysis stopped after 30 s")."""
    out: dict[int, list[str]] = {}
    for row in matter.query("SELECT page_id, note FROM page_stops ORDER BY page_id, step"):
        out.setdefault(row["page_id"], []).append(row["note"])
    return out
