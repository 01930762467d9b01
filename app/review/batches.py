"""Batches: pages the lead assigns to one reviewer, each reviewer's queue, progress (issue #20).

A batch is a named set of pages for one reviewer, made from a Bates range, documents, a saved
search or any list of pages. A page is done when nothing on it still waits for review: the
same rule as the window's "unreviewed" filter (every redaction's latest challenge has a status
other than not reviewed). :func:`next_in_queue` is "next unreviewed page in my batches";
:func:`progress` gives pages and pages done per batch and per reviewer (the statistics view).
Works the same on a file and on a server, where only a lead's role may assign.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.errors import ReviewError
from app.matter.store import Matter, now_iso
from app.review import state


@dataclass(frozen=True)
class BatchProgress:
    """One batch: who has it, how many pages, how many done, whether it is out offline."""

    id: int
    name: str
    reviewer: str
    source: str
    pages: int
    done: int
    checked_out_to: str | None

    @property
    def share_done(self) -> float:
        return self.done / self.pages if self.pages else 1.0


def assign(matter: Matter, lead: str, name: str, reviewer: str, pages: Iterable[int],
           source: str = "") -> int:
    """Make (or refill) batch ``name`` of ``pages`` for ``reviewer``; its id. One transaction."""
    name, reviewer, lead = " ".join(name.split()), reviewer.strip(), lead.strip()
    if not name or not reviewer or not lead:
        raise ReviewError("a batch needs a name, a reviewer and the lead's name")
    ids = sorted({int(p) for p in pages})
    if not ids:
        raise ReviewError(f"batch {name!r}: no pages to assign")
    with matter.write() as conn:
        row = conn.execute("SELECT id FROM batches WHERE name = ?", (name,)).fetchone()
        if row:
            bid = int(row[0])
            conn.execute("UPDATE batches SET reviewer = ?, source = ? WHERE id = ?",
                         (reviewer, source, bid))
            conn.execute("DELETE FROM batch_pages WHERE batch_id = ?", (bid,))
        else:
            cur = conn.execute(
                "INSERT INTO batches(name, reviewer, source, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?)", (name, reviewer, source, lead, now_iso()))
            bid = int(cur.lastrowid or 0)
        conn.executemany("INSERT INTO batch_pages(batch_id, page_id) VALUES (?, ?)",
                         [(bid, p) for p in ids])
    return bid


def pages_in_range(matter: Matter, first: str, last: str) -> list[int]:
    """The pages from Bates ``first`` to ``last`` (inclusive), in production order."""
    from app.matter.listing import find_bates

    try:
        hits = find_bates(matter, f"{first}..{last}")
    except ValueError as exc:
        raise ReviewError(str(exc)) from exc
    if not hits:
        raise ReviewError(f"no pages in {first}..{last}")
    return [int(p["id"]) for p in hits]


def pages_of_documents(matter: Matter, begbates: Iterable[str]) -> list[int]:
    """The pages of the documents that start at these Bates numbers."""
    out: list[int] = []
    for beg in begbates:
        doc = matter.scalar("SELECT id FROM documents WHERE begbates = ?", (beg,))
        if doc is None:
            raise ReviewError(f"no document starts at {beg}")
        out += [r[0] for r in matter.conn.execute(
            "SELECT id FROM pages WHERE document_id = ? ORDER BY id", (doc,))]
    return out


def pages_of_saved_search(matter: Matter, name: str) -> list[int]:
    """The pages a saved search finds now."""
    query = matter.scalar("SELECT query FROM saved_searches WHERE name = ?", (name,))
    if query is None:
        raise ReviewError(f"no saved search named {name!r}")
    return state.search_page_ids(matter, str(query))


def progress(matter: Matter) -> list[BatchProgress]:
    """Every batch with its pages and pages done, by name."""
    waiting = set(state.filter_pages(matter, "unreviewed"))
    out = []
    for bid, name, reviewer, source, out_to in matter.conn.execute(
            "SELECT id, name, reviewer, source, checked_out_to FROM batches ORDER BY name"):
        pages = [r[0] for r in matter.conn.execute(
            "SELECT page_id FROM batch_pages WHERE batch_id = ?", (bid,))]
        done = sum(1 for p in pages if p not in waiting)
        out.append(BatchProgress(int(bid), str(name), str(reviewer), str(source), len(pages),
                                 done, out_to))
    return out


def by_reviewer(matter: Matter) -> dict[str, tuple[int, int]]:
    """(pages, pages done) of each reviewer's batches together."""
    totals: dict[str, tuple[int, int]] = {}
    for b in progress(matter):
        pages, done = totals.get(b.reviewer, (0, 0))
        totals[b.reviewer] = (pages + b.pages, done + b.done)
    return totals


def next_in_queue(matter: Matter, reviewer: str, after: int | None = None) -> int | None:
    """The next page of ``reviewer``'s batches still waiting for review, after page ``after``
    (wrapping round to the first); None when the queue is empty."""
    mine = [int(r[0]) for r in matter.conn.execute(
        "SELECT DISTINCT bp.page_id FROM batch_pages bp JOIN batches b ON b.id = bp.batch_id "
        "WHERE b.reviewer = ? ORDER BY bp.page_id", (reviewer,))]
    waiting = set(state.filter_pages(matter, "unreviewed"))
    queue = [p for p in mine if p in waiting]
    if not queue:
        return None
    later = [p for p in queue if after is None or p > after]
    return later[0] if later else queue[0]
