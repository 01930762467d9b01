"""Full-text search over a matter's page text (SQLite FTS5 in the matter file itself).

Hits come in page order by default: FTS5 walks its index in rowid order and only the rows
shown get a snippet and a score. Ranking by relevance (BM25) is on request, because ranking
every hit is what makes FTS5 slow at 200,000 pages (PERF.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.matter.store import Matter
from app.search.query import to_fts

SNIPPET_OPEN = "«"
SNIPPET_CLOSE = "»"


@dataclass(frozen=True)
class Hit:
    """One page that matches."""

    page_id: int
    bates: str | None
    file: str
    page_index: int
    snippet: str
    score: float


@dataclass(frozen=True)
class Results:
    """The total number of matching pages and the hits shown."""

    total: int
    hits: list[Hit]


def search(matter: Matter, query: str, *, limit: int = 50, offset: int = 0,
           rank: bool = False) -> Results:
    """Pages whose text matches ``query``; QueryError if it cannot be parsed."""
    expression = to_fts(query)
    total = matter.scalar(
        "SELECT count(*) FROM page_text_fts WHERE page_text_fts MATCH ?", (expression,)
    )
    order = "rank" if rank else "rowid"
    rows = matter.conn.execute(
        f"SELECT rowid, snippet(page_text_fts, 0, ?, ?, '…', 16), bm25(page_text_fts) "
        f"FROM page_text_fts WHERE page_text_fts MATCH ? ORDER BY {order} LIMIT ? OFFSET ?",
        (SNIPPET_OPEN, SNIPPET_CLOSE, expression, limit, offset),
    ).fetchall()
    info = _page_info(matter, [r[0] for r in rows])
    hits = [
        Hit(pid, *info[pid], snippet=snip.replace("\n", " "), score=round(-score, 4))
        for pid, snip, score in rows
    ]
    return Results(total=total, hits=hits)


def _page_info(matter: Matter, ids: list[int]) -> dict[int, tuple[str | None, str, int]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = matter.conn.execute(
        f"SELECT p.id, p.bates, f.path, p.page_index FROM pages p "
        f"JOIN source_files f ON f.id = p.source_file_id WHERE p.id IN ({marks})",
        ids,
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}
