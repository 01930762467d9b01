"""The challenge panel: grounds, status, priority, argument, evidence, tags, exhibit, notes.

A challenge (and tags and notes) attaches to the selected redaction, its page or its document
("Applies to"). Each edit is emitted at once with the target it was made for, so switching
targets never loses a half-typed argument: text boxes commit on focus-out and Ctrl+Enter, and
:meth:`flush` commits before the panel loads another target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QStandardItemModel
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.session import vocab
from ui.widgets.common import CheckList, CommitTextEdit

if TYPE_CHECKING:
    from app.session import Review

Target = tuple[str, int]


class ChallengePanel(QGroupBox):
    """The review of one target."""

    edited = Signal(object, dict)  # target, challenge fields
    targetKindChosen = Signal(str)  # "redaction" | "page" | "document"
    tagToggled = Signal(object, str, bool)  # target, tag name, on
    tagCreated = Signal(object, str, str)  # target, name, colour (tag it at once)
    exhibitEdited = Signal(int, str, str)  # document id, number, description
    noteAdded = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Challenge", parent)
        self.target: Target | None = None
        self.document_id: int | None = None
        self._loading = False
        self.kind = QComboBox()
        for key, text in (("redaction", "Selected redaction"), ("page", "This page"),
                          ("document", "This document")):
            self.kind.addItem(text, key)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.status = QComboBox()
        for item in vocab.STATUSES:
            self.status.addItem(item.label, item.key)
        self.status.currentIndexChanged.connect(
            lambda i: self._emit(status=self.status.itemData(i)))
        self.priority = QComboBox()
        self.priority.addItem("—", None)
        for item in vocab.PRIORITIES:
            self.priority.addItem(item.label, item.key)
        self.priority.currentIndexChanged.connect(
            lambda i: self._emit(priority=self.priority.itemData(i)))
        self.grounds = CheckList()
        self.grounds.set_items([(g.key, g.label) for g in vocab.GROUNDS], [])
        for i, g in enumerate(vocab.GROUNDS):
            self.grounds.item(i).setToolTip(g.hint)
        self.grounds.toggled.connect(lambda keys: self._emit(grounds=keys))
        self.argument = CommitTextEdit()
        self.argument.setPlaceholderText("Argument (saved when you leave the box or Ctrl+Enter)")
        self.argument.setMaximumHeight(90)
        self.argument.committed.connect(lambda t: self._emit(argument=t))
        self.cite = QLineEdit(placeholderText="Citation, e.g. Decl. ¶ 12; Ex. 4 at 3")
        self.link = QLineEdit(placeholderText="https://…")
        self.file = QLineEdit(placeholderText="Evidence file")
        browse = QPushButton("…")
        browse.setFixedWidth(28)
        browse.clicked.connect(self._browse)
        self.passage = CommitTextEdit()
        self.passage.setPlaceholderText("The matching passage")
        self.passage.setMaximumHeight(60)
        self.passage.committed.connect(lambda t: self._emit(evidence_passage=t))
        for edit, name in ((self.cite, "evidence_cite"), (self.link, "evidence_link"),
                           (self.file, "evidence_file")):
            edit.editingFinished.connect(
                lambda e=edit, n=name: self._emit_line(e, n) if e.isModified() else None)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file)
        file_row.addWidget(browse)

        self.tags_box = QWidget()
        self.tags_layout = QHBoxLayout(self.tags_box)
        self.tags_layout.setContentsMargins(0, 0, 0, 0)
        self.tag_buttons: dict[str, QPushButton] = {}
        self.exhibit_number = QLineEdit(placeholderText="PX-1")
        self.exhibit_desc = QLineEdit(placeholderText="Exhibit description")
        for edit in (self.exhibit_number, self.exhibit_desc):
            edit.editingFinished.connect(self._exhibit_edited)
        self.notes_label = QLabel("")
        self.notes_label.setWordWrap(True)
        self.note_edit = QLineEdit(placeholderText="Add a note and press Enter")
        self.note_edit.returnPressed.connect(self._add_note)

        form = QFormLayout()
        form.addRow("Applies to", self.kind)
        form.addRow("Status", self.status)
        form.addRow("Priority", self.priority)
        form.addRow("Grounds", self.grounds)
        form.addRow("Argument", self.argument)
        form.addRow("Evidence cite", self.cite)
        form.addRow("Link", self.link)
        form.addRow("File", file_row)
        form.addRow("Passage", self.passage)
        form.addRow("Tags", self.tags_box)
        form.addRow("Exhibit no.", self.exhibit_number)
        form.addRow("Description", self.exhibit_desc)
        form.addRow("Notes", self.notes_label)
        form.addRow("", self.note_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.set_tags([])

    # -- loading --------------------------------------------------------------------------

    def flush(self) -> None:
        """Commit half-typed text for the current target."""
        self.argument.commit()
        self.passage.commit()
        for edit, name in ((self.cite, "evidence_cite"), (self.link, "evidence_link"),
                           (self.file, "evidence_file")):
            if edit.isModified():
                self._emit_line(edit, name)

    def set_kind_enabled(self, redaction: bool) -> None:
        """Whether "Selected redaction" can be chosen."""
        model = self.kind.model()
        assert isinstance(model, QStandardItemModel)  # a QComboBox's own model
        item = model.item(0)
        if item is not None:
            item.setEnabled(redaction)

    def begin_load(self, target: Target) -> None:
        """A new target is on its way: commit pending text, refuse edits until it arrives."""
        self.flush()
        self.target = target
        self.setEnabled(False)

    def load(self, review: Review, document_id: int | None) -> None:
        """Show a target's review (from the session's ``pages.review``)."""
        self.flush()
        self._loading = True
        self.setEnabled(True)
        try:
            self.target = (review.kind, review.id)
            self.document_id = document_id
            self.kind.setCurrentIndex(self.kind.findData(review.kind))
            ch = review.challenge
            self.status.setCurrentIndex(max(0, self.status.findData(
                ch.status if ch else "not_reviewed")))
            self.priority.setCurrentIndex(max(0, self.priority.findData(
                ch.priority if ch else None)))
            self.grounds.set_items([(g.key, g.label) for g in vocab.GROUNDS],
                                   list(ch.grounds) if ch else [])
            self.argument.load(ch.argument if ch else "")
            self.passage.load(ch.evidence_passage if ch else "")
            for edit, text in ((self.cite, ch.evidence_cite if ch else ""),
                               (self.link, ch.evidence_link if ch else ""),
                               (self.file, ch.evidence_file if ch else "")):
                edit.setText(text)
                edit.setModified(False)
            for name, button in self.tag_buttons.items():
                button.setChecked(name.lower() in {t.lower() for t in review.tags})
            ex = review.exhibit
            self.exhibit_number.setText(ex.number if ex else "")
            self.exhibit_desc.setText(ex.description if ex else "")
            self.notes_label.setText("\n".join(
                f"• {n.text} — {n.reviewer}" for n in review.notes))
        finally:
            self._loading = False

    def set_tags(self, tags: list[tuple[str, str]]) -> None:
        """The tag buttons: every tag in the matter (name, colour), plus "New tag…"."""
        while self.tags_layout.count():
            taken = self.tags_layout.takeAt(0)
            w = taken.widget() if taken is not None else None
            if w is not None:
                w.deleteLater()
        self.tag_buttons = {}
        for name, color in tags:
            b = QPushButton(name)
            b.setCheckable(True)
            b.setStyleSheet(f"QPushButton {{ border: 2px solid {color}; padding: 2px 6px; }} "
                            f"QPushButton:checked {{ background: {color}; color: white; }}")
            b.toggled.connect(lambda on, n=name: self._tag_toggled(n, on))
            self.tags_layout.addWidget(b)
            self.tag_buttons[name] = b
        new = QPushButton("New tag…")
        new.clicked.connect(self._new_tag)
        self.tags_layout.addWidget(new)
        self.tags_layout.addStretch(1)

    # -- emitting -------------------------------------------------------------------------

    def _emit(self, **fields: Any) -> None:
        if not self._loading and self.target is not None:
            self.edited.emit(self.target, fields)

    def _emit_line(self, edit: QLineEdit, name: str) -> None:
        edit.setModified(False)
        self._emit(**{name: edit.text()})

    def _kind_changed(self, index: int) -> None:
        if not self._loading:
            self.flush()
            self.targetKindChosen.emit(self.kind.itemData(index))

    def _tag_toggled(self, name: str, on: bool) -> None:
        if not self._loading and self.target is not None:
            self.tagToggled.emit(self.target, name, on)

    def _new_tag(self) -> None:
        name, ok = QInputDialog.getText(self, "New tag", "Tag name:")
        if not ok or not name.strip() or self.target is None:
            return
        color = QColorDialog.getColor(QColor("#808080"), self, "Tag colour")
        self.tagCreated.emit(self.target, name.strip(),
                             color.name() if color.isValid() else "#808080")

    def _exhibit_edited(self) -> None:
        if self._loading or self.document_id is None:
            return
        if not (self.exhibit_number.isModified() or self.exhibit_desc.isModified()):
            return
        self.exhibit_number.setModified(False)
        self.exhibit_desc.setModified(False)
        number = self.exhibit_number.text().strip()
        if number:
            self.exhibitEdited.emit(self.document_id, number, self.exhibit_desc.text())

    def _add_note(self) -> None:
        text = self.note_edit.text().strip()
        if text and self.target is not None:
            self.note_edit.clear()
            self.noteAdded.emit(self.target, text)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Evidence file")
        if path:
            self.file.setText(path)
            self.file.setModified(True)
            self._emit_line(self.file, "evidence_file")
