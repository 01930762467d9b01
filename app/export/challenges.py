"""The counter-Vaughn table: one row per challenge of a redaction, page or document.

Columns follow DOMAIN.md's challenge table: item no., Bates, page, exemption(s) claimed,
disposition, ground(s), argument, evidence, status, priority; when the matter holds the agency's
Vaughn index, also the agency's entry and justification for each item. Rows sort by Bates (a document's
first page; redactions top to bottom within a page). By default every challenge except those
still ``not_reviewed`` is listed; pass ``statuses`` to choose.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app import vocabulary as vocab
from app.export.data import (
    BatesKey,
    codes_by_page,
    combine_dispositions,
    page_rows,
)
from app.export.writers import Column, write_table
from app.matter.store import Matter
from app.progress import CancelToken, ProgressFn
from app.review.ops import effective_exemptions
from app.vocabulary import order_codes

TITLE = "Challenge table"
FORMATS = ("xlsx", "csv", "docx")
COLUMNS: tuple[Column, ...] = (
    Column("item", "Item no.", "int", 8),
    Column("bates", "Bates", "text", 24),
    Column("page", "Page", "int", 7),
    Column("exemptions", "Exemption(s) claimed", "text", 20),
    Column("disposition", "Disposition", "text", 17),
    Column("grounds", "Ground(s)", "text", 32),
    Column("argument", "Argument", "text", 50),
    Column("evidence", "Evidence", "text", 36),
    Column("status", "Status", "text", 12),
    Column("priority", "Priority", "text", 10),
)
# Added when the matter holds an agency's Vaughn index: the entry covering the challenged item
# (its first page) and the agency's justification, so the table answers the index row by row.
VAUGHN_COLUMNS: tuple[Column, ...] = (
    Column("vaughn_entry", "Agency's index entry", "text", 24),
    Column("vaughn_justification", "Agency's justification", "text", 50),
)
_FIELDS = ("c.id, c.target_kind, c.target_id, c.grounds, c.status, c.priority, c.argument, "
           "c.evidence_cite, c.evidence_link, c.evidence_file, c.evidence_passage")


def evidence_text(cite: str, passage: str, link: str, file: str) -> str:
    """The evidence cell: cite, quoted passage, link and file, those that are set."""
    parts = [cite.strip(), f"“{passage.strip()}”" if passage.strip() else "", link.strip(),
             file.strip()]
    return "; ".join(p for p in parts if p)


def challenge_rows(matter: Matter, statuses: Iterable[str] | None = None
                   ) -> list[dict[str, Any]]:
    """The table's rows as dicts keyed like :data:`COLUMNS` (plus ``challenge_id``, ``kind``,
    ``target_id``, ``status_key``, ``ground_keys``), in Bates order."""
    wanted = ([vocab.resolve("status", s) for s in statuses] if statuses is not None
              else [k for k in vocab.keys("status") if k != "not_reviewed"])
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    conn = matter.conn
    found: list[tuple[Any, ...]] = []  # (challenge row, page ids, redaction place, codes)
    red = conn.execute(
        f"SELECT {_FIELDS}, r.page_id, r.y0, r.x0, r.exemptions, r.exemptions_reviewed "
        f"FROM challenges c JOIN redactions r ON r.id = c.target_id "
        f"WHERE c.target_kind = 'redaction' AND c.status IN ({marks})", wanted).fetchall()
    for row in red:
        found.append((row[:11], [row[11]], (row[12], row[13]), effective_exemptions(row[14], row[15])))
    pages_ch = conn.execute(
        f"SELECT {_FIELDS} FROM challenges c JOIN pages p ON p.id = c.target_id "
        f"WHERE c.target_kind = 'page' AND c.status IN ({marks})", wanted).fetchall()
    docs_ch = conn.execute(
        f"SELECT {_FIELDS} FROM challenges c JOIN documents d ON d.id = c.target_id "
        f"WHERE c.target_kind = 'document' AND c.status IN ({marks})", wanted).fetchall()
    doc_pages: dict[int, list[int]] = {}
    doc_ids = sorted({r[2] for r in docs_ch})
    for i in range(0, len(doc_ids), 500):
        chunk = doc_ids[i:i + 500]
        for pid, did in conn.execute(
            f"SELECT id, document_id FROM pages WHERE document_id IN "
            f"({','.join('?' * len(chunk))}) ORDER BY id", chunk):
            doc_pages.setdefault(did, []).append(pid)
    whole = {r[2] for r in pages_ch} | {p for ps in doc_pages.values() for p in ps}
    codes = codes_by_page(matter, whole)
    for row in pages_ch:
        found.append((row, [row[2]], (-1.0, -1.0), codes.get(row[2], [])))
    for row in docs_ch:
        ps = doc_pages.get(row[2], [])
        found.append((row, ps, (-2.0, -2.0),
                      order_codes(c for p in ps for c in codes.get(p, []))))
    info = page_rows(matter, {p for f in found for p in f[1]})
    # (Bates order of the first page, place of a redaction on it, challenge id), the row
    out: list[tuple[tuple[BatesKey, tuple[float, float], int], dict[str, Any]]] = []
    for row, pids, place, claimed in found:
        cid, kind, tid, grounds, status, priority, argument, cite, link, file, passage = row
        pages = [info[p] for p in pids if p in info]
        first = min(pages, key=lambda p: p.sort_key) if pages else None
        last = max(pages, key=lambda p: p.sort_key) if pages else None
        if kind == "document" and first and last and first.id != last.id:
            bates: str | None = f"{first.bates or ''}–{last.bates or ''}"
            page: Any = f"{first.page_no}–{last.page_no}"
        else:
            bates = first.bates if first else None
            page = first.page_no if first else None
        ground_keys = json.loads(grounds or "[]")
        disp = combine_dispositions(p.disposition_key for p in pages)
        item = {
            "bates": bates,
            "page": page,
            "exemptions": ", ".join(claimed),
            "disposition": vocab.label("disposition", disp) if disp else "",
            "grounds": "; ".join(vocab.label("ground", g) for g in ground_keys),
            "argument": argument or "",
            "evidence": evidence_text(cite or "", passage or "", link or "", file or ""),
            "status": vocab.label("status", status),
            "priority": vocab.label("priority", priority) if priority else "",
            "challenge_id": cid,
            "kind": kind,
            "target_id": tid,
            "status_key": status,
            "ground_keys": ground_keys,
            "first_page_id": first.id if first else None,
        }
        key = (first.sort_key if first else (True, "", 0, 0), place, cid)
        out.append((key, item))
    out.sort(key=lambda kv: kv[0])
    rows = []
    for n, (_, item) in enumerate(out, start=1):
        rows.append({"item": n, **item})
    _add_vaughn_entries(matter, rows)
    return rows


def _add_vaughn_entries(matter: Matter, rows: list[dict[str, Any]]) -> None:
    from app.vaughn_index.findings import entry_for_pages

    entries = entry_for_pages(matter, [r["first_page_id"] for r in rows
                                       if r["first_page_id"] is not None])
    for r in rows:
        e = entries.get(r["first_page_id"])
        r["vaughn_entry"] = "" if e is None else (
            f"{'Item ' + e['item'] if e['item'] else 'Row ' + str(e['row'])}: "
            f"{' '.join(e['bates'].split())} ({', '.join(json.loads(e['exemptions']))})")
        r["vaughn_justification"] = "" if e is None else e["justification"]


def has_vaughn_index(matter: Matter) -> bool:
    """Whether the matter holds an imported Vaughn index (the table then gains its columns)."""
    return bool(matter.scalar("SELECT count(*) FROM vaughn_indexes"))


def export_challenges(matter: Matter, out: str | Path, *, statuses: Iterable[str] | None = None,
                      progress: ProgressFn | None = None, cancel: CancelToken | None = None
                      ) -> Path:
    """Write the challenge table to ``out`` (.xlsx, .csv or .docx by extension)."""
    rows = challenge_rows(matter, statuses)
    columns = COLUMNS + (VAUGHN_COLUMNS if has_vaughn_index(matter) else ())
    keys = [c.key for c in columns]
    return write_table(out, columns, [[r[k] for k in keys] for r in rows], title=TITLE,
                       caption=matter.get_setting("caption", "") or "", formats=FORMATS,
                       progress=progress, cancel=cancel)
