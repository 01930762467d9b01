"""The Vaughn index findings table: every discrepancy between the agency's index and the
production, ready to attach to a brief.

One row per finding of the current index versions (app/vaughn_index/findings.py): the agency's
entry (item, Bates, exemptions claimed, its justification), the kind of finding, what it says,
the evidence behind it (the words a rule looked for, the entries sharing a text, the counts),
the pages it names, the challenge ground it supports and whether it was made a challenge.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app import vocabulary as vocab
from app.export.writers import Column, write_table
from app.matter.store import Matter
from app.progress import CancelToken, ProgressFn

TITLE = "Vaughn index findings"
FORMATS = ("xlsx", "csv", "docx")
COLUMNS: tuple[Column, ...] = (
    Column("no", "No.", "int", 6),
    Column("kind", "Finding", "text", 28),
    Column("entry", "Index entry", "text", 10),
    Column("bates", "Bates", "text", 26),
    Column("exemptions", "Exemption(s) claimed", "text", 18),
    Column("justification", "Agency justification", "text", 50),
    Column("summary", "Discrepancy", "text", 50),
    Column("evidence", "Evidence", "text", 40),
    Column("pages", "Pages", "text", 26),
    Column("ground", "Ground", "text", 22),
    Column("challenged", "Challenged", "text", 10),
)


def finding_rows(matter: Matter) -> list[dict[str, Any]]:
    """The table's rows keyed like :data:`COLUMNS` (plus ``finding_id``)."""
    from app.vaughn_index.findings import evidence_text, findings

    rows = []
    for n, f in enumerate(findings(matter), start=1):
        e = f["entry"] or {}
        pages = [p for p in f["pages"] if p]
        rows.append({
            "no": n, "kind": f["kind_label"],
            "entry": (e.get("item") or f"row {e['row']}") if e else "",
            "bates": e.get("bates", "") if e else (f"{pages[0]}–{pages[-1]}" if len(pages) > 1
                                                   else (pages[0] if pages else "")),
            "exemptions": ", ".join(e.get("exemptions", [])) if e else "",
            "justification": e.get("justification", "") if e else "",
            "summary": f["summary"], "evidence": evidence_text(f),
            "pages": ", ".join(pages[:25]) + (f" … ({len(f['page_ids'])} pages)"
                                              if len(f["page_ids"]) > 25 else ""),
            "ground": vocab.label("ground", f["ground"]),
            "challenged": "yes" if f["challenged"] else "",
            "finding_id": f["id"],
        })
    return rows


def export_index_findings(matter: Matter, out: str | Path, *, progress: ProgressFn | None = None,
                          cancel: CancelToken | None = None) -> Path:
    """Write the findings table to ``out`` (.xlsx, .csv or .docx by extension)."""
    rows = finding_rows(matter)
    keys = [c.key for c in COLUMNS]
    return write_table(out, COLUMNS, [[r[k] for k in keys] for r in rows], title=TITLE,
                       caption=matter.get_setting("caption", "") or "", formats=FORMATS,
                       progress=progress, cancel=cancel)
