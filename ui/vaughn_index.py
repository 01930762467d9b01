"""The agency's Vaughn index in the review window: import, the entry panel, the index view.

:class:`VaughnController` hangs off the review window and adds:

- File ▸ Import Vaughn index…: pick a file, confirm the column mapping guessed from its headers
  (:class:`MappingDialog`) and the production it covers; the import (read, store, reconcile) is
  one write on the matter worker.
- the entry panel (:class:`EntryPanel`) under the claims panel: the entry covering the current
  page (description, claimed exemptions, justification) and its findings; V (Review ▸
  Challenge Vaughn finding) turns the selected finding into a challenge through the hub, so
  Ctrl+Z undoes it.
- View ▸ Vaughn index… (Ctrl+Shift+V): every entry with its status and every finding; a
  double-click goes to the first page it names.

The window's "Vaughn index findings" filter (kind ``vaughn``, ``Session.pages.filter``) shows only
the pages a finding names. Every read and write runs on the matter worker; nothing here touches SQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from app.session import FindingId, PageId
from ui.worker import NORMAL, WRITE, Context

FIELD_LABELS = {
    "bates": "Bates / document no. (required)", "exemptions": "Exemption(s) (required)",
    "justification": "Justification", "description": "Description", "date": "Date",
    "pages": "Pages", "pages_released": "Pages released",
    "pages_withheld_in_part": "Pages withheld in part",
    "pages_withheld_in_full": "Pages withheld in full", "disposition": "Disposition",
    "item": "Item no.",
}
INDEX_FILTER = "Vaughn index (*.xlsx *.csv *.docx *.pdf)"
RECOMPUTE_MS = 800


class MappingDialog(QDialog):
    """Confirm which column holds which field, and the production the index covers."""

    def __init__(self, parent: QWidget, source: str, headers: list[str],
                 guess: dict[str, int], productions: list[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import Vaughn index — {source}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Vaughn guessed each field's column from the headers; "
                                "check them before importing."))
        form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        for field, label in FIELD_LABELS.items():
            box = QComboBox()
            box.addItem("(none)", -1)
            for i, h in enumerate(headers):
                box.addItem(h or f"column {i + 1}", i)
            box.setCurrentIndex(box.findData(guess.get(field, -1)))
            form.addRow(label, box)
            self.combos[field] = box
        self.production = QComboBox()
        self.production.addItem("(every production)", None)
        for name in productions:
            self.production.addItem(name, name)
        form.addRow("Covers", self.production)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)
        for box in self.combos.values():
            box.currentIndexChanged.connect(self._check)
        self._check()

    def mapping(self) -> dict[str, int]:
        """The confirmed mapping (field -> column)."""
        return {f: int(b.currentData()) for f, b in self.combos.items()
                if b.currentData() is not None and int(b.currentData()) >= 0}

    def _check(self) -> None:
        m = self.mapping()
        self.ok.setEnabled("bates" in m and "exemptions" in m)


class EntryPanel(QGroupBox):
    """The index entry covering the current page, with its findings."""

    challengeRequested = Signal(int)  # finding id

    def __init__(self) -> None:
        super().__init__("Vaughn index entry")
        layout = QVBoxLayout(self)
        self.heading = QLabel("")
        self.heading.setWordWrap(True)
        self.claimed = QLabel("")
        self.claimed.setWordWrap(True)
        self.justification = QLabel("")
        self.justification.setWordWrap(True)
        self.justification.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings = QListWidget()
        self.findings.setMaximumHeight(130)
        self.findings.setWordWrap(True)
        self.challenge_button = QPushButton("Challenge finding (V)")
        self.challenge_button.clicked.connect(self.request_challenge)
        for w in (self.heading, self.claimed, self.justification, self.findings,
                  self.challenge_button):
            layout.addWidget(w)
        self.entries: list[dict[str, Any]] = []
        self.page_findings: list[dict[str, Any]] = []
        self.setVisible(False)

    def set_entries(self, entries: list[dict[str, Any]], page_findings: list[dict[str, Any]],
                    has_index: bool) -> None:
        """Show the entries covering the page (first one in full) and the page's findings."""
        self.entries = entries
        self.setVisible(has_index)
        if entries:
            e = entries[0]
            label = f"Item {e['item']}" if e["item"] else f"Row {e['row']}"
            more = f" (+{len(entries) - 1} more entries)" if len(entries) > 1 else ""
            self.heading.setText(f"<b>{label}</b> · {' '.join(e['bates'].split())}{more}<br>"
                                 f"{e['description'] or ''} {e['doc_date'] or ''}")
            self.claimed.setText("Claims: " + (", ".join(e["exemptions"]) or "nothing"))
            self.justification.setText(e["justification"] or "(no justification given)")
        else:
            self.heading.setText("<b>No entry of the index covers this page</b>")
            self.claimed.setText("")
            self.justification.setText("")
        seen: dict[int, dict[str, Any]] = {}
        for e in entries:
            for f in e["findings"]:
                seen[f["id"]] = f
        for f in page_findings:
            seen.setdefault(f["id"], f)
        self.page_findings = list(seen.values())
        self.findings.clear()
        for f in self.page_findings:
            mark = " ✓ challenged" if f.get("challenged") else ""
            item = QListWidgetItem(f"{f['summary']}{mark}")
            item.setData(Qt.ItemDataRole.UserRole, f["id"])
            self.findings.addItem(item)
        if self.findings.count():
            self.findings.setCurrentRow(0)
        self.challenge_button.setEnabled(bool(self.findings.count()))

    def selected_finding(self) -> int | None:
        """The id of the finding selected (the first when none is)."""
        item = self.findings.currentItem() or self.findings.item(0)
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def request_challenge(self) -> None:
        fid = self.selected_finding()
        if fid is not None:
            self.challengeRequested.emit(fid)


