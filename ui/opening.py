"""Opening a matter in the window: a fresh worker and hub, the read-only banner, the first page
painted before the 20,000-row tree is read, the tree and its tag and code lists, and the
File menu's Open, New and Open Recent dialogs."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QMessageBox

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from ui import settings as prefs
from ui.controller import Controller
from ui.hub import Hub
from ui.worker import URGENT, Context, MatterWorker

if TYPE_CHECKING:
    from app.session import Changes, PageData
    from ui.window import MainWindow


def _page_versions(page: PageData | None) -> dict[tuple[str, int], int]:
    """The versions of what the window shows: the page and its redactions."""
    if page is None:
        return {}
    seen = {("redaction", r.id): r.version for r in page.redactions}
    seen[("page", page.id)] = page.version
    return seen


class MatterOpener(Controller):
    """Opens, and reloads the tree of, the window's matter."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._pending_bates: str | None = None

    def open_matter(self, path: str | Path, *, bates: str | None = None,
                    create: bool = False, read_only: bool = False) -> None:
        """Open a matter on a fresh worker (closing the one open)."""
        w = self.w
        w.ocr.close_matter()
        # matching runs on the worker about to stop: it would never report its end
        w.jobs.abandon("compare", "stopped: another matter was opened")
        if w.worker is not None:
            w.challenge.flush()
            w.worker.stop()
            w.worker.deleteLater()
        if not w.screenshot and not prefs.reviewer():
            w.ask_reviewer()
        from app.session import is_server_url

        w.matter_path = path if is_server_url(path) else Path(path)
        self._pending_bates = bates
        w.page_id = w.page = w.selected = None
        w.worker = MatterWorker(path, create=create, read_only=read_only,
                                inline=w.inline_worker)
        w.worker.opened.connect(self._opened)
        w.worker.failed.connect(self._open_failed)
        w.hub = Hub(w.worker, w.reviewer, w, versions=lambda: _page_versions(w.page))
        w.undo_group.addStack(w.hub.stack)
        w.undo_group.setActiveStack(w.hub.stack)
        for subscriber in (w.reviewing.changed, self.changed, w.searching.changed,
                           w.vaughn.changed):  # each refreshes what it shows, if touched
            w.hub.changed.connect(subscriber)
        w.hub.failed.connect(lambda m: self.say(f"Not saved: {m}", 8000))
        w.hub.notice.connect(lambda m: self.say(m, 0))
        w.hub.conflicted.connect(self._conflicted)
        w.worker.start()

    def _conflicted(self, refused: Any) -> None:
        """Another reviewer changed it first: ask whose change stands."""
        from ui.widgets.conflict import ask

        if self.w.hub is not None and not self.w.screenshot:
            ask(self.w, self.w.hub, refused)

    def _opened(self, info: dict[str, Any]) -> None:
        w = self.w
        w.read_only = info["read_only"]
        if info.get("locked"):
            text = ("This matter is open in another Vaughn window, so this one is read-only: "
                    "review there, or close it and reopen the matter here.")
        else:
            text = "This matter is open read-only: changes cannot be saved."
        w.banner.setText(text if w.read_only else "")
        w.banner.setVisible(w.read_only)
        if info.get("shared"):  # the server's URL, never its password
            tls = "encrypted" if info.get("encrypted") else "NOT encrypted"
            w.setWindowTitle(f"Vaughn — {info['location']} (shared, {tls})")
            if w.hub is not None:
                w.hub.watch()
        else:
            w.setWindowTitle(f"Vaughn — {Path(info['path']).name}")
        if not w.screenshot:
            prefs.add_recent(info["location"] if info.get("shared") else info["path"])
        w.splitter.setVisible(True)
        w.empty.setVisible(False)
        self.reload_tree(first=True)
        w.searching.refresh_saved()
        w.searching.refresh_history()
        w.ocr.matter_opened()

    def _open_failed(self, message: str) -> None:
        self.say(message, 0)
        if not self.w.screenshot:
            QMessageBox.warning(self.w, "Vaughn", message)

    def reload_tree(self, first: bool = False) -> None:
        """Load the tree, tags and custom codes.

        On first load the first page (or the ``--bates`` page) is found and shown before the
        tree is read, so the page paints without waiting for 20,000 tree rows.
        """
        if not first:
            self.submit(_load_tree, self._tree_loaded, priority=URGENT)
            return
        bates = self._pending_bates

        def find(ctx: Context) -> Any:
            pages = ctx.session.pages
            hits = pages.find_bates(bates) if bates else []
            return (hits[0] if hits else None), pages.first()

        self.submit(find, lambda r: self._first_found(bates, *r), priority=URGENT)

    def _first_found(self, bates: str | None, found: int | None, first: int | None) -> None:
        w = self.w
        if bates and found is None:
            self.say(f"No page with Bates {bates}", 8000)
        target = found or first
        if target is None:
            self.submit(_load_tree, self._tree_loaded, priority=URGENT)
            return

        def then_tree(_pid: int) -> None:
            w.page_view.canvas.painted.disconnect(then_tree)
            self.submit(_load_tree, self._tree_loaded, priority=URGENT)

        w.page_view.canvas.painted.connect(then_tree)
        w.show_page(target, select="first" if w.screenshot else None)

    def changed(self, changes: Changes) -> None:
        """A review op committed: the tree rows it touched read again; split or merged
        records reshape the whole tree."""
        if "documents" in changes.kinds:
            self.reload_tree()
        self.submit(lambda ctx: ctx.session.pages.changed_rows(changes),
                    self.w.tree_model.update_rows)

    def _tree_loaded(self, result: Any) -> None:
        w = self.w
        tree, tags, codes = result
        w.tree_model.set_tree(tree)
        w.challenge.set_tags(tags)
        w.claims.set_custom_codes(codes)
        w.tree.expandToDepth(0)
        if w.filters.kind() != "all":
            w.filters.apply_filter()
        if w.page_id is None and w.tree_model.pages:
            w.show_page(w.tree_model.pages[0])
        elif w.page_id is not None:
            w.sync_tree(w.page_id)
            w.images.prefetch()
            if w.review_ready:
                w.load_review()  # the tag buttons were rebuilt
        w.treeLoaded.emit()

    # -- the File menu's dialogs -----------------------------------------------------------

    def ask_open(self) -> None:
        """File ▸ Open matter…"""
        path, _ = QFileDialog.getOpenFileName(self.w, "Open matter", "", "Vaughn matters "
                                              "(*.vaughn);;All files (*)")
        if path:
            self.open_matter(path)

    def ask_shared(self) -> None:
        """File ▸ Open shared matter… (a team's matter on a PostgreSQL server)."""
        from ui.widgets.shared_matter import SharedMatterDialog

        dialog = SharedMatterDialog(self.w)
        if dialog.exec():
            if dialog.kept is False:
                self.say("This computer has no keyring: the password was not kept", 8000)
            self.open_matter(dialog.url())

    def ask_new(self) -> None:
        """File ▸ New matter…"""
        path, _ = QFileDialog.getSaveFileName(self.w, "New matter", "",
                                              "Vaughn matters (*.vaughn)")
        if path:
            if not path.endswith(".vaughn"):
                path += ".vaughn"
            self.open_matter(path, create=True)

    def fill_recent(self) -> None:
        """File ▸ Open Recent, filled as it opens."""
        menu = self.w.action_table.recent_menu
        assert menu is not None
        menu.clear()
        for path in prefs.recent_matters():
            menu.addAction(path, partial(self.open_matter, path))


def _load_tree(ctx: Context) -> Any:
    pages = ctx.session.pages
    return pages.tree(), pages.tags(), pages.custom_codes()
