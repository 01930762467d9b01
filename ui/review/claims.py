"""The claims panel: the selected redaction's exemption codes and the page's disposition.

Shows the codes as read from the stamp and the codes in force (the reviewer's correction when
there is one), editable from the full catalog of DOMAIN.md plus custom codes ("(j)(2)",
"Personal Privacy"). Edits are emitted as signals; the window turns them into undoable ops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.session import vocab
from ui.widgets.common import CheckList

if TYPE_CHECKING:
    from app.session import RedactionData

#: How the claims panel says where a redaction's code was printed.
PLACE_WORDS = {"margin": "in the margin of its line", "beside": "beside the box",
               "legend": "in the page's legend"}


class ClaimsPanel(QGroupBox):
    """Exemption codes of one redaction and the disposition of its page."""

    codesEdited = Signal(object)  # list of codes, or None to go back to the stamp
    dispositionEdited = Signal(object)  # disposition key or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Claims", parent)
        self.redaction: RedactionData | None = None
        self.custom: list[str] = []
        self._loading = False
        self.title_label = QLabel("No redaction selected")
        self.title_label.setWordWrap(True)
        self.stamp_label = QLabel("")
        self.stamp_label.setWordWrap(True)
        self.codes = CheckList()
        self.codes.toggled.connect(self._codes_toggled)
        self.custom_edit = QLineEdit(placeholderText="Custom code, e.g. (j)(2)")
        self.custom_edit.returnPressed.connect(self._add_custom)
        add = QPushButton("Add")
        add.clicked.connect(self._add_custom)
        self.reset_button = QPushButton("Back to stamp")
        self.reset_button.clicked.connect(lambda: self.codesEdited.emit(None))
        self.disposition = QComboBox()
        self.disposition.addItem("(not set)", None)
        for item in vocab.DISPOSITIONS:
            self.disposition.addItem(item.label, item.key)
        self.disposition.currentIndexChanged.connect(self._disposition_changed)

        custom_row = QHBoxLayout()
        custom_row.addWidget(self.custom_edit)
        custom_row.addWidget(add)
        custom_row.addWidget(self.reset_button)
        form = QFormLayout()
        form.addRow("Page disposition", self.disposition)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.stamp_label)
        layout.addWidget(self.codes)
        layout.addLayout(custom_row)
        layout.addLayout(form)
        self.set_redaction(None, None)

    def set_custom_codes(self, codes: list[str]) -> None:
        """Custom codes used anywhere in the matter (offered to every redaction)."""
        self.custom = [c for c in codes if c not in vocab.EXEMPTION_CODES]

    def set_redaction(self, redaction: RedactionData | None, bates: str | None) -> None:
        """Show one redaction (None: nothing selected)."""
        self.redaction = redaction
        on = redaction is not None
        for w in (self.codes, self.custom_edit, self.reset_button):
            w.setEnabled(on)
        if redaction is None:
            self.title_label.setText("No redaction selected (click a box, or J/K)")
            self.stamp_label.setText("")
            self.codes.set_items(self._items([]), [])
            return
        bad = " — ⚠ BAD REDACTION: text is still under the box" if redaction.bad else ""
        self.title_label.setText(f"Redaction {redaction.id} on {bates or 'this page'}{bad}")
        place = redaction.label_place
        if place == "illegible":
            stamped, label = "code not legible (a label is there: look at the page)", ""
        else:
            stamped = ", ".join(redaction.stamped) or "no code read"
            label = f" (stamp text: {redaction.label})" if redaction.label else ""
            if place and place != "inside":
                label += f", printed {PLACE_WORDS.get(place, place)}"
        status = vocab.label("status", redaction.status)
        self.stamp_label.setText(f"As stamped: {stamped}{label}\nStatus: {status}"
                                 + ("\nCodes corrected by a reviewer" if redaction.reviewed
                                    else ""))
        codes = list(redaction.exemptions)
        self.codes.set_items(self._items(codes), codes)

    def _items(self, current: list[str]) -> list[tuple[str, str]]:
        items = [(e.key, f"{n}  {e.label}" if n <= 9 else f"    {e.label}")
                 for n, e in enumerate(vocab.EXEMPTIONS, start=1)]
        extra = [c for c in [*self.custom, *current] if c not in vocab.EXEMPTION_CODES]
        items += [(c, f"    {c} (custom)") for c in dict.fromkeys(extra)]
        return items

    def set_disposition(self, key: str | None) -> None:
        """Show the page's disposition without emitting."""
        self._loading = True
        self.disposition.setCurrentIndex(max(0, self.disposition.findData(key)))
        self._loading = False

    def _codes_toggled(self, checked: list[str]) -> None:
        if self.redaction is not None:
            self.codesEdited.emit(checked)

    def _add_custom(self) -> None:
        text = self.custom_edit.text().strip()
        if not text or self.redaction is None:
            return
        code = vocab.exemption_code(text)
        self.custom_edit.clear()
        codes = self.codes.checked()
        if code not in codes:
            self.codesEdited.emit([*codes, code])

    def _disposition_changed(self, index: int) -> None:
        if not self._loading:
            self.dispositionEdited.emit(self.disposition.itemData(index))
