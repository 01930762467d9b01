"""Shared writing for exports: atomic files, formula-safe cells, xlsx/csv/docx tables.

Every export is written to a temporary file in the destination folder and moved over the final
name only once complete (:func:`atomic_output`), so a crash or a cancel never leaves half a
file under the name the user asked for. Tables are described once (:class:`Column` plus rows of
plain Python values) and written by :func:`write_table` as .xlsx (typed cells, frozen header,
filters, widths), .csv (UTF-8 with BOM so Excel reads accents) or .docx (a landscape table
under a title and the case caption). Text cells that a spreadsheet would read as a formula
(leading ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading apostrophe in xlsx
AND csv (:func:`neutralise`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import VaughnError
from app.progress import CancelToken, ProgressFn, no_progress

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 500


class ExportError(VaughnError):
    """An export cannot be written (unknown kind or format, unwritable destination)."""


@dataclass(frozen=True)
class Column:
    """One column of an exported table.

    ``kind``: ``text``, ``int``, ``float``, ``percent`` (a 0-1 float shown as %), ``date``.
    ``width``: the xlsx column width in characters.
    """

    key: str
    title: str
    kind: str = "text"
    width: float = 14


def neutralise(value: str) -> str:
    """A text cell that no spreadsheet will run as a formula (OWASP CSV-injection advice)."""
    if value and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def to_date(value: Any) -> dt.date | None:
    """An ISO date (or date-time) string as a date; None when it is not one."""
    if isinstance(value, dt.date):
        return value
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    for cut in (10, len(text)):
        try:
            return dt.date.fromisoformat(text[:cut])
        except ValueError:
            continue
    return None


@contextlib.contextmanager
def atomic_output(out: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``out``; on success move it over ``out``, else delete it."""
    out = Path(out).expanduser().resolve()
    if not out.parent.is_dir():
        raise ExportError(f"{out.parent}: no such folder")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=f".part{out.suffix}",
                                    dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


class Ticker:
    """Progress and cancellation for a loop over ``total`` units, reported every few units."""

    def __init__(self, total: int, what: str, progress: ProgressFn | None,
                 cancel: CancelToken | None, every: int = PROGRESS_EVERY) -> None:
        self.total = total
        self.what = what
        self.progress = progress or no_progress
        self.cancel = cancel
        self.every = max(1, every)
        self.done = 0

    def step(self, n: int = 1) -> None:
        """Count ``n`` units; report and check for a cancel every ``every`` units."""
        before = self.done
        self.done += n
        if self.done // self.every != before // self.every or self.done >= self.total:
            self.check()
            self.progress(min(self.done, self.total), self.total, self.what)

    def check(self) -> None:
        """Raise Cancelled when the user cancelled."""
        if self.cancel is not None:
            self.cancel.check()


def _cell_value(col: Column, value: Any) -> Any:
    if value is None or value == "":
        return None
    if col.kind == "date":
        return to_date(value) or neutralise(str(value))
    if col.kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            return neutralise(str(value))
    if col.kind in ("float", "percent"):
        try:
            return float(value)
        except (TypeError, ValueError):
            return neutralise(str(value))
    return neutralise(_XML_BAD.sub("", str(value)))


