"""The centre pane: one page, sharp at any zoom, with every redaction drawn over it.

:class:`PageCanvas` paints the rendered ``QImage`` (made on the worker at zoom x device pixel
ratio, so it stays sharp on high-DPI screens) and the overlays: redactions coloured by status
(bad ones in a warning colour), the selected one outlined, search hits highlighted. While a
sharper render is on its way the previous image is drawn scaled; the GUI never waits. Clicking
a box selects it. :class:`PageView` is the scroll area around it: fit width, fit page, zoom,
Ctrl+wheel, and a context menu that other parts of the window fill (``menuWanted``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QMenu, QScrollArea, QSizePolicy, QWidget

if TYPE_CHECKING:
    from app.session import PageData

STATUS_COLORS = {
    "not_reviewed": QColor(70, 110, 220),
    "accept": QColor(40, 150, 70),
    "challenge": QColor(215, 40, 90),
    "dropped": QColor(130, 130, 130),
}
BAD_COLOR = QColor(255, 140, 0)
SELECTED_COLOR = QColor(0, 190, 255)
HIT_COLOR = QColor(255, 230, 0, 110)

FIT_WIDTH, FIT_PAGE, CUSTOM = "width", "page", "custom"


class PageImage(QWidget):
    """A page image rendered on the worker, drawn at ``zoom`` logical pixels per PDF point.

    What the page canvas and the compare view's canvases share: the page shown, its image
    and the scale it was rendered at, zoom and size. Subclasses paint.
    """

    MIN_ZOOM = 0.1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page: PageData | None = None
        self.zoom = 1.0
        self._image: QImage | None = None
        self._image_key: tuple[int, float] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def _take_page(self, page: PageData | None) -> bool:
        """Make ``page`` the one shown; True when it is another page (its image is dropped)."""
        other = page is None or self.page is None or page.id != self.page.id
        if other:
            self._image = None
            self._image_key = None
        self.page = page
        self._resize()
        return other

    def set_zoom(self, zoom: float) -> None:
        """Logical pixels per PDF point."""
        self.zoom = max(self.MIN_ZOOM, min(zoom, 8.0))
        self._resize()
        self.update()

    def wanted_scale(self) -> float:
        """Pixels per point the image should be rendered at (zoom x device pixel ratio)."""
        return self.zoom * self.devicePixelRatioF()

    def set_image(self, page_id: int, scale: float, image: QImage | None) -> None:
        """A rendered image arrived from the worker."""
        if self.page is None or page_id != self.page.id or image is None:
            return
        self._image = image
        self._image_key = (page_id, scale)
        self.update()

    def has_sharp_image(self) -> bool:
        """Whether the current image matches the wanted scale."""
        return (self._image_key is not None and self.page is not None
                and self._image_key[0] == self.page.id
                and abs(self._image_key[1] - self.wanted_scale()) < 0.02)

    def has_image(self) -> bool:
        """Whether any image of the current page is drawn."""
        return self._image is not None

    def rect_of(self, bbox: tuple[float, float, float, float]) -> QRectF:
        """Widget rectangle of a box in the page's (display) coordinates."""
        x0, y0, x1, y1 = bbox
        z = self.zoom
        return QRectF(x0 * z, y0 * z, (x1 - x0) * z, (y1 - y0) * z)

    def _resize(self) -> None:
        if self.page is None:
            self.setFixedSize(1, 1)
            return
        self.setFixedSize(QSize(max(1, round(self.page.width * self.zoom)),
                                max(1, round(self.page.height * self.zoom))))


