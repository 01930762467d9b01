"""Page accounting: every Bates number of each production accounted for.

Per production, in page order (the order the files present them): Bates gaps (numbers missing
inside each prefix's range), duplicates (a Bates number on more than one page), numbers out of
order (lower than the page before, same prefix), pages with no Bates number, pages withheld in
full (slip sheets), and the page count against what the agency's letter claims
(``productions.letter_page_count``, entered by the reviewer with :func:`set_letter_page_count`).
The Statistics view and the summary report show these figures.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from app.errors import VaughnError
from app.matter.store import Matter


class AccountingError(VaughnError):
    """A production named for the letter count does not exist, or the count is invalid."""


def _ranges(numbers: list[int]) -> list[list[int]]:
    """Consecutive runs of sorted numbers as [first, last] pairs."""
    out: list[list[int]] = []
    for n in numbers:
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def _fmt(prefix: str, n: int, width: int) -> str:
    return f"{prefix}{n:0{width}d}"


def production_accounting(matter: Matter, production_id: int) -> dict[str, Any]:
    """The figures of one production (see the module docstring)."""
    prod = matter.conn.execute(
        "SELECT id, name, tranche, letter_page_count FROM productions WHERE id = ?",
        (production_id,)).fetchone()
    if prod is None:
        raise AccountingError(f"no such production: {production_id}")
    rows = matter.conn.execute(
        "SELECT p.id, p.bates, p.bates_prefix, p.bates_number, p.bates_key, p.withheld_in_full "
        "FROM pages p JOIN source_files f ON f.id = p.source_file_id "
        "WHERE p.production_id = ? ORDER BY p.source_file_id, p.page_index, p.id",
        (production_id,)).fetchall()
    by_prefix: dict[str, list[int]] = defaultdict(list)
    shown_prefix: dict[str, str] = {}
    width: dict[str, int] = {}
    seen: dict[str, list[str]] = defaultdict(list)
    out_of_order: list[dict[str, Any]] = []
    no_bates: list[Any] = []
    last: dict[str, tuple[int, str]] = {}
    withheld = 0
    for pid, bates, prefix, number, key, wif in rows:
        withheld += bool(wif)
        if not bates or number is None:
            no_bates.append(pid)
            continue
        prefix = prefix or ""
        by_prefix[prefix].append(number)
        digits = len(bates) - len(bates.rstrip("0123456789"))
        width[prefix] = max(width.get(prefix, 0), digits)
        shown_prefix.setdefault(prefix, bates[: len(bates) - digits] if digits else bates)
        seen[key or bates].append(bates)
        if prefix in last and number < last[prefix][0]:
            out_of_order.append({"bates": bates, "after": last[prefix][1], "page_id": pid})
        last[prefix] = (number, bates)
    gaps, span = [], 0
    for prefix, numbers in by_prefix.items():
        uniq = sorted(set(numbers))
        span += uniq[-1] - uniq[0] + 1
        runs = _ranges(uniq)
        for (_, end), (start, _) in zip(runs, runs[1:], strict=False):
            first, lastn = end + 1, start - 1
            gaps.append({"first": _fmt(shown_prefix[prefix], first, width[prefix]),
                         "last": _fmt(shown_prefix[prefix], lastn, width[prefix]),
                         "count": lastn - first + 1})
    duplicates = [{"bates": v[0], "count": len(v)} for v in seen.values() if len(v) > 1]
    letter = prod[3]
    return {
        "production_id": prod[0], "production": prod[1], "tranche": prod[2],
        "pages": len(rows),
        "first_bates": next((r[1] for r in rows if r[1]), None),
        "last_bates": next((r[1] for r in reversed(rows) if r[1]), None),
        "bates_span": span,
        "gaps": gaps, "missing_numbers": sum(g["count"] for g in gaps),
        "duplicates": duplicates,
        "out_of_order": out_of_order,
        "no_bates": len(no_bates),
        "withheld_in_full": withheld,
        "letter_page_count": letter,
        "letter_difference": None if letter is None else len(rows) - letter,
    }


def accounting(matter: Matter) -> list[dict[str, Any]]:
    """The figures of every production, in tranche order."""
    ids = [r[0] for r in matter.conn.execute("SELECT id FROM productions ORDER BY tranche, id")]
    return [production_accounting(matter, pid) for pid in ids]


def find_production(matter: Matter, name_or_id: str) -> int:
    """A production's id from its name (case-insensitive), tranche number or id."""
    row = matter.conn.execute("SELECT id FROM productions WHERE name = ? COLLATE NOCASE",
                              (name_or_id,)).fetchone()
    if row is None and name_or_id.strip().isdigit():
        n = int(name_or_id)
        row = matter.conn.execute("SELECT id FROM productions WHERE tranche = ? OR id = ? "
                                  "ORDER BY tranche = ? DESC LIMIT 1", (n, n, n)).fetchone()
    if row is None:
        raise AccountingError(f"no production named {name_or_id!r}")
    return int(row[0])


def set_letter_page_count(matter: Matter, production_id: int, count: int | None) -> None:
    """Record how many pages the agency's letter says the production holds (None clears)."""
    if count is not None and count < 0:
        raise AccountingError("a page count cannot be negative")
    with matter.write() as conn:
        cur = conn.execute("UPDATE productions SET letter_page_count = ? WHERE id = ?",
                           (count, production_id))
        if cur.rowcount == 0:
            raise AccountingError(f"no such production: {production_id}")
