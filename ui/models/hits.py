"""Search results as a list model: page ids plus the hit rows (Bates, snippet) shown."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

# app.search.index's snippet marks; not imported from there, because that module pulls in
# sqlite-utils (300 ms) and this one loads before the window first paints
SNIPPET_OPEN = "«"
SNIPPET_CLOSE = "»"

HTML_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE_ROLE = Qt.ItemDataRole.UserRole


def snippet_html(snippet: str) -> str:
    """A snippet with its «marked» terms in bold on yellow, everything else escaped."""
    out = html.escape(snippet)
    return (out.replace(html.escape(SNIPPET_OPEN), "<b style='background:#ffe066'>")
            .replace(html.escape(SNIPPET_CLOSE), "</b>"))

_ROOT = QModelIndex()


class HitsModel(QAbstractListModel):
    """One row per matching page."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.hits: list[Any] = []
        self.total = 0
        self.query = ""

    def set_results(self, query: str, results: Any) -> None:
        """Load ``app.search.index.Results``."""
        self.beginResetModel()
        self.query = query
        self.hits = list(results.hits) if results else []
        self.total = results.total if results else 0
        self.endResetModel()

    def page_ids(self) -> list[int]:
        """Pages of the hits shown, in order."""
        return [h.page_id for h in self.hits]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        hit = self.hits[index.row()]
        name = hit.bates or f"page {hit.page_index + 1}"
        if role == Qt.ItemDataRole.DisplayRole:
            plain = hit.snippet.replace(SNIPPET_OPEN, "").replace(SNIPPET_CLOSE, "")
            return f"{name}: {plain}"
        if role == HTML_ROLE:
            return f"<b>{html.escape(name)}</b>&nbsp; {snippet_html(hit.snippet)}"
        if role == PAGE_ROLE:
            return hit.page_id
        return None
