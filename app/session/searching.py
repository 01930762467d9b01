"""Full-text search as the window uses it: a query's hits, exact counts, where the hits are on
a page, the query history and saved searches."""

from __future__ import annotations

from typing import Any

from app.matter.store import Matter
from app.review.state import query_terms
from app.search import index, saved
from app.search.highlight import hit_boxes
from app.search.index import Results
from app.search.saved import SavedSearch
from app.session.types import PageId

Box = tuple[float, float, float, float]


class Search:
    """Searches of one matter (SQLite FTS5 under the query language of ``app.search``)."""

    def __init__(self, matter: Matter) -> None:
        self._matter = matter

    def run(self, query: str, *, limit: int = 50, count_budget_ms: float | None = None,
            remember: bool = True) -> tuple[Results, list[str]]:
        """The first ``limit`` hits of ``query`` and the words to mark on pages. A total that
        would take longer than ``count_budget_ms`` to count comes back inexact (see
        :meth:`count`). ``remember``: put the query in the matter's history (never on a read-only matter)."""
        results = index.search(self._matter, query, limit=limit, count_budget_ms=count_budget_ms)
        if remember and not self._matter.read_only:
            saved.record_history(self._matter, query,
                                 results.total if results.total_exact else None)
        return results, query_terms(query)

    def count(self, query: str) -> int:
        """The exact number of pages matching ``query``."""
        return index.count(self._matter, query)

    def hit_boxes(self, page: PageId, query: str, *, pdf_page: Any = None) -> list[Box]:
        """Where ``query`` matches on a page, in PDF points of the unrotated page (words under
        a redaction box are never marked). ``pdf_page``: the page already open, if it is."""
        return hit_boxes(self._matter, page, query, page=pdf_page)

    def history(self, limit: int = 50) -> list[str]:
        """The matter's recent queries, newest first."""
        return [h.query for h in saved.history(self._matter, limit)]

    def saved(self, *, counts: bool = True) -> list[SavedSearch]:
        """The saved searches (with live hit counts when ``counts``)."""
        return saved.saved_searches(self._matter, counts=counts)

    def save(self, name: str, query: str) -> SavedSearch:
        """Save ``query`` as ``name`` (replacing one of that name)."""
        return saved.save_search(self._matter, name, query)

    def delete_saved(self, name: str) -> bool:
        """Delete a saved search; whether there was one."""
        return saved.delete_saved_search(self._matter, name)
