"""Reading the rows of an agency's Vaughn index from CSV or XLSX into entries.

DOCX and PDF tables are not read yet. Exemption cells go through the stamp reader's
``canonical_codes`` so "b6", "Ex. 7(C)" and "(b)(6), (b)(7)(C)" all give canonical codes.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import VaughnError
from app.redactions.stamps import canonical_codes
from app.vaughn_index.columns import require_columns

MAX_ROWS = 20_000


@dataclass
class Entry:
    """One row of the index, its cells by field name and its canonical exemption codes."""

    row: int
    cells: dict[str, str]
    exemptions: list[str] = field(default_factory=list)


def _rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return list(itertools.islice(csv.reader(fh), MAX_ROWS + 2))
    if suffix == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same error
            raise VaughnError(f"{path.name}: not a readable XLSX file ({exc})") from exc
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2):
            rows.append(["" if v is None else str(v) for v in values])
        book.close()
        return rows
    raise VaughnError(f"{path.name}: not a Vaughn index format this reads (CSV or XLSX)")


def read_index(path: Path) -> list[Entry]:
    """Every entry of the index at ``path``; VaughnError naming the file on any problem."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise VaughnError(f"{path.name}: the file is empty or missing")
    rows = [r for r in _rows(path) if any(c.strip() for c in r)]
    if not rows:
        raise VaughnError(f"{path.name}: no table in the file")
    if len(rows) > MAX_ROWS + 1:
        raise VaughnError(f"{path.name}: more than {MAX_ROWS} rows; not a Vaughn index")
    mapping = require_columns(rows[0], path.name)
    entries = []
    for n, row in enumerate(rows[1:], start=2):
        cells = {f: (row[i].strip() if i < len(row) else "") for f, i in mapping.items()}
        codes, _ = canonical_codes(cells.get("exemptions", ""))
        entries.append(Entry(n, cells, codes))
    return entries
