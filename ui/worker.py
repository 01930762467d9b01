"""The matter's one worker thread: every SQLite and PyMuPDF call of a window runs here.

PyMuPDF is not thread-safe and a sqlite3 connection belongs to the thread that made it, so the
worker opens the matter's ``app.session.Session`` inside its own thread and runs submitted
callables one at a time, each called with a :class:`Context` (the session and the page
renderer). Results come back to the GUI thread through a queued signal and are handed to the
``on_done`` callback there; the GUI thread never waits for the worker.

Jobs run by priority, then in submission order (so an op, its undo and the reads after them
keep their order); prefetch renders stop between bands when something urgent is queued. Pages
render to RGB32 ``QImage`` (safe off the GUI thread, unlike ``QPixmap``) into an LRU cache that
prefetch fills ahead of the reviewer. PyMuPDF holds the GIL for a whole call, so renders go in
bands and an ingest runs in a child process (``app.session.IngestProcess``), never on this
thread.

``inline=True`` (the UI tests that do not test threading) runs the same jobs with no thread: one
per turn of the GUI's event loop, by the same priorities, the result delivered at once.
"""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal
from PySide6.QtGui import QImage

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from app.session import PageId

if TYPE_CHECKING:
    from app.session import Session

URGENT, NORMAL, PREFETCH = 0, 1, 5
BAND_PX = 320  # rows of device pixels per PyMuPDF call when rendering
READ, WRITE = "read", "write"


@dataclass(order=True)
class _Job:
    priority: int
    seq: int
    fn: Callable[[Context], Any] = field(compare=False)
    kind: str = field(compare=False, default=READ)


@dataclass
class Context:
    """What a job gets: the open session and the page renderer, both owned by this thread."""

    session: Session
    renderer: PageRenderer


class PageRenderer:
    """Renders pages to QImage with an LRU cache by (page id, pixels per point)."""

    def __init__(self, session: Session, cache_mb: int = 300, max_docs: int = 8) -> None:
        self.session = session
        self._docs: OrderedDict[str, Any] = OrderedDict()
        self._images: OrderedDict[tuple[int, int], QImage] = OrderedDict()
        self._where: dict[int, tuple[str, int]] = {}
        self._bytes = 0
        self._cap = cache_mb << 20
        self._max_docs = max_docs
        self.renders = 0

    @staticmethod
    def key(page_id: int, scale: float) -> tuple[int, int]:
        """The cache key: scale (pixels per PDF point) quantised to 1/100."""
        return (page_id, max(1, round(scale * 100)))

    def cached(self, page_id: int, scale: float) -> QImage | None:
        """The rendered image if it is in the cache (and mark it recently used)."""
        key = self.key(page_id, scale)
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
        return image

    def page(self, page_id: int) -> Any:
        """The open PyMuPDF page (documents stay open for the worker's lifetime)."""
        return self._page(page_id)

    def _page(self, page_id: int) -> Any:
        where = self._where.get(page_id)
        if where is None:
            where = self._where[page_id] = self.session.pages.source(PageId(page_id))
        path, index = where
        doc = self._docs.get(path)
        if doc is None:
            import pymupdf

            doc = pymupdf.open(path)
            self._docs[path] = doc
            while len(self._docs) > self._max_docs:
                self._docs.popitem(last=False)[1].close()
        else:
            self._docs.move_to_end(path)
        return doc.load_page(index)

    def render(self, page_id: int, scale: float,
               abort: Callable[[], bool] | None = None) -> QImage | None:
        """The page at ``scale`` pixels per point (from the cache when there).

        ``abort`` is asked between bands; when it says yes the render stops and returns None
        (prefetch gives way to what the reviewer is waiting for).
        """
        image = self.cached(page_id, scale)
        if image is not None:
            return image
        import pymupdf

        page = self._page(page_id)
        s = self.key(page_id, scale)[1] / 100
        image = self._render_banded(page, pymupdf, s, abort)
        if image is None:
            return None
        self.renders += 1
        key = self.key(page_id, scale)
        self._images[key] = image
        self._bytes += image.sizeInBytes()
        while self._bytes > self._cap and len(self._images) > 1:
            _, old = self._images.popitem(last=False)
            self._bytes -= old.sizeInBytes()
        return image

    def _render_banded(self, page: Any, pymupdf: Any, s: float,
                       abort: Callable[[], bool] | None) -> QImage | None:
        """Render in horizontal bands from one display list.

        PyMuPDF holds the GIL for the whole of each call; bands keep every call short so the
        GUI thread (same interpreter) gets the GIL back between them.
        """
        from PySide6.QtGui import QPainter

        matrix = pymupdf.Matrix(s, s)
        rect = page.rect
        full = (rect * matrix).irect
        dlist = page.get_displaylist(annots=True)
        time.sleep(0)
        # RGB32 is what the raster paint engine draws without converting (no QPixmap needed)
        image = QImage(full.width, full.height, QImage.Format.Format_RGB32)
        image.fill(0xFFFFFFFF)
        painter = QPainter(image)
        band_pt = BAND_PX / s
        y = rect.y0
        while y < rect.y1:
            clip = pymupdf.Rect(rect.x0, y, rect.x1, min(rect.y1, y + band_pt))
            pix = dlist.get_pixmap(matrix=matrix, clip=clip, alpha=False)
            band = QImage(pix.samples, pix.width, pix.height, pix.stride,
                          QImage.Format.Format_RGB888)
            painter.drawImage(pix.x - full.x0, pix.y - full.y0, band)
            y += band_pt
            time.sleep(0)  # let the GUI thread have the GIL
            if abort is not None and abort():
                painter.end()
                return None
        painter.end()
        return image

    def close(self) -> None:
        """Close every open document."""
        for doc in self._docs.values():
            doc.close()
        self._docs.clear()
        self._images.clear()


