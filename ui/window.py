"""The review window: page tree and filters | page with overlays | claims and challenge panels.

The window holds ids and what the panels show, nothing more. Every read and write goes to the
matter worker (``ui.worker``) and comes back by callback; every review action is an undoable
command on the hub (``ui.hub``), committed to the matter at once. Shortcuts are QActions that
also sit in the menus; ``?`` lists them.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QUndoGroup
from PySide6.QtWidgets import QApplication, QInputDialog, QMainWindow

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from app.session import PageId
from ui import layout
from ui import settings as prefs
from ui.actions import ActionTable
from ui.hub import Hub
from ui.ingest import Ingester
from ui.jobs import JobRunner
from ui.ocr_status import OcrController
from ui.opening import MatterOpener
from ui.worker import URGENT, Context, MatterWorker

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QTreeView, QVBoxLayout

    from app.session import PageData, RedactionData, Review
    from ui.filters import PageFilter
    from ui.models.tree import PageTreeModel
    from ui.navigation import Navigator
    from ui.rendering import PageImages
    from ui.review.actions import ReviewActions
    from ui.review.challenge import ChallengePanel
    from ui.review.claims import ClaimsPanel
    from ui.review.page_view import PageView
    from ui.search.controller import SearchController
    from ui.widgets.common import Banner
    from ui.widgets.thumbs import ThumbStrip


class MainWindow(QMainWindow):
    """One matter under review."""

    pageShown = Signal(int)  # page id, once its data (not yet its image) is in the panels
    reviewLoaded = Signal()
    treeLoaded = Signal()

    # made by ui.layout.build: the panes' widgets and the controllers that own some of them
    tree_model: PageTreeModel
    tree: QTreeView
    filters: PageFilter
    nav: Navigator
    left: QTabWidget
    searching: SearchController
    thumb_strip: ThumbStrip
    page_view: PageView
    images: PageImages
    zoom_label: QLabel
    claims: ClaimsPanel
    challenge: ChallengePanel
    reviewing: ReviewActions
    right_layout: QVBoxLayout
    splitter: QSplitter
    banner: Banner
    empty: QLabel

    def __init__(self, *, screenshot: bool = False, inline_worker: bool = False) -> None:
        super().__init__()
        self.screenshot = screenshot
        self.inline_worker = inline_worker  # the matter's work on the GUI thread (UI tests)
        self.worker: MatterWorker | None = None
        self.hub: Hub | None = None
        self.matter_path: str | Path | None = None  # a file, or a shared matter's URL
        self.read_only = False
        self.page_id: int | None = None
        self.page: PageData | None = None
        self.selected: int | None = None
        self.challenge_kind = "redaction"
        self.review_ready = False
        self._tree_sync = False
        self.undo_group = QUndoGroup(self)
        self.setWindowTitle("Vaughn")
        self.setAcceptDrops(True)
        self.jobs = JobRunner(self)  # ingest, OCR and matching: polled on one timer
        self.ingester = Ingester(self)  # before the actions: File ▸ Ingest is one
        self.opener = MatterOpener(self)
        layout.build(self)
        self.action_table = ActionTable(self)
        self.action_table.build()
        self.ocr = OcrController(self)  # OCR indicator, OCR menu, re-OCR in the page's menu
        from ui.vaughn_index import VaughnController

        self.vaughn = VaughnController(self, self.right_layout)  # import, entry panel, view
        prefs.restore_window(self, self.splitter, geometry=not self.screenshot)

    # -- settings -------------------------------------------------------------------------

    def save_state(self) -> None:
        """Remember geometry and pane sizes."""
        if not self.screenshot:
            prefs.save_window(self, self.splitter)

    def reviewer(self) -> str:
        """The reviewer's name for the audit log."""
        return prefs.reviewer() or getpass.getuser() or "reviewer"

    def ask_reviewer(self) -> None:
        """Ask for (and remember) the reviewer's name."""
        name, ok = QInputDialog.getText(self, "Reviewer", "Your name (kept in the audit log):",
                                        text=prefs.reviewer() or getpass.getuser())
        if ok and name.strip():
            prefs.set_reviewer(name)

    def closeEvent(self, event: Any) -> None:
        self.ingester.cancel()  # files already committed stay; the child stops at its next page
        self.ocr.shutdown()  # pages in flight stay queued; the next run resumes
        self.challenge.flush()
        self.save_state()
        if self.worker is not None:
            self.worker.stop()
        super().closeEvent(event)

    # -- opening (ui.opening) -------------------------------------------------------------

    def open_matter(self, path: str | Path, *, bates: str | None = None,
                    create: bool = False, read_only: bool = False) -> None:
        """Open a matter on a fresh worker (closing the one open)."""
        self.opener.open_matter(path, bates=bates, create=create, read_only=read_only)

    def reload_tree(self, first: bool = False) -> None:
        """Load the tree, tags and custom codes (see ``MatterOpener.reload_tree``)."""
        self.opener.reload_tree(first)

    # -- worker plumbing ------------------------------------------------------------------

    def _submit(self, fn: Any, on_done: Any = None, *, priority: int = URGENT,
                kind: str = "read") -> None:
        if self.worker is None:
            return
        self.worker.submit(fn, on_done, self._worker_error, priority=priority, kind=kind)

    def _worker_error(self, exc: BaseException) -> None:
        self.statusBar().showMessage(f"{type(exc).__name__}: {exc}", 10000)

    def _run(self, text: str, fn: Any) -> None:
        if self.hub is None:
            return
        if self.read_only:
            self.statusBar().showMessage("Read-only matter: nothing can be changed", 5000)
            return
        self.hub.run(text, fn)

    # -- showing a page -------------------------------------------------------------------

    def show_page(self, page_id: int, select: Any = None) -> None:
        """Go to a page; ``select`` = None, "first", "last", "first_unreviewed", "last_unreviewed"
        or a redaction id."""
        if self.worker is None:
            return
        self.challenge.flush()
        self.page_id = page_id
        self.review_ready = False
        self.worker.drop_prefetch()
        self.sync_tree(page_id)

        scale = self.page_view.canvas.wanted_scale()

        def load(ctx: Context) -> Any:
            # the image comes along when prefetch has made it at the scale in use (one trip)
            return (ctx.session.pages.page(PageId(page_id)), scale,
                    ctx.renderer.cached(page_id, scale))

        self._submit(load, lambda r: self._page_loaded(r[0], r[1], r[2], select))

    def _page_loaded(self, view: PageData, scale: float, image: Any, select: Any) -> None:
        if view.id != self.page_id:
            return  # the reviewer has moved on
        same = self.page is not None and self.page.id == view.id
        self.page = view
        self.page_view.set_page(view, image, scale)
        if view.needs_look:  # a step stopped over its budget, or codes not legible
            stopped = any("stopped" in n for n in view.needs_look)
            self.statusBar().showMessage(
                f"This page needs a human look: {'; '.join(view.needs_look)}" + (
                    " (its text is not indexed until it is analysed again: vaughn analyze "
                    "MATTER --page BATES)" if stopped else ""), 15000)
        self.claims.set_disposition(view.disposition)
        reds = view.redactions
        rid: int | None = None
        if select == "first" and reds:
            rid = reds[0].id
        elif select == "last" and reds:
            rid = reds[-1].id
        elif select in ("first_unreviewed", "last_unreviewed"):
            todo = [r.id for r in reds if r.status == "not_reviewed"]
            rid = (todo[0] if select == "first_unreviewed" else todo[-1]) if todo else None
        elif isinstance(select, int):
            rid = select
        elif same and self.selected in {r.id for r in reds}:
            rid = self.selected
        self.select_redaction(rid, keep_kind=same)
        if self.searching.terms:
            self.searching.load_hits()
        # Prefetch once this page is on screen: a render on the worker holds the GIL (PyMuPDF),
        # and would otherwise delay the paint of the page the reviewer asked for.
        self.images.shown(view.id, image is not None
                          and self.page_view.canvas.painted_key == (view.id, scale))
        self.pageShown.emit(view.id)

    def sync_tree(self, page_id: int) -> None:
        index = self.tree_model.index_of_page(page_id)
        if index.isValid():
            self._tree_sync = True
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)
            self._tree_sync = False

    def tree_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._tree_sync:
            return
        pid = self.tree_model.page_at(current)
        if pid is not None and pid != self.page_id:
            self.show_page(pid)

    # -- selection and the panels ---------------------------------------------------------

    def redaction(self, rid: int | None) -> RedactionData | None:
        """The current page's redaction with this id."""
        if self.page is None or rid is None:
            return None
        return next((r for r in self.page.redactions if r.id == rid), None)

    def select_redaction(self, rid: int | None, keep_kind: bool = False) -> None:
        """Select a redaction of the current page (None: the page itself)."""
        red = self.redaction(rid)
        self.selected = red.id if red else None
        self.page_view.canvas.select(self.selected)
        if red is not None:
            rect = self.page_view.canvas.rect_of(red.bbox)
            self.page_view.ensureVisible(int(rect.center().x()), int(rect.center().y()),
                                         50, 80)
        self.claims.set_redaction(red, self.page.bates if self.page else None)
        self.challenge.set_kind_enabled(red is not None)
        if not keep_kind or self.challenge_kind == "redaction" or red is None:
            self.challenge_kind = "redaction" if red is not None else (
                self.challenge_kind if self.challenge_kind != "redaction" else "page")
        self.load_review()

    def target(self) -> tuple[str, int] | None:
        """What the challenge panel is about: (kind, id)."""
        if self.page is None:
            return None
        if self.challenge_kind == "redaction" and self.selected is not None:
            return ("redaction", self.selected)
        if self.challenge_kind == "document":
            return ("document", self.page.document_id)
        return ("page", self.page.id)

    def load_review(self) -> None:
        """Load the challenge panel for the current target."""
        target = self.target()
        if target is None:
            return
        self.review_ready = False
        self.challenge.begin_load(target)
        doc_id = self.page.document_id if self.page else None

        def load(ctx: Context) -> Any:
            return ctx.session.pages.review(target, doc_id)

        def done(review: Review) -> None:
            if self.target() == (review.kind, review.id):
                self.challenge.load(review, doc_id)
                self.review_ready = True
                self.reviewLoaded.emit()

        self._submit(load, done)

    def target_kind_chosen(self, kind: str) -> None:
        self.challenge_kind = kind
        self.load_review()

    # -- ingest ---------------------------------------------------------------------------

    def dragEnterEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            if self.worker is None:
                self.opener.ask_new()
            if self.worker is not None:
                self.ingester.start_ingest(paths)

    # -- other windows ------------------------------------------------------------------

    def show_compare(self) -> None:
        """The Compare versions window: re-released records side by side (ui.compare)."""
        from ui.compare.view import show_compare

        show_compare(self)

    def show_statistics(self) -> None:
        """The Statistics window: page accounting per production (ui.compare)."""
        from ui.compare.statistics import show_statistics

        show_statistics(self)

    def ready(self) -> bool:
        """Page data, sharp image, overlays and panels all painted (for --screenshot)."""
        canvas = self.page_view.canvas
        return (self.page is not None and self.page_id == self.page.id
                and self.tree_model.tree is not None
                and canvas.has_sharp_image() and canvas.painted_key is not None
                and canvas.painted_key[0] == self.page_id and self.review_ready
                and self.vaughn.panel_page == self.page_id
                and (self.hub is None or self.hub.in_flight == 0))


def app_instance() -> QApplication:
    """The running QApplication (made if needed)."""
    return QApplication.instance() or QApplication([])  # type: ignore[return-value]

