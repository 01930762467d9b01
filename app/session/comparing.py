"""Rolling productions compared: which records are versions of which, what changed between
them, passages withheld in one release and public in another, and the page accounting."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from app.compare import accounting, listing, match
from app.compare.listing import Finding, PairChanges, PairSummary
from app.compare.match import DocPair, MatchResult
from app.export.summary import Figures, figures
from app.matter.store import Matter
from app.progress import CancelToken
from app.session.types import RedactionId


class Compare:
    """Comparisons between the productions of one matter."""

    def __init__(self, matter: Matter) -> None:
        self._matter = matter

    def match(self, *, stage: Callable[[str, int, int], None] | None = None,
              progress: Callable[[int, int], None] | None = None,
              cancel: CancelToken | None = None) -> tuple[MatchResult, list[PairSummary]]:
        """Pair every record with its other versions, then count each pair's differences.
        ``stage(name, done, total)`` reports matching, ``progress(done, total)`` counting."""
        result = match.match(self._matter, progress=stage)
        rows = listing.pair_summaries(self._matter, result, cancel=cancel, progress=progress)
        return result, rows

    def findings(self, result: MatchResult) -> list[Finding]:
        """Passages withheld in one release and public in another, across every pair."""
        return listing.flat_findings(self._matter, result)

    def pair(self, pair: DocPair) -> PairChanges:
        """What changed between the two versions of a record."""
        return listing.pair_changes(self._matter, pair)

    def challenged(self, redactions: Iterable[RedactionId]) -> frozenset[int]:
        """Which of these redactions are challenged as inconsistent already."""
        return listing.challenged_inconsistent(self._matter, redactions)

    def accounting(self) -> tuple[list[dict[str, Any]], Figures]:
        """Each production's page accounting (received, the letter's count, gaps) and the
        matter's figures."""
        return accounting.accounting(self._matter), figures(self._matter)

    def set_letter_page_count(self, production: int, count: int | None) -> None:
        """The page count the agency's letter gives for a production (None: not given)."""
        accounting.set_letter_page_count(self._matter, production, count)
