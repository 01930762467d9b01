"""Reading the rows of an agency's Vaughn index (CSV, XLSX, DOCX table, text-layer PDF table).

:func:`read_table` gives the header row and the data rows of the file's index table; a table
continued over several Word tables or PDF pages is joined (a repeated header row is dropped).
:func:`entries_from_table` turns rows into :class:`Entry` with a column mapping (guessed from
the headers by default, or the one a reviewer confirmed). A row with no Bates, item or
exemption cell continues the entry above it (an entry split across pages). Exemption cells go
through the stamp reader's ``canonical_codes`` so "b6", "Ex. 7(C)" and "(b)(6), (b)(7)(C)" all
give canonical codes.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import VaughnError
from app.progress import CancelToken, ProgressFn
from app.redactions.stamps import canonical_codes
from app.vaughn_index.columns import FIELDS, require_columns
from app.vaughn_index.ranges import BatesRange, parse_ranges

MAX_ROWS = 20_000
MAX_PDF_PAGES = 2_000
FORMATS = ("csv", "xlsx", "docx", "pdf")
_INT_FIELDS = ("pages", "pages_released", "pages_withheld_in_part", "pages_withheld_in_full")


@dataclass
class Entry:
    """One row of the index, its cells by field name and its canonical exemption codes."""

    row: int
    cells: dict[str, str]
    exemptions: list[str] = field(default_factory=list)

    @property
    def ranges(self) -> list[BatesRange]:
        """The Bates ranges of the entry's Bates cell."""
        return parse_ranges(self.cells.get("bates", ""))[0]

    def number(self, name: str) -> int | None:
        """A page-count cell as a number (its first run of digits), None when not given."""
        return first_int(self.cells.get(name, ""))

    @property
    def disposition(self) -> str | None:
        """The disposition cell as a disposition key, None when absent or not understood."""
        return disposition_key(self.cells.get("disposition", ""))


@dataclass
class Table:
    """The index table of one file: its headers and data rows (cells as text)."""

    source: str
    file_format: str
    headers: list[str]
    rows: list[list[str]]
    skipped_tables: int = 0


def first_int(text: str) -> int | None:
    """The first run of digits in ``text`` as an int (None when there is none)."""
    digits = ""
    for ch in str(text or ""):
        if ch.isdigit():
            digits += ch
        elif digits:
            break
    return int(digits) if digits and len(digits) < 7 else None


def disposition_key(text: str) -> str | None:
    """"Withheld in full", "WIF", "Released in part", "RIP", "partial" ... as a key."""
    folded = " ".join("".join(c.lower() if c.isalnum() else " " for c in str(text)).split())
    if not folded:
        return None
    words = f" {folded} "
    if "withheld in full" in words or " wif " in words or "entirety" in words or (
            "withheld" in words and "part" not in words and "released" not in words):
        return "withheld_in_full"
    if "in part" in words or " rip " in words or " wip " in words or "partial" in words:
        return "released_in_part"
    if "released in full" in words or " rif " in words or "released" in words:
        return "released_in_full"
    return None


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return list(itertools.islice(csv.reader(fh), MAX_ROWS + 2))
    except UnicodeDecodeError:
        with path.open(newline="", encoding="cp1252", errors="replace") as fh:
            return list(itertools.islice(csv.reader(fh), MAX_ROWS + 2))
    except csv.Error as exc:
        raise VaughnError(f"{path.name}: not a readable CSV table ({exc})") from exc


def _xlsx_rows(path: Path) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same error
        raise VaughnError(f"{path.name}: not a readable XLSX file ({exc})") from exc
    try:
        for sheet in book.worksheets:  # the first sheet with a mappable header row
            rows = []
            for values in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2):
                rows.append(["" if v is None else _cell_text(v) for v in values])
            rows = [r for r in rows if any(c.strip() for c in r)]
            if rows and _mappable(rows[0]):
                return rows
        return rows if book.worksheets else []
    finally:
        book.close()


def _cell_text(value: object) -> str:
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _mappable(headers: list[str]) -> bool:
    try:
        require_columns(headers, "")
    except VaughnError:
        return False
    return True


def _join_tables(tables: list[list[list[str]]]) -> tuple[list[list[str]], int]:
    """The first table with a mappable header, plus the tables that continue it; and how many
    later tables were left out because their columns differ (reported, never silently lost)."""
    out: list[list[str]] = []
    header: list[str] | None = None
    skipped = 0
    for rows in tables:
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            continue
        if header is None:
            if _mappable(rows[0]):
                header = rows[0]
                out = list(rows)
            continue
        if len(rows[0]) != len(header):
            skipped += 1  # a different table (a signature block), or columns split otherwise
            continue
        start = 1 if [c.strip().lower() for c in rows[0]] == [
            c.strip().lower() for c in header] else 0
        out.extend(rows[start:])
    if header is None and tables:
        first = next((t for t in tables if t), [])
        return [r for r in first if any(c.strip() for c in r)], 0
    return out, skipped


def _docx_rows(path: Path) -> tuple[list[list[str]], int]:
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds on a bad file
        raise VaughnError(f"{path.name}: not a readable DOCX file ({exc})") from exc
    tables = []
    for table in document.tables:
        rows = []
        for row in itertools.islice(table.rows, MAX_ROWS + 2):
            cells, seen = [], None
            for cell in row.cells:
                # A merged cell is repeated by python-docx: keep its place, text once.
                cells.append("" if cell._tc is seen else cell.text)
                seen = cell._tc
            rows.append(cells)
        tables.append(rows)
    if not tables:
        raise VaughnError(f"{path.name}: no table in the document (the index must be a "
                          "Word table)")
    return _join_tables(tables)