class IndexView(QDialog):
    """Every entry of the current index with its status, and every finding."""

    pageWanted = Signal(int)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Vaughn index")
        self.resize(1100, 700)
        layout = QVBoxLayout(self)
        self.caption = QLabel("")
        layout.addWidget(self.caption)
        split = QSplitter(Qt.Orientation.Vertical)
        self.entries = QTableWidget(0, 6)
        self.entries.setHorizontalHeaderLabels(["Item", "Bates", "Claims", "Pages found",
                                                "Findings", "Status"])
        self.findings = QTableWidget(0, 4)
        self.findings.setHorizontalHeaderLabels(["#", "Finding", "Discrepancy", "Challenged"])
        for t in (self.entries, self.findings):
            t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
            t.horizontalHeader().setStretchLastSection(True)
            split.addWidget(t)
        layout.addWidget(split, 1)
        self.entries.cellDoubleClicked.connect(lambda r, _c: self._go(self.entries, r))
        self.findings.cellDoubleClicked.connect(lambda r, _c: self._go(self.findings, r))

    def set_data(self, data: dict[str, Any]) -> None:
        """Fill both tables from ``Session.index.overview``."""
        self.caption.setText(data["caption"])
        self.entries.setRowCount(len(data["entries"]))
        for r, e in enumerate(data["entries"]):
            status = ("no pages found" if not e["pages"] else
                      f"{e['findings']} finding(s)" if e["findings"] else "consistent")
            for c, v in enumerate([e["item"] or str(e["row"]), " ".join(e["bates"].split()),
                                   ", ".join(e["exemptions"]), str(e["pages"]),
                                   str(e["findings"]), status]):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, e["first_page"])
                self.entries.setItem(r, c, item)
        self.findings.setRowCount(len(data["findings"]))
        for r, f in enumerate(data["findings"]):
            first = f["page_ids"][0] if f["page_ids"] else None
            for c, v in enumerate([str(f["id"]), f["kind_label"], f["summary"],
                                   "yes" if f["challenged"] else ""]):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, first)
                self.findings.setItem(r, c, item)
        self.entries.resizeColumnsToContents()
        self.findings.resizeColumnToContents(1)

    def _go(self, table: QTableWidget, row: int) -> None:
        item = table.item(row, 0)
        page = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        if page is not None:
            self.pageWanted.emit(int(page))


