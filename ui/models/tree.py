"""The production -> document -> page tree: ids plus a small row cache, filterable.

Built from one :func:`app.review.state.tree` result (loaded on the worker). Nodes are encoded in
``internalId`` (kind in the top bits, index below), so 20,000 pages cost one tuple each and no
QStandardItem. A filter keeps only the pages in a given id set (and their parents); the visible
pages in tree order are the reviewer's navigation order.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

_PROD, _DOC, _PAGE = 1, 2, 3
_SHIFT = 56
_MASK = (1 << _SHIFT) - 1
Index = QModelIndex | QPersistentModelIndex

BAD_COLOR = QColor("#d9480f")
CHALLENGED_COLOR = QColor("#c2255c")
DONE_COLOR = QColor("#2b8a3e")

_ROOT = QModelIndex()


class PageTreeModel(QAbstractItemModel):
    """Productions, their documents, their pages; one column."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.tree: Any = None
        self._rows: dict[int, Any] = {}
        self._visible: set[int] | None = None
        self._build()

    # -- data -----------------------------------------------------------------------------

    def set_tree(self, tree: Any) -> None:
        """Load a new tree (from ``state.tree``)."""
        self.beginResetModel()
        self.tree = tree
        self._rows = {r.page_id: r for r in tree.pages}
        self._build()
        self.endResetModel()

    def update_rows(self, rows: list[Any]) -> None:
        """Refresh cached rows of some pages (after a review change) without a reset."""
        for row in rows:
            if row.page_id in self._rows:
                self._rows[row.page_id] = row
                pos = self._page_pos.get(row.page_id)
                if pos is not None:
                    index = self.createIndex(pos[1], 0, (_PAGE << _SHIFT) | pos[0])
                    self.dataChanged.emit(index, index)

    def set_filter(self, page_ids: list[int] | None) -> None:
        """Show only these pages (None: all)."""
        self.beginResetModel()
        self._visible = None if page_ids is None else set(page_ids)
        self._build()
        self.endResetModel()

    def _build(self) -> None:
        self.prods: list[tuple[int, str]] = []
        self.docs: list[tuple[int, int, str]] = []  # (doc id, prod node index, label)
        self.pages: list[int] = []  # page ids in tree order (the navigation order)
        self._prod_docs: list[list[int]] = []
        self._doc_pages: list[list[int]] = []
        self._doc_parent: list[int] = []
        self._page_parent: list[int] = []
        self._doc_row: list[int] = []
        self._page_pos: dict[int, tuple[int, int]] = {}  # page id -> (page node, row)
        self.doc_of_page: dict[int, int] = {}
        if self.tree is None:
            return
        by_doc: dict[int, list[int]] = {}
        for r in self.tree.pages:
            if self._visible is None or r.page_id in self._visible:
                by_doc.setdefault(r.document_id, []).append(r.page_id)
        docs_by_prod: dict[int, list[tuple[int, str]]] = {}
        for did, prod, label in self.tree.documents:
            if did in by_doc:
                docs_by_prod.setdefault(prod, []).append((did, label))
        for prod_id, name in self.tree.productions:
            docs = docs_by_prod.get(prod_id)
            if not docs:
                continue
            p_node = len(self.prods)
            self.prods.append((prod_id, name))
            self._prod_docs.append([])
            for did, label in docs:
                d_node = len(self.docs)
                self.docs.append((did, p_node, label))
                self._doc_row.append(len(self._prod_docs[p_node]))
                self._prod_docs[p_node].append(d_node)
                self._doc_parent.append(p_node)
                self._doc_pages.append([])
                for pid in by_doc[did]:
                    node = len(self.pages)
                    self._page_pos[pid] = (node, len(self._doc_pages[d_node]))
                    self._doc_pages[d_node].append(node)
                    self._page_parent.append(d_node)
                    self.pages.append(pid)
                    self.doc_of_page[pid] = did

    def position(self, page_id: int | None) -> int | None:
        """A page's place in the visible (filtered) order, None when it is not shown."""
        pos = None if page_id is None else self._page_pos.get(page_id)
        return None if pos is None else pos[0]

    def row(self, page_id: int) -> Any:
        """The cached row of a page (``state.TreeRow``) or None."""
        return self._rows.get(page_id)

    def index_of_page(self, page_id: int) -> QModelIndex:
        """The model index of a visible page (invalid when filtered out)."""
        pos = self._page_pos.get(page_id)
        if pos is None:
            return QModelIndex()
        return self.createIndex(pos[1], 0, (_PAGE << _SHIFT) | pos[0])

    def page_at(self, index: Index) -> int | None:
        """The page id of an index, or (for a document) its first visible page."""
        if not index.isValid():
            return None
        kind, node = index.internalId() >> _SHIFT, index.internalId() & _MASK
        if kind == _PAGE:
            return self.pages[node]
        if kind == _DOC:
            return self.pages[self._doc_pages[node][0]]
        return self.pages[self._doc_pages[self._prod_docs[node][0]][0]]

    # -- QAbstractItemModel ---------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            if row < len(self.prods):
                return self.createIndex(row, 0, (_PROD << _SHIFT) | row)
            return QModelIndex()
        kind, node = parent.internalId() >> _SHIFT, parent.internalId() & _MASK
        if kind == _PROD and row < len(self._prod_docs[node]):
            return self.createIndex(row, 0, (_DOC << _SHIFT) | self._prod_docs[node][row])
        if kind == _DOC and row < len(self._doc_pages[node]):
            return self.createIndex(row, 0, (_PAGE << _SHIFT) | self._doc_pages[node][row])
        return QModelIndex()

    def parent(self, index: Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        kind, node = index.internalId() >> _SHIFT, index.internalId() & _MASK
        if kind == _DOC:
            p = self._doc_parent[node]
            return self.createIndex(p, 0, (_PROD << _SHIFT) | p)
        if kind == _PAGE:
            d = self._page_parent[node]
            return self.createIndex(self._doc_row[d], 0, (_DOC << _SHIFT) | d)
        return QModelIndex()

    def rowCount(self, parent: Index = _ROOT) -> int:
        if not parent.isValid():
            return len(self.prods)
        kind, node = parent.internalId() >> _SHIFT, parent.internalId() & _MASK
        if kind == _PROD:
            return len(self._prod_docs[node])
        if kind == _DOC:
            return len(self._doc_pages[node])
        return 0

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        kind, node = index.internalId() >> _SHIFT, index.internalId() & _MASK
        if kind == _PROD:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.prods[node][1]
            return None
        if kind == _DOC:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{self.docs[node][2]}  ({len(self._doc_pages[node])} p.)"
            return None
        row = self._rows[self.pages[node]]
        if role == Qt.ItemDataRole.DisplayRole:
            text = row.bates or f"page {row.page_index + 1}"
            bits = []
            if row.redactions:
                bits.append(f"{row.redactions} red.")
            if row.bad:
                bits.append(f"⚠ {row.bad} bad")
            if row.withheld:
                bits.append("WIF")
            if row.challenged:
                bits.append("challenged")
            return f"{text}   {' · '.join(bits)}" if bits else text
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.bad:
                return QBrush(BAD_COLOR)
            if row.challenged:
                return QBrush(CHALLENGED_COLOR)
            if row.redactions and not row.unreviewed:
                return QBrush(DONE_COLOR)
        if role == Qt.ItemDataRole.UserRole:
            return row.page_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{row.redactions} redactions, {row.unreviewed} unreviewed, "
                    f"{row.bad} bad, disposition: {row.disposition or 'not set'}")
        return None
