"""The window's OCR: a status-bar indicator over a background OCR process, and re-OCR of a page.

:class:`OcrController` hangs off the review window. When the open matter has pages queued for
OCR (on opening it, and after the window's own ingest has queued the new scans) it runs the
queue in a child process (``app.session.OcrProcess``) and shows "OCR: N done, M left, ~T min left" in
the status bar, with Pause/Resume and Cancel. Finished pages refresh what the window shows (the
tree rows, and the current page with its hits) at most every :data:`REFRESH_MS`. Without
language data the indicator says what to install and nothing runs; the rest of the window works
as before. Closing the window (or opening another matter) cancels the child: pages in flight
stay queued and the next run resumes with them.

It also adds the OCR menu (run OCR on every scanned page, the pages that need a human look,
how many OCR processes to run) and, for pages whose text is or should be OCR, "Re-OCR this page
at 400 dpi" / "line by line" to the page view's context menu. A re-OCR runs in its own child
process too: MuPDF's OCR holds the GIL for seconds, which would freeze the window if it ran on
the matter worker's thread.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSpinBox,
    QToolButton,
    QWidget,
    QWidgetAction,
)

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from app.session import PageId
from ui.worker import NORMAL, WRITE, Context

if TYPE_CHECKING:
    from app.session import Event, Finished, OcrState

REFRESH_MS = 3000  # finished pages refresh the window at most this often
REOCR_DPI = 400
FINISHED_SHOWN_MS = 30000


def eta_text(left: int, done_in_run: int, active_seconds: float) -> str:
    """"~T min left" from the rate measured so far ("estimating time left" before a page)."""
    if left <= 0:
        return "finishing"
    if done_in_run <= 0 or active_seconds <= 0:
        return "estimating time left"
    seconds = left * active_seconds / done_in_run
    return f"~{max(1, round(seconds / 60))} min left"


class OcrIndicator(QWidget):
    """The status-bar widget: a line of text, Pause/Resume and Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("")
        self.pause_button = QToolButton()
        self.pause_button.setText("Pause")
        self.pause_button.setToolTip("Start no new page (pages being read finish)")
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop OCR; the pages not done stay queued for next time")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.pause_button)
        layout.addWidget(self.cancel_button)
        self.setVisible(False)

    def show_text(self, text: str, *, buttons: bool = False, paused: bool = False) -> None:
        """Show a line (with the run's buttons when ``buttons``)."""
        self.label.setText(text)
        self.label.setToolTip(text)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setVisible(buttons)
        self.cancel_button.setVisible(buttons)
        self.setVisible(True)


