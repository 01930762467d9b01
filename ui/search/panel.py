"""The search results pane: hit count, snippets with terms highlighted, tag all results.

The query box lives in the window's toolbar; this pane lists the matching pages (in page
order, as ``app.search.index.search`` returns them) and steps through them (F3 / Shift+F3).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from ui.models.hits import HTML_ROLE, HitsModel
from ui.widgets.html_delegate import HtmlDelegate


class SearchPanel(QWidget):
    """Results of the current search."""

    hitActivated = Signal(int)  # row
    tagAllRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HitsModel(self)
        self.current = -1
        self.count_label = QLabel("Type a query above and press Enter")
        self.count_label.setWordWrap(True)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(HtmlDelegate(HTML_ROLE, self.list))
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.clicked.connect(lambda i: self.hitActivated.emit(i.row()))
        self.list.activated.connect(lambda i: self.hitActivated.emit(i.row()))
        self.tag_all = QPushButton("Tag all results…")
        self.tag_all.setEnabled(False)
        self.tag_all.clicked.connect(self.tagAllRequested)
        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.tag_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.list)

    def set_results(self, query: str, results: object) -> None:
        """Show results (``app.search.index.Results``)."""
        self.model.set_results(query, results)
        self.current = -1
        total = self.model.total
        shown = len(self.model.hits)
        exact = getattr(results, "total_exact", True)
        more = f" (first {shown} listed)" if shown < total else ""
        least = "" if exact else "at least "
        self.count_label.setText(f"{least}{total} page{'s' if total != 1 else ''} match "
                                 f"“{query}”{more}")
        self.tag_all.setEnabled(total > 0)

    def set_exact_total(self, query: str, total: int) -> None:
        """The exact count of a search first shown as "at least N" (counted in the background)."""
        if query != self.model.query:
            return
        self.model.total = total
        shown = len(self.model.hits)
        more = f" (first {shown} listed)" if shown < total else ""
        self.count_label.setText(f"{total} page{'s' if total != 1 else ''} match "
                                 f"“{query}”{more}")

    def set_error(self, message: str) -> None:
        """Show why a query could not run."""
        self.model.set_results("", None)
        self.count_label.setText(message)
        self.tag_all.setEnabled(False)

    def step(self, delta: int) -> int | None:
        """Move to the next (+1) or previous (-1) hit, wrapping; its page id."""
        n = len(self.model.hits)
        if not n:
            return None
        self.current = (self.current + delta) % n if self.current >= 0 else (
            0 if delta > 0 else n - 1)
        return self.select_row(self.current)

    def select_row(self, row: int) -> int:
        """Select a hit row and return its page id."""
        self.current = row
        index = self.model.index(row, 0, QModelIndex())
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index)
        return int(self.model.hits[row].page_id)
