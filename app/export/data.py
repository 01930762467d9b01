"""Reads shared by the exports: pages with their Bates order and page numbers, claimed codes.

Nothing here writes. Pages sort by Bates (prefix, then number, then matter order; pages with no
Bates last); a page's number is its 1-based place in its document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app import vocabulary as vocab
from app.matter.store import Matter, id_chunks
from app.review.ops import effective_exemptions
from app.vocabulary import order_codes

#: A page's place in Bates order: (no Bates, prefix, number, page id); see PageRow.sort_key.
BatesKey = tuple[bool, str, int, int]


@dataclass(frozen=True)
class PageRow:
    """What the exports need of one page."""

    id: int
    bates: str | None
    prefix: str
    number: int | None
    document_id: int
    production_id: int
    page_no: int
    disposition: str | None  # the reviewer's key, or None
    withheld_in_full: bool
    redaction_count: int
    redacted_share: float
    width: float
    height: float

    @property
    def sort_key(self) -> BatesKey:
        """Bates order: prefix, number, then matter order; pages without Bates last."""
        return (self.bates is None, self.prefix, self.number or 0, self.id)

    @property
    def disposition_label(self) -> str:
        """The reviewer's disposition, else the one the analysis implies."""
        return vocab.label("disposition", self.disposition_key)

    @property
    def disposition_key(self) -> str:
        """The reviewer's disposition key, else released in full / in part / withheld in full."""
        if self.disposition:
            return self.disposition
        if self.withheld_in_full:
            return "withheld_in_full"
        return "released_in_part" if self.redaction_count else "released_in_full"


def page_rows(matter: Matter, ids: Iterable[int] | None = None) -> dict[int, PageRow]:
    """Pages by id (all of them when ``ids`` is None)."""
    wanted = None if ids is None else sorted(set(ids))
    docs_sql = "SELECT DISTINCT document_id FROM pages"
    if wanted is not None:
        if not wanted:
            return {}
        doc_ids: set[int] = set()
        for chunk in id_chunks(wanted):
            doc_ids.update(r[0] for r in matter.conn.execute(
                f"{docs_sql} WHERE id IN ({','.join('?' * len(chunk))})", chunk))
    out: dict[int, PageRow] = {}
    sql = ("SELECT id, bates, bates_prefix, bates_number, document_id, production_id, "
           "row_number() OVER (PARTITION BY document_id ORDER BY id), disposition, "
           "withheld_in_full, redaction_count, redacted_share, width, height FROM pages")
    if wanted is None:
        batches: Iterable[list[int] | None] = [None]
    else:
        batches = id_chunks(sorted(doc_ids))
    keep = None if wanted is None else set(wanted)
    for batch in batches:
        where = "" if batch is None else f" WHERE document_id IN ({','.join('?' * len(batch))})"
        for r in matter.conn.execute(sql + where, batch or ()):
            if keep is not None and r[0] not in keep:
                continue
            out[r[0]] = PageRow(r[0], r[1], r[2] or "", r[3], r[4], r[5], r[6], r[7],
                                bool(r[8]), r[9] or 0, r[10] or 0.0, r[11], r[12])
    return out


def codes_by_page(matter: Matter, page_ids: Iterable[int]) -> dict[int, list[str]]:
    """The exemption codes claimed on each page (catalog order, then custom codes)."""
    found: dict[int, set[str]] = {}
    for chunk in id_chunks(sorted(set(page_ids))):
        for pid, stamped, reviewed in matter.conn.execute(
            f"SELECT page_id, exemptions, exemptions_reviewed FROM redactions "
            f"WHERE page_id IN ({','.join('?' * len(chunk))})", chunk):
            found.setdefault(pid, set()).update(effective_exemptions(stamped, reviewed))
    return {pid: order_codes(codes) for pid, codes in found.items()}


def combine_dispositions(keys: Iterable[str]) -> str:
    """One disposition for several pages: theirs when all agree, else released in part."""
    found = set(keys)
    if len(found) == 1:
        return found.pop()
    return "released_in_part" if found else ""


_NATURAL = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that puts "2" before "10" and "A" after numbers ("Exhibit 2", "A-1")."""
    parts = _NATURAL.split((text or "").strip().lower())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "")
