"""Moving through the production: next/previous page, record, redaction, unreviewed redaction
(in the tree's filtered order), and Go to Bates."""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QLineEdit

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from ui.controller import Controller
from ui.worker import Context

if TYPE_CHECKING:
    from ui.window import MainWindow


def _next_index(pos: float, delta: int) -> int:
    return math.floor(pos + 1) if delta > 0 else math.ceil(pos - 1)


class Navigator(Controller):
    """The window's moves; every one ends in ``MainWindow.show_page`` or a selection."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.bates_edit = QLineEdit(placeholderText="Go to Bates (Ctrl+G)")
        self.bates_edit.setMaximumWidth(220)
        self.bates_edit.returnPressed.connect(lambda: self.go_to_bates(self.bates_edit.text()))

    def _position(self) -> float | None:
        """The current page's place in the visible order (x.5 when it is filtered out)."""
        w = self.w
        pos = w.tree_model.position(w.page_id)
        if pos is not None:
            return float(pos)
        order = w.tree_model.pages
        if not order or w.page_id is None:
            return None
        return bisect.bisect_left(order, w.page_id) - 0.5

    def step_page(self, delta: int, select: Any = None) -> bool:
        """Next/previous page in the (filtered) tree order."""
        order = self.w.tree_model.pages
        pos = self._position()
        if pos is None:
            return False
        j = _next_index(pos, delta)
        if not 0 <= j < len(order):
            self.say("No more pages", 2000)
            return False
        self.w.show_page(order[j], select=select)
        return True

    def step_document(self, delta: int) -> None:
        """First page of the next/previous document."""
        w = self.w
        order, doc_of = w.tree_model.pages, w.tree_model.doc_of_page
        pos = self._position()
        if pos is None or w.page is None:
            return
        doc = w.page.document_id
        i = int(pos)
        if delta > 0:
            j = next((k for k in range(i + 1, len(order)) if doc_of[order[k]] != doc), None)
        else:
            start = next((k for k in range(i, -1, -1) if doc_of[order[k]] != doc), None)
            j = None
            if start is not None:
                prev = doc_of[order[start]]
                j = start
                while j > 0 and doc_of[order[j - 1]] == prev:
                    j -= 1
        if j is not None:
            w.show_page(order[j])

    def step_redaction(self, delta: int) -> None:
        """Next/previous redaction, across pages."""
        w = self.w
        if w.page is None:
            return
        ids = [r.id for r in w.page.redactions]
        if ids:
            if w.selected in ids:
                k = ids.index(w.selected) + delta
            else:
                k = 0 if delta > 0 else len(ids) - 1
            if 0 <= k < len(ids):
                w.select_redaction(ids[k])
                return
        self._jump(delta, lambda row: row.redactions > 0, "first" if delta > 0 else "last")

    def step_unreviewed(self, delta: int) -> None:
        """Next/previous redaction nobody has reviewed yet, across pages."""
        w = self.w
        if w.page is None:
            return
        reds = w.page.redactions
        ids = [r.id for r in reds]
        k = ids.index(w.selected) if w.selected in ids else (-1 if delta > 0 else len(ids))
        rng = range(k + 1, len(ids)) if delta > 0 else range(k - 1, -1, -1)
        for i in rng:
            if reds[i].status == "not_reviewed":
                w.select_redaction(ids[i])
                return
        self._jump(delta, lambda row: row.unreviewed > 0,
                   "first_unreviewed" if delta > 0 else "last_unreviewed")

    def _jump(self, delta: int, wanted: Callable[[Any], bool], select: str) -> None:
        order = self.w.tree_model.pages
        pos = self._position()
        if pos is None:
            return
        start = _next_index(pos, delta)
        rng = range(start, len(order)) if delta > 0 else range(start, -1, -1)
        for j in rng:
            row = self.w.tree_model.row(order[j])
            if row is not None and wanted(row):
                self.w.show_page(order[j], select=select)
                return
        self.say("Nothing more in that direction", 3000)

    def go_to_bates(self, text: str) -> None:
        """Show the page with this Bates number."""
        text = text.strip()
        if not text:
            return

        def find(ctx: Context) -> Any:
            return ctx.session.pages.find_bates(text)

        def done(ids: list[int]) -> None:
            if ids:
                self.w.show_page(ids[0])
            else:
                self.say(f"No page with Bates {text}", 5000)

        self.submit(find, done)

    def next_in_batch(self) -> None:
        """Navigate ▸ Next in my batches: the next page the lead gave this reviewer that still
        waits for review (app/review/batches.py)."""
        from app.session import PageId

        reviewer, here = self.w.reviewer(), self.w.page_id
        after = None if here is None else PageId(here)

        def find(ctx: Context) -> Any:
            return ctx.session.batches.next_in_queue(reviewer, after)

        def done(page: int | None) -> None:
            if page is None:
                self.say(f"Nothing left to review in {reviewer}'s batches", 5000)
            else:
                self.w.show_page(page)

        self.submit(find, done)

    def focus_bates(self) -> None:
        """Ctrl+G: into the Bates box."""
        self.bates_edit.setFocus()
        self.bates_edit.selectAll()
