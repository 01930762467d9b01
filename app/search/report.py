"""Search-term reports: for a list of queries, pages, documents and hits per term, and overall.

What a reviewer hands opposing counsel or the lawyer when negotiating search terms: each
term's pages with hits, documents with hits, *unique* pages (hit by no other term) and hits
(highlighted occurrences), then the unique pages and documents of all terms together. Each
term is a full query in Vaughn's language; one that cannot be parsed is reported with its error
instead of stopping the report. Export is CSV or XLSX, written to a temporary file and moved
into place; cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR)
are neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import QueryError
from app.matter.store import Matter
from app.search.index import highlight_expression, page_ids
from app.search.proximity import OPEN, marked_rows

HEADER = ("Term", "Pages with hits", "Documents with hits", "Unique pages", "Hits", "Error")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class TermRow:
    """One term's line of the report."""

    term: str
    pages: int = 0
    documents: int = 0
    unique_pages: int = 0
    hits: int = 0
    error: str = ""


@dataclass
class TermReport:
    """The rows, and the pages and documents hit by any term."""

    rows: list[TermRow] = field(default_factory=list)
    total_pages: int = 0
    total_documents: int = 0

    def table(self) -> list[list[str | int]]:
        """Header, one row per term, and the total row (what the files hold)."""
        out: list[list[str | int]] = [list(HEADER)]
        for r in self.rows:
            out.append([r.term, r.pages, r.documents, r.unique_pages, r.hits, r.error])
        out.append(["All terms (unique)", self.total_pages, self.total_documents, "", "", ""])
        return out


def read_terms(path: str | Path) -> list[str]:
    """Terms from a text file: one query per line; blank lines skipped; BOM and CRLF allowed."""
    raw = Path(path).read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    return parse_terms(text)


def parse_terms(text: str) -> list[str]:
    """Terms pasted as text: one per line, trimmed, blanks dropped, duplicates kept once."""
    seen: dict[str, None] = {}
    for line in text.splitlines():
        term = line.strip()
        if term:
            seen.setdefault(term, None)
    return list(seen)


def term_report(matter: Matter, terms: Iterable[str], *, ocr_tolerant: bool = False,
                progress: Callable[[int, int, str], None] | None = None) -> TermReport:
    """Run every term and count its pages, documents, unique pages and hits."""
    terms = list(terms)
    report = TermReport()
    hit_sets: list[set[int]] = []
    for n, term in enumerate(terms):
        if progress:
            progress(n, len(terms), term)
        row = TermRow(term)
        try:
            ids = page_ids(matter, term, ocr_tolerant=ocr_tolerant)
            row.pages = len(ids)
            row.hits = _hits(matter, term, ids, ocr_tolerant)
        except QueryError as exc:
            row.error = f"{exc.message} (at position {exc.position})"
            ids = []
        hit_sets.append(set(ids))
        report.rows.append(row)
    every: set[int] = set().union(*hit_sets) if hit_sets else set()
    docs = _documents(matter, every)
    seen = Counter(i for ids in hit_sets for i in ids)
    for row, hit_ids in zip(report.rows, hit_sets, strict=True):
        row.unique_pages = sum(1 for i in hit_ids if seen[i] == 1)
        row.documents = len({docs[i] for i in hit_ids if i in docs})
    report.total_pages = len(every)
    report.total_documents = len(set(docs.values()))
    if progress:
        progress(len(terms), len(terms), "")
    return report


def _documents(matter: Matter, ids: set[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(matter.conn.execute(
        "SELECT id, document_id FROM pages WHERE id IN "
        "(SELECT CAST(value AS INTEGER) FROM json_each(?))",
        (json.dumps(sorted(ids)),)).fetchall())


def _hits(matter: Matter, term: str, ids: list[int], ocr_tolerant: bool) -> int:
    """Highlighted occurrences of the term's words on its pages (pages when it has none)."""
    if not ids:
        return 0
    expression = highlight_expression(matter, term, ocr_tolerant=ocr_tolerant)
    if not expression:
        return len(ids)
    return sum(text.count(OPEN) for _, text in marked_rows(matter.conn, expression, ids))


def safe_cell(value: str | int) -> str | int:
    """A cell value a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_report(report: TermReport, out: str | Path) -> Path:
    """Write the report as .xlsx or .csv (by suffix; anything else is CSV) atomically."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = [[safe_cell(v) for v in row] for row in report.table()]
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        if out.suffix.lower() == ".xlsx":
            os.close(fd)
            _write_xlsx(rows, tmp)
        else:
            with os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as fh:
                csv.writer(fh).writerows(rows)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def _write_xlsx(rows: list[list[str | int]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Search terms"
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows():  # strings are data, never formulas, whatever they start with
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    ws.column_dimensions["A"].width = 48
    ws.freeze_panes = "A2"
    wb.save(path)