class OcrController(QObject):
    """OCR for one review window; see the module docstring."""

    runFinished = Signal(str)  # "done", "cancelled", "unavailable" or "error"
    holding = Signal()  # paused, and no page is being read any more
    refreshed = Signal(list)  # page ids whose OCR the window has just picked up
    reocrDone = Signal(int)  # page id, once re-OCRed and shown again
    pageInfoLoaded = Signal(int)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.job: Any = None  # the queue's OcrProcess
        self.reocr_job: Any = None
        self.unavailable = ""
        self.page_info: dict[int, dict[str, Any]] = {}
        self._user_cancelled = False
        self._generation = 0  # bumped when the matter closes (see _submit)
        self._reset_run()
        self.indicator = OcrIndicator()
        self.indicator.pause_button.clicked.connect(self.toggle_pause)
        self.indicator.cancel_button.clicked.connect(self.cancel)
        window.statusBar().addPermanentWidget(self.indicator)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.setInterval(FINISHED_SHOWN_MS)
        self._hide_timer.timeout.connect(lambda: self.indicator.setVisible(False))
        self._build_menu()
        window.ingester.ingestDone.connect(self._ingest_done)
        window.pageShown.connect(self._load_page_info)
        window.page_view.menuWanted.connect(self._fill_page_menu)

    # -- menu -----------------------------------------------------------------------------

    def _build_menu(self) -> None:
        w = self.window
        menu = QMenu("&OCR", w)
        help_action = next((a for a in w.menuBar().actions() if a.text() == "&Help"), None)
        if help_action is not None:
            w.menuBar().insertMenu(help_action, menu)
        else:
            w.menuBar().addMenu(menu)
        self.menu = menu
        w.action_table.add(menu, "ocr_run", "&Run OCR on scanned pages", None,
               lambda: self.start(enqueue_all=True))
        w.action_table.add(menu, "ocr_low", "Pages that need a &human look (low OCR confidence)", None,
               self.show_low_confidence)
        menu.addSeparator()
        box = QWidget(menu)
        row = QHBoxLayout(box)
        row.setContentsMargins(8, 2, 8, 2)
        row.addWidget(QLabel("OCR processes"))
        self.workers_spin = QSpinBox()
        self.workers_spin.setRange(1, 32)
        self.workers_spin.setToolTip("How many pages are read at once (one core each); "
                                     "kept in the matter, used from the next run")
        row.addWidget(self.workers_spin)
        action = QWidgetAction(menu)
        action.setDefaultWidget(box)
        menu.addAction(action)
        self.workers_spin.valueChanged.connect(self.set_workers)

    def set_workers(self, workers: int) -> None:
        """Remember how many OCR processes to run for the open matter (from the next run)."""
        if self.window.worker is None or self.window.read_only:
            return

        def run(ctx: Context) -> Any:
            return ctx.session.ocr.set_workers(workers)

        later = " (from the next run)" if self.running else ""
        self._submit(run, lambda n: self.window.statusBar().showMessage(
            f"OCR will run {n} process{'es' if n != 1 else ''} at once{later}", 4000),
            kind=WRITE)

    def show_low_confidence(self) -> None:
        """Show only the OCRed pages that need a human look, in the page tree (N/P step)."""
        w = self.window
        w.left.setCurrentIndex(0)
        w.filters.set_filter("low_ocr")

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the queue's child process is at work."""
        return self.job is not None and not self.job.finished

    def matter_opened(self) -> None:
        """A matter is open: read its workers setting, and run its queue if pages wait.

        (``open_matter`` has already stopped the OCR of the matter open before.)
        """
        self._user_cancelled = False
        self.page_info.clear()

        def run(ctx: Context) -> Any:
            return ctx.session.ocr.workers()

        def done(n: int) -> None:
            self.workers_spin.blockSignals(True)
            self.workers_spin.setValue(n)
            self.workers_spin.blockSignals(False)

        self._submit(run, done)
        if not self.window.read_only:
            self.check()

    def close_matter(self) -> None:
        """Stop OCR of the matter being closed (pages in flight stay queued)."""
        self._generation += 1  # answers still on their way from its worker are dropped
        for job in (self.job, self.reocr_job):
            if job is not None and not job.finished:
                job.stop(timeout=8.0 if job is self.job else 0.0)
        self.job = self.reocr_job = None
        self.window.jobs.forget("ocr")  # a late event of the closed matter reaches no one
        self.window.jobs.forget("reocr")
        self._refresh_timer.stop()
        self._reset_run()
        self.unavailable = ""
        self.indicator.setVisible(False)

    shutdown = close_matter

    def check(self) -> None:
        """Count the matter's queue (on the worker); run it when pages wait and OCR can."""
        if self.running or self.window.read_only:
            return

        self._submit(lambda ctx: ctx.session.ocr.state(), self._checked)

    def _checked(self, result: OcrState) -> None:
        counts, missing, now = result.counts, result.missing, result.now
        if self.running or not result.pending:
            return
        if missing:
            self.unavailable = missing
            self._say(missing)
            return
        if self._user_cancelled:
            self._say(f"OCR: {counts['pending']} pages queued "
                                     f"(OCR ▸ Run OCR to go on)")
            return
        self._launch(False, counts, now)

    def start(self, enqueue_all: bool = False) -> None:
        """Run OCR now (``enqueue_all``: queue every page that needs it first)."""
        w = self.window
        if w.worker is None or w.matter_path is None:
            return
        if w.read_only:
            w.statusBar().showMessage("Read-only matter: OCR cannot be saved", 5000)
            return
        if self.running:
            w.statusBar().showMessage("OCR is already running", 4000)
            return
        self._user_cancelled = False

        def done(result: OcrState) -> None:
            counts, missing, now = result.counts, result.missing, result.now
            if missing:
                self.unavailable = missing
                self._say(missing)
                return
            if not self.running:
                self._launch(enqueue_all, counts, now)

        self._submit(lambda ctx: ctx.session.ocr.state(), done)

    def _reset_run(self) -> None:
        self._done_before = 0
        self._total = 0
        self._run_done = 0
        self._active = 0.0
        self._since: float | None = None
        self._since_iso = ""
        self._handled: set[int] = set()
        self._last_refresh = 0.0

    def _launch(self, enqueue_all: bool, counts: dict[str, int], now_iso: str) -> None:
        from app.session import OcrProcess

        self._reset_run()
        self._done_before = counts["done"]
        self._total = counts["pending"]
        self._since_iso = now_iso
        self._hide_timer.stop()
        self.unavailable = ""
        self.job = OcrProcess.run(str(self.window.matter_path), enqueue_all=enqueue_all)
        self.window.jobs.start(self.job, self._event)
        self._since = time.monotonic()
        self._show_progress()

    # -- the run --------------------------------------------------------------------------

    def toggle_pause(self) -> None:
        """Pause (no new page starts) or resume the run."""
        if not self.running:
            return
        if self.job.pause_event.is_set():
            self.job.resume()
            self._since = time.monotonic()
        else:
            self.job.pause()
            if self._since is not None:
                self._active += time.monotonic() - self._since
            self._since = None
        self._show_progress()

    @property
    def paused(self) -> bool:
        """Whether the run is paused."""
        return self.running and self.job.pause_event.is_set()

    def cancel(self) -> None:
        """Stop the run; pages not done stay queued (OCR ▸ Run OCR, or reopening, goes on)."""
        if self.running:
            self._user_cancelled = True
            self.job.cancel()
            self._say("OCR: cancelling…")

    def _active_seconds(self) -> float:
        extra = time.monotonic() - self._since if self._since is not None else 0.0
        return self._active + extra

    def _show_progress(self) -> None:
        done = self._done_before + self._run_done
        left = max(0, self._total - self._run_done)
        if self.paused:
            text = f"OCR paused: {done} done, {left} left"
        else:
            text = (f"OCR: {done} done, {left} left, "
                    f"{eta_text(left, self._run_done, self._active_seconds())}")
        self._say(text, buttons=True, paused=self.paused)

    def _event(self, event: Event) -> None:
        from app.session import Finished, Notice, Progress

        if isinstance(event, Notice) and event.kind == "start":
            self._total, self._done_before = event.values
            self._show_progress()
        elif isinstance(event, Progress):
            self._total = event.total
            if event.done > self._run_done:
                self._run_done = event.done
                if not self._refresh_timer.isActive():
                    self._refresh_timer.start()
            self._show_progress()
        elif isinstance(event, Notice) and event.kind == "holding":
            self.holding.emit()
        elif isinstance(event, Finished):
            self._run_ended(event)

    def _run_ended(self, event: Finished) -> None:
        if event.outcome == "done":
            info = event.result
            text = f"OCR finished: {info['done']} pages OCRed"
            if info["low_confidence"]:
                n = info["low_confidence"]
                text += (f", {n} need{'s' if n == 1 else ''} a human look "
                         f"(OCR ▸ Pages that need a human look)")
            if info["failed"]:
                text += f", {info['failed']} failed"
            if info.get("records"):  # the scans' text moved record boundaries: new tree
                text += f"; {info['records']} records found again from the new text"
                self.window.reload_tree()
            self._finish("done", text)
            if info["total"]:  # pages queued meanwhile (another ingest) get their run
                QTimer.singleShot(0, self.check)
        elif event.outcome == "cancelled":
            self._finish("cancelled", "OCR cancelled: the pages not done stay queued "
                                      "(OCR ▸ Run OCR to go on)", hide=False)
        elif event.outcome == "unavailable":
            self.unavailable = event.message
            self._finish("unavailable", event.message, hide=False)
        else:
            self._finish("error", f"OCR stopped: {event.message}", hide=False)

    def _finish(self, kind: str, text: str, hide: bool = True) -> None:
        self._refresh_timer.stop()
        self._say(text)
        if hide:
            self._hide_timer.start()
        self._refresh(final=True)
        self.runFinished.emit(kind)

    # -- refreshing what the window shows -------------------------------------------------

    def _refresh(self, final: bool = False) -> None:
        """Pick up pages finished since the last refresh: tree rows, the current page, hits."""
        since, handled = self._since_iso, {PageId(p) for p in self._handled}
        w = self.window

        def run(ctx: Context) -> Any:
            return ctx.session.ocr.finished_since(since, handled)

        def done(result: Any) -> None:
            ids, rows = result
            self._handled.update(ids)
            for pid in ids:
                self.page_info.pop(pid, None)
            if rows:
                w.tree_model.update_rows(rows)
            if w.page_id is not None and w.page_id in ids:
                w.show_page(w.page_id, select=w.selected)
            if final:
                w.searching.refresh_saved()
                if w.filters.kind() == "low_ocr":
                    w.filters.apply_filter()
            self.refreshed.emit(ids)

        self._submit(run, done, priority=NORMAL)

    def _ingest_done(self, result: Any) -> None:
        """The window's ingest finished: queue its new pages that need OCR, then run."""
        pages = list(getattr(result, "changed_pages", None) or [])
        if not pages or self.window.read_only:
            return

        def run(ctx: Context) -> Any:
            return ctx.session.ocr.enqueue(pages)

        def done(added: int) -> None:
            if added:
                self.check()

        self._submit(run, done, kind=WRITE)

    # -- one page again -------------------------------------------------------------------

    def _load_page_info(self, page_id: int) -> None:
        def run(ctx: Context) -> Any:
            return ctx.session.ocr.page(PageId(page_id))

        def done(info: dict[str, Any] | None) -> None:
            if info is not None:
                self.page_info[page_id] = info
                self.pageInfoLoaded.emit(page_id)

        self._submit(run, done, priority=NORMAL)

    def page_wants_ocr(self, page_id: int) -> bool:
        """Whether a page's text came from OCR or should (re-OCR is offered for it)."""
        from app.session import wants_ocr

        return wants_ocr(self.page_info.get(page_id))

    def _fill_page_menu(self, menu: QMenu) -> None:
        w = self.window
        pid = w.page_id
        if pid is None or w.read_only or not self.page_wants_ocr(pid):
            return
        info = self.page_info[pid]
        if info["status"] == "done" and info["ocr_confidence"] is not None:
            about = (f"OCR: {info['dpi'] or 300} dpi, {info['mode'] or 'page'} mode, "
                     f"confidence {info['ocr_confidence']:.2f}")
        else:
            about = f"OCR: {info['status'] or 'not run yet'}"
        menu.addAction(about).setEnabled(False)
        busy = self.reocr_job is not None and not self.reocr_job.finished
        for text, dpi, mode in ((f"Re-OCR this page at {REOCR_DPI} dpi", REOCR_DPI, "page"),
                                ("Re-OCR this page line by line", 300, "lines")):
            action = menu.addAction(text)
            action.setEnabled(not busy)
            action.triggered.connect(lambda _=False, d=dpi, m=mode: self.reocr(d, m))

    def reocr(self, dpi: int, mode: str) -> None:
        """OCR the current page again (``dpi``, ``mode``) in a child process, then show it."""
        from app.session import engine_missing

        w = self.window
        pid = w.page_id
        if pid is None or w.matter_path is None or w.read_only:
            return
        if self.reocr_job is not None and not self.reocr_job.finished:
            w.statusBar().showMessage("A page is being OCRed again already", 4000)
            return
        missing = engine_missing()
        if missing:
            w.statusBar().showMessage(missing, 15000)
            return
        from app.session import OcrProcess

        bates = (w.page.bates if w.page is not None else "") or f"page {pid}"
        how = "line by line" if mode == "lines" else f"at {dpi} dpi"
        w.statusBar().showMessage(f"OCR of {bates} {how}… (a few seconds)")
        self.reocr_job = OcrProcess.reocr(str(w.matter_path), pid, dpi, mode)
        w.jobs.start(self.reocr_job, self._reocr_event)

    def _reocr_event(self, event: Event) -> None:
        from app.session import Finished

        if not isinstance(event, Finished):
            return
        w = self.window
        pid = self.reocr_job.page_id
        if event.outcome != "done":
            w.statusBar().showMessage(f"OCR again failed: {event.message}", 15000)
            return
        info = event.result
        w.statusBar().showMessage(
            f"OCR again ({info['words']} words), confidence {info['confidence']:.2f}", 8000)
        self.page_info.pop(pid, None)

        def rows(ctx: Context) -> Any:
            return ctx.session.pages.rows([PageId(pid)])

        self._submit(rows, w.tree_model.update_rows, priority=NORMAL)
        if w.page_id == pid:
            def shown(page_id: int) -> None:
                if page_id == pid:
                    w.pageShown.disconnect(shown)
                    self.reocrDone.emit(pid)

            w.pageShown.connect(shown)
            w.show_page(pid, select=w.selected)
        else:
            self.reocrDone.emit(pid)

    # -- plumbing -------------------------------------------------------------------------

    def _say(self, text: str, *, buttons: bool = False, paused: bool = False) -> None:
        """Show a line in the indicator (it stays until the next; see ``_finish``)."""
        self._hide_timer.stop()
        self.indicator.show_text(text, buttons=buttons, paused=paused)

    def _submit(self, fn: Any, on_done: Any, *, priority: int = NORMAL,
                kind: str = "read") -> None:
        w = self.window
        if w.worker is None:
            return
        generation = self._generation

        def done(result: Any) -> None:  # an answer for a matter since closed starts nothing
            if generation == self._generation:
                on_done(result)

        w.worker.submit(fn, done, lambda exc: w.statusBar().showMessage(
            f"OCR: {type(exc).__name__}: {exc}", 10000), priority=priority, kind=kind)