def _pdf_rows(path: Path, progress: ProgressFn | None = None,
              cancel: CancelToken | None = None) -> tuple[list[list[str]], int]:
    import pymupdf

    if hasattr(pymupdf, "no_recommend_layout"):  # it prints an advert to stdout otherwise
        pymupdf.no_recommend_layout()
    with open(path, "rb") as fh:
        if fh.read(5) != b"%PDF-":
            raise VaughnError(f"{path.name}: not a PDF file")
    try:
        doc = pymupdf.open(path)
    except Exception as exc:  # noqa: BLE001 - FzErrorFormat and friends
        raise VaughnError(f"{path.name}: not a readable PDF ({exc})") from exc
    tables: list[list[list[str]]] = []
    text_chars = 0
    try:
        if not doc.is_pdf or doc.needs_pass:
            raise VaughnError(f"{path.name}: not a readable PDF (encrypted or not a PDF)")
        total = min(len(doc), MAX_PDF_PAGES)
        for n, page in enumerate(itertools.islice(doc, MAX_PDF_PAGES)):
            if cancel is not None:
                cancel.check()
            if progress is not None:
                progress(n, total, f"{path.name} p.{n + 1}")
            text_chars += len(page.get_text("text").strip())
            try:
                found = page.find_tables()
            except Exception:  # noqa: BLE001 - a page whose table finder fails has none
                continue
            for table in found.tables:
                tables.append([["" if c is None else str(c) for c in row]
                               for row in table.extract()])
    finally:
        doc.close()
    if not tables:
        why = ("it has no text layer (OCR it first)" if text_chars == 0
               else "no ruled table was found on its pages")
        raise VaughnError(f"{path.name}: no table in the PDF: {why}")
    return _join_tables(tables)


_CONTROL = {c: None for c in range(32) if chr(c) not in "\n\t"} | {0x7F: None}


def _clean(cell: object) -> str:
    """A cell's text without control characters (a NUL, a form feed), new lines kept."""
    return str(cell).replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL)


def file_format(path: Path) -> str:
    """The index format by extension, or VaughnError naming the formats read."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise VaughnError(f"{Path(path).name}: not a Vaughn index format this reads "
                          f"({', '.join(f.upper() for f in FORMATS)})")
    return suffix


def read_table(path: Path, *, progress: ProgressFn | None = None,
               cancel: CancelToken | None = None) -> Table:
    """The header and data rows of the index table in ``path``; VaughnError on any problem.

    A PDF reports ``progress`` page by page and checks ``cancel`` (``Cancelled``) between
    pages; the other formats are read at once.
    """
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise VaughnError(f"{path.name}: the file is empty or missing")
    fmt = file_format(path)
    skipped = 0
    if fmt == "pdf":
        raw, skipped = _pdf_rows(path, progress, cancel)
    elif fmt == "docx":
        raw, skipped = _docx_rows(path)
    else:
        raw = {"csv": _csv_rows, "xlsx": _xlsx_rows}[fmt](path)
    rows = [[_clean(c) for c in r] for r in raw if any(str(c).strip() for c in r)]
    if not rows:
        raise VaughnError(f"{path.name}: no table in the file")
    if len(rows) > MAX_ROWS + 1:
        raise VaughnError(f"{path.name}: more than {MAX_ROWS} rows; not a Vaughn index")
    return Table(path.name, fmt, [" ".join(h.split()) for h in rows[0]], rows[1:], skipped)


def entries_from_table(table: Table, mapping: dict[str, int] | None = None) -> list[Entry]:
    """The table's entries under ``mapping`` (field -> column; guessed when None)."""
    if mapping is None:
        mapping = require_columns(table.headers, table.source)
    else:
        unknown = set(mapping) - set(FIELDS)
        if unknown:
            raise VaughnError(f"unknown Vaughn index field(s): {', '.join(sorted(unknown))}")
        missing = [f for f in ("bates", "exemptions") if f not in mapping]
        if missing:
            raise VaughnError(f"{table.source}: no column chosen for {' or '.join(missing)}")
    entries: list[Entry] = []
    header = [" ".join(h.split()).lower() for h in table.headers]
    for n, row in enumerate(table.rows, start=2):
        if [" ".join(c.split()).lower() for c in row] == header:
            continue  # the header again (a spreadsheet printed page by page)
        cells = {f: (row[i].strip() if i < len(row) else "") for f, i in mapping.items()}
        anchor = any(cells.get(f) for f in ("bates", "item", "exemptions"))
        if not anchor and entries:  # the rest of the entry above, on the next page
            prev = entries[-1]
            for f, value in cells.items():
                if value:
                    prev.cells[f] = (prev.cells.get(f, "") + "\n" + value).strip()
            continue
        entries.append(Entry(n, cells))
    for entry in entries:
        entry.exemptions = canonical_codes(entry.cells.get("exemptions", ""))[0]
    return entries


def read_index(path: Path) -> list[Entry]:
    """Every entry of the index at ``path``; VaughnError naming the file on any problem."""
    return entries_from_table(read_table(path))
