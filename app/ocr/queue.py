"""The OCR queue of a matter: which pages wait, running it in background processes, resuming.

State lives in the matter (migration ``0003_ocr``): ``ocr_queue`` has one row per page to OCR
(``pending`` -> ``done`` or ``failed``), ``ocr_words`` keeps every OCR word with its box in
unrotated PDF points, ``pages.ocr_confidence`` the page's score. Each page's result is written
in its own transaction together with its queue row turning ``done``, so a crash or Cancel loses
only the pages in flight and a restart (:func:`run_ocr` again) resumes with the rest.

Who is queued (:func:`enqueue`):
- ``no_text``: pages ingest marked ``needs_ocr`` (scans, images without a text layer). OCR text
  replaces the page text (``text_source='ocr'``); a digital Bates stamp on the scan is kept once.
- ``garbage``: PDF text layers that are mostly not words (:func:`app.ocr.quality.is_garbage_text`);
  OCR replaces them, keeping the Bates line.
- ``stamps``: load-file TIFF pages whose text came from the volume's TEXT files and that show
  redaction boxes. The load-file text stays the searchable text (the producer's extracted text
  is better than OCR of a 1-bit TIFF); OCR reads the stamps on the boxes and keeps word boxes.

OCR runs in ``workers`` processes (spawned, ``OMP_THREAD_LIMIT=1`` each); the calling thread,
which owns the matter, writes results. The window drives it with :class:`OcrControl` (pause,
resume, cancel) and a progress callback; ``vaughn ocr`` shows a bar.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any, cast

from app.matter.stops import clear_stop, record_stop
from app.matter.store import Matter, now_iso
from app.matter.words import store_page_text
from app.ocr.engine import DEFAULT_DPI, MODES, find_tessdata, limit_threads
from app.ocr.page import Job, PageResult, run_job
from app.ocr.quality import LOW_CONFIDENCE, is_garbage_text
from app.pagework import Died, PagePool, Stopped, budget_for
from app.progress import CancelToken, ProgressFn, no_progress

WORKERS_SETTING = "ocr.workers"
CHECKED_SETTING = "ocr.checked_through"  # highest page id tested for a garbage text layer
MAX_ATTEMPTS = 2  # a page whose worker died this many times is marked failed


class OcrControl:
    """Pause, resume and cancel a running :func:`run_ocr` from another thread."""

    def __init__(self, cancel: CancelToken | None = None) -> None:
        self.cancel_token = cancel or CancelToken()
        self._running = threading.Event()
        self._running.set()

    def pause(self) -> None:
        """Start no new page; pages in flight finish and are saved."""
        self._running.clear()

    def resume(self) -> None:
        """Start pages again after :meth:`pause`."""
        self._running.set()

    def cancel(self) -> None:
        """Stop: pages in flight are abandoned (they stay queued), the run raises Cancelled."""
        self.cancel_token.cancel()
        self._running.set()

    @property
    def paused(self) -> bool:
        """Whether :meth:`pause` is in effect."""
        return not self._running.is_set()

    def holding(self) -> None:
        """Called by the run once it is paused with no page in flight (a hook; no-op here)."""


@dataclass
class OcrSummary:
    """What one run did."""

    done: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    low_confidence: int = 0
    stopped: int = 0  # pages over their budget (also in ``failed``)
    seconds: float = 0.0
    records_changed: int = 0  # records found again once the scans had text (app/documents)

    def __str__(self) -> str:
        text = f"{self.done} pages OCRed"
        if self.low_confidence:
            text += f", {self.low_confidence} need a human look (low OCR confidence)"
        if self.stopped:
            text += f", {self.stopped} stopped over the time budget (need a human look)"
        if len(self.failed) > self.stopped:
            text += f", {len(self.failed) - self.stopped} failed"
        if self.records_changed:
            text += f"; {self.records_changed} records found again from the new text"
        return text


# -- the queue ---------------------------------------------------------------------------


def enqueue(matter: Matter, page_ids: list[int] | None = None) -> int:
    """Queue the pages that need OCR (see the module docstring); returns how many were added.

    Idempotent: pages already queued (pending, done or failed) are left alone. Needs no
    language data.
    """
    now = now_iso()
    scope = ""
    params: tuple[int, ...] = ()
    if page_ids is not None:
        if not page_ids:
            return 0
        scope = f" AND p.id IN ({','.join('?' * len(page_ids))})"
        params = tuple(page_ids)
    added = 0
    with matter.write() as conn:
        cur = conn.execute(
            "INSERT INTO ocr_queue(page_id, reason, queued_at) "
            "SELECT p.id, 'no_text', ? FROM pages p WHERE p.needs_ocr = 1 "
            "AND p.text_source IN ('none', 'pdf')" + scope + " ON CONFLICT DO NOTHING",
            (now, *params))
        added += cur.rowcount
        cur = conn.execute(
            "INSERT INTO ocr_queue(page_id, reason, queued_at) "
            "SELECT p.id, 'stamps', ? FROM pages p JOIN source_files f ON f.id = p.source_file_id "
            "WHERE p.text_source = 'loadfile' AND f.kind = 'volume_image' AND EXISTS ("
            "SELECT 1 FROM redactions r WHERE r.page_id = p.id)" + scope
            + " ON CONFLICT DO NOTHING", (now, *params))
        added += cur.rowcount
    checked = matter.get_setting(CHECKED_SETTING, 0) if page_ids is None else 0
    rows = matter.query(
        "SELECT p.id, t.text FROM pages p JOIN page_text t ON t.page_id = p.id "
        "WHERE p.text_source = 'pdf' AND p.needs_ocr = 0 AND p.id > ? "
        "AND NOT EXISTS (SELECT 1 FROM ocr_queue q WHERE q.page_id = p.id)" + scope,
        (checked, *params))
    garbage = [r["id"] for r in rows if is_garbage_text(r["text"])]
    if garbage:
        with matter.write() as conn:
            conn.executemany(
                "INSERT INTO ocr_queue(page_id, reason, queued_at) "
                "VALUES (?, 'garbage', ?) ON CONFLICT DO NOTHING", [(pid, now) for pid in garbage])
            conn.executemany("UPDATE pages SET needs_ocr = 1 WHERE id = ?",
                             [(pid,) for pid in garbage])
        added += len(garbage)
    if page_ids is None and rows:
        top = matter.scalar("SELECT MAX(id) FROM pages") or 0
        matter.set_setting(CHECKED_SETTING, top)
    return added


def status(matter: Matter) -> dict[str, int]:
    """Counts of queued pages by status: pending, done, failed."""
    out = {"pending": 0, "done": 0, "failed": 0}
    for row in matter.query("SELECT status, COUNT(*) AS n FROM ocr_queue GROUP BY status"):
        out[row["status"]] = row["n"]
    return out


def low_confidence_pages(matter: Matter,
                         threshold: float = LOW_CONFIDENCE) -> list[dict[str, Any]]:
    """OCRed pages whose confidence is below ``threshold``: they need a human look."""
    return [
        dict(r) for r in matter.query(
            "SELECT p.id, p.bates, p.ocr_confidence, q.dpi, q.mode FROM pages p "
            "JOIN ocr_queue q ON q.page_id = p.id WHERE q.status = 'done' "
            "AND p.ocr_confidence < ? ORDER BY p.ocr_confidence, p.id", (threshold,))
    ]


def get_workers(matter: Matter) -> int:
    """How many OCR processes to run: the matter's setting, else one per core."""
    value = matter.get_setting(WORKERS_SETTING)
    if isinstance(value, int) and value > 0:
        return value
    return max(1, os.cpu_count() or 1)


