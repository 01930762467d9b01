"""Pages whose analysis or OCR was stopped over its budget: recorded, listed, cleared.

A stop is written in the same transaction as the page (or its OCR result), so a page is never
in the matter without its note. ``vaughn pages`` shows the note, ``vaughn check`` counts the
stops, the window's "Needs a human look" filter lists them, and a successful retry of the step
(``vaughn analyze --page``, ``vaughn ocr --redo``) clears its row.

A stamp label that is there but whose code could not be read (``redactions.label_place =
'illegible'``) also puts its page on that list, with a note (:func:`illegible_labels`); it
leaves the list when a re-read (OCR again, or the reviewer's own codes) gives the box a code.
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


ILLEGIBLE_SQL = ("SELECT r.page_id, count(*) AS n FROM redactions r WHERE r.label_place = "
                 "'illegible' AND r.exemptions_reviewed IS NULL GROUP BY r.page_id")


def illegible_note(n: int) -> str:
    return f"{n} stamp code{'s' if n != 1 else ''} not legible"


def illegible_labels(matter: Matter) -> list[dict[str, Any]]:
    """Pages with stamp labels whose codes could not be read (and no reviewer's codes yet):
    page id, Bates, file, page index, count, in page order."""
    return [dict(r) for r in matter.query(
        "SELECT i.page_id, p.bates, f.path AS file, p.page_index, i.n FROM (" + ILLEGIBLE_SQL +
        ") i JOIN pages p ON p.id = i.page_id JOIN source_files f ON f.id = p.source_file_id "
        "ORDER BY i.page_id")]


def notes_by_page(matter: Matter, page_id: int | None = None) -> dict[int, list[str]]:
    """page id -> why it needs a human look ("analysis stopped after 30 s", "2 stamp codes
    not legible"); only that page's when ``page_id`` is given."""
    out: dict[int, list[str]] = {}
    one = "" if page_id is None else " WHERE page_id = ?"
    params: tuple[int, ...] = () if page_id is None else (page_id,)
    for row in matter.query("SELECT page_id, note FROM page_stops" + one +
                            " ORDER BY page_id, step", params):
        out.setdefault(row["page_id"], []).append(row["note"])
    for row in matter.query("SELECT * FROM (" + ILLEGIBLE_SQL + ") AS illegible" + one, params):
        out.setdefault(row["page_id"], []).append(illegible_note(row["n"]))
    return out
