"""The thumbnail strip: small renders of the pages in navigation order, made as they scroll in.

The model holds page ids (the tree's visible order) and the thumbnails made so far. A view
asks for the decoration of a row only when the row is painted, so the first paint of a row
whose thumbnail is missing is what asks for it (:attr:`ThumbModel.wanted`); the window renders
it on the matter worker at a low scale and hands the image back with :meth:`set_image`.
Rows scrolled past before their turn are not rendered: a short timer sends only the requests
whose rows are still on screen. Thumbnails are kept for the most recently used pages only.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)

THUMB_SCALE = 0.16  # pixels per PDF point: a Letter page is about 98 x 127 pixels
THUMB_BOX = QSize(110, 140)
KEEP = 800  # thumbnails kept (about 50 KB each)

_ROOT = QModelIndex()
PAGE_ROLE = Qt.ItemDataRole.UserRole


class ThumbModel(QAbstractListModel):
    """One row per page; the decoration is the thumbnail once rendered."""

    wanted = Signal(int)  # page id whose thumbnail a painted row is missing

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.pages: list[int] = []
        self.labels: dict[int, str] = {}
        self.images: OrderedDict[int, QPixmap] = OrderedDict()
        self.requested: set[int] = set()
        self.failed: set[int] = set()  # pages that could not be rendered: not asked again
        self._retry: set[int] = set()
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.setInterval(250)
        self._retry_timer.timeout.connect(self._repaint_retries)
        self._row: dict[int, int] = {}
        self.placeholder = QPixmap(THUMB_BOX.width() - 24, THUMB_BOX.height() - 24)
        self.placeholder.fill(QColor("#e8e8e8"))

    def set_pages(self, pages: list[int], labels: dict[int, str]) -> None:
        """Show these pages (ids in order) with their labels; thumbnails made stay."""
        self.beginResetModel()
        self.pages = list(pages)
        self.labels = dict(labels)
        self._row = {pid: i for i, pid in enumerate(self.pages)}
        self.endResetModel()

    def row_of(self, page_id: int) -> int | None:
        """The row of a page, None when it is not in the strip."""
        return self._row.get(page_id)

    def set_image(self, page_id: int, image: QImage | None) -> None:
        """A rendered page (None: the render gave way to urgent work; it is asked again)."""
        self.requested.discard(page_id)
        if image is None or image.isNull():
            self._retry.add(page_id)
            self._retry_timer.start()
            return
        self.images[page_id] = QPixmap.fromImage(image)
        self.images.move_to_end(page_id)
        while len(self.images) > KEEP:
            self.images.popitem(last=False)
        row = self._row.get(page_id)
        if row is not None:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def set_failed(self, page_id: int) -> None:
        """The page could not be rendered: keep the placeholder."""
        self.requested.discard(page_id)
        self.failed.add(page_id)

    def _repaint_retries(self) -> None:
        """Repaint rows whose render gave way: those still on screen ask again."""
        retry, self._retry = self._retry, set()
        for pid in retry:
            row = self._row.get(pid)
            if row is not None:
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.pages)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.pages):
            return None
        pid = self.pages[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.labels.get(pid, "")
        if role == Qt.ItemDataRole.DecorationRole:
            pix = self.images.get(pid)
            if pix is not None:
                self.images.move_to_end(pid)
                return pix
            if pid not in self.requested and pid not in self.failed:
                self.requested.add(pid)
                self.wanted.emit(pid)
            return self.placeholder
        if role == PAGE_ROLE:
            return pid
        if role == Qt.ItemDataRole.SizeHintRole:
            return THUMB_BOX
        return None


class ThumbStrip(QListView):
    """A vertical strip of page thumbnails; clicking one goes to the page."""

    pageClicked = Signal(int)
    renderWanted = Signal(list)  # page ids on screen still without a thumbnail

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbs = ThumbModel(self)
        self.setModel(self.thumbs)
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.TopToBottom)
        self.setUniformItemSizes(True)
        self.setIconSize(THUMB_BOX - QSize(24, 24))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._waiting: list[int] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self._flush)
        self.thumbs.wanted.connect(self._want)
        self.clicked.connect(self._clicked)
        self.activated.connect(self._clicked)

    def _want(self, page_id: int) -> None:
        self._waiting.append(page_id)
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        """Send the requests whose rows are still on screen; forget the others."""
        viewport = self.viewport().rect()
        send, waiting = [], self._waiting
        self._waiting = []
        for pid in waiting:
            row = self.thumbs.row_of(pid)
            if row is not None and self.visualRect(self.thumbs.index(row, 0)).intersects(
                    viewport) and self.isVisible():
                send.append(pid)
            else:
                self.thumbs.requested.discard(pid)  # asked again when painted
        if send:
            self.renderWanted.emit(send)

    def _clicked(self, index: QModelIndex) -> None:
        pid = index.data(PAGE_ROLE)
        if pid is not None:
            self.pageClicked.emit(pid)

    def show_current(self, page_id: int) -> None:
        """Mark (and scroll to) the page shown in the window."""
        row = self.thumbs.row_of(page_id)
        if row is None:
            return
        index = self.thumbs.index(row, 0)
        self.blockSignals(True)
        self.setCurrentIndex(index)
        self.blockSignals(False)
        self.scrollTo(index)
