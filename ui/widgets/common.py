"""Small shared widgets: a checkable list, a text box that commits on focus-out, a banner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPlainTextEdit, QWidget


class CheckList(QListWidget):
    """A list of checkable (key, label) items; ``toggled`` says which keys are checked now."""

    toggled = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.itemChanged.connect(self._changed)
        self.setUniformItemSizes(True)

    def set_items(self, items: list[tuple[str, str]], checked: list[str],
                  colors: dict[str, str] | None = None) -> None:
        """Replace the items and their check states without emitting ``toggled``."""
        self._loading = True
        self.clear()
        for key, label in items:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in checked
                               else Qt.CheckState.Unchecked)
            if colors and key in colors:
                item.setForeground(QColor(colors[key]))
            self.addItem(item)
        self._loading = False
        self.setMaximumHeight(max(60, min(22 * len(items) + 6, 330)))

    def checked(self) -> list[str]:
        """Keys of the checked items, in list order."""
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def item_for(self, key: str) -> QListWidgetItem | None:
        """The item with this key."""
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == key:
                return self.item(i)
        return None

    def _changed(self, item: Any) -> None:
        if not self._loading:
            self.toggled.emit(self.checked())


class CommitTextEdit(QPlainTextEdit):
    """Plain text that emits ``committed(text)`` on focus-out or Ctrl+Enter, when changed."""

    committed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loaded = ""

    def load(self, text: str) -> None:
        """Set the text as saved (no commit)."""
        self._loaded = text
        self.setPlainText(text)

    def commit(self) -> None:
        """Emit the text if it differs from what was loaded."""
        text = self.toPlainText()
        if text != self._loaded:
            self._loaded = text
            self.committed.emit(text)

    def focusOutEvent(self, event: Any) -> None:
        self.commit()
        super().focusOutEvent(event)

    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.InsertLineSeparator) or (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.commit()
            return
        super().keyPressEvent(event)


class Banner(QLabel):
    """A coloured strip across the top of the window (read-only matter, errors)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setStyleSheet("QLabel { background: #ffe066; color: #3d2c00; padding: 6px; "
                           "font-weight: bold; }")
        self.setVisible(bool(text))


V = TypeVar("V", bound=QWidget)


def raise_view(win: Any, attr: str, make: Callable[[Any], V]) -> V | None:
    """The review window's ``attr`` window (made by ``make(win)`` the first time), shown and
    raised; None, with a status message, when no matter is open."""
    if win.worker is None:
        win.statusBar().showMessage("Open a matter first", 4000)
        return None
    view = getattr(win, attr, None)
    if view is None:
        view = make(win)
        setattr(win, attr, view)
    view.show()
    view.raise_()
    view.activateWindow()
    return view
