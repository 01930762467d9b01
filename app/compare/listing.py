"""What the window's Compare view lists, assembled from app/compare in plain data.

* :func:`pair_summaries`: every matched document pair with its two sides (production, Bates
  range, pages) and how many redactions the later version lifted, added or re-coded (boxes
  only, no text read: fast enough for thousands of pairs, and cancellable between pairs).
* :func:`pair_changes`: one pair's differences with their released text, in reading order
  (page pair, then top to bottom), plus which of its redactions already carry an "inconsistent
  redaction" challenge.
* :func:`flat_findings`: the consistency findings of :mod:`app.compare.consistency`, each as
  two :class:`Location` s (where the passage is withheld, where it is public or coded
  differently) so a table can show both and jump to either.

No Qt here; the window runs these on its matter worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from app.compare import consistency as _consistency
from app.compare import diff as _diff
from app.compare.match import DocPair, MatchResult
from app.matter.store import Matter
from app.progress import CancelToken

FINDING_LABELS = {
    "released_in_other_version": "Released in the other version",
    "released_elsewhere": "Released elsewhere",
    "different_exemptions": "Different exemptions",
}
INCONSISTENT = "inconsistent_redaction"


@dataclass(frozen=True)
class Side:
    """One version of a matched record."""

    document_id: int
    production: str
    tranche: int
    first_bates: str | None
    last_bates: str | None
    pages: tuple[int, ...]

    @property
    def bates(self) -> str:
        """``FIRST..LAST`` (one number for a single page; "no Bates" when there is none)."""
        if not self.first_bates:
            return "no Bates"
        if self.last_bates and self.last_bates != self.first_bates:
            return f"{self.first_bates}..{self.last_bates}"
        return self.first_bates


@dataclass(frozen=True)
class PairSummary:
    """A matched pair as the pair list shows it."""

    pair: DocPair
    a: Side
    b: Side
    lifted: int
    added: int
    recoded: int

    @property
    def changes(self) -> int:
        """Differences of every kind."""
        return self.lifted + self.added + self.recoded


@dataclass(frozen=True)
class PairChanges:
    """One pair's differences in reading order, and which redactions are already challenged."""

    pair: DocPair
    changes: tuple[_diff.Change, ...]
    challenged: frozenset[int]  # redaction ids with an "inconsistent redaction" challenge


@dataclass(frozen=True)
class Location:
    """One place a finding points at."""

    page_id: int
    bates: str | None
    production: str | None
    redaction_id: int | None = None
    exemptions: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``BATES (production)``."""
        return f"{self.bates or f'page {self.page_id}'} ({self.production or '?'})"


@dataclass(frozen=True)
class Finding:
    """A consistency finding: ``first`` withholds the passage (or codes it one way), ``second``
    shows it (or codes it another way)."""

    kind: str
    first: Location
    second: Location
    text: str | None

    @property
    def label(self) -> str:
        """The kind in words."""
        return FINDING_LABELS.get(self.kind, self.kind)


def _sides(matter: Matter, pairs: list[DocPair]) -> dict[int, tuple[str, int]]:
    ids = sorted({d for p in pairs for d in (p.a, p.b)})
    out: dict[int, tuple[str, int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for did, name, tranche in matter.conn.execute(
                f"SELECT d.id, pr.name, pr.tranche FROM documents d JOIN productions pr "
                f"ON pr.id = d.production_id WHERE d.id IN ({marks})", chunk):
            out[did] = (name, tranche)
    return out


def pair_summaries(matter: Matter, result: MatchResult, *,
                   progress: Callable[[int, int], None] | None = None,
                   cancel: CancelToken | None = None) -> list[PairSummary]:
    """Every pair of ``result`` with its sides and change counts, in the result's order."""
    docs = _sides(matter, result.pairs)
    bates = dict(matter.conn.execute("SELECT id, bates FROM pages").fetchall())
    out = []
    for k, pair in enumerate(result.pairs):
        if cancel is not None:
            cancel.check()
        kinds = [c.kind for c in _diff.diff_pair(matter, pair, with_text=False)]
        sides = []
        for doc, pages in ((pair.a, [pp.a for pp in pair.pages]),
                           (pair.b, [pp.b for pp in pair.pages])):
            name, tranche = docs.get(doc, ("?", 0))
            sides.append(Side(doc, name, tranche, bates.get(pages[0]) if pages else None,
                              bates.get(pages[-1]) if pages else None, tuple(pages)))
        out.append(PairSummary(pair, sides[0], sides[1], kinds.count("lifted"),
                               kinds.count("added"), kinds.count("recoded")))
        if progress is not None:
            progress(k + 1, len(result.pairs))
    return out


def challenged_inconsistent(matter: Matter, redaction_ids: Iterable[int]) -> frozenset[int]:
    """Those redactions that already carry an "inconsistent redaction" challenge."""
    ids = sorted(set(redaction_ids))
    found = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for rid, grounds in matter.conn.execute(
                f"SELECT target_id, grounds FROM challenges WHERE target_kind = 'redaction' "
                f"AND target_id IN ({marks})", chunk):
            if INCONSISTENT in json.loads(grounds or "[]"):
                found.add(int(rid))
    return frozenset(found)


def pair_changes(matter: Matter, pair: DocPair) -> PairChanges:
    """The pair's differences with their released text, page pair by page pair, top down."""
    order = {(pp.a, pp.b): k for k, pp in enumerate(pair.pages)}
    changes = sorted(_diff.diff_pair(matter, pair),
                     key=lambda c: (order.get((c.a_page, c.b_page), 0), c.a_bbox[1],
                                    c.a_bbox[0]))
    reds = [r for c in changes for r in (c.a_redaction, c.b_redaction) if r is not None]
    return PairChanges(pair, tuple(changes), challenged_inconsistent(matter, reds))


def _location(d: dict[str, Any]) -> Location:
    return Location(int(d["page_id"]), d.get("bates"), d.get("production"),
                    d.get("redaction_id"), tuple(d.get("exemptions") or ()))


def flat_findings(matter: Matter, result: MatchResult) -> list[Finding]:
    """The consistency findings of ``result``, each with its two locations."""
    out = []
    for f in _consistency.findings(matter, result):
        if f["kind"] == "different_exemptions":
            out.append(Finding(f["kind"], _location(f["a"]), _location(f["b"]), f.get("text")))
        else:
            out.append(Finding(f["kind"], _location(f["redacted"]), _location(f["released"]),
                               f.get("text")))
    return out
