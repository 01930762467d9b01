"""The Compare versions window: re-released records side by side, differences highlighted.

Opened from the review window (View > Compare versions…, Ctrl+Shift+C), it runs the matching
of :mod:`app.compare.match` on the matter worker with its progress in the status bars (cancel
stops it within a few thousand candidate pages; the GUI never waits), then lists the matched
document pairs with how many redactions the later version lifted, added or re-coded. Selecting
a pair shows the two versions side by side, rendered by the worker, with each difference drawn on both pages in
its kind's colour and the released text of a lifted (or added) redaction below. J/K step
through the differences across the pair's pages, N/P through its pages, Ctrl+PgDown/PgUp
through the pairs; C challenges the still-redacted version as an "inconsistent redaction"
(``app.compare.diff.challenge_inconsistent``) as one undoable step on the review window's
hub, which shows the challenged redaction and refreshes its panels from the returned
changes. The Findings tab lists the consistency findings with both locations (looked for when
the tab is first shown: it reads every pair's released text); a double-click shows the page in
the review window.

While matching runs, the review window's own page loads wait behind it on the one worker (the
worker is the only thread that may touch the matter).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStatusBar,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from ui.compare.canvas import KIND_COLORS, KIND_NAMES, DiffPageView, Mark
from ui.compare.host import ReviewHost
from ui.compare.models import FindingsModel, PairsModel
from ui.worker import NORMAL, URGENT, Context

if TYPE_CHECKING:
    from app.session import Change, Event, PageData

STAGES = {  # match() reports a stage when it starts the next one
    "signatures": "computing page signatures",
    "candidates": "finding candidate pages",
    "verify": "verifying candidate pairs",
    "done": "counting differences",
}


class CompareView(QWidget):
    """Matched pairs, their differences side by side, and the consistency findings."""

    matched = Signal()  # the pairs are listed (or matching stopped)
    findingsLoaded = Signal()
    pairLoaded = Signal()  # a pair's differences are listed
    sidesShown = Signal()  # both pages of the current page pair are in the panes

    def __init__(self, win: ReviewHost) -> None:
        super().__init__(cast("QWidget", win), Qt.WindowType.Window)  # the review window
        self.win = win
        self.setWindowTitle("Compare versions")
        self.worker: Any = None  # the worker the results below came from
        self.token: Any = None
        self.running = False
        self.result: Any = None
        self.detail: Any = None  # app.compare.listing.PairChanges of the pair shown
        self.pair_row: int | None = None
        self.page_index = 0
        self.current = -1  # index into detail.changes
        self.views: tuple[PageData, PageData] | None = None
        self._findings_for: Any = None  # the result whose findings are listed (or on the way)
        self._page_gen = 0
        self._hub: Any = None
        self._syncing = False
        self._build()
        self._build_actions()
        self.resize(1500, 950)

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.addTab(self._pairs_tab(), "Pairs")
        self.tabs.addTab(self._findings_tab(), "Findings")
        self.tabs.currentChanged.connect(lambda _i: self._load_findings())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self._sides_pane())
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([540, 960])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self._status_bar())
        self._update_buttons()

    def _pairs_tab(self) -> QWidget:
        """The matched pairs over the list of the selected pair's differences."""
        self.pairs_model = PairsModel(self)
        self.pairs_view = QTableView()
        self.pairs_view.setModel(self.pairs_model)
        self.pairs_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pairs_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pairs_view.verticalHeader().setVisible(False)
        header = self.pairs_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for col in (0, 1):  # long Bates ranges are elided (the tooltip has them whole)
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, 170)
        self.pairs_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.pairs_view.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.show_pair(cur.row()) if cur.isValid() else None)
        self.diff_list = QListWidget()
        self.diff_list.currentRowChanged.connect(self._diff_row_changed)
        pairs_tab = QSplitter(Qt.Orientation.Vertical)
        pairs_tab.addWidget(self.pairs_view)
        pairs_tab.addWidget(self.diff_list)
        return pairs_tab

    def _findings_tab(self) -> QWidget:
        """The consistency findings, looked for when the tab is first shown."""
        self.findings_model = FindingsModel(self)
        self.findings_view = QTableView()
        self.findings_view.setModel(self.findings_model)
        self.findings_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.findings_view.verticalHeader().setVisible(False)
        self.findings_view.setWordWrap(False)
        self.findings_view.horizontalHeader().setStretchLastSection(True)
        self.findings_view.doubleClicked.connect(self.open_finding)
        self.findings_view.activated.connect(self.open_finding)
        self.findings_label = QLabel("Findings are looked for once the pairs are matched.")
        self.findings_label.setWordWrap(True)
        findings_tab = QWidget()
        fl = QVBoxLayout(findings_tab)
        fl.setContentsMargins(2, 2, 2, 2)
        fl.addWidget(self.findings_label)
        fl.addWidget(self.findings_view, 1)
        return findings_tab

    def _sides_pane(self) -> QWidget:
        """The two versions side by side, the difference described, its text, the buttons."""
        self.side_a = DiffPageView()
        self.side_b = DiffPageView()
        self.label_a = QLabel("Earlier version")
        self.label_b = QLabel("Later version")
        sides = QSplitter(Qt.Orientation.Horizontal)
        for label, side in ((self.label_a, self.side_a), (self.label_b, self.side_b)):
            box = QWidget()
            bl = QVBoxLayout(box)
            bl.setContentsMargins(0, 0, 0, 0)
            label.setWordWrap(True)
            bl.addWidget(label)
            bl.addWidget(side, 1)
            sides.addWidget(box)
            side.renderWanted.connect(self._render)
        self.side_a.verticalScrollBar().valueChanged.connect(
            lambda _v: self._sync_scroll(self.side_a, self.side_b))
        self.side_b.verticalScrollBar().valueChanged.connect(
            lambda _v: self._sync_scroll(self.side_b, self.side_a))

        self.diff_label = QLabel("Select a pair.")
        self.diff_label.setWordWrap(True)
        self.diff_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setMaximumHeight(70)
        self.text_view.setPlaceholderText("The released text of a lifted or added redaction")
        self.prev_button = QPushButton("◀ Previous (K)")
        self.next_button = QPushButton("Next (J) ▶")
        self.challenge_button = QPushButton("Challenge: inconsistent redaction (C)")
        self.show_button = QPushButton("Show in review window (O)")
        self.prev_button.clicked.connect(lambda: self.step_difference(-1))
        self.next_button.clicked.connect(lambda: self.step_difference(1))
        self.challenge_button.clicked.connect(self.challenge_current)
        self.show_button.clicked.connect(self.show_current_in_window)
        legend = QLabel(" ".join(
            f"<span style='color:{KIND_COLORS[k].name()}'>■</span> {KIND_NAMES[k]}"
            for k in ("lifted", "added", "recoded"))
            + " &nbsp; (filled: redacted on that side; dashed: shown there)")
        buttons = QHBoxLayout()
        for b in (self.prev_button, self.next_button, self.challenge_button, self.show_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(legend)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(2, 2, 2, 2)
        rl.addWidget(sides, 1)
        rl.addWidget(self.diff_label)
        rl.addWidget(self.text_view)
        rl.addLayout(buttons)
        return right

    def _status_bar(self) -> QStatusBar:
        """Messages, matching progress, Cancel and Match again."""
        self.run_button = QPushButton("Match again (F5)")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        self.status = QStatusBar()
        self.status.setSizeGripEnabled(False)
        self.status.addPermanentWidget(self.progress)
        self.status.addPermanentWidget(self.cancel_button)
        self.status.addPermanentWidget(self.run_button)
        return self.status

    def _build_actions(self) -> None:
        self.actions_by_name: dict[str, QAction] = {}
        for name, text, keys, slot in (
            ("next_diff", "Next difference", ["J"], lambda: self.step_difference(1)),
            ("prev_diff", "Previous difference", ["K"], lambda: self.step_difference(-1)),
            ("next_page", "Next page of the pair", ["N", "PgDown"], lambda: self.step_page(1)),
            ("prev_page", "Previous page of the pair", ["P", "PgUp"],
             lambda: self.step_page(-1)),
            ("next_pair", "Next pair", ["Ctrl+PgDown"], lambda: self.step_pair(1)),
            ("prev_pair", "Previous pair", ["Ctrl+PgUp"], lambda: self.step_pair(-1)),
            ("challenge", "Challenge: inconsistent redaction", ["C"], self.challenge_current),
            ("show", "Show in review window", ["O"], self.show_current_in_window),
            ("rerun", "Match again", ["F5"], self.run),
            ("close", "Close", ["Ctrl+W"], self.close),
        ):
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, s=slot: s())
            self.addAction(action)
            self.actions_by_name[name] = action

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, action) of this window's shortcuts."""
        return [(", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                           for k in a.shortcuts()), a.text())
                for a in self.actions_by_name.values()]

    # -- matching -------------------------------------------------------------------------

    def ensure_matched(self) -> None:
        """Match when nothing is listed yet for the matter open in the review window."""
        if self.win.worker is None:
            return
        if self.worker is not self.win.worker:
            self._reset()
            self.run()
        elif self.result is None and not self.running:
            self.run()  # closed while matching (which cancels it): match again

    def _reset(self) -> None:
        if self.token is not None:
            self.token.cancel()
        self.win.jobs.forget("compare")  # a run on the matter closed never reports back
        self.running = False
        self.worker = self.win.worker
        self.result = self.detail = self.views = None
        self.pair_row = None
        self.current = -1
        self.pairs_model.set_rows([])
        self.findings_model.set_rows([])
        self._findings_for = None
        self.tabs.setTabText(1, "Findings")
        self.diff_list.clear()
        self.side_a.set_page(None, [])
        self.side_b.set_page(None, [])
        if self._hub is not None:
            self._hub.changed.disconnect(self._hub_changed)
        self._hub = self.win.hub
        if self._hub is not None:
            self._hub.changed.connect(self._hub_changed)
        self._update_buttons()

    def run(self) -> None:
        """Match the matter's versions on the worker (the list fills when done)."""
        worker = self.win.worker
        if worker is None or self.running:
            return
        if worker is not self.worker:
            self._reset()
        from app.session import ThreadJob

        job = ThreadJob("compare")  # on the matter's worker; the window's runner polls it
        token = self.token = job.token
        if not self.win.jobs.start(job, lambda event: self._event(token, worker, event)):
            self._say("Versions are being matched already", None)
            return
        self.running = True
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self._update_buttons()
        self._say("Matching versions: reading pages…", 0)

        def work(ctx: Context) -> None:
            from app.errors import Cancelled

            def stage(name: str, done: int, total: int) -> None:
                token.check()
                job.progress(done * 80 // max(total, 1), 100,
                             f"Matching versions: {STAGES.get(name, name)}…")

            try:
                out = ctx.session.compare.match(
                    stage=stage, cancel=token,
                    progress=lambda d, t: job.progress(
                        80 + d * 20 // max(t, 1), 100,
                        f"Counting differences: pair {d:,} of {t:,}…"))
            except Cancelled as exc:
                job.finish("cancelled", message=str(exc))
            except Exception as exc:  # shown in the status bar, the window goes on
                job.finish("failed", message=f"{type(exc).__name__}: {exc}")
            else:
                job.finish("done", out)

        worker.submit(work, None, lambda exc: job.finish("failed", message=str(exc)),
                      priority=NORMAL)

    def _event(self, token: Any, worker: Any, event: Event) -> None:
        from app.session import Finished, Progress

        if token is not self.token or worker is not self.win.worker:
            return  # a run since replaced, or another matter
        if isinstance(event, Progress):
            self._progress(event.done, event.what)
            return
        if not isinstance(event, Finished):
            return
        self.running = False
        self.progress.setVisible(False)
        self._update_buttons()
        if event.outcome != "done":
            self._say("Matching cancelled" if event.outcome == "cancelled"
                      else f"Matching failed: {event.message}", None)
            self.matched.emit()
            return
        self.result, rows = event.result
        r = self.result
        self.pairs_model.set_rows(rows)
        self._say(f"{len(rows):,} matched pair(s) among {r.pages:,} pages "
                  f"({r.seconds:.1f} s)", None)
        if rows:
            self.pairs_view.selectRow(0)
        self.matched.emit()
        self._load_findings()  # when its tab is open (it reads every pair's text)

    def cancel(self) -> None:
        """Stop matching (within a few thousand candidates)."""
        if self.token is not None and self.running:
            self.token.cancel()
            self._say("Cancelling…", None)

    def _progress(self, percent: int, what: str) -> None:
        if self.running:
            self.progress.setValue(percent)
            self._say(what, percent)

    def _say(self, text: str, percent: int | None) -> None:
        self.status.showMessage(text)
        msg = text if percent is None else f"{text} {percent}%"
        self.win.statusBar().showMessage(msg, 0 if self.running else 8000)

    def _load_findings(self) -> None:
        """Find the consistency findings of the current result, once, when the Findings tab
        is shown (it reads the released text of every pair: the pairs stay responsive until
        the reviewer asks for it)."""
        worker, result, token = self.win.worker, self.result, self.token
        if (self.tabs.currentIndex() != 1 or result is None or worker is not self.worker
                or self._findings_for is result):
            return
        self._findings_for = result
        self.findings_label.setText("Looking for passages withheld here and public there…")

        def job(ctx: Context) -> Any:
            token.check()
            return ctx.session.compare.findings(result)

        def done(rows: list[Any]) -> None:
            if token is not self.token or worker is not self.win.worker:
                return
            self.findings_model.set_rows(rows)
            self.findings_view.resizeColumnsToContents()
            self.findings_label.setText(
                f"{len(rows):,} finding(s). Double-click a row to show where the passage is "
                f"withheld (the second column: where it is public) in the review window.")
            self.tabs.setTabText(1, f"Findings ({len(rows):,})")
            self.findingsLoaded.emit()

        def failed(exc: BaseException) -> None:
            if self._findings_for is result:
                self._findings_for = None  # try again next time the tab is shown
            self.findings_label.setText(f"No findings: {exc}")
            self.findingsLoaded.emit()

        worker.submit(job, done, failed, priority=NORMAL)

    # -- one pair ---------------------------------------------------------------------------

    def show_pair(self, row: int) -> None:
        """Load a pair's differences and show its first one (or its first page)."""
        if not 0 <= row < len(self.pairs_model.rows) or self.win.worker is None or self.stale():
            return
        self.pair_row = row
        summary = self.pairs_model.rows[row]
        worker = self.win.worker
        self.detail = None
        self.current = -1
        self.diff_list.clear()

        def job(ctx: Context) -> Any:
            return ctx.session.compare.pair(summary.pair)

        def done(detail: Any) -> None:
            if worker is not self.win.worker or self.pair_row != row:
                return
            self.detail = detail
            self._fill_diff_list()
            self.pairLoaded.emit()
            if detail.changes:
                self.go_to_difference(0)
            else:
                self.show_page_pair(0)

        worker.submit(job, done, self._failed, priority=URGENT)

    def _fill_diff_list(self) -> None:
        self.diff_list.blockSignals(True)
        self.diff_list.clear()
        pages = {(pp.a, pp.b): k for k, pp in enumerate(self.detail.pair.pages)}
        for c in self.detail.changes:
            k = pages.get((c.a_page, c.b_page), 0)
            codes = ", ".join(c.a_exemptions if c.kind != "added" else c.b_exemptions) or "?"
            if c.kind == "recoded":
                codes = f"{', '.join(c.a_exemptions)} → {', '.join(c.b_exemptions)}"
            text = f" — {c.text}" if c.text else ""
            item = QListWidgetItem(f"p.{k + 1} {KIND_NAMES[c.kind]} {codes}{text}")
            item.setForeground(KIND_COLORS[c.kind])
            self.diff_list.addItem(item)
        self.diff_list.blockSignals(False)

    def _diff_row_changed(self, row: int) -> None:
        if row >= 0 and row != self.current:
            self.go_to_difference(row)

    def go_to_difference(self, k: int) -> None:
        """Make difference ``k`` of the pair current: its pages side by side, its box in view."""
        if self.detail is None or not 0 <= k < len(self.detail.changes):
            return
        self.current = k
        self.diff_list.blockSignals(True)
        self.diff_list.setCurrentRow(k)
        self.diff_list.blockSignals(False)
        change = self.detail.changes[k]
        index = next((i for i, pp in enumerate(self.detail.pair.pages)
                      if (pp.a, pp.b) == (change.a_page, change.b_page)), 0)
        if index != self.page_index or self.views is None or self.views[0].id != \
                change.a_page:
            self.show_page_pair(index)
        else:
            self._refresh_marks()
        self._describe()

    def step_difference(self, delta: int) -> None:
        """Next/previous difference of the pair, across its pages (J/K)."""
        if self.detail is None:
            return
        if not self.detail.changes:
            self.status.showMessage("No differences in this pair", 3000)
            return
        k = self.current + delta if self.current >= 0 else (0 if delta > 0 else
                                                           len(self.detail.changes) - 1)
        if not 0 <= k < len(self.detail.changes):
            self.status.showMessage("No more differences in this pair "
                                    "(Ctrl+PgDown: next pair)", 3000)
            return
        self.go_to_difference(k)

    def step_page(self, delta: int) -> None:
        """Next/previous page pair of the pair (N/P)."""
        if self.detail is None:
            return
        k = self.page_index + delta
        if 0 <= k < len(self.detail.pair.pages):
            self.show_page_pair(k)

    def step_pair(self, delta: int) -> None:
        """Next/previous matched pair (Ctrl+PgDown/PgUp)."""
        row = (self.pair_row if self.pair_row is not None else -1) + delta
        if 0 <= row < len(self.pairs_model.rows):
            self.pairs_view.selectRow(row)

    def show_page_pair(self, index: int) -> None:
        """Show page pair ``index`` of the pair on both sides."""
        if self.detail is None or self.win.worker is None:
            return
        pp = self.detail.pair.pages[index]
        self.page_index = index
        self._page_gen += 1
        gen, worker = self._page_gen, self.win.worker
        if self.current >= 0:
            c = self.detail.changes[self.current]
            if (c.a_page, c.b_page) != (pp.a, pp.b):
                self.current = -1
                self.diff_list.setCurrentRow(-1)

        def job(ctx: Context) -> Any:
            pages = ctx.session.pages
            return pages.page(pp.a), pages.page(pp.b)

        def done(views: Any) -> None:
            if gen != self._page_gen or worker is not self.win.worker:
                return
            self.views = views
            a_marks, b_marks = self._marks()
            self.side_a.set_page(views[0], a_marks)
            self.side_b.set_page(views[1], b_marks)
            n = len(self.detail.pair.pages)
            for label, view, side in ((self.label_a, views[0], "Earlier"),
                                      (self.label_b, views[1], "Later")):
                label.setText(f"{side} version: {view.bates or 'no Bates'} "
                              f"({view.production}), page {index + 1} of {n}")
            self._scroll_to_current()
            self._describe()
            self.sidesShown.emit()

        worker.submit(job, done, self._failed, priority=URGENT)

    def _marks(self) -> tuple[list[Mark], list[Mark]]:
        """The differences of the page pair shown, as each side draws them."""
        if self.detail is None or self.views is None:
            return [], []
        from app.session import display_box

        va, vb = self.views
        out: tuple[list[Mark], list[Mark]] = ([], [])
        for k, c in enumerate(self.detail.changes):
            if (c.a_page, c.b_page) != (va.id, vb.id):
                continue
            now = k == self.current
            for marks, v, bbox, here in (
                    (out[0], va, c.a_bbox, c.kind in ("lifted", "recoded")),
                    (out[1], vb, c.b_bbox, c.kind in ("added", "recoded"))):
                marks.append(Mark(display_box(bbox, v.rotation, v.width, v.height),
                                  c.kind, here, now))
        return out

    def _refresh_marks(self) -> None:
        a, b = self._marks()
        self.side_a.canvas.set_marks(a)
        self.side_b.canvas.set_marks(b)
        self._scroll_to_current()

    def _scroll_to_current(self) -> None:
        for side, marks in ((self.side_a, self.side_a.canvas.marks),
                            (self.side_b, self.side_b.canvas.marks)):
            for m in marks:
                if m.current:
                    self._syncing = True
                    side.show_box(m.bbox)
                    self._syncing = False

    def _sync_scroll(self, source: DiffPageView, target: DiffPageView) -> None:
        if self._syncing:
            return
        src, dst = source.verticalScrollBar(), target.verticalScrollBar()
        if src.maximum() <= 0:
            return
        self._syncing = True
        dst.setValue(round(src.value() / src.maximum() * dst.maximum()))
        self._syncing = False

    def current_change(self) -> Any:
        """The difference shown (``app.compare.diff.Change``) or None."""
        if self.detail is None or not 0 <= self.current < len(self.detail.changes):
            return None
        return self.detail.changes[self.current]

    def _describe(self) -> None:
        c = self.current_change()
        self._update_buttons()
        if self.detail is None:
            return
        if c is None:
            n = len(self.detail.changes)
            self.diff_label.setText(
                f"{n} difference(s) in this pair. J/K: next/previous difference, N/P: "
                f"next/previous page." if n else "No redaction differs between these two "
                "versions.")
            self.text_view.setPlainText("")
            return
        where = {}
        if self.views is not None:
            for side, v in zip("ab", self.views, strict=True):
                where[side] = f"{v.bates or 'page'} ({v.production})"
        a, b = where.get("a", "the earlier version"), where.get("b", "the later version")
        head = f"Difference {self.current + 1} of {len(self.detail.changes)}: "
        if c.kind == "lifted":
            text = (f"{head}lifted. Redacted {', '.join(c.a_exemptions) or '(codes unread)'} "
                    f"at {a}; released at {b}.")
        elif c.kind == "added":
            text = (f"{head}added. Shown at {a}; redacted "
                    f"{', '.join(c.b_exemptions) or '(codes unread)'} at {b}.")
        else:
            text = (f"{head}re-coded. {', '.join(c.a_exemptions)} at {a}; "
                    f"{', '.join(c.b_exemptions)} at {b}.")
        if self._redacted_id(c) in self.detail.challenged:
            text += " Already challenged as an inconsistent redaction."
        self.diff_label.setText(text)
        if c.kind == "recoded":
            self.text_view.setPlainText("")
            self.text_view.setPlaceholderText("Redacted in both versions: no text released")
        elif c.text:
            self.text_view.setPlainText(c.text)
        else:
            self.text_view.setPlainText("")
            self.text_view.setPlaceholderText(
                "Released text unavailable (the page that shows it has no text layer or OCR "
                "words yet)")

    @staticmethod
    def _redacted_id(c: Change) -> int | None:
        if c.kind == "lifted":
            return c.a_redaction
        if c.kind == "added":
            return c.b_redaction
        return None

    def _update_buttons(self) -> None:
        c = self.current_change()
        has = self.detail is not None and bool(self.detail.changes)
        self.prev_button.setEnabled(has)
        self.next_button.setEnabled(has)
        self.challenge_button.setEnabled(c is not None and c.kind in ("lifted", "added")
                                         and self._redacted_id(c) not in self.detail.challenged)
        self.show_button.setEnabled(c is not None)
        self.run_button.setEnabled(not self.running)
        self.cancel_button.setEnabled(self.running)

    def _render(self, page_id: int, scale: float) -> None:
        worker = self.win.worker
        if worker is None:
            return

        def done(r: Any) -> None:
            for side in (self.side_a, self.side_b):
                side.canvas.set_image(*r)

        worker.submit(lambda ctx: (page_id, scale, ctx.renderer.render(page_id, scale)), done,
                      self._failed, priority=URGENT)

    def _failed(self, exc: BaseException) -> None:
        self.status.showMessage(f"{type(exc).__name__}: {exc}", 10000)

    # -- actions --------------------------------------------------------------------------

    def challenge_current(self) -> None:
        """Challenge the still-redacted side of the current difference (C), one undoable step.

        The review window shows that redaction, and its challenge panel reloads when the
        change comes back.
        """
        c = self.current_change()
        if self.stale():
            return
        if c is None:
            self.status.showMessage("Select a difference first (J)", 4000)
            return
        if c.kind == "recoded":
            self.status.showMessage("A re-coded box is redacted in both versions: nothing was "
                                    "released to cite", 5000)
            return
        rid = self._redacted_id(c)
        if rid in self.detail.challenged:
            self.status.showMessage("Already challenged as an inconsistent redaction: edit it "
                                    "in the review window's challenge panel", 5000)
            return
        if self.win.read_only or self.win.hub is None:
            self.status.showMessage("Read-only matter: nothing can be changed", 5000)
            return
        page = c.a_page if c.kind == "lifted" else c.b_page

        self._select_in_window(page, rid)
        self.win.hub.run("Challenge: inconsistent redaction",
                         lambda w: w.challenge_inconsistent(c))
        self.status.showMessage("Challenged as an inconsistent redaction (Ctrl+Z in the review "
                                "window undoes it)", 6000)

    def show_current_in_window(self) -> None:
        """Show the current difference's still-redacted page in the review window (O)."""
        c = self.current_change()
        if c is None or self.stale():
            return
        if c.kind == "added":
            self._show_in_window(c.b_page, c.b_redaction)
        else:
            self._show_in_window(c.a_page, c.a_redaction)

    def open_finding(self, index: Any) -> None:
        """Show a finding's location in the review window (double-click / Enter)."""
        if not index.isValid() or self.stale():
            return
        loc = self.findings_model.location(index)
        self._show_in_window(loc.page_id, loc.redaction_id)

    def _select_in_window(self, page_id: int, redaction_id: int | None) -> None:
        """Show the page in the review window with the redaction selected (its challenge
        panel then applies to that redaction)."""
        win = self.win
        if (redaction_id is not None and win.page is not None and win.page_id == page_id
                and win.page.id == page_id):
            win.select_redaction(redaction_id)  # same page: a reload would keep the page kind
        else:
            win.show_page(page_id, select=redaction_id)

    def _show_in_window(self, page_id: int, redaction_id: int | None) -> None:
        self._select_in_window(page_id, redaction_id)
        self.win.raise_()
        self.win.activateWindow()

    def _hub_changed(self, changes: Any) -> None:
        """A review op (maybe our challenge, or its undo) committed: re-read what is
        challenged among the pair's redactions."""
        detail, worker = self.detail, self.win.worker
        if detail is None or worker is None:
            return
        reds = {r for c in detail.changes for r in (c.a_redaction, c.b_redaction)
                if r is not None}
        if not reds & set(changes.redactions):
            return

        def job(ctx: Context) -> Any:
            return ctx.session.compare.challenged(reds)

        def done(challenged: frozenset[int]) -> None:
            if self.detail is detail:
                from dataclasses import replace

                self.detail = replace(detail, challenged=challenged)
                self._describe()

        worker.submit(job, done, self._failed, priority=NORMAL)

    def stale(self) -> bool:
        """Whether the review window has opened another matter since these results (they
        are then dropped and matching starts again)."""
        if self.worker is self.win.worker:
            return False
        self.ensure_matched()
        return True

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.stale()

    def closeEvent(self, event: Any) -> None:
        self.cancel()
        super().closeEvent(event)


def show_compare(win: ReviewHost) -> CompareView | None:
    """Open (or raise) the Compare versions window of a review window; matching starts the
    first time for the matter open there."""
    from ui.widgets.common import raise_view

    view = raise_view(win, "compare_view", CompareView)
    if view is not None:
        view.ensure_matched()
    return view