def set_workers(matter: Matter, workers: int) -> None:
    """Remember how many OCR processes to run for this matter."""
    if workers < 1:
        raise ValueError("at least one OCR worker is needed")
    matter.set_setting(WORKERS_SETTING, int(workers))


def _jobs(matter: Matter, page_ids: list[int] | None = None,
          dpi: int | None = None) -> list[Job]:
    sql = ("SELECT q.page_id, q.reason, q.dpi, q.mode, p.page_index, p.bates, f.path, f.kind "
           "FROM ocr_queue q JOIN pages p ON p.id = q.page_id "
           "JOIN source_files f ON f.id = p.source_file_id WHERE q.status = 'pending'")
    params: tuple[int, ...] = ()
    if page_ids is not None:
        sql += f" AND q.page_id IN ({','.join('?' * len(page_ids))})"
        params = tuple(page_ids)
    return [
        Job(page_id=r["page_id"], path=matter.local_path(r["path"]), kind=r["kind"], page_index=r["page_index"],
            reason=r["reason"], bates=r["bates"], dpi=r["dpi"] or dpi or DEFAULT_DPI,
            mode=r["mode"] or "page")
        for r in matter.query(sql + " ORDER BY q.page_id", params)
    ]


# -- writing a result --------------------------------------------------------------------


