"""The review actions of the window: each edit of a panel, key or menu item becomes one undoable
op of the session's Writer, run through the hub; what an op changed comes back to
:meth:`ReviewActions.changed`, which refreshes only what it touched."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMenu

import ui.qtfix  # noqa: F401  (before any PySide6 use: see its docstring)
from app.session import DocumentId, PageId, RedactionId, vocab
from ui.controller import Controller

if TYPE_CHECKING:
    from app.session import ChallengeFields, Changes
    from ui.window import MainWindow


class ReviewActions(Controller):
    """Turns the reviewer's edits into ops, and ops' Changes into refreshes."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        claims, challenge = window.claims, window.challenge
        claims.codesEdited.connect(self.codes_edited)
        claims.dispositionEdited.connect(self.disposition_edited)
        challenge.edited.connect(self.challenge_edited)
        challenge.tagToggled.connect(self.tag_toggled)
        challenge.tagCreated.connect(
            lambda t, n, c: window._run(f"Tag “{n}”", lambda wr: wr.add_tag(n, [t], color=c)))
        challenge.exhibitEdited.connect(self.exhibit_edited)
        challenge.noteAdded.connect(
            lambda t, text: window._run("Add note", lambda wr: wr.add_note([t], text)))
        window.tree.customContextMenuRequested.connect(self.tree_menu)

    def codes_edited(self, codes: list[str] | None) -> None:
        """The claims panel's codes for the selected redaction (None: back to the stamp's)."""
        w = self.w
        if w.selected is not None:
            rid = RedactionId(w.selected)
            w._run("Set exemption codes", lambda wr: wr.set_exemptions([rid], codes))

    def toggle_code(self, code: str) -> None:
        """Toggle an exemption code on the selected redaction (number keys 1-9)."""
        w = self.w
        if w.selected is None:
            w.statusBar().showMessage("Select a redaction first (click it, or J)", 4000)
            return
        rid = RedactionId(w.selected)
        w._run(f"Toggle {code}", lambda wr: wr.toggle_exemption([rid], code))

    def disposition_edited(self, key: str | None) -> None:
        """The current page's disposition."""
        w = self.w
        if w.page_id is not None:
            pid = PageId(w.page_id)
            w._run("Set page disposition", lambda wr: wr.set_disposition([pid], key))

    def challenge_edited(self, target: tuple[str, int], fields: ChallengeFields) -> None:
        """Fields of the challenge panel, saved as they are edited."""
        w = self.w
        names = ", ".join(fields)
        w._run(f"Edit challenge ({names})", lambda wr: wr.set_review([target], fields))

    def set_status(self, status: str) -> None:
        """Mark the current target accepted / challenged / dropped / not reviewed."""
        w = self.w
        target = w.target()
        if target is not None:
            w._run(f"Mark {vocab.label('status', status)}",
                   lambda wr: wr.set_review([target], {"status": status}))

    def tag_toggled(self, target: tuple[str, int], name: str, on: bool) -> None:
        """A tag put on or taken off a target."""
        w = self.w
        w._run(f"{'Tag' if on else 'Untag'} “{name}”",
               (lambda wr: wr.add_tag(name, [target])) if on
               else (lambda wr: wr.remove_tag(name, [target])))

    def toggle_tag(self, name: str) -> None:
        """Toggle a tag on the current target (H: hot, E: exhibit candidate)."""
        w = self.w
        target = w.target()
        if target is None:
            return
        button = w.challenge.tag_buttons.get(name)
        on = not (button is not None and button.isChecked())
        self.tag_toggled(target, name, on)

    def split_record(self, page_id: int | None = None) -> None:
        """Start a new record at the current page (B); one undoable step."""
        w = self.w
        page_id = page_id if page_id is not None else w.page_id
        if page_id is None:
            return
        bates = (w.tree_model.row(page_id).bates if w.tree_model.row(page_id) else None)
        pid = PageId(page_id)
        w._run(f"Split record at {bates or 'this page'}", lambda wr: wr.split_record(pid))

    def merge_record(self, page_id: int | None = None) -> None:
        """Join the current page's record to the record before it (Shift+B); undoable."""
        w = self.w
        page_id = page_id if page_id is not None else w.page_id
        if page_id is None:
            return
        pid = PageId(page_id)
        w._run("Merge record with the previous one", lambda wr: wr.merge_record(pid))

    def tree_menu(self, pos: Any) -> None:
        """The page tree's context menu: split or merge records there."""
        w = self.w
        page_id = w.tree_model.page_at(w.tree.indexAt(pos))
        if page_id is None:
            return
        menu = QMenu(w)
        menu.addAction("Split record here", lambda: self.split_record(page_id))
        menu.addAction("Merge record with the previous one", lambda: self.merge_record(page_id))
        menu.exec(w.tree.viewport().mapToGlobal(pos))

    def exhibit_edited(self, document_id: int, number: str, description: str) -> None:
        """A record's exhibit number and description."""
        w = self.w
        doc = DocumentId(document_id)
        w._run(f"Exhibit {number}",
               lambda wr: wr.set_exhibit(number, document=doc, description=description))

    def changed(self, changes: Changes) -> None:
        """A review op (or its undo) committed: reload the page shown if it touched it, and
        the tag buttons or the custom codes if it made new ones. (The tree, the saved
        searches, the Vaughn-index panel and the compare window each subscribe to the hub's
        ``changed`` themselves.)"""
        w = self.w
        w.statusBar().showMessage("Saved", 1500)
        page = w.page
        if page is not None:
            ids = {r.id for r in page.redactions}
            if (page.id in changes.pages or ids & changes.redactions
                    or page.document_id in changes.documents):
                w.show_page(page.id, select=w.selected)
        if "tags" in changes.kinds and changes.tag_ids:
            self.submit(lambda ctx: ctx.session.pages.tags(), self._tags_loaded)
        if "claims" in changes.kinds:
            self.submit(lambda ctx: ctx.session.pages.custom_codes(),
                        w.claims.set_custom_codes)

    def _tags_loaded(self, tags: list[tuple[str, str]]) -> None:
        w = self.w
        w.challenge.set_tags(tags)
        w.load_review()
        if w.filters.kind() == "tag":
            w.filters.fill_values()
