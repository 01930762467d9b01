"""The session's batches facet: the lead assigns pages to reviewers; each reviewer's queue and
everyone's progress (app/review/batches.py)."""

from __future__ import annotations

from app.matter.store import Matter
from app.review import batches
from app.review.batches import BatchProgress
from app.session.types import PageId


class Batches:
    """Batches of pages assigned to reviewers."""

    def __init__(self, matter: Matter) -> None:
        self._matter = matter

    def assign_range(self, lead: str, name: str, reviewer: str, first: str, last: str) -> int:
        """Batch ``name``: the pages from Bates ``first`` to ``last``, for ``reviewer``."""
        pages = batches.pages_in_range(self._matter, first, last)
        return batches.assign(self._matter, lead, name, reviewer, pages, f"{first}..{last}")

    def assign_documents(self, lead: str, name: str, reviewer: str,
                         begbates: list[str]) -> int:
        """Batch ``name``: the documents starting at ``begbates``, for ``reviewer``."""
        pages = batches.pages_of_documents(self._matter, begbates)
        return batches.assign(self._matter, lead, name, reviewer, pages,
                              "documents " + ", ".join(begbates))

    def assign_saved_search(self, lead: str, name: str, reviewer: str, search: str) -> int:
        """Batch ``name``: the pages saved search ``search`` finds now, for ``reviewer``."""
        pages = batches.pages_of_saved_search(self._matter, search)
        return batches.assign(self._matter, lead, name, reviewer, pages, f"search {search}")

    def progress(self) -> list[BatchProgress]:
        """Every batch: its reviewer, pages and pages done."""
        return batches.progress(self._matter)

    def by_reviewer(self) -> dict[str, tuple[int, int]]:
        """(pages, pages done) per reviewer."""
        return batches.by_reviewer(self._matter)

    def next_in_queue(self, reviewer: str, after: PageId | None = None) -> PageId | None:
        """The next page of ``reviewer``'s batches still to review (None: all done)."""
        page = batches.next_in_queue(self._matter, reviewer, after)
        return None if page is None else PageId(page)
