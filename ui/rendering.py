"""Page images for the window: the sharp render the page view asks for, prefetch of the pages
either side once the current one is painted, and the thumbnail strip's small renders. Every
render runs on the matter worker (``PageRenderer``); prefetch and thumbnails give way to what
the reviewer is waiting for."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from ui.controller import Controller
from ui.widgets.thumbs import THUMB_SCALE
from ui.worker import NORMAL, PREFETCH, Context

if TYPE_CHECKING:
    from ui.window import MainWindow

PREFETCH_AHEAD = 2
PREFETCH_BEHIND = 1


class PageImages(Controller):
    """Renders for the page view and the thumbnail strip."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._prefetch_pending: int | None = None
        window.page_view.canvas.painted.connect(self._painted)
        window.page_view.renderWanted.connect(self._render_wanted)
        window.thumb_strip.renderWanted.connect(self._render_thumbs)
        window.treeLoaded.connect(self.fill_thumbs)

    def shown(self, page_id: int, painted: bool) -> None:
        """A page's data is in the panels: prefetch now when its image is painted already,
        otherwise once it is (a render holds the GIL and would delay that paint)."""
        if painted:
            self.prefetch()
        else:
            self._prefetch_pending = page_id

    def _painted(self, page_id: int) -> None:
        if self._prefetch_pending == page_id:
            self._prefetch_pending = None
            self.prefetch()

    def _render_wanted(self, page_id: int, scale: float) -> None:
        def render(ctx: Context) -> Any:
            return page_id, scale, ctx.renderer.render(page_id, scale)

        self.submit(render, lambda r: self.w.page_view.canvas.set_image(*r))

    def prefetch(self) -> None:
        """Render the pages either side of the current one, at the scale in use."""
        w = self.w
        order = w.tree_model.pages
        i = w.tree_model.position(w.page_id)
        if i is None:
            return
        scale = w.page_view.canvas.wanted_scale()
        wanted = [order[j] for j in [*range(i + 1, i + 1 + PREFETCH_AHEAD),
                                     *range(i - 1, i - 1 - PREFETCH_BEHIND, -1)]
                  if 0 <= j < len(order)]
        abort = w.worker.urgent_waiting if w.worker is not None else None
        def render(p: int) -> Callable[[Context], None]:
            def job(ctx: Context) -> None:
                ctx.renderer.render(p, scale, abort)  # into the cache; nothing comes back

            return job

        for pid in wanted:
            self.submit(render(pid), priority=PREFETCH)

    def fill_thumbs(self) -> None:
        """Give the thumbnail strip the tree's (filtered) pages and their labels."""
        w = self.w
        model = w.tree_model
        pages = model.pages
        if pages == w.thumb_strip.thumbs.pages:
            return
        labels = {}
        for pid in pages:
            row = model.row(pid)
            labels[pid] = (row.bates or f"page {row.page_index + 1}") if row else str(pid)
        w.thumb_strip.thumbs.set_pages(pages, labels)
        if w.page_id is not None:
            w.thumb_strip.show_current(w.page_id)

    def _render_thumbs(self, page_ids: list[int]) -> None:
        """Small renders for the thumbnail strip (they give way to what the reviewer awaits)."""
        worker = self.w.worker
        if worker is None:
            return
        abort = worker.urgent_waiting
        thumbs = self.w.thumb_strip.thumbs
        def render(p: int) -> Callable[[Context], tuple[int, Any]]:
            return lambda ctx: (p, ctx.renderer.render(p, THUMB_SCALE, abort))

        def failed(p: int) -> Callable[[BaseException], None]:
            return lambda _exc: thumbs.set_failed(p)

        for pid in page_ids:
            worker.submit(render(pid), lambda r: thumbs.set_image(*r), failed(pid),
                          priority=NORMAL)
