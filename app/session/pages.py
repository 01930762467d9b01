"""What the review window shows: the page tree, one page with its redactions, a target's review.

Reads only; every change goes through :class:`~app.session.writer.Writer`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from app.matter.audit import Changes
from app.matter.listing import find_bates
from app.matter.store import Matter
from app.review import state
from app.review.state import Tree, TreeRow
from app.review.views import PageData, Review
from app.session.types import PageId, Target
from app.vaughn_index.findings import pages_with_findings
from app.vaughn_index.reconcile import ensure_current


class Pages:
    """The matter's pages as the review window reads them."""

    def __init__(self, matter: Matter) -> None:
        self._matter = matter

    def tree(self) -> Tree:
        """Productions, records and pages in matter order."""
        return state.tree(self._matter)

    def rows(self, pages: Iterable[PageId] | None = None) -> list[TreeRow]:
        """The tree rows of some pages (all when None), with their review counts."""
        return state.tree_rows(self._matter, None if pages is None else list(pages))

    def changed_rows(self, changes: Changes) -> list[TreeRow]:
        """The tree rows whose counts an op's changes may have moved."""
        pages = state.affected_pages(self._matter, changes.redactions, changes.pages,
                                     changes.documents)
        return state.tree_rows(self._matter, pages)

    def first(self) -> PageId | None:
        """The first page of the matter (None when it has none)."""
        first = state.first_page(self._matter)
        return None if first is None else PageId(first)

    def find_bates(self, text: str) -> list[PageId]:
        """Pages with this Bates number (or in this range), in order; none for an unreadable
        number."""
        try:
            return [PageId(p["id"]) for p in find_bates(self._matter, text)]
        except ValueError:
            return []

    def page(self, page: PageId) -> PageData:
        """One page as the page view and claims panel show it."""
        return state.page_view(self._matter, page)

    def source(self, page: PageId) -> tuple[str, int]:
        """The file a page is in and its index there (what the page renderer opens)."""
        return state.page_source(self._matter, page)

    def review(self, target: Target, document: int | None = None) -> Review:
        """A target's review; a page or redaction shows its ``document``'s exhibit when it has
        none of its own."""
        review = state.review(self._matter, *target)
        if document is not None and review.exhibit is None:
            review = replace(review, exhibit=state.review(self._matter, "document",
                                                          document).exhibit)
        return review

    def tags(self) -> list[tuple[str, str]]:
        """Every tag of the matter with its colour."""
        return state.all_tags(self._matter)

    def custom_codes(self) -> list[str]:
        """Exemption codes reviewers added beyond the statute's."""
        return state.custom_codes(self._matter)

    def filter(self, kind: str, value: str = "") -> list[PageId]:
        """The pages one of the window's filters keeps (``state.FILTERS``, or ``"vaughn"``:
        pages a current Vaughn index finding names, recomputed first when stale)."""
        if kind == "vaughn":
            ensure_current(self._matter)
            return [PageId(p) for p in sorted(pages_with_findings(self._matter))]
        return [PageId(p) for p in state.filter_pages(self._matter, kind, value)]
