"""The OCR state the review window shows: one page's OCR, pages finished lately, the queue.

Read-only helpers over the ``ocr_queue`` table (see :mod:`app.ocr.queue`) for the window's
status-bar indicator, its page context menu and the background OCR process. No Qt.
"""

from __future__ import annotations

from typing import Any

from app.matter.store import Matter


def pending_pages(matter: Matter) -> list[int]:
    """Ids of the pages waiting in the OCR queue, in page order."""
    return [r[0] for r in matter.conn.execute(
        "SELECT page_id FROM ocr_queue WHERE status = 'pending' ORDER BY page_id")]


def finished_since(matter: Matter, since: str) -> list[int]:
    """Ids of the queued pages that finished (done or failed) at or after ``since`` (ISO UTC)."""
    return [r[0] for r in matter.conn.execute(
        "SELECT page_id FROM ocr_queue WHERE status != 'pending' AND done_at >= ? "
        "ORDER BY page_id", (since,))]


def page_ocr(matter: Matter, page_id: int) -> dict[str, Any] | None:
    """One page's OCR: text_source, needs_ocr, ocr_confidence and its queue row's status, dpi
    and mode (None when it was never queued); None when there is no such page."""
    rows = matter.query(
        "SELECT p.text_source, p.needs_ocr, p.ocr_confidence, q.status, q.dpi, q.mode "
        "FROM pages p LEFT JOIN ocr_queue q ON q.page_id = p.id WHERE p.id = ?", (page_id,))
    return dict(rows[0]) if rows else None


def wants_ocr(info: dict[str, Any] | None) -> bool:
    """Whether a page (as :func:`page_ocr` gives it) has OCR text or should have: re-OCR fits."""
    return info is not None and (info["text_source"] == "ocr" or bool(info["needs_ocr"])
                                 or info["status"] is not None)
