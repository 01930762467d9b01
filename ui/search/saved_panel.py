"""Saved searches in the search sidebar: each named query with its live hit count.

The panel only shows what the window hands it (``app.search.saved.SavedSearch`` rows, counted
on the matter worker) and says what the reviewer asked for: run a saved search (click it),
save the current query under a name, delete the selected one. The window keeps the counts
fresh (after an ingest and after review ops) and does every read and write on the worker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)

NAME_ROLE = Qt.ItemDataRole.UserRole
QUERY_ROLE = Qt.ItemDataRole.UserRole + 1


def count_text(count: int | None, error: str | None) -> str:
    """How a saved search's hit count reads in the list."""
    if error:
        return "cannot run"
    if count is None:
        return "…"
    return f"{count} page{'s' if count != 1 else ''}"


class SavedSearchesPanel(QWidget):
    """The list of saved searches with Save and Delete."""

    runRequested = Signal(str)  # query
    saveRequested = Signal()
    deleteRequested = Signal(str)  # name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.searches: list[Any] = []
        self.title = QLabel("Saved searches")
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.save_button = QPushButton("Save search…")
        self.save_button.setToolTip("Save the query in the search box under a name")
        self.save_button.clicked.connect(self.saveRequested)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self._delete)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    def set_searches(self, searches: list[Any]) -> None:
        """Show saved searches (``SavedSearch`` with ``count``/``error``), keeping the selection."""
        current = self.current_name()
        self.searches = list(searches)
        self.list.blockSignals(True)
        self.list.clear()
        for s in self.searches:
            item = QListWidgetItem(f"{s.name}  —  {count_text(s.count, s.error)}")
            item.setData(NAME_ROLE, s.name)
            item.setData(QUERY_ROLE, s.query)
            item.setToolTip(s.query if not s.error else f"{s.query}\n{s.error}")
            self.list.addItem(item)
            if s.name == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._update_buttons()

    def current_name(self) -> str | None:
        """The selected saved search's name."""
        item = self.list.currentItem()
        return None if item is None else str(item.data(NAME_ROLE))

    def item_for(self, name: str) -> QListWidgetItem | None:
        """The list row of the saved search called ``name``."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(NAME_ROLE) == name:
                return item
        return None

    def _clicked(self, item: QListWidgetItem) -> None:
        self._update_buttons()
        self.runRequested.emit(item.data(QUERY_ROLE))

    def _delete(self) -> None:
        name = self.current_name()
        if name:
            self.deleteRequested.emit(name)

    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(self.list.currentItem() is not None)
