"""OCR as the window sees it: the queue's counts, how many processes to run, what finished.

The OCR itself runs in a child process (:mod:`app.session.ocr_job`), never in the window's
process: MuPDF's OCR holds the GIL for seconds per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.matter.store import Matter, now_iso
from app.ocr import queue, status
from app.ocr.engine import OcrUnavailable, find_tessdata
from app.review import state
from app.review.state import TreeRow
from app.session.types import PageId


@dataclass(frozen=True)
class OcrState:
    """The OCR queue at one moment: counts by status, why OCR cannot run ("" when it can),
    and the time it was read (pages finished after it are picked up later)."""

    counts: dict[str, int]
    missing: str
    now: str

    @property
    def pending(self) -> int:
        """Pages queued for OCR."""
        return self.counts.get("pending", 0)


def engine_missing() -> str:
    """Why OCR cannot run on this machine ("" when it can)."""
    try:
        find_tessdata()
    except OcrUnavailable as exc:
        return str(exc)
    return ""


def wants_ocr(info: dict[str, Any] | None) -> bool:
    """Whether a page's text came from OCR or should (what re-OCR is offered for)."""
    return status.wants_ocr(info)


class Ocr:
    """The OCR queue of one matter."""

    def __init__(self, matter: Matter) -> None:
        self._matter = matter

    def state(self) -> OcrState:
        """The queue's counts and whether OCR can run."""
        return OcrState(queue.status(self._matter), engine_missing(), now_iso())

    def workers(self) -> int:
        """How many OCR processes a run uses."""
        return queue.get_workers(self._matter)

    def set_workers(self, workers: int) -> int:
        """Remember how many OCR processes to run (from the next run); the number kept."""
        queue.set_workers(self._matter, workers)
        return workers

    def enqueue(self, pages: Iterable[PageId] | None = None) -> int:
        """Queue pages that need OCR (every such page when None); how many were added."""
        return queue.enqueue(self._matter, None if pages is None else list(pages))

    def finished_since(self, since: str, skip: Iterable[PageId] = ()) -> tuple[list[PageId],
                                                                               list[TreeRow]]:
        """Pages whose OCR finished after ``since`` (less ``skip``) and their tree rows."""
        left = set(skip)
        ids = [PageId(p) for p in status.finished_since(self._matter, since) if p not in left]
        return ids, state.tree_rows(self._matter, list(ids)) if ids else []

    def page(self, page: PageId) -> dict[str, Any] | None:
        """A page's OCR record (status, dpi, mode, confidence), None when it has none."""
        return status.page_ocr(self._matter, page)
