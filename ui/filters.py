"""The page tree's filter ("Show: all pages / has bad redaction / withheld in full / tag… /
Vaughn index findings …"), run on the worker through ``Session.pages.filter``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from app.session import vocab
from ui.controller import Controller
from ui.worker import Context

if TYPE_CHECKING:
    from ui.window import MainWindow

FILTER_CHOICES = (("all", "All pages"), ("bad", "Has bad redaction"),
                  ("withheld", "Withheld in full"), ("unreviewed", "Unreviewed"),
                  ("challenged", "Challenged"), ("tag", "Tag…"), ("exemption", "Exemption…"),
                  ("low_ocr", "Needs a human look (OCR)"),
                  ("needs_look", "Needs a human look"), ("vaughn", "Vaughn index findings"))
WITH_VALUE = ("tag", "exemption")


class PageFilter(Controller):
    """The two filter boxes and what they keep in the tree."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.filter_kind = QComboBox()
        for key, text in FILTER_CHOICES:
            self.filter_kind.addItem(text, key)
        self.filter_value = QComboBox()
        self.filter_value.setEditable(True)
        self.filter_value.setVisible(False)
        self.filter_kind.currentIndexChanged.connect(self._kind_changed)
        self.filter_value.activated.connect(lambda _: self.apply_filter())

    def kind(self) -> str:
        """The filter in use ("all" when none)."""
        return str(self.filter_kind.currentData())

    def _kind_changed(self, _index: int) -> None:
        kind = self.kind()
        self.filter_value.setVisible(kind in WITH_VALUE)
        if kind in WITH_VALUE:
            self.fill_values()
        self.apply_filter()

    def fill_values(self) -> None:
        """Offer the matter's tags, or the exemption codes, as the filter's values."""
        current = self.filter_value.currentText()
        self.filter_value.blockSignals(True)
        self.filter_value.clear()
        if self.kind() == "tag":
            self.filter_value.addItems(list(self.w.challenge.tag_buttons))
        else:
            self.filter_value.addItems([*vocab.EXEMPTION_CODES, *self.w.claims.custom])
        if current:
            self.filter_value.setCurrentText(current)
        self.filter_value.blockSignals(False)

    def set_filter(self, kind: str, value: str = "") -> None:
        """Show only pages passing a filter (see ``app.review.state.FILTERS``)."""
        self.filter_kind.blockSignals(True)
        self.filter_kind.setCurrentIndex(self.filter_kind.findData(kind))
        self.filter_kind.blockSignals(False)
        self.filter_value.setVisible(kind in WITH_VALUE)
        if kind in WITH_VALUE:
            self.fill_values()
            self.filter_value.setCurrentText(value)
        self.apply_filter()

    def apply_filter(self) -> None:
        """Re-run the current filter on the worker."""
        kind, value = self.kind(), self.filter_value.currentText()
        if kind == "all":
            self.w.tree_model.set_filter(None)
            self._after()
            return
        if kind in WITH_VALUE and not value:
            return

        def run(ctx: Context) -> Any:
            return ctx.session.pages.filter(kind, value)

        def done(ids: list[int]) -> None:
            self.w.tree_model.set_filter(ids)
            self._after()
            self.say(f"{len(ids)} pages shown", 3000)

        self.submit(run, done)

    def _after(self) -> None:
        w = self.w
        w.tree.expandToDepth(1 if len(w.tree_model.pages) < 2000 else 0)
        if w.page_id is not None:
            w.sync_tree(w.page_id)
        w.treeLoaded.emit()
