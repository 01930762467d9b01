"""OCR in a child process, so the window's interpreter never stalls on Tesseract.

:func:`app.ocr.queue.run_ocr` writes each page from its calling thread, and MuPDF's OCR holds
the GIL for seconds per page (measured: a 3.7 s stall of a Python thread beside one OCR call),
so neither the window's worker thread nor any other thread of the window's process may run it.
The child opens the matter with its own SQLite connection (WAL lets the window's worker keep
reading; each page is one short transaction). Progress comes back over a queue the window polls;
Pause, Resume and Cancel reach the child through two events that an :class:`OcrControl` reads.
Cancel leaves the pages in flight queued, so the next run resumes with them.

The same child also re-OCRs one page (:func:`app.ocr.queue.reocr_page`) for the page view's
context menu. The child is not a daemon (it has OCR processes of its own): the window stops it
(:meth:`OcrProcess.stop`) on closing, and it cancels itself if the window's process dies.
No Qt is imported here (the child stays light).
"""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

from app.ocr.queue import OcrControl
from app.session.child import EventToken, watch_parent
from app.session.jobs import ChildJob


class _ProcessControl(OcrControl):
    """An :class:`OcrControl` driven from the window's process through two events."""

    def __init__(self, cancel: Any, pause: Any, out: Any) -> None:
        super().__init__(EventToken(cancel))
        self._cancel_ev = cancel
        self._pause_ev = pause
        self._out = out

    def holding(self) -> None:
        self._out.put(("holding",))

    def pause(self) -> None:
        self._pause_ev.set()

    def resume(self) -> None:
        self._pause_ev.clear()

    def cancel(self) -> None:
        self._cancel_ev.set()

    @property
    def paused(self) -> bool:
        return self._pause_ev.is_set() and not self._cancel_ev.is_set()


def _run_child(path: str, enqueue_all: bool, out: Any, cancel: Any, pause: Any) -> None:
    from app.errors import Cancelled
    from app.matter.store import Matter
    from app.ocr.engine import OcrUnavailable, find_tessdata
    from app.ocr.queue import enqueue, run_ocr, status
    from app.ocr.status import pending_pages

    watch_parent(cancel)
    try:
        find_tessdata()
        with Matter.open(path) as matter:
            if enqueue_all:
                enqueue(matter)
            ids = pending_pages(matter)
            out.put(("start", len(ids), status(matter)["done"]))
            if not ids:
                out.put(("done", {"done": 0, "failed": 0, "low_confidence": 0, "total": 0}))
                return
            summary = run_ocr(matter, page_ids=ids, control=_ProcessControl(cancel, pause, out),
                              progress=lambda d, t, w: out.put(("progress", d, t, w)))
            out.put(("done", {"done": summary.done, "failed": len(summary.failed),
                              "low_confidence": summary.low_confidence, "total": len(ids),
                              "records": summary.records_changed}))
    except OcrUnavailable as exc:
        out.put(("unavailable", str(exc)))
    except Cancelled as exc:
        out.put(("cancelled", str(exc)))
    except BaseException as exc:  # reported to the window in words
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def _reocr_child(path: str, page_id: int, dpi: int, mode: str, out: Any, _cancel: Any,
                 _pause: Any) -> None:
    from app.matter.store import Matter
    from app.ocr.engine import OcrUnavailable
    from app.ocr.queue import reocr_page

    try:
        with Matter.open(path) as matter:
            result = reocr_page(matter, page_id, dpi=dpi, mode=mode)
        if result.error:
            out.put(("error", result.error))
        else:
            out.put(("done", {"page_id": page_id, "confidence": result.confidence,
                              "words": len(result.words), "dpi": dpi, "mode": mode}))
    except OcrUnavailable as exc:
        out.put(("unavailable", str(exc)))
    except BaseException as exc:  # reported to the window in words
        out.put(("error", f"{type(exc).__name__}: {exc}"))


class OcrProcess(ChildJob):
    """One OCR child: the matter's queue (:meth:`run`) or one page again (:meth:`reocr`).

    A :class:`~app.session.jobs.ChildJob`: its last event is Finished, done with a dict of
    figures, or cancelled, unavailable (no OCR engine) or failed.
    """

    kind = "ocr"
    ongoing = ("start", "progress", "holding")
    what = "OCR"

    def __init__(self, target: Any, args: tuple[Any, ...]) -> None:
        ctx = mp.get_context("spawn")
        self.queue = ctx.Queue()
        self.cancel_event = ctx.Event()
        self.pause_event = ctx.Event()
        # not a daemon: run_ocr starts its own OCR processes, which a daemon may not have
        self.process = ctx.Process(target=target, daemon=False, name="vaughn-ocr",
                                   args=(*args, self.queue, self.cancel_event,
                                         self.pause_event))
        self.finished = False
        self.page_id: int | None = None  # the page of a re-OCR

    @classmethod
    def run(cls, matter_path: str, *, enqueue_all: bool = False) -> OcrProcess:
        """OCR every pending page of the matter (queueing all that need it first, if asked).

        Events: Notice("start", (pending, done before)), Progress(done, total, bates),
        Notice("holding") once paused with no page in flight, then Finished.
        """
        return cls(_run_child, (matter_path, enqueue_all))

    @classmethod
    def reocr(cls, matter_path: str, page_id: int, dpi: int, mode: str) -> OcrProcess:
        """OCR one page again at ``dpi`` in ``mode`` and save it."""
        job = cls(_reocr_child, (matter_path, page_id, dpi, mode))
        job.page_id = page_id
        job.kind = "reocr"
        return job

    def pause(self) -> None:
        """Start no new page (pages in flight finish and are saved)."""
        self.pause_event.set()

    def resume(self) -> None:
        """Start pages again."""
        self.pause_event.clear()

    def stop(self, timeout: float = 8.0) -> None:
        """Cancel and wait (at most ``timeout`` s) for the child to end; kill it after that."""
        self.cancel()
        if self.process.is_alive():
            self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2.0)
        self.finished = True
