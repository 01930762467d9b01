"""The window's search: the search box and its history, the results list, saved searches with
live counts, hits marked on the page, and tagging every result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QInputDialog, QLineEdit, QSplitter

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from app.session import PageId
from ui.controller import Controller
from ui.search.panel import SearchPanel
from ui.search.saved_panel import SavedSearchesPanel
from ui.worker import NORMAL, URGENT, WRITE, Context

if TYPE_CHECKING:
    from app.session import Changes
    from ui.window import MainWindow

COUNT_BUDGET_MS = 1500  # a search's total beyond this is shown as "at least N", then counted
HISTORY_OFFERED = 50


class SearchController(Controller):
    """Runs searches on the worker and keeps the search widgets in step."""

    searchDone = Signal()
    savedLoaded = Signal()  # saved searches (with counts) shown
    historyLoaded = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.query = ""
        self.terms: list[str] = []
        self._saved_gen = 0
        self.search_panel = SearchPanel()
        self.search_panel.hitActivated.connect(
            lambda row: window.show_page(self.search_panel.select_row(row)))
        self.search_panel.tagAllRequested.connect(self.ask_tag_all)
        self.saved_panel = SavedSearchesPanel()
        self.saved_panel.runRequested.connect(self._run_saved)
        self.saved_panel.saveRequested.connect(self._ask_save_search)
        self.saved_panel.deleteRequested.connect(self.delete_saved_search)
        self.search_tab = QSplitter(Qt.Orientation.Vertical)
        self.search_tab.addWidget(self.search_panel)
        self.search_tab.addWidget(self.saved_panel)
        self.search_tab.setStretchFactor(0, 3)
        self.search_tab.setStretchFactor(1, 1)
        self.saved_timer = QTimer(self)  # coalesces count refreshes after bursts of review ops
        self.saved_timer.setSingleShot(True)
        self.saved_timer.setInterval(400)
        self.saved_timer.timeout.connect(self.refresh_saved)
        self.search_edit = QLineEdit(placeholderText="Search the matter (Ctrl+F), Enter to run")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(lambda: self.run_search(self.search_edit.text()))
        self.history_model = QStringListModel(self)
        self.history_completer = QCompleter(self.history_model, self)
        self.history_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.history_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.history_completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.search_edit.setCompleter(self.history_completer)

    def run_search(self, query: str, limit: int = 1000) -> None:
        """Run a search on the worker and list the results."""
        w = self.w
        query = query.strip()
        self.query = query
        if not query:
            self.terms = []
            self.search_panel.set_error("")
            w.page_view.canvas.set_hits([])
            return
        w.left.setCurrentWidget(self.search_tab)
        if self.search_edit.text().strip() != query:
            self.search_edit.setText(query)

        def run(ctx: Context) -> Any:  # a read-only session keeps no history
            results, terms = ctx.session.search.run(query, limit=limit,
                                                    count_budget_ms=COUNT_BUDGET_MS)
            return query, results, terms

        def done(result: Any) -> None:
            q, results, terms = result
            self.refresh_history()
            if q != self.query:
                return
            self.terms = terms
            self.search_panel.set_results(q, results)
            if not getattr(results, "total_exact", True):
                self._count_exactly(q)
            if w.page_id is not None:
                self.load_hits()
            self.searchDone.emit()

        def failed(exc: BaseException) -> None:
            self.search_panel.set_error(str(exc))
            self.searchDone.emit()

        if w.worker is not None:
            w.worker.submit(run, done, failed, priority=URGENT)

    def _count_exactly(self, query: str) -> None:
        self.submit(lambda ctx: ctx.session.search.count(query),
                    lambda n: self.search_panel.set_exact_total(query, n), priority=NORMAL)

    def load_hits(self) -> None:
        """Mark the current query's hits on the page shown."""
        w = self.w
        page_id, query, page = w.page_id, self.query, w.page
        if page_id is None:
            return

        def boxes(ctx: Context) -> Any:
            from app.session import display_box

            # The query language's own matching, on the PDF's words or a scan's OCR words;
            # words under a redaction box are never marked (hidden text stays hidden).
            found = ctx.session.search.hit_boxes(PageId(page_id), query,
                                                 pdf_page=ctx.renderer.page(page_id))
            if page is None or page.id != page_id:
                return page_id, found
            return page_id, [display_box(b, page.rotation, page.width, page.height)
                             for b in found]

        def done(result: Any) -> None:
            pid, found = result
            if pid == w.page_id:
                w.page_view.canvas.set_hits(found)

        self.submit(boxes, done)

    def refresh_history(self) -> None:
        """Offer the matter's recent queries in the search box's completer."""
        def done(queries: list[str]) -> None:
            self.history_model.setStringList(queries)
            self.historyLoaded.emit()

        self.submit(lambda ctx: ctx.session.search.history(HISTORY_OFFERED), done,
                    priority=NORMAL)

    def changed(self, _changes: Changes) -> None:
        """A review op committed: field queries (tag:, status:, exemption:…) of the saved
        searches may count anew, once the burst of ops is over."""
        if self.saved_panel.searches:
            self.saved_timer.start()

    def refresh_saved(self) -> None:
        """Reload the saved searches with their live hit counts (on the worker)."""
        self._saved_gen += 1
        gen = self._saved_gen

        def done(searches: list[Any]) -> None:
            if gen == self._saved_gen:
                self.saved_panel.set_searches(searches)
                self.savedLoaded.emit()

        self.submit(lambda ctx: ctx.session.search.saved(counts=True), done, priority=NORMAL)

    def save_search(self, name: str, query: str | None = None) -> None:
        """Save ``query`` (default: the one in the search box) as ``name``; counts refresh."""
        query = (self.search_edit.text() if query is None else query).strip()
        if not query or not name.strip() or not self.writable("nothing can be saved"):
            return

        def done(saved: Any) -> None:
            self.say(f"Saved search “{saved.name}”")
            self.refresh_saved()

        self.submit(lambda ctx: ctx.session.search.save(name, query), done, kind=WRITE)

    def delete_saved_search(self, name: str) -> None:
        """Delete a saved search; the list reloads."""
        if self.writable():
            self.submit(lambda ctx: ctx.session.search.delete_saved(name),
                        lambda _ok: self.refresh_saved(), kind=WRITE)

    def _ask_save_search(self) -> None:
        query = self.search_edit.text().strip()
        if not query:
            self.say("Type a query in the search box first")
            return
        name, ok = QInputDialog.getText(self.w, "Save search", f"Name for “{query}”:",
                                        text=self.saved_panel.current_name() or "")
        if ok and name.strip():
            self.save_search(name.strip(), query)

    def _run_saved(self, query: str) -> None:
        self.search_edit.setText(query)
        self.run_search(query)

    def step_hit(self, delta: int) -> None:
        """F3 / Shift+F3: the next/previous page with a hit."""
        pid = self.search_panel.step(delta)
        if pid is not None:
            self.w.show_page(pid)

    def tag_all_results(self, name: str, color: str | None = None) -> None:
        """Tag every page matching the current search (one undoable step)."""
        query = self.query
        if query:
            self.w._run(f"Tag {self.search_panel.model.total} results “{name}”",
                        lambda wr: wr.tag_search_results(name, query, color=color))

    def ask_tag_all(self) -> None:
        """Ask for a tag name, then tag every result."""
        if not self.query:
            return
        names = list(self.w.challenge.tag_buttons)
        name, ok = QInputDialog.getItem(self.w, "Tag all results",
                                        f"Tag every page matching “{self.query}” with:",
                                        names, 0, True)
        if ok and name.strip():
            self.tag_all_results(name.strip())

    def focus(self) -> None:
        """Ctrl+F: into the search box."""
        self.search_edit.setFocus()
        self.search_edit.selectAll()