def _text(col: Column, value: Any) -> str:
    """A value as a csv/docx cell shows it."""
    if value is None:
        return ""
    if col.kind == "date":
        d = to_date(value)
        return d.isoformat() if d else str(value)
    if col.kind == "percent" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if col.kind == "float" and isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _csv_cell(col: Column, value: Any) -> str:
    if value is None:
        return ""
    if col.kind == "date":
        d = to_date(value)
        if d:
            return d.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    if col.kind in ("percent", "float") and isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def write_xlsx(path: Path, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
               title: str = "", tick: Callable[[], None] | None = None) -> None:
    """A one-sheet workbook: bold frozen header, auto-filter, widths and typed cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = (title or "Export")[:31]
    ws.append([c.title for c in columns])
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
    formats = {"date": "yyyy-mm-dd", "percent": "0.0%", "int": "0", "float": "0.00"}
    wrap = Alignment(wrap_text=True, vertical="top")
    n = 1
    for row in rows:
        ws.append([_cell_value(c, v) for c, v in zip(columns, row, strict=True)])
        n += 1
        if tick:
            tick()
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = col.width
        fmt = formats.get(col.kind)
        if fmt or col.width >= 30:
            for (cell,) in ws.iter_rows(min_row=2, max_row=n, min_col=i, max_col=i):
                if fmt and not isinstance(cell.value, str):
                    cell.number_format = fmt
                if col.width >= 30:
                    cell.alignment = wrap
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{n}"
    wb.save(path)


def write_csv(path: Path, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
              tick: Callable[[], None] | None = None) -> None:
    """UTF-8 (with BOM, for Excel) csv; text cells neutralised, numbers and dates plain."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow([c.title for c in columns])
        for row in rows:
            w.writerow([_csv_cell(c, v) for c, v in zip(columns, row, strict=True)])
            if tick:
                tick()


def docx_document(title: str, caption: str = "", *, landscape: bool = True) -> Any:
    """A python-docx Document with the case caption and a title, in landscape by default."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10)
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(0.7))
    for line in (caption or "").splitlines():
        p = doc.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(13)
    return doc


def docx_table(doc: Any, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
               tick: Callable[[], None] | None = None) -> None:
    """Append a gridded table (bold repeated header row) to a python-docx Document."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, col in zip(header.cells, columns, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(col.title)
        run.bold = True
        run.font.size = Pt(9)
    # Rows are built as WordprocessingML directly: python-docx's add_row()/cells walk the
    # whole table each time (quadratic; 5,000 rows took half a minute).
    from lxml import etree

    tbl = table._tbl
    w_tr, w_tc, w_p, w_r, w_t, w_br = (qn(f"w:{t}") for t in ("tr", "tc", "p", "r", "t", "br"))
    space = "{http://www.w3.org/XML/1998/namespace}space"
    for row in rows:
        tr = etree.SubElement(tbl, w_tr)
        for col, value in zip(columns, row, strict=True):
            run = etree.SubElement(etree.SubElement(etree.SubElement(tr, w_tc), w_p), w_r)
            for i, line in enumerate(_XML_BAD.sub("", _text(col, value)).split("\n")):
                if i:
                    etree.SubElement(run, w_br)
                t = etree.SubElement(run, w_t)
                t.text = line
                t.set(space, "preserve")
        if tick:
            tick()


def write_docx(path: Path, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
               title: str, caption: str = "", tick: Callable[[], None] | None = None) -> None:
    """A landscape Word document: caption, title, then the table."""
    doc = docx_document(title, caption)
    docx_table(doc, columns, rows, tick=tick)
    doc.save(str(path))


def write_table(out: str | Path, columns: Sequence[Column], rows: Sequence[Sequence[Any]], *,
                title: str, caption: str = "", formats: Sequence[str] = ("xlsx", "csv", "docx"),
                progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> Path:
    """Write a table to ``out`` in the format its extension names, atomically; returns the path."""
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in formats:
        raise ExportError(f"{out.name}: {title} exports as {', '.join('.' + f for f in formats)}")
    ticker = Ticker(len(rows), title, progress, cancel)
    ticker.check()
    with atomic_output(out) as tmp:
        if fmt == "xlsx":
            write_xlsx(tmp, columns, rows, title=title, tick=ticker.step)
        elif fmt == "csv":
            write_csv(tmp, columns, rows, tick=ticker.step)
        else:
            write_docx(tmp, columns, rows, title=title, caption=caption, tick=ticker.step)
        ticker.check()
    ticker.progress(len(rows), len(rows), title)
    return out.expanduser().resolve()


def export_format(out: str | Path) -> str:
    """The format an output path names by its extension ("xlsx", "pdf"...)."""
    return Path(out).suffix.lower().lstrip(".")
