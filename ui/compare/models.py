"""Table models of the Compare view: matched pairs with their change counts, and findings.

Both hold plain data from :mod:`app.compare.listing` (made on the matter worker); nothing here
touches the matter.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)

_ROOT = QModelIndex()
Index = QModelIndex | QPersistentModelIndex


def _codes(codes: tuple[str, ...]) -> str:
    return ", ".join(codes) or "?"


class _RowsModel(QAbstractTableModel):
    """A read-only table of plain rows under fixed ``HEADERS``."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class PairsModel(_RowsModel):
    """One row per matched document pair (``app.compare.listing.PairSummary``)."""

    HEADERS = ("Earlier version", "Later version", "Pages", "Lifted", "Added", "Re-coded")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (f"{s.a.bates} ({s.a.production})", f"{s.b.bates} ({s.b.production})",
                    str(len(s.pair.pages)), str(s.lifted), str(s.added), str(s.recoded))[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            methods = ", ".join(sorted({pp.method for pp in s.pair.pages}))
            return (f"{s.a.bates} ({s.a.production}) ~ {s.b.bates} ({s.b.production}): "
                    f"match score {s.pair.score:.2f} ({methods})")
        return None


class FindingsModel(_RowsModel):
    """One row per consistency finding (``app.compare.listing.Finding``)."""

    HEADERS = ("Finding", "Withheld at", "Public / coded otherwise at", "Exemptions", "Passage")
    FIRST, SECOND = 1, 2

    def location(self, index: Index) -> Any:
        """The location a double-click on this cell goes to (the second column: the other
        place; anywhere else: where the passage is withheld)."""
        f = self.rows[index.row()]
        return f.second if index.column() == self.SECOND else f.first

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if f.kind == "different_exemptions":
                codes = f"{_codes(f.first.exemptions)} vs {_codes(f.second.exemptions)}"
            else:
                codes = _codes(f.first.exemptions)
            return (f.label, f.first.label, f.second.label, codes,
                    f.text or "")[index.column()]
        return None
