"""The window's actions in one table: every menu item with its name, text, shortcut and what it
does. Each is a QAction in a menu and on the window (so its shortcut works anywhere), kept by
name in :attr:`ActionTable.by_name`; the shortcut sheet (?) lists them. Other parts of the
window (OCR, the Vaughn index) add theirs with :meth:`ActionTable.add`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QTextBrowser, QVBoxLayout

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from app.session import vocab
from ui.review.page_view import FIT_PAGE, FIT_WIDTH

if TYPE_CHECKING:
    from ui.window import MainWindow

Keys = str | list[str] | None
Item = tuple[str, str, Keys, Callable[[], Any]] | str | tuple[str, list[Any]]
SEPARATOR = "-"


def menus(w: MainWindow) -> list[tuple[str, list[Item]]]:
    """Every menu of the review window: (title, items); an item is (name, text, keys, slot),
    SEPARATOR, or (submenu title, items). "undo"/"redo" and "recent" are made by the table."""
    rv, nav, view = w.reviewing, w.nav, w.page_view
    codes: list[Item] = [(f"code_{n}", e.label, str(n) if n <= 9 else None,
                          partial(rv.toggle_code, e.key))
                         for n, e in enumerate(vocab.EXEMPTIONS, start=1)]
    marks: list[Item] = [(f"status_{key}", f"Mark: {vocab.label('status', key)}", letter,
                          partial(rv.set_status, key))
                         for key, letter in (("accept", "A"), ("challenge", "C"),
                                             ("dropped", "D"), ("not_reviewed", "0"))]
    dispositions: list[Item] = [(f"disp_{d.key}", d.label, None,
                                 partial(rv.disposition_edited, d.key))
                                for d in vocab.DISPOSITIONS]
    return [
        ("&File", [
            ("open", "&Open matter…", "Ctrl+O", w.opener.ask_open),
            ("open_shared", "Open &shared matter…", None, w.opener.ask_shared),
            ("new", "&New matter…", "Ctrl+N", w.opener.ask_new),
            ("ingest", "&Ingest production…", "Ctrl+I", w.ingester.ask_ingest),
            "recent", SEPARATOR,
            ("quit", "&Quit", "Ctrl+Q", w.close)]),
        ("&Edit", [
            "undo", "redo", SEPARATOR,
            ("find", "&Find…", "Ctrl+F", w.searching.focus),
            ("bates", "&Go to Bates…", "Ctrl+G", nav.focus_bates),
            ("reviewer", "Reviewer &name…", None, w.ask_reviewer)]),
        ("&Navigate", [
            ("next_page", "Next page", ["PgDown", "N"], lambda: nav.step_page(1)),
            ("prev_page", "Previous page", ["PgUp", "P"], lambda: nav.step_page(-1)),
            ("next_doc", "Next document", "Ctrl+PgDown", lambda: nav.step_document(1)),
            ("prev_doc", "Previous document", "Ctrl+PgUp", lambda: nav.step_document(-1)),
            ("next_red", "Next redaction", "J", lambda: nav.step_redaction(1)),
            ("next_batch", "Next in my &batches", "Ctrl+J", nav.next_in_batch),
            ("prev_red", "Previous redaction", "K", lambda: nav.step_redaction(-1)),
            ("next_unrev", "Next unreviewed redaction", "U", lambda: nav.step_unreviewed(1)),
            ("prev_unrev", "Previous unreviewed redaction", "Shift+U",
             lambda: nav.step_unreviewed(-1)),
            ("next_hit", "Next search hit", "F3", lambda: w.searching.step_hit(1)),
            ("prev_hit", "Previous search hit", "Shift+F3", lambda: w.searching.step_hit(-1)),
            ("deselect", "Select the page (no redaction)", "Esc",
             lambda: w.select_redaction(None))]),
        ("&Review", [
            ("Toggle exemption", codes), *marks, SEPARATOR,
            ("tag_hot", "Tag “hot”", "H", lambda: rv.toggle_tag("hot")),
            ("tag_exhibit", "Tag “exhibit candidate”", "E",
             lambda: rv.toggle_tag("exhibit candidate")),
            ("tag_all", "Tag all search results…", "Ctrl+Shift+T", w.searching.ask_tag_all),
            SEPARATOR,
            ("split_record", "Split record here (a record starts at this page)", "B",
             rv.split_record),
            ("merge_record", "Merge record with the previous one", "Shift+B", rv.merge_record),
            ("Page disposition", dispositions)]),
        ("&View", [
            ("fit_width", "Fit width", "Ctrl+1", lambda: view.set_mode(FIT_WIDTH)),
            ("fit_page", "Fit page", "Ctrl+2", lambda: view.set_mode(FIT_PAGE)),
            ("zoom_in", "Zoom in", ["Ctrl++", "Ctrl+="], lambda: view.zoom_by(1.25)),
            ("zoom_out", "Zoom out", "Ctrl+-", lambda: view.zoom_by(0.8)),
            SEPARATOR,
            ("compare", "Compare versions…", "Ctrl+Shift+C", w.show_compare),
            ("statistics", "Statistics…", "Ctrl+Shift+S", w.show_statistics)]),
        ("&Help", [
            ("shortcuts", "Keyboard shortcuts", ["?", "F1"], w.action_table.show_sheet)]),
    ]


class ActionTable(QObject):
    """The window's named actions and its menus."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.by_name: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        self.recent_menu: QMenu | None = None
        self.sheet: QDialog | None = None

    def build(self) -> None:
        """Make the menu bar from :func:`menus`."""
        bar = self.w.menuBar()
        for title, items in menus(self.w):
            menu = self.menus[title] = bar.addMenu(title)
            self._fill(menu, items)

    def _fill(self, menu: QMenu, items: list[Item]) -> None:
        for item in items:
            if item == SEPARATOR:
                menu.addSeparator()
            elif item == "recent":
                self.recent_menu = menu.addMenu("Recent matters")
                self.recent_menu.aboutToShow.connect(self.w.opener.fill_recent)
            elif item in ("undo", "redo"):
                self._undo_redo(menu, str(item))
            elif isinstance(item, tuple) and len(item) == 2:
                self._fill(menu.addMenu(item[0]), item[1])
            elif isinstance(item, tuple) and len(item) == 4:
                self.add(menu, *item)

    def _undo_redo(self, menu: QMenu, name: str) -> None:
        group = self.w.undo_group
        if name == "undo":
            action = group.createUndoAction(self.w, "&Undo")
            action.setShortcut(QKeySequence("Ctrl+Z"))
        else:
            action = group.createRedoAction(self.w, "&Redo")
            action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        menu.addAction(action)
        self.w.addAction(action)
        self.by_name[name] = action

    def add(self, menu: Any, name: str, text: str, keys: Keys,
            slot: Callable[[], Any]) -> QAction:
        """One named action in ``menu`` (and on the window, for its shortcut)."""
        action = QAction(text, self.w)
        if keys:
            keys = [keys] if isinstance(keys, str) else keys
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self.w.addAction(action)
        self.by_name[name] = action
        return action

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, action) for every action with a shortcut."""
        rows = []
        for action in self.by_name.values():
            keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                             for k in action.shortcuts())
            if keys:
                rows.append((keys, action.text().replace("&", "")))
        return rows

    def show_sheet(self) -> None:
        """The shortcut sheet (?)."""
        dialog = QDialog(self.w)
        dialog.setWindowTitle("Keyboard shortcuts")
        view = QTextBrowser()
        view.setHtml("<table cellpadding=3>" + "".join(
            f"<tr><td><b>{k}</b></td><td>{t}</td></tr>" for k, t in self.shortcut_rows())
            + "</table>")
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        dialog.resize(520, 640)
        self.sheet = dialog
        dialog.show()