def save_result(matter: Matter, result: PageResult) -> bool:
    """Write one page's OCR in one transaction; False if the page left the queue meanwhile."""
    from app.ingest.reanalyze import replace_redactions

    with matter.write() as conn:
        row = conn.execute("SELECT status FROM ocr_queue WHERE page_id = ?",
                           (result.page_id,)).fetchone()
        if row is None:
            return False
        if result.error:
            attempts = conn.execute("SELECT attempts FROM ocr_queue WHERE page_id = ?",
                                    (result.page_id,)).fetchone()[0]
            conn.execute(
                "UPDATE ocr_queue SET status = 'failed', error = ?, attempts = ?, done_at = ? "
                "WHERE page_id = ?", (result.error, attempts + 1, now_iso(), result.page_id))
            conn.execute("UPDATE pages SET needs_ocr = 0 WHERE id = ?", (result.page_id,))
            return True
        conn.execute("DELETE FROM ocr_words WHERE page_id = ?", (result.page_id,))
        conn.executemany(
            "INSERT INTO ocr_words(page_id, n, x0, y0, x1, y1, text, line, stamp) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            [(result.page_id, n, *w) for n, w in enumerate(result.words)])
        if result.reason in ("no_text", "garbage"):
            store_page_text(conn, result.page_id, result.text, new=False)
            conn.execute("UPDATE pages SET text_source = 'ocr' WHERE id = ?", (result.page_id,))
        replace_redactions(conn, result.page_id, result.redactions)
        conn.execute(
            "UPDATE pages SET needs_ocr = 0, ocr_confidence = ?, withheld_in_full = ?, "
            "redaction_count = ?, redacted_share = ?, analyzed = 1 WHERE id = ?",
            (result.confidence, int(result.withheld_in_full), len(result.redactions),
             result.redacted_share, result.page_id))
        clear_stop(conn, result.page_id, "ocr")
        conn.execute(
            "UPDATE ocr_queue SET status = 'done', error = '', attempts = attempts + 1, "
            "dpi = ?, mode = ?, seconds = ?, done_at = ? WHERE page_id = ?",
            (result.dpi, result.mode, result.seconds, now_iso(), result.page_id))
    return True


def _crashed(matter: Matter, page_id: int, why: str) -> None:
    with matter.write() as conn:
        conn.execute("UPDATE ocr_queue SET attempts = attempts + 1 WHERE page_id = ?",
                     (page_id,))
        conn.execute(
            "UPDATE ocr_queue SET status = 'failed', error = ? WHERE page_id = ? "
            "AND attempts >= ?", (why, page_id, MAX_ATTEMPTS))


# -- running ---------------------------------------------------------------------------


def _init_worker(tessdata: str) -> None:
    limit_threads()
    os.environ.setdefault("TESSDATA_PREFIX", tessdata)


def _ocr_target(item: tuple[Job, str], emit: Any) -> PageResult:
    """What a worker runs for one page (:mod:`app.pagework` calls it in the child)."""
    job, tessdata = item
    return run_job(job, tessdata)


def _stopped(matter: Matter, job: Job, note: str, seconds: float | None) -> None:
    """A page whose OCR ran past its budget: failed in the queue, listed for a human look."""
    with matter.write() as conn:
        conn.execute(
            "UPDATE ocr_queue SET status = 'failed', error = ?, attempts = attempts + 1, "
            "seconds = ?, done_at = ? WHERE page_id = ?", (note, seconds, now_iso(), job.page_id))
        conn.execute("UPDATE pages SET needs_ocr = 0 WHERE id = ?", (job.page_id,))
        record_stop(conn, job.page_id, "ocr", note, seconds)


def run_ocr(matter: Matter, *, workers: int | None = None, page_ids: list[int] | None = None,
            progress: ProgressFn = no_progress, control: OcrControl | None = None,
            cancel: CancelToken | None = None, dpi: int | None = None,
            budget: float | None = None) -> OcrSummary:
    """OCR every pending page (queueing new ones first), ``workers`` pages at a time.

    Each page is committed on its own. ``control`` pauses/resumes/cancels (``cancel`` alone
    also works); on cancel the pages in flight are abandoned and stay pending, and Cancelled
    is raised. ``dpi`` (default 300) applies to pages without their own (a re-OCR's). A page
    whose OCR takes longer than ``budget`` seconds (default: the matter's OCR budget) has its
    worker process replaced and is listed for a human look. Raises OcrUnavailable (saying
    what to install) without language data.
    """
    import time

    tessdata = find_tessdata()
    control = control or OcrControl(cancel)
    enqueue(matter, page_ids)
    jobs = _jobs(matter, page_ids, dpi)
    workers = max(1, workers or get_workers(matter))
    budget = budget or budget_for(matter, "ocr")
    summary = OcrSummary()
    total = len(jobs)
    started = time.perf_counter()
    progress(0, total, "")
    if not jobs:
        return summary
    by_id = {job.page_id: job for job in jobs}
    pool = PagePool(_ocr_target, workers=min(workers, total), initializer=_init_worker,
                    initargs=(tessdata,), name="vaughn-ocr")
    events = pool.run(((job.page_id, (job, tessdata)) for job in jobs), budget=budget,
                      cancel=control.cancel_token, paused=lambda: control.paused,
                      idle=control.holding)
    try:
        for event in events:
            job = by_id[cast(int, event.key)]  # page ids given as keys above
            if isinstance(event, Stopped):
                note = f"OCR stopped after {event.seconds:g} s (budget {budget:g} s)"
                _stopped(matter, job, note, event.seconds)
                summary.failed.append((job.page_id, note))
                summary.stopped += 1
            elif isinstance(event, Died):
                _crashed(matter, job.page_id, f"the OCR process died on this page "
                         f"({event.reason})")
                summary.failed.append((job.page_id, "the OCR process died"))
            else:
                result = event.value
                save_result(matter, result)
                if result.error:
                    summary.failed.append((job.page_id, result.error))
                else:
                    summary.done += 1
                    if result.confidence < LOW_CONFIDENCE:
                        summary.low_confidence += 1
            progress(summary.done + len(summary.failed), total, job.bates or "")
    finally:
        events.close()
        pool.close()
    summary.seconds = round(time.perf_counter() - started, 2)
    from app.documents.refresh import redetect_files

    summary.records_changed = redetect_files(matter, [j.page_id for j in jobs])
    return summary


def reocr_page(matter: Matter, page_id: int, *, dpi: int = 400, mode: str = "page",
               budget: float | None = None) -> PageResult:
    """OCR one page again (higher ``dpi``, or ``mode="lines"``) and save it.

    It runs in a worker process under ``budget`` seconds (default: the matter's OCR budget);
    over it, the page stays listed for a human look and the result says so in ``error``.
    """
    if mode not in MODES:
        raise ValueError(f"unknown OCR mode {mode!r} (one of {', '.join(MODES)})")
    tessdata = find_tessdata()
    row = matter.query(
        "SELECT p.id, p.page_index, p.bates, p.text_source, f.path, f.kind, q.reason "
        "FROM pages p JOIN source_files f ON f.id = p.source_file_id "
        "LEFT JOIN ocr_queue q ON q.page_id = p.id WHERE p.id = ?", (page_id,))
    if not row:
        raise ValueError(f"no page with id {page_id}")
    r = row[0]
    reason = r["reason"] or ("stamps" if r["text_source"] == "loadfile" else "no_text")
    with matter.write() as conn:
        conn.execute(
            "INSERT INTO ocr_queue(page_id, reason, queued_at, dpi, mode) VALUES (?,?,?,?,?) "
            "ON CONFLICT(page_id) DO UPDATE SET status = 'pending', dpi = excluded.dpi, "
            "mode = excluded.mode", (page_id, reason, now_iso(), dpi, mode))
    job = Job(page_id=page_id, path=matter.local_path(r["path"]), kind=r["kind"], page_index=r["page_index"],
              reason=reason, bates=r["bates"], dpi=dpi, mode=mode)
    budget = budget or budget_for(matter, "ocr")
    pool = PagePool(_ocr_target, initializer=_init_worker, initargs=(tessdata,),
                    name="vaughn-ocr")
    try:
        (event,) = list(pool.run([(page_id, (job, tessdata))], budget=budget))
    finally:
        pool.close()
    if isinstance(event, Stopped):
        note = f"OCR stopped after {event.seconds:g} s (budget {budget:g} s)"
        _stopped(matter, job, note, event.seconds)
        return PageResult(page_id, reason, dpi, mode, error=note, seconds=event.seconds)
    if isinstance(event, Died):
        result = PageResult(page_id, reason, dpi, mode,
                            error=f"the OCR process died on this page ({event.reason})")
    else:
        result = event.value
    save_result(matter, result)
    return result


def page_words(matter: Matter, page_id: int) -> list[dict[str, Any]]:
    """The OCR words of a page with their boxes (PDF points, unrotated), for hit highlighting."""
    return [
        {"bbox": [r["x0"], r["y0"], r["x1"], r["y1"]], "text": r["text"], "line": r["line"],
         "stamp": bool(r["stamp"])}
        for r in matter.query("SELECT * FROM ocr_words WHERE page_id = ? ORDER BY n",
                              (page_id,))
    ]


__all__ = [
    "OcrControl",
    "OcrSummary",
    "enqueue",
    "get_workers",
    "low_confidence_pages",
    "page_words",
    "reocr_page",
    "run_ocr",
    "save_result",
    "set_workers",
    "status",
]