class _Thread(QThread):
    def __init__(self, worker: MatterWorker) -> None:
        super().__init__()
        self.worker = worker

    def run(self) -> None:
        self.worker._run()


class MatterWorker(QObject):
    """Owns one matter on one thread; ``submit`` work, get results by callback on the GUI."""

    opened = Signal(object)  # {"path", "read_only", "locked", "shared", "location"}
    failed = Signal(str)
    _done = Signal(int, object, object)

    def __init__(self, path: str | Path, *, create: bool = False, read_only: bool = False,
                 opener: Callable[[], Session] | None = None, parent: QObject | None = None,
                 inline: bool = False) -> None:
        super().__init__(parent)
        from app.session import is_server_url

        # a server URL stays text (Path would fold its "//")
        self.path: str | Path = path if is_server_url(path) else Path(path)
        # inline: no thread; jobs run one per turn of the GUI's event loop, in the same order
        # (the UI tests that do not test threading: deterministic, nothing races the GUI)
        self.inline = inline
        self._drain_scheduled = False
        self._create = create
        self._read_only = read_only
        self._opener = opener
        self._jobs: list[_Job] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._callbacks: dict[int, tuple[Callable[[Any], None] | None,
                                        Callable[[BaseException], None] | None]] = {}
        self._stopping = False
        self._outstanding = 0  # non-prefetch jobs submitted and not yet delivered
        self._counted: set[int] = set()
        self.ctx: Context | None = None
        self.busy_s = 0.0
        self._done.connect(self._deliver)
        self._thread = _Thread(self)

    # -- GUI side ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread; it opens the matter and emits ``opened`` or ``failed``."""
        if self.inline:
            QTimer.singleShot(0, self._open_inline)
            return
        self._thread.start()

    def submit(self, fn: Callable[[Context], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None, *,
               priority: int = NORMAL, kind: str = READ) -> int:
        """Queue ``fn(ctx)``; ``on_done(result)`` or ``on_error(exc)`` run later on the GUI."""
        seq = next(self._seq)
        self._callbacks[seq] = (on_done, on_error)
        with self._cond:
            if priority < PREFETCH:
                self._counted.add(seq)
                self._outstanding += 1
            self._jobs.append(_Job(priority, seq, fn, kind))
            self._jobs.sort()
            self._cond.notify()
        self._schedule()
        return seq

    def urgent_waiting(self) -> bool:
        """Whether a job more urgent than prefetch is queued (prefetch renders then stop)."""
        with self._cond:
            return any(j.priority < PREFETCH for j in self._jobs)

    def pending(self) -> int:
        """How many jobs other than prefetch are queued, running, or done with their result not
        yet handed to the GUI (tests wait for 0: a job popped from the queue is not finished)."""
        with self._cond:
            return self._outstanding

    def _settle(self, seq: int) -> None:
        with self._cond:
            if seq in self._counted:
                self._counted.discard(seq)
                self._outstanding -= 1

    def drop_prefetch(self) -> None:
        """Forget queued prefetch jobs (the reviewer moved on)."""
        with self._cond:
            gone = [j for j in self._jobs if j.priority >= PREFETCH]
            self._jobs = [j for j in self._jobs if j.priority < PREFETCH]
        for job in gone:
            self._callbacks.pop(job.seq, None)

    def stop(self, timeout_ms: int = 10000) -> None:
        """Finish the running job, drop the rest, close the matter and end the thread."""
        with self._cond:
            self._stopping = True
            self._jobs.clear()
            self._counted.clear()
            self._outstanding = 0
            self._cond.notify()
        if self.inline:
            if self.ctx is not None:
                self._close(self.ctx)
            return
        self._thread.wait(timeout_ms)

    def _deliver(self, seq: int, result: Any, error: Any) -> None:
        on_done, on_error = self._callbacks.pop(seq, (None, None))
        try:
            self._deliver_to(on_done, on_error, result, error)
        finally:  # after the callback, so work it submits is counted before this job leaves
            self._settle(seq)

    @staticmethod
    def _deliver_to(on_done: Callable[[Any], None] | None,
                    on_error: Callable[[BaseException], None] | None,
                    result: Any, error: Any) -> None:
        if error is not None:
            if on_error is not None:
                on_error(error)
            else:
                print(f"vaughn worker: {error!r}\n{getattr(error, 'trace', '')}")
        elif on_done is not None:
            on_done(result)

    # -- worker side -------------------------------------------------------------------------

    def _open(self) -> Session:
        if self._opener is not None:
            return self._opener()
        from app.session import Session

        # One window per matter: a second one (here or in another Vaughn) reads only.
        return Session.open(self.path, create=self._create, read_only=self._read_only,
                            exclusive=True)

    def _start_session(self) -> Session | None:
        """Open the matter and emit ``opened``, or ``failed`` (None)."""
        try:
            session = self._open()
        except Exception as exc:
            self.failed.emit(str(exc))
            return None
        self.ctx = Context(session, PageRenderer(session))
        self.opened.emit({"path": str(session.path), "read_only": session.read_only,
                          "locked": session.locked, "shared": session.shared,
                          "location": session.location, "encrypted": session.encrypted})
        return session

    @staticmethod
    def _close(ctx: Context) -> None:
        ctx.renderer.close()
        ctx.session.close()

    def _run(self) -> None:
        session = self._start_session()
        if session is None:
            return
        assert self.ctx is not None
        try:
            while True:
                with self._cond:
                    while not self._jobs and not self._stopping:
                        self._cond.wait()
                    if self._stopping:
                        break
                    job = self._jobs.pop(0)
                self._execute(job)
        finally:
            self._close(self.ctx)

    # -- inline (no thread) ------------------------------------------------------------------

    def _open_inline(self) -> None:
        if not self._stopping and self._start_session() is not None:
            self._schedule()

    def _schedule(self) -> None:
        if self.inline and not self._drain_scheduled and self.ctx is not None:
            self._drain_scheduled = True
            QTimer.singleShot(0, self._run_one)

    def _run_one(self) -> None:
        """The next job, its result delivered at once; the rest wait for the next turn."""
        self._drain_scheduled = False
        if self._stopping or not self._jobs:
            return
        job = self._jobs.pop(0)
        self._execute(job)
        if self._jobs:
            self._schedule()

    def _execute(self, job: _Job) -> None:
        assert self.ctx is not None
        started = time.perf_counter()
        try:
            result = job.fn(self.ctx)
        except BaseException as exc:  # reported to the GUI, never kills the thread
            exc.trace = traceback.format_exc()  # type: ignore[attr-defined]
            self._done.emit(job.seq, None, exc)
        else:
            self._done.emit(job.seq, result, None)
        finally:
            self.busy_s += time.perf_counter() - started
