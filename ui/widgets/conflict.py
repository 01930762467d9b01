"""The question a reviewer is asked when another reviewer changed the same thing first: whose
change stands. Non-modal: the page behind it already shows the other's values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)

if TYPE_CHECKING:
    from ui.hub import Hub, Refused


def ask(parent: QWidget, hub: Hub, refused: Refused) -> QMessageBox:
    """Show the conflict; "Apply mine" writes the reviewer's change over the other's."""
    from app.session import describe_conflict

    box = QMessageBox(parent)
    box.setObjectName("conflict_box")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Changed by someone else")
    box.setText(f"{describe_conflict(refused.conflict)}, after you opened it.")
    box.setInformativeText(f"Your change ({refused.text}) was not saved. The page now shows "
                           "theirs. Apply yours over it, or keep theirs?")
    mine = box.addButton("Apply mine", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Keep theirs", QMessageBox.ButtonRole.RejectRole)

    def chosen(button: Any) -> None:
        if button is mine:
            hub.apply_mine(refused)

    box.buttonClicked.connect(chosen)
    box.open()
    return box
