"""An item delegate that paints a model's HTML role (search snippets with highlighted terms)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate


class HtmlDelegate(QStyledItemDelegate):
    """Paints ``role`` as rich text, wrapped to the view's width."""

    def __init__(self, role: int, parent: Any = None) -> None:
        super().__init__(parent)
        self.role = role

    def _doc(self, option: Any, index: Any) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setHtml(index.data(self.role) or "")
        doc.setTextWidth(max(50, option.rect.width() - 6))
        return doc

    def paint(self, painter: Any, option: Any, index: Any) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        text_free = type(option)(option)
        text_free.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, text_free, painter,
                              option.widget)
        doc = self._doc(option, index)
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.translate(3, 2)
        doc.drawContents(painter)
        painter.restore()

    def sizeHint(self, option: Any, index: Any) -> QSize:
        self.initStyleOption(option, index)
        width = option.widget.viewport().width() if option.widget else 300
        option.rect.setWidth(width)
        doc = self._doc(option, index)
        return QSize(width, int(doc.size().height()) + 4)

