"""The Statistics window: page accounting and summary figures per production.

Opened from the review window (View > Statistics…, Ctrl+Shift+S). Loaded on the matter
worker: :func:`app.compare.accounting.accounting` (pages, Bates range, gaps, duplicates,
numbers out of order, pages without Bates, pages withheld in full, the page count the agency's
letter claims and the difference) and :func:`app.export.summary.figures` (documents,
redactions, bad redactions, share of text redacted). Selecting a production lists its gaps,
duplicates and out-of-order numbers, and takes the letter's page count, saved with
:func:`app.compare.accounting.set_letter_page_count` (empty clears it). The review's progress
per batch and per reviewer (app/review/batches.py) is listed below.
"""

from __future__ import annotations

import html
from typing import Any, cast

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QIntValidator, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from ui.compare.host import ReviewHost
from ui.worker import NORMAL, WRITE, Context

ACCOUNTING_HEADERS = ("Production", "Tranche", "Pages", "Bates range", "Gaps (numbers)",
                      "Duplicates", "Out of order", "No Bates", "Withheld in full",
                      "Letter says", "Difference")
FIGURE_HEADERS = ("Production", "Documents", "Pages", "Redactions", "Bad redactions",
                  "Pages withheld", "Text redacted")
BATCH_HEADERS = ("Batch", "Reviewer", "Pages", "Done", "Done %", "Checked out to")
MAX_LISTED = 200  # gaps / duplicates / out-of-order numbers listed per production


