"""One side of the Compare view: a page fitted to its pane with the differences drawn on it.

:class:`DiffCanvas` paints the page image (rendered on the matter worker) and, over it, every
difference of the page pair in its kind's colour: lifted (redacted before, released now),
added (released before, redacted now), re-coded (redacted in both, different exemptions).
Where the box is on this side it is filled; where the passage shows on this side it is only
outlined, dashed, so the released words stay readable. Redactions that did not change are
outlined in grey; the current difference gets a thick frame. :class:`DiffPageView` is the
scroll area around it, always fitting the page width, asking for a sharper render when its
width changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QScrollArea, QWidget

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from ui.review.page_view import PageImage

if TYPE_CHECKING:
    from app.session import PageData

KIND_COLORS = {
    "lifted": QColor(30, 160, 70),
    "added": QColor(215, 40, 60),
    "recoded": QColor(150, 70, 210),
}
KIND_NAMES = {"lifted": "lifted", "added": "added", "recoded": "re-coded"}
CURRENT_COLOR = QColor(0, 190, 255)
UNCHANGED_COLOR = QColor(150, 150, 150)

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Mark:
    """A difference as one side draws it (``bbox`` in display coordinates of this page)."""

    bbox: Box
    kind: str
    redacted_here: bool
    current: bool = False


class DiffCanvas(PageImage):
    """A page image at ``zoom`` logical pixels per point with difference marks over it."""

    MIN_ZOOM = 0.05

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.marks: list[Mark] = []

    def set_page(self, page: PageData | None, marks: list[Mark]) -> None:
        """Show a page (a ``state.page_view`` dict, or None) and its marks."""
        self._take_page(page)
        self.marks = marks
        self.update()

    def set_marks(self, marks: list[Mark]) -> None:
        """Replace the marks (the current difference moved)."""
        self.marks = marks
        self.update()

    def paintEvent(self, event: Any) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        if self.page is None:
            p.end()
            return
        image = self._image
        if image is not None:
            image.setDevicePixelRatio(1.0)
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(QRectF(self.rect()), image, QRectF(image.rect()))
        else:
            p.setPen(QColor(150, 150, 150))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Rendering…")
        changed = {m.bbox for m in self.marks}
        p.setPen(QPen(UNCHANGED_COLOR, 1))
        for r in self.page.redactions:
            if tuple(r.bbox) not in changed:
                p.drawRect(self.rect_of(r.bbox))
        for m in self.marks:
            color = KIND_COLORS.get(m.kind, UNCHANGED_COLOR)
            rect = self.rect_of(m.bbox)
            if m.redacted_here:
                fill = QColor(color)
                fill.setAlpha(90)
                p.fillRect(rect, fill)
                p.setPen(QPen(color, 2))
            else:
                pen = QPen(color, 2)
                pen.setStyle(Qt.PenStyle.DashLine)
                p.setPen(pen)
            p.drawRect(rect)
        for m in self.marks:
            if m.current:
                p.setPen(QPen(CURRENT_COLOR, 3))
                p.drawRect(self.rect_of(m.bbox).adjusted(-4, -4, 4, 4))
        p.end()


class DiffPageView(QScrollArea):
    """Scrolls a :class:`DiffCanvas` fitted to the pane's width."""

    renderWanted = Signal(int, float)  # page id, pixels per point

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = DiffCanvas()
        self.setWidget(self.canvas)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setStyleSheet("QScrollArea { background: #5c636a; }")
        self._debounce = QTimer(self, singleShot=True, interval=80)
        self._debounce.timeout.connect(self._request)

    def set_page(self, page: PageData | None, marks: list[Mark]) -> None:
        """Show a page fitted to the width and ask for its render."""
        self.canvas.set_page(page, marks)
        self._fit()
        self._request()

    def _fit(self) -> None:
        page = self.canvas.page
        if page is not None:
            self.canvas.set_zoom(max(50, self.viewport().width() - 12) / page.width)

    def _request(self) -> None:
        page = self.canvas.page
        if page is not None and not self.canvas.has_sharp_image():
            self.renderWanted.emit(page.id, self.canvas.wanted_scale())

    def show_box(self, bbox: Box) -> None:
        """Scroll so a box is in view."""
        rect = self.canvas.rect_of(bbox)
        self.ensureVisible(int(rect.center().x()), int(rect.center().y()), 40,
                           int(min(rect.height() / 2 + 80, self.viewport().height() / 2)))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()
        self._debounce.start()
