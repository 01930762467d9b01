"""The exhibit list: a working list (.xlsx/.csv) and the AO 187 form (.docx/.pdf).

The working list has one row per exhibit in number order: exhibit no., description, Bates
begin and end, document date, pages, exemptions claimed on those pages, challenge grounds
raised on them (challenges with status ``challenge`` on the exhibit's redactions, pages or
document) and the exhibit's status. The .docx and .pdf forms follow AO 187 (PLF. NO. | DEF. NO.
| DATE OFFERED | MARKED | ADMITTED | DESCRIPTION) under the case caption from the matter's
settings (``caption``, ``case_number``, ``exhibit_party`` = plaintiff or defendant); withdrawn
exhibits are left off the form. The dates are left for the court to fill in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import vocabulary as vocab
from app.export.data import codes_by_page, natural_key, page_rows
from app.export.writers import (
    Column,
    ExportError,
    Ticker,
    atomic_output,
    docx_document,
    docx_table,
    export_format,
    to_date,
    write_table,
)
from app.matter.store import Matter, id_chunks
from app.progress import CancelToken, ProgressFn
from app.vocabulary import order_codes

TITLE = "Exhibit list"
FORMATS = ("xlsx", "csv", "docx", "pdf")
COLUMNS: tuple[Column, ...] = (
    Column("number", "Exhibit no.", "int", 10),
    Column("description", "Description", "text", 44),
    Column("bates_begin", "Bates begin", "text", 22),
    Column("bates_end", "Bates end", "text", 22),
    Column("date", "Document date", "date", 13),
    Column("pages", "Pages", "int", 7),
    Column("exemptions", "Exemptions claimed", "text", 24),
    Column("grounds", "Challenge grounds", "text", 34),
    Column("status", "Status", "text", 11),
)
AO187_HEADERS = ("PLF. NO.", "DEF. NO.", "DATE OFFERED", "MARKED", "ADMITTED", "DESCRIPTION")
AO187_WIDTHS = (7, 7, 10, 9, 9, 58)


@dataclass
class Exhibit:
    """One exhibit with the pages it covers (in matter order)."""

    id: int
    number: str
    description: str
    status: str
    document_id: int | None
    page_ids: list[int] = field(default_factory=list)
    bates_begin: str | None = None
    bates_end: str | None = None
    date: str | None = None
    exemptions: list[str] = field(default_factory=list)
    grounds: list[str] = field(default_factory=list)

    @property
    def bates_range(self) -> str:
        """"B1–B2", or one Bates number, or "" when the pages have none."""
        if self.bates_begin and self.bates_end and self.bates_begin != self.bates_end:
            return f"{self.bates_begin}–{self.bates_end}"
        return self.bates_begin or self.bates_end or ""

    def row(self) -> dict[str, Any]:
        """The working-list row keyed like :data:`COLUMNS`."""
        return {
            "number": self.number,
            "description": self.description,
            "bates_begin": self.bates_begin,
            "bates_end": self.bates_end,
            "date": to_date(self.date) or self.date,
            "pages": len(self.page_ids),
            "exemptions": ", ".join(self.exemptions),
            "grounds": "; ".join(vocab.label("ground", g) for g in self.grounds),
            "status": vocab.label("exhibit_status", self.status),
        }


def exhibits(matter: Matter) -> list[Exhibit]:
    """Every exhibit in number order ("2" before "10"), with pages, codes and grounds."""
    conn = matter.conn
    out: list[Exhibit] = []
    for eid, number, desc, status, doc_id, first, last in conn.execute(
        "SELECT id, number, description, status, document_id, first_page_id, last_page_id "
        "FROM exhibits"):
        if doc_id is not None:
            pids = [r[0] for r in conn.execute(
                "SELECT id FROM pages WHERE document_id = ? ORDER BY id", (doc_id,))]
        elif first is not None:
            lo, hi = sorted((first, last if last is not None else first))
            pids = [r[0] for r in conn.execute(
                "SELECT id FROM pages WHERE id BETWEEN ? AND ? ORDER BY id", (lo, hi))]
        else:
            pids = []
        out.append(Exhibit(eid, number, desc or "", status, doc_id, pids))
    out.sort(key=lambda e: (natural_key(e.number), e.id))
    all_pages = {p for e in out for p in e.page_ids}
    info = page_rows(matter, all_pages)
    codes = codes_by_page(matter, all_pages)
    grounds = _grounds_by_page(matter, all_pages)
    records = {r[0]: r[1:] for r in conn.execute(
        "SELECT id, doc_date, doc_type, title, author, recipients FROM documents")}
    for ex in out:
        rows = [info[p] for p in ex.page_ids if p in info]
        if rows:
            ordered = sorted(rows, key=lambda p: p.sort_key)
            ex.bates_begin, ex.bates_end = ordered[0].bates, ordered[-1].bates
            record = records.get(ex.document_id or rows[0].document_id)
            if record is not None:
                ex.date = record[0] or None
                if not ex.description and ex.document_id is not None:
                    ex.description = default_description(*record[1:])
        ex.exemptions = order_codes(c for p in ex.page_ids for c in codes.get(p, []))
        found: list[str] = []
        for p in ex.page_ids:
            for g in grounds.get(p, []):
                if g not in found:
                    found.append(g)
        order = {k: i for i, k in enumerate(vocab.keys("ground"))}
        ex.grounds = sorted(found, key=lambda g: order.get(g, len(order)))
    return out


def default_description(doc_type: str | None, title: str | None, author: str | None,
                        recipients: str | None) -> str:
    """An exhibit's description when the reviewer gave none: the record's type and title
    ("E-mail: Transfer schedule"; a memo or e-mail names its sender when it is legible)."""
    from app.documents.metadata import TYPE_LABELS

    label = TYPE_LABELS.get(doc_type or "", "") if doc_type not in (None, "", "other") else ""
    text = f"{label[:1].upper()}{label[1:]}" if label else ""
    if title:
        text = f"{text}: {title}" if text else title
    who = (author or "").strip()
    if doc_type in ("email", "memo") and who and any(c.isalpha() for c in who) \
            and "(b)" not in who:
        text += f", from {who}"
    return text


def _grounds_by_page(matter: Matter, page_ids: set[int]) -> dict[int, list[str]]:
    """Grounds of live challenges (status ``challenge``) on each page, its redactions or its
    document."""
    out: dict[int, list[str]] = {}

    def add(pid: int, grounds_json: str) -> None:
        bucket = out.setdefault(pid, [])
        for g in json.loads(grounds_json or "[]"):
            if g not in bucket:
                bucket.append(g)

    for chunk in id_chunks(sorted(page_ids)):
        marks = ",".join("?" * len(chunk))
        for pid, g in matter.conn.execute(
            f"SELECT r.page_id, c.grounds FROM challenges c JOIN redactions r "
            f"ON c.target_kind = 'redaction' AND r.id = c.target_id "
            f"WHERE c.status = 'challenge' AND r.page_id IN ({marks})", chunk):
            add(pid, g)
        for pid, g in matter.conn.execute(
            f"SELECT c.target_id, c.grounds FROM challenges c WHERE c.target_kind = 'page' "
            f"AND c.status = 'challenge' AND c.target_id IN ({marks})", chunk):
            add(pid, g)
        for pid, g in matter.conn.execute(
            f"SELECT p.id, c.grounds FROM challenges c JOIN pages p "
            f"ON c.target_kind = 'document' AND p.document_id = c.target_id "
            f"WHERE c.status = 'challenge' AND p.id IN ({marks})", chunk):
            add(pid, g)
    return out


def ao187_rows(matter: Matter, items: list[Exhibit] | None = None) -> list[list[str]]:
    """The AO 187 rows: the number in the plaintiff's or defendant's column, dates blank."""
    party = str(matter.get_setting("exhibit_party", "plaintiff") or "plaintiff").lower()
    rows = []
    for ex in items if items is not None else exhibits(matter):
        if ex.status == "withdrawn":
            continue
        desc = ex.description or "(no description)"
        if ex.bates_range:
            desc += f" ({ex.bates_range})"
        plf, dfn = (ex.number, "") if not party.startswith("d") else ("", ex.number)
        rows.append([plf, dfn, "", "", "", desc])
    return rows


def _heading(matter: Matter) -> tuple[str, str]:
    caption = str(matter.get_setting("caption", "") or "")
    case_no = str(matter.get_setting("case_number", "") or "")
    party = str(matter.get_setting("exhibit_party", "plaintiff") or "plaintiff").lower()
    title = ("DEFENDANT'S" if party.startswith("d") else "PLAINTIFF'S") + " EXHIBIT LIST"
    if case_no:
        caption = f"{caption}\nCase No. {case_no}".strip()
    return caption, title


def export_exhibits(matter: Matter, out: str | Path, *, progress: ProgressFn | None = None,
                    cancel: CancelToken | None = None) -> Path:
    """Write the exhibit list to ``out``: .xlsx/.csv working list, .docx/.pdf AO 187 form."""
    fmt = export_format(out)
    if fmt not in FORMATS:
        raise ExportError(f"{Path(out).name}: the exhibit list exports as "
                          f"{', '.join('.' + f for f in FORMATS)}")
    items = exhibits(matter)
    if fmt in ("xlsx", "csv"):
        keys = [c.key for c in COLUMNS]
        return write_table(out, COLUMNS, [[ex.row()[k] for k in keys] for ex in items],
                           title=TITLE, formats=FORMATS, progress=progress, cancel=cancel)
    rows = ao187_rows(matter, items)
    caption, title = _heading(matter)
    ticker = Ticker(len(rows), TITLE, progress, cancel)
    ticker.check()
    if fmt == "docx":
        cols = [Column(h.lower(), h, "text") for h in AO187_HEADERS]
        with atomic_output(out) as tmp:
            doc = docx_document(title, caption)
            docx_table(doc, cols, rows, tick=ticker.step)
            _docx_widths(doc, AO187_WIDTHS)
            doc.save(str(tmp))
    else:
        from app.export.pdfdraw import PdfWriter

        pdf = PdfWriter(landscape=True, margin=40)
        for line in caption.splitlines():
            pdf.text(line, size=11, align="center", gap=0)
        pdf.space(6)
        pdf.text(title, size=13, bold=True, align="center", gap=8)
        pdf.table(AO187_HEADERS, AO187_WIDTHS, rows, size=9)
        ticker.step(len(rows))
        pdf.save(out, title=title.capitalize())
    ticker.progress(len(rows), len(rows), TITLE)
    return Path(out).expanduser().resolve()


def _docx_widths(doc: Any, widths: tuple[int, ...]) -> None:
    from docx.shared import Inches

    table = doc.tables[-1]
    usable = 9.6  # inches: landscape letter less 0.7" margins
    total = sum(widths)
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Inches(usable * w / total)
