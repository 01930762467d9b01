"""One bookmarked PDF of the exhibits, in number order, ready to file.

Each exhibit starts with an "EXHIBIT N" slip sheet or carries an "EXHIBIT N" stamp in the top
right corner of its first page (``mark``: ``slip`` or ``stamp``; default the matter setting
``exhibit_mark``, else ``slip``). Pages are copied from the production as they are, so their
Bates numbers stay; each page's label is its Bates number and each exhibit has a bookmark.
Unless ``as_produced`` is set, every bad redaction (a box drawn over live text) is burned in:
the text under it is removed, not just covered. The output is always sanitised and saved as a
new garbage-collected file (app/export/sanitize.py). Withdrawn exhibits are left out.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pymupdf

from app.errors import IngestError
from app.export.exhibits import Exhibit, exhibits
from app.export.pdfdraw import pdf_safe
from app.export.sanitize import redact_boxes, save_sanitized
from app.export.writers import ExportError, Ticker
from app.matter.store import Matter
from app.progress import CancelToken, ProgressFn

MARKS = ("slip", "stamp")


def _mark(matter: Matter, mark: str | None) -> str:
    value = (mark or matter.get_setting("exhibit_mark", "slip") or "slip").lower()
    for m in MARKS:
        if m.startswith(value):
            return m
    raise ExportError(f"exhibit mark {value!r} is not one of {', '.join(MARKS)}")


def _slip(out: pymupdf.Document, ex: Exhibit, size: pymupdf.Rect) -> None:
    page = out.new_page(width=size.width or 612, height=size.height or 792)
    rect = page.rect
    title = pdf_safe(f"EXHIBIT {ex.number}")
    box = pymupdf.Rect(54, rect.height * 0.36, rect.width - 54, rect.height * 0.36 + 90)
    page.insert_textbox(box, title, fontname="hebo", fontsize=36, align=1)
    lines = [ex.description, ex.bates_range]
    body = pymupdf.Rect(72, box.y1 + 10, rect.width - 72, rect.height - 72)
    page.insert_textbox(body, pdf_safe("\n".join(x for x in lines if x)), fontname="helv",
                        fontsize=13, align=1)


def _stamp(page: pymupdf.Page, ex: Exhibit) -> None:
    text = pdf_safe(f"EXHIBIT {ex.number}")
    width = pymupdf.get_text_length(text, fontname="hebo", fontsize=12) + 16
    visible = page.rect
    r = pymupdf.Rect(visible.x1 - 18 - width, 14, visible.x1 - 18, 36)
    unrot = r * page.derotation_matrix
    page.draw_rect(unrot, color=(0, 0, 0), fill=(1, 1, 1), width=1.2, overlay=True)
    page.insert_textbox(unrot, text, fontname="hebo", fontsize=12, align=1,
                        rotate=page.rotation, overlay=True)


def export_exhibit_pdf(matter: Matter, out: str | Path, *, as_produced: bool = False,
                       mark: str | None = None, progress: ProgressFn | None = None,
                       cancel: CancelToken | None = None) -> Path:
    """Write the exhibits as one PDF to ``out`` (see the module docstring)."""
    if Path(out).suffix.lower() != ".pdf":
        raise ExportError(f"{Path(out).name}: the exhibit PDF exports as .pdf")
    mark = _mark(matter, mark)
    items = [e for e in exhibits(matter) if e.status != "withdrawn" and e.page_ids]
    if not items:
        raise ExportError("no exhibits to export; mark some with `vaughn tag ... --exhibit N`")
    page_ids = sorted({p for e in items for p in e.page_ids})
    src: dict[int, tuple[str, str, int, str | None]] = {}
    bad: dict[int, list[tuple[tuple[float, float, float, float], str]]] = {}
    for i in range(0, len(page_ids), 500):
        chunk = page_ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for pid, path, kind, index, bates in matter.conn.execute(
            f"SELECT p.id, f.path, f.kind, p.page_index, p.bates FROM pages p "
            f"JOIN source_files f ON f.id = p.source_file_id WHERE p.id IN ({marks})", chunk):
            src[pid] = (matter.local_path(path), kind, index, bates)
        for pid, x0, y0, x1, y1, label in matter.conn.execute(
            f"SELECT page_id, x0, y0, x1, y1, label FROM redactions WHERE bad = 1 "
            f"AND page_id IN ({marks})", chunk):
            bad.setdefault(pid, []).append(((x0, y0, x1, y1), label or ""))
    ticker = Ticker(sum(len(e.page_ids) for e in items), "exhibit PDF", progress, cancel,
                    every=10)
    ticker.check()
    opened: dict[str, pymupdf.Document] = {}
    out_doc = pymupdf.open()
    toc: list[list[int | str]] = []  # [level, title, page number]
    labels: list[dict[str, int | str]] = []
    try:
        for ex in items:
            first = True
            for pid in ex.page_ids:
                path, kind, index, bates = src[pid]
                doc = _source(opened, path, kind)
                if index >= len(doc):
                    raise ExportError(f"{path}: has no page {index + 1}; run `vaughn check`")
                if first and mark == "slip":
                    _slip(out_doc, ex, doc[index].rect)
                    toc.append([1, _bookmark(ex), len(out_doc)])
                    labels.append({"startpage": len(out_doc) - 1,
                                   "prefix": f"Exhibit {ex.number} ", "style": ""})
                out_doc.insert_pdf(doc, from_page=index, to_page=index, links=False,
                                   annots=True, widgets=False)
                page = out_doc[-1]
                if not as_produced and pid in bad:
                    redact_boxes(page, bad[pid])
                if first and mark == "stamp":
                    _stamp(page, ex)
                    toc.append([1, _bookmark(ex), len(out_doc)])
                labels.append({"startpage": len(out_doc) - 1, "prefix": bates or "",
                               "style": ""})
                first = False
                ticker.step()
        out_doc.set_toc(toc)
        with contextlib.suppress(Exception):
            out_doc.set_page_labels(labels)
        ticker.check()
        return save_sanitized(out_doc, out, title="Exhibits")
    finally:
        out_doc.close()
        for doc in opened.values():
            doc.close()


def _bookmark(ex: Exhibit) -> str:
    text = f"Exhibit {ex.number}"
    if ex.description:
        text += f": {ex.description}"
    if ex.bates_range:
        text += f" ({ex.bates_range})"
    return text


def _source(opened: dict[str, pymupdf.Document], path: str, kind: str) -> pymupdf.Document:
    doc = opened.get(path)
    if doc is not None:
        return doc
    from app.ingest.pdf import open_document

    if not Path(path).exists():
        raise ExportError(f"{path}: the source file is missing; find it with `vaughn relink`")
    try:
        doc = open_document(Path(path), kind)
    except IngestError as exc:
        raise ExportError(str(exc)) from exc
    if doc.needs_pass:
        doc.close()
        raise ExportError(f"{path}: is encrypted; cannot copy its pages")
    if not doc.is_pdf:
        pdf = pymupdf.open("pdf", doc.convert_to_pdf())
        doc.close()
        doc = pdf
    opened[path] = doc
    return doc
