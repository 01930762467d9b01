"""Every undoable change a reviewer makes: each method is one op, one transaction, one undo step.

A :class:`Writer` is bound to a reviewer and an op id (the window's undo stack picks the id, so
that undo and redo can be queued before the op's first run has finished), and optionally to the
target versions the reviewer saw (``expect``): a change over another reviewer's newer one then
raises ReviewConflict instead of overwriting it (app/review/versions.py). Each method returns
the :class:`Changes` it made; panels refresh only what that touches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from app.compare.diff import Change, challenge_inconsistent
from app.documents import edit
from app.matter.audit import Changes
from app.matter.store import Matter
from app.review import ops, state
from app.review.versions import Versions
from app.session.types import ChallengeFields, DocumentId, FindingId, PageId, RedactionId, Target
from app.vaughn_index.findings import challenge_finding


class Writer:
    """The changes one reviewer can make to a matter, all under one op id."""

    def __init__(self, matter: Matter, reviewer: str, op_id: str | None,
                 expect: Versions | None = None) -> None:
        self._matter = matter
        self.reviewer = reviewer
        self.op_id = op_id
        self.expect = expect

    # -- what the agency claimed -------------------------------------------------------------

    def set_exemptions(self, redactions: Iterable[RedactionId],
                       codes: Sequence[str] | None) -> Changes:
        """The codes the reviewer reads on redactions (None: back to the stamp's)."""
        return ops.set_redaction_exemptions(self._matter, self.reviewer, redactions, codes,
                                            op_id=self.op_id, expect=self.expect)

    def toggle_exemption(self, redactions: Iterable[RedactionId], code: str) -> Changes:
        """Add ``code`` to each redaction, or take it off when all of them have it."""
        return ops.toggle_redaction_exemption(self._matter, self.reviewer, redactions, code,
                                              op_id=self.op_id, expect=self.expect)

    def set_disposition(self, pages: Iterable[PageId], disposition: str | None) -> Changes:
        """A page's disposition (released in full, withheld in full, …; None clears it)."""
        return ops.set_page_disposition(self._matter, self.reviewer, pages, disposition,
                                        op_id=self.op_id, expect=self.expect)

    # -- challenges, tags, notes, exhibits ---------------------------------------------------

    def set_review(self, targets: Iterable[Target], fields: ChallengeFields) -> Changes:
        """Set fields of each target's challenge (made when the target has none)."""
        return ops.set_review(self._matter, self.reviewer, targets, op_id=self.op_id, expect=self.expect,
                              **fields)

    def add_tag(self, name: str, targets: Iterable[Target], *,
                color: str | None = None) -> Changes:
        """Tag each target (the tag is made, in ``color``, when new)."""
        return ops.add_tag(self._matter, self.reviewer, name, targets, color=color,
                           op_id=self.op_id, expect=self.expect)

    def remove_tag(self, name: str, targets: Iterable[Target]) -> Changes:
        """Untag each target (the tag itself stays)."""
        return ops.remove_tag(self._matter, self.reviewer, name, targets, op_id=self.op_id, expect=self.expect)

    def tag_search_results(self, name: str, query: str, *, color: str | None = None) -> Changes:
        """Tag every page matching a search query."""
        pages = state.search_page_ids(self._matter, query)
        return self.add_tag(name, [("page", p) for p in pages], color=color)

    def add_note(self, targets: Iterable[Target], text: str) -> Changes:
        """Attach a note to each target."""
        return ops.add_note(self._matter, self.reviewer, targets, text, op_id=self.op_id, expect=self.expect)

    def set_exhibit(self, number: str, *, document: DocumentId | None = None,
                    description: str = "") -> Changes:
        """Make or change exhibit ``number`` for a record."""
        return ops.set_exhibit(self._matter, self.reviewer, number, document_id=document,
                               description=description, op_id=self.op_id)

    # -- record boundaries -------------------------------------------------------------------

    def split_record(self, at: PageId) -> Changes:
        """Start a new record at a page (the rest of its record goes with it)."""
        return edit.split_at(self._matter, self.reviewer, at, op_id=self.op_id)

    def merge_record(self, page: PageId) -> Changes:
        """Join the record holding a page to the record before it."""
        return edit.merge_record(self._matter, self.reviewer, page, op_id=self.op_id)

    # -- challenges from findings ------------------------------------------------------------

    def challenge_finding(self, finding: FindingId) -> Changes:
        """Challenge what a Vaughn index finding points at, on the finding's ground."""
        return challenge_finding(self._matter, self.reviewer, finding, op_id=self.op_id)

    def challenge_inconsistent(self, change: Change) -> Changes:
        """Challenge a redaction that another release of the same record lifted or added."""
        return challenge_inconsistent(self._matter, self.reviewer, change, op_id=self.op_id)