class PageCanvas(PageImage):
    """Paints one page image and its overlays at ``zoom`` logical pixels per PDF point."""

    redactionClicked = Signal(object)  # redaction id, or None for the page itself
    painted = Signal(int)  # page id, once its image at the wanted scale has been painted

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selected: int | None = None
        self.hits: list[tuple[float, float, float, float]] = []
        self.painted_key: tuple[int, float] | None = None

    # -- state ----------------------------------------------------------------------------

    def set_page(self, page: PageData) -> None:
        """Show a new page (its image follows by :meth:`set_image`)."""
        if self._take_page(page):
            self.hits = []
        self.update()

    def set_hits(self, rects: list[tuple[float, float, float, float]]) -> None:
        """Highlight these page rectangles (search hits)."""
        self.hits = rects
        self.update()

    def select(self, redaction_id: int | None) -> None:
        """Outline this redaction."""
        self.selected = redaction_id
        self.update()

    # -- geometry -------------------------------------------------------------------------

    def redaction_at(self, pos: QPointF | QPoint) -> int | None:
        """The smallest redaction under a widget position."""
        if self.page is None:
            return None
        best: tuple[float, int] | None = None
        for r in self.page.redactions:
            rect = self.rect_of(r.bbox).adjusted(-2, -2, 2, 2)
            if rect.contains(QPointF(pos)):
                area = rect.width() * rect.height()
                if best is None or area < best[0]:
                    best = (area, r.id)
        return best[1] if best else None

    # -- events ---------------------------------------------------------------------------

    def mousePressEvent(self, event: Any) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.redactionClicked.emit(self.redaction_at(event.position()))
        super().mousePressEvent(event)

    def paintEvent(self, event: Any) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        if self.page is None:
            return
        image = self._image
        if image is not None:
            # drawn straight from the RGB32 QImage: no QPixmap conversion of 10+ MB per page
            if self.has_sharp_image():  # pixel for pixel: no scaling pass
                image.setDevicePixelRatio(self.devicePixelRatioF())
                p.drawImage(0, 0, image)
            else:  # a stale scale while the sharp one renders
                image.setDevicePixelRatio(1.0)
                p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                p.drawImage(QRectF(self.rect()), image, QRectF(image.rect()))
        else:
            p.setPen(QColor(150, 150, 150))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Rendering…")
        for hit in self.hits:
            p.fillRect(self.rect_of(hit), HIT_COLOR)
        for r in self.page.redactions:
            rect = self.rect_of(r.bbox)
            color = QColor(BAD_COLOR if r.bad else STATUS_COLORS.get(
                r.status, STATUS_COLORS["not_reviewed"]))
            fill = QColor(color)
            fill.setAlpha(70 if r.bad else 45)
            p.fillRect(rect, fill)
            reviewed = r.status != "not_reviewed"
            pen = QPen(color, 3 if r.bad or reviewed else 1.5)
            if r.bad:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawRect(rect)
            if reviewed or r.bad:  # a status bar beside the box: readable on black boxes
                status = STATUS_COLORS.get(r.status, STATUS_COLORS["not_reviewed"])
                p.fillRect(QRectF(rect.left() - 7, rect.top(), 5, rect.height()), status)
        if self.selected is not None:
            for r in self.page.redactions:
                if r.id == self.selected:
                    p.setPen(QPen(SELECTED_COLOR, 3))
                    p.drawRect(self.rect_of(r.bbox).adjusted(-3, -3, 3, 3))
        p.end()
        key = self._image_key
        if key is not None and self.has_sharp_image() and self.painted_key != key:
            self.painted_key = key
            pid = key[0]
            QTimer.singleShot(0, lambda: self.painted.emit(pid))


class PageView(QScrollArea):
    """Scrolls and zooms the canvas; asks for a render when the wanted scale changes."""

    renderWanted = Signal(int, float)  # page id, pixels per point
    zoomChanged = Signal(float)
    menuWanted = Signal(object)  # a QMenu being built for a right click: add actions to it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = PageCanvas()
        self.setWidget(self.canvas)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setBackgroundRole(self.backgroundRole())
        self.setStyleSheet("QScrollArea { background: #5c636a; }")
        self.mode = FIT_WIDTH
        self._requested: tuple[int, float] | None = None
        self._debounce = QTimer(self, singleShot=True, interval=60)
        self._debounce.timeout.connect(self._request)

    def set_page(self, page: PageData, image: QImage | None = None,
                 scale: float = 0.0) -> None:
        """Show a page (with its image when already rendered) and fit it by the mode."""
        new = self.canvas.page is None or self.canvas.page.id != page.id
        self.canvas.set_page(page)
        if image is not None and new:
            self.canvas.set_image(page.id, scale, image)
        self._fit()
        if new:
            self.verticalScrollBar().setValue(0)
        self._request()

    def fit_zoom(self, mode: str) -> float:
        """The zoom that fits the page by width or whole."""
        page = self.canvas.page
        if page is None:
            return self.canvas.zoom
        vw = max(50, self.viewport().width() - 16)
        vh = max(50, self.viewport().height() - 8)
        if mode == FIT_PAGE:
            return min(vw / page.width, vh / page.height)
        return vw / page.width

    def set_mode(self, mode: str) -> None:
        """Fit width, fit page (or custom after a manual zoom)."""
        self.mode = mode
        self._fit()
        self._debounce.start()

    def zoom_by(self, factor: float) -> None:
        """Zoom in or out around the current view."""
        self.mode = CUSTOM
        self.canvas.set_zoom(self.canvas.zoom * factor)
        self.zoomChanged.emit(self.canvas.zoom)
        self._debounce.start()

    def _fit(self) -> None:
        if self.mode != CUSTOM:
            self.canvas.set_zoom(self.fit_zoom(self.mode))
            self.zoomChanged.emit(self.canvas.zoom)

    def _request(self) -> None:
        page = self.canvas.page
        if page is None:
            return
        key = (page.id, round(self.canvas.wanted_scale(), 2))
        if self.canvas.has_sharp_image():
            return
        self._requested = key
        self.renderWanted.emit(page.id, self.canvas.wanted_scale())

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.mode != CUSTOM:
            self._fit()
            self._debounce.start()

    def context_menu(self) -> QMenu:
        """The right-click menu for the page shown: whatever ``menuWanted`` handlers add."""
        menu = QMenu(self)
        if self.canvas.page is not None:
            self.menuWanted.emit(menu)
        return menu

    def contextMenuEvent(self, event: Any) -> None:
        menu = self.context_menu()
        if menu.actions():
            menu.exec(event.globalPos())
        menu.deleteLater()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(1.15 ** steps)
            event.accept()
            return
        super().wheelEvent(event)
