"""The redaction log: every redaction the analysis found, in Bates order.

Columns: ID, Bates, page (in its document), exemption(s) (the reviewer's codes when set, else
the stamp's), raw stamp, bad (yes/no), hidden characters (a count; the hidden text itself is
never exported), withheld in full, share of the page the box covers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.export.data import page_rows
from app.export.writers import Column, write_table
from app.matter.store import Matter
from app.progress import CancelToken, ProgressFn
from app.review.ops import effective_exemptions

TITLE = "Redaction log"
FORMATS = ("xlsx", "csv")
COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", "int", 8),
    Column("bates", "Bates", "text", 24),
    Column("page", "Page", "int", 7),
    Column("exemptions", "Exemption(s)", "text", 22),
    Column("stamp", "Raw stamp", "text", 26),
    Column("bad", "Bad", "text", 6),
    Column("hidden_chars", "Hidden characters", "int", 10),
    Column("withheld_in_full", "Withheld in full", "text", 10),
    Column("share", "Share of page", "percent", 10),
)


def redaction_rows(matter: Matter) -> list[dict[str, Any]]:
    """Every redaction as a dict keyed like :data:`COLUMNS`, in Bates order."""
    info = page_rows(matter)
    rows = []
    for rid, pid, x0, y0, x1, y1, label, stamped, reviewed, bad, hidden, withheld in (
        matter.conn.execute(
            "SELECT id, page_id, x0, y0, x1, y1, label, exemptions, exemptions_reviewed, bad, "
            "hidden_chars, withheld_in_full FROM redactions")):
        page = info[pid]
        area = max(0.0, x1 - x0) * max(0.0, y1 - y0)
        page_area = page.width * page.height
        rows.append(((page.sort_key, y0, x0, rid), {
            "id": rid,
            "bates": page.bates,
            "page": page.page_no,
            "exemptions": ", ".join(effective_exemptions(stamped, reviewed)),
            "stamp": label or "",
            "bad": "yes" if bad else "no",
            "hidden_chars": hidden or 0,
            "withheld_in_full": "yes" if withheld else "no",
            "share": round(min(1.0, area / page_area), 4) if page_area > 0 else 0.0,
        }))
    rows.sort(key=lambda kv: kv[0])
    return [r for _, r in rows]


def export_redaction_log(matter: Matter, out: str | Path, *, progress: ProgressFn | None = None,
                         cancel: CancelToken | None = None) -> Path:
    """Write the redaction log to ``out`` (.xlsx or .csv by extension)."""
    rows = redaction_rows(matter)
    keys = [c.key for c in COLUMNS]
    return write_table(out, COLUMNS, [[r[k] for k in keys] for r in rows], title=TITLE,
                       formats=FORMATS, progress=progress, cancel=cancel)
