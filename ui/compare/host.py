"""What the Compare versions and Statistics windows use of the review window that opened them:
its worker and hub (the matter open there), whether it is read-only, its status bar, and the
page it shows. Typed as a protocol so these windows reach nothing else of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from app.session import PageData
    from ui.hub import Hub
    from ui.jobs import JobRunner
    from ui.worker import MatterWorker


class ReviewHost(Protocol):
    """The review window (``ui.window.MainWindow``) as a compare or statistics window sees it."""

    worker: MatterWorker | None  # the open matter's worker (None: no matter open)
    hub: Hub | None  # its undo stack of review ops
    jobs: JobRunner  # the long work running (matching is one)
    read_only: bool
    page_id: int | None  # the page shown, and its data once loaded
    page: PageData | None

    def statusBar(self) -> QStatusBar: ...

    def show_page(self, page_id: int, select: Any = None) -> None: ...

    def select_redaction(self, rid: int | None, keep_kind: bool = False) -> None: ...

    def raise_(self) -> None: ...

    def activateWindow(self) -> None: ...