class VaughnController(QObject):
    """Adds the Vaughn index menu items, entry panel and view to a review window."""

    imported = Signal(object)  # the ImportResult
    panelLoaded = Signal()

    def __init__(self, window: Any, claims_layout: Any) -> None:
        super().__init__(window)
        self.window = window
        self.panel = EntryPanel()
        self.panel.challengeRequested.connect(self.challenge)
        claims_layout.insertWidget(claims_layout.indexOf(window.claims) + 1, self.panel)
        self.view: IndexView | None = None
        self.panel_page: int | None = None  # the page the entry panel shows
        self._checked: Any = None  # the worker whose matter's findings were brought up to date
        self._reading: tuple[int, int] | None = None  # (page done, pages) of a PDF being read
        self.progress_timer = QTimer(self)
        self.progress_timer.setInterval(250)
        self.progress_timer.timeout.connect(self._show_progress)
        menus = {a.text(): a.menu() for a in window.menuBar().actions()}
        m_file, m_view, m_rev = menus["&File"], menus["&View"], menus["&Review"]
        quit_action = window.action_table.by_name["quit"]
        action = window.action_table.add(m_file, "vaughn_import", "Import &Vaughn index…", None,
                             self.ask_import)
        m_file.removeAction(action)
        m_file.insertAction(quit_action, action)
        window.action_table.add(m_view, "vaughn_view", "Vaughn index…", "Ctrl+Shift+V", self.show_view)
        window.action_table.add(m_rev, "vaughn_challenge", "Challenge the Vaughn index finding", "V",
                    self.panel.request_challenge)
        window.pageShown.connect(self.load_panel)
        self.recompute_timer = QTimer(self)  # coalesces a burst of review ops into one run
        self.recompute_timer.setSingleShot(True)
        self.recompute_timer.setInterval(RECOMPUTE_MS)
        self.recompute_timer.timeout.connect(self._recompute)

    # -- import ---------------------------------------------------------------------------

    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import Vaughn index", "",
                                              INDEX_FILTER)
        if path:
            self.start_import(Path(path))

    def start_import(self, path: Path, *, confirm: Any = None) -> None:
        """Read the table on the worker, confirm its mapping, then import (``confirm``: a
        test's stand-in for the dialog, called with the dialog and returning accept/reject)."""
        w = self.window
        if w.worker is None:
            w.statusBar().showMessage("Open a matter first, then import its Vaughn index", 8000)
            return

        def read(ctx: Context) -> Any:
            from app.session import read_index_table

            table, guess = read_index_table(path, progress=self._progress)
            return table, guess, ctx.session.index.productions()

        def ask(result: Any) -> None:
            self._stop_progress()
            table, guess, names = result
            dialog = MappingDialog(w, table.source, table.headers, guess, names)
            accepted = confirm(dialog) if confirm else dialog.exec() == QDialog.DialogCode.Accepted
            if accepted:
                self._import(path, table, dialog.mapping(), dialog.production.currentData())

        self._reading = None
        self.progress_timer.start()
        w.worker.submit(read, ask, self._failed, priority=NORMAL)

    def _progress(self, done: int, total: int, what: str) -> None:
        """Called on the worker while a PDF index is read: kept for the GUI's timer to show."""
        self._reading = (done, total)

    def _show_progress(self) -> None:
        if self._reading:
            done, total = self._reading
            self.window.statusBar().showMessage(
                f"Reading the Vaughn index: page {done + 1} of {total}", 2000)

    def _stop_progress(self) -> None:
        self.progress_timer.stop()
        self._reading = None

    def _import(self, path: Path, table: Any, mapping: dict[str, int],
                production: str | None) -> None:
        w = self.window
        if w.read_only:
            w.statusBar().showMessage("Read-only matter: nothing can be changed", 5000)
            return
        reviewer = w.reviewer()

        def run(ctx: Context) -> Any:
            return ctx.session.index.import_table(path, table, production=production,
                                                  mapping=mapping, reviewer=reviewer)

        def done(result: Any) -> None:
            c = result.changes
            text = (f"Imported {result.file_name} (version {result.version}): "
                    f"{result.entries} entries, {result.findings} findings")
            if result.skipped_tables:
                text += (f"; {result.skipped_tables} other table(s) with different columns "
                         "were not read")
            if c.get("previous_index_id"):
                text += (f"; since the last version {len(c['added'])} added, "
                         f"{len(c['removed'])} removed, {len(c['changed'])} changed")
            w.statusBar().showMessage(text, 15000)
            self.imported.emit(result)
            if w.page_id is not None:
                self.load_panel(w.page_id)
            self._refresh_filter()

        w.worker.submit(run, done, self._failed, priority=NORMAL, kind=WRITE)

    def _failed(self, exc: BaseException) -> None:
        self._stop_progress()
        self.window.statusBar().showMessage(f"Vaughn index: {exc}", 15000)
        if not self.window.screenshot and not _testing():
            QMessageBox.warning(self.window, "Vaughn index", str(exc))

    # -- the entry panel ------------------------------------------------------------------

    def load_panel(self, page_id: int) -> None:
        """Read the entry covering ``page_id`` and its findings on the worker (the first time
        for a matter, after bringing its findings up to date: OCR or an ingest may have run
        from the command line since)."""
        w = self.window
        if w.worker is None:
            return
        if self._checked is not w.worker:
            self._checked = w.worker

            w.worker.submit(lambda ctx: ctx.session.index.refresh(), None, self._failed, priority=NORMAL, kind=WRITE)

        def done(result: Any) -> None:
            if w.page_id == page_id:
                self.panel.set_entries(*result)
                self.panel_page = page_id
                self.panelLoaded.emit()

        w.worker.submit(lambda ctx: ctx.session.index.page_entries(PageId(page_id)), done,
                        self._failed,
                        priority=NORMAL)

    def changed(self, changes: Any) -> None:
        """A review op committed: a challenge only changes the panel; codes, dispositions and
        records may change findings, recomputed once the reviewer pauses (:data:`RECOMPUTE_MS`)."""
        w = self.window
        if w.page_id is None or not self.panel.isVisible():
            return
        if changes.kinds & {"claims", "documents"}:
            self.recompute_timer.start()
        elif "challenges" in changes.kinds:
            self.load_panel(w.page_id)

    def _recompute(self) -> None:
        w = self.window
        if w.worker is None:
            return

        def done(recomputed: bool) -> None:
            if w.page_id is not None:
                self.load_panel(w.page_id)
            if recomputed:
                self._refresh_filter()

        w.worker.submit(lambda ctx: ctx.session.index.refresh(), done, self._failed,
                        priority=NORMAL, kind=WRITE)

    def challenge(self, finding_id: int) -> None:
        """Turn a finding into a challenge (one undoable op through the hub)."""
        fid = FindingId(finding_id)
        self.window._run(f"Challenge Vaughn finding {finding_id}",
                         lambda w: w.challenge_finding(fid))

    def _refresh_filter(self) -> None:
        if self.window.filters.kind() == "vaughn":
            self.window.filters.apply_filter()

    # -- the index view -------------------------------------------------------------------

    def show_view(self) -> None:
        """Open (or refresh) the Vaughn index view."""
        w = self.window
        if w.worker is None:
            return
        if self.view is None:
            self.view = IndexView(w)
            self.view.pageWanted.connect(w.show_page)
        self.view.show()
        self.view.raise_()
        w.worker.submit(lambda ctx: ctx.session.index.overview(), self.view.set_data,
                        self._failed, priority=NORMAL, kind=WRITE)


def _testing() -> bool:
    import os

    return "PYTEST_CURRENT_TEST" in os.environ