def _item(text: Any, number: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class StatisticsView(QWidget):
    """Page accounting and figures of the matter open in a review window."""

    loaded = Signal()
    saved = Signal()

    def __init__(self, win: ReviewHost) -> None:
        super().__init__(cast("QWidget", win), Qt.WindowType.Window)  # the review window
        self.win = win
        self.setWindowTitle("Statistics")
        self.rows: list[dict[str, Any]] = []
        self._gen = 0
        self._worker: Any = None  # the worker the figures shown came from
        self.table = QTableWidget(0, len(ACCOUNTING_HEADERS))
        self.table.setHorizontalHeaderLabels(ACCOUNTING_HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_details(row))
        self.details = QTextBrowser()
        self.letter_label = QLabel("The agency's letter says this production has")
        self.letter_edit = QLineEdit(placeholderText="pages")
        self.letter_edit.setValidator(QIntValidator(0, 10**9, self))
        self.letter_edit.setMaximumWidth(120)
        self.letter_edit.returnPressed.connect(self.save_letter_count)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save_letter_count)
        letter = QHBoxLayout()
        letter.addWidget(self.letter_label)
        letter.addWidget(self.letter_edit)
        letter.addWidget(QLabel("pages"))
        letter.addWidget(self.save_button)
        letter.addStretch(1)
        self.figures_table = QTableWidget(0, len(FIGURE_HEADERS))
        self.figures_table.setHorizontalHeaderLabels(FIGURE_HEADERS)
        self.figures_table.verticalHeader().setVisible(False)
        self.figures_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.batches_table = QTableWidget(0, len(BATCH_HEADERS))
        self.batches_table.setHorizontalHeaderLabels(BATCH_HEADERS)
        self.batches_table.verticalHeader().setVisible(False)
        self.batches_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.status = QLabel("Loading…")
        refresh = QPushButton("Refresh (F5)")
        refresh.clicked.connect(self.reload)

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(QLabel("<b>Page accounting</b> (select a production for its details)"))
        tl.addWidget(self.table, 1)
        mid = QWidget()
        ml = QVBoxLayout(mid)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addLayout(letter)
        ml.addWidget(self.details, 1)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(QLabel("<b>Figures</b> (as in the summary report)"))
        bl.addWidget(self.figures_table, 1)
        review = QWidget()
        rl = QVBoxLayout(review)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel("<b>Review batches</b> (per batch, then per reviewer)"))
        rl.addWidget(self.batches_table, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        for w in (top, mid, bottom, review):
            split.addWidget(w)
        foot = QHBoxLayout()
        foot.addWidget(self.status, 1)
        foot.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(foot)
        for keys, slot in (("F5", self.reload), ("Ctrl+W", self.close)):
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, s=slot: s())
            self.addAction(action)
        self.resize(1200, 760)

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        if (event.type() == QEvent.Type.ActivationChange and self.isActiveWindow()
                and self._worker is not self.win.worker):
            self.reload()  # another matter was opened in the review window

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the accounting and the figures on the worker."""
        worker = self.win.worker
        if worker is None:
            return
        self._gen += 1
        gen = self._gen
        self._worker = worker
        self.status.setText("Loading…")

        def job(ctx: Context) -> Any:
            return (*ctx.session.compare.accounting(), ctx.session.batches.progress(),
                    ctx.session.batches.by_reviewer())

        def done(out: Any) -> None:
            if gen == self._gen and worker is self.win.worker:
                self._loaded(*out[:2])
                self._batches_loaded(*out[2:])

        worker.submit(job, done, self._failed, priority=NORMAL)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(f"{type(exc).__name__}: {exc}")

    def _loaded(self, rows: list[dict[str, Any]], figures: Any) -> None:
        keep = self.current_production()
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, a in enumerate(rows):
            span = (f"{a['first_bates']}..{a['last_bates']}" if a["first_bates"] else "")
            diff = a["letter_difference"]
            values = (
                (a["production"], False), (a["tranche"], True), (f"{a['pages']:,}", True),
                (span, False),
                (f"{len(a['gaps'])} ({a['missing_numbers']:,})" if a["gaps"] else "0", True),
                (len(a["duplicates"]), True), (len(a["out_of_order"]), True),
                (a["no_bates"], True), (a["withheld_in_full"], True),
                (a["letter_page_count"], True),
                ("" if diff is None else f"{diff:+,}", True),
            )
            for c, (value, number) in enumerate(values):
                self.table.setItem(r, c, _item(value, number))
        self.figures_table.setRowCount(len(figures.productions) + 1)
        lines = [(p.name, p.documents, p.pages, p.redactions, p.bad_redactions,
                  p.withheld_pages, p.text_share) for p in figures.productions]
        lines.append(("All productions", figures.documents, figures.pages, figures.redactions,
                      figures.bad_redactions, figures.withheld_pages, figures.text_share))
        for r, line in enumerate(lines):
            for c, value in enumerate(line):
                text = (f"{value * 100:.1f}%" if c == 6 else
                        f"{value:,}" if isinstance(value, int) else value)
                self.figures_table.setItem(r, c, _item(text, c > 0))
        issues = sum(bool(a["gaps"] or a["duplicates"] or a["out_of_order"]) for a in rows)
        self.status.setText(f"{len(rows)} production(s), {figures.pages:,} pages; "
                            f"{issues} with gaps, duplicates or numbers out of order")
        ids = [a["production_id"] for a in rows]
        row = ids.index(keep) if keep in ids else (0 if rows else -1)
        if row >= 0:
            self.table.selectRow(row)
        self._show_details(row)
        self.loaded.emit()

    def _batches_loaded(self, batches: list[Any], totals: dict[str, tuple[int, int]]) -> None:
        lines = [(b.name, b.reviewer, b.pages, b.done, b.checked_out_to or "") for b in batches]
        lines += [(f"All of {who}'s", who, pages, done, "")
                  for who, (pages, done) in sorted(totals.items())]
        self.batches_table.setRowCount(len(lines))
        for r, (name, who, pages, done, out) in enumerate(lines):
            share = f"{100 * done / pages:.0f}%" if pages else ""
            for c, (value, number) in enumerate(((name, False), (who, False), (pages, True),
                                                 (done, True), (share, True), (out, False))):
                self.batches_table.setItem(r, c, _item(value, number))

    def current_production(self) -> int | None:
        """The id of the production selected."""
        row = self.table.currentRow()
        return self.rows[row]["production_id"] if 0 <= row < len(self.rows) else None

    def _show_details(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            self.details.setHtml("")
            self.letter_edit.setText("")
            return
        a = self.rows[row]
        e = html.escape
        self.letter_label.setText(f"The agency's letter says {a['production']} has")
        self.letter_edit.setText("" if a["letter_page_count"] is None
                                 else str(a["letter_page_count"]))
        parts = [f"<p><b>{e(a['production'])}</b> (tranche {a['tranche']}): {a['pages']:,} "
                 f"pages, {e(a['first_bates'] or '—')} .. {e(a['last_bates'] or '—')}; "
                 f"{a['withheld_in_full']:,} withheld in full, {a['no_bates']:,} without a "
                 f"Bates number.</p>"]
        if a["letter_page_count"] is not None:
            parts.append(f"<p>The letter says {a['letter_page_count']:,} pages: "
                         f"{a['letter_difference']:+,} against the pages received.</p>")
        sections = (
            ("Gaps", [f"{e(g['first'])} .. {e(g['last'])} ({g['count']:,} missing)"
                      if g["count"] > 1 else f"{e(g['first'])} (1 missing)"
                      for g in a["gaps"]]),
            ("Duplicates", [f"{e(d['bates'])} on {d['count']} pages" for d in a["duplicates"]]),
            ("Out of order", [f"{e(o['bates'])} after {e(o['after'])}"
                              for o in a["out_of_order"]]),
        )
        for title, items in sections:
            if not items:
                parts.append(f"<p>{title}: none</p>")
                continue
            more = len(items) - MAX_LISTED
            parts.append(f"<p>{title} ({len(items):,}):</p><ul>" + "".join(
                f"<li>{i}</li>" for i in items[:MAX_LISTED]) + "</ul>"
                + (f"<p>… and {more:,} more</p>" if more > 0 else ""))
        self.details.setHtml("".join(parts))

    # -- the letter's count ---------------------------------------------------------------

    def save_letter_count(self) -> None:
        """Save the page count the agency's letter claims for the selected production."""
        pid = self.current_production()
        worker = self.win.worker
        if pid is None or worker is None:
            return
        if worker is not self._worker:  # another matter since: its productions differ
            self.reload()
            return
        if self.win.read_only:
            self.status.setText("Read-only matter: nothing can be saved")
            return
        text = self.letter_edit.text().strip()
        count = int(text) if text else None

        def job(ctx: Context) -> Any:
            ctx.session.compare.set_letter_page_count(pid, count)

        def done(_: Any) -> None:
            self.status.setText("Saved")
            self.saved.emit()
            self.reload()

        worker.submit(job, done, self._failed, priority=NORMAL, kind=WRITE)


def show_statistics(win: ReviewHost) -> StatisticsView | None:
    """Open (or raise) the Statistics window of a review window and load it."""
    from ui.widgets.common import raise_view

    view = raise_view(win, "statistics_view", StatisticsView)
    if view is not None:
        view.reload()
    return view
