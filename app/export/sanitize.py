"""Make an exported PDF safe to hand out: real redactions, no metadata, scripts or attachments.

:func:`redact_boxes` burns boxes into a page (the text, vector art and image pixels under them
are removed, a black fill drawn, the stamp label re-set in white). :func:`sanitize` scrubs a
whole document: document and XMP metadata, JavaScript and other active actions, embedded and
attached files, form fields, sticky notes and the text of annotations, thumbnails, and applies
every pending redaction annotation. :func:`save_sanitized` does both and saves a NEW file
(garbage collection level 4, cleaned and deflated content) atomically: an incremental save
would keep the old revision, hidden text included, at the end of the file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

import pymupdf

from app.export.writers import atomic_output

# Annotation types with no place in a filed exhibit (comments, media, attachments).
_DROP_ANNOTS = {
    pymupdf.PDF_ANNOT_TEXT, pymupdf.PDF_ANNOT_POPUP, pymupdf.PDF_ANNOT_FILE_ATTACHMENT,
    pymupdf.PDF_ANNOT_SOUND, pymupdf.PDF_ANNOT_MOVIE, pymupdf.PDF_ANNOT_SCREEN,
    pymupdf.PDF_ANNOT_RICH_MEDIA, pymupdf.PDF_ANNOT_3D,
}
# Catalog entries that run or carry things: open actions, additional actions, name trees
# (JavaScript, embedded files), forms, XMP, page thumbnails' and piece info.
_CATALOG_KEYS = ("OpenAction", "AA", "Names", "AcroForm", "Metadata", "PieceInfo", "Threads",
                 "Collection", "Perms", "SpiderInfo", "Legal")
_OBJECT_KEYS = ("JS", "JavaScript", "AA", "Launch", "EmbeddedFile", "EF", "RichMediaContent",
                "SubmitForm", "ImportData", "PieceInfo", "Metadata")
PAD = 0.75


def redact_boxes(page: pymupdf.Page, boxes: Iterable[tuple[Iterable[float], str]]) -> int:
    """Apply real redactions over ``boxes`` ((x0, y0, x1, y1), label); returns how many.

    Whatever lies under a box is removed from the page: text characters, line art fully
    covered, image pixels. The box is filled black and its label, when it fits, set in white.
    """
    n = 0
    for bbox, label in boxes:
        rect = pymupdf.Rect(*bbox)
        rect = pymupdf.Rect(rect.x0 - PAD, rect.y0 - PAD, rect.x1 + PAD, rect.y1 + PAD)
        rect &= page.rect * page.derotation_matrix  # boxes are in unrotated coordinates
        if rect.is_empty:
            continue
        size = max(4.0, min(9.0, rect.height * 0.7))
        page.add_redact_annot(rect, text=label or None, fontname="helv", fontsize=size,
                              fill=(0, 0, 0), text_color=(1, 1, 1), cross_out=False)
        n += 1
    if n:
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                              graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED,
                              text=pymupdf.PDF_REDACT_TEXT_REMOVE)
    return n


def sanitize(doc: pymupdf.Document) -> None:
    """Scrub ``doc`` in place (see the module docstring); hidden text layers of scans stay."""
    for page in doc:
        for widget in list(page.widgets()):
            with contextlib.suppress(Exception):
                page.delete_widget(widget)
        drop = [a for a in page.annots() if a.type[0] in _DROP_ANNOTS]
        for annot in drop:
            page.delete_annot(annot)
        for annot in page.annots():
            with contextlib.suppress(Exception):
                annot.set_info(content="", title="", subject="")
                annot.update()
    doc.scrub(attached_files=True, clean_pages=True, embedded_files=True, hidden_text=False,
              javascript=True, metadata=True, redactions=True, redact_images=0,
              remove_links=True, reset_fields=True, reset_responses=True, thumbnails=True,
              xml_metadata=True)
    with contextlib.suppress(Exception):
        doc.del_xml_metadata()
    cat = doc.pdf_catalog()
    for key in _CATALOG_KEYS:
        if doc.xref_get_key(cat, key)[0] != "null":
            doc.xref_set_key(cat, key, "null")
    for xref in range(1, doc.xref_length()):
        with contextlib.suppress(Exception):
            keys = doc.xref_get_keys(xref)
            for key in _OBJECT_KEYS:
                if key in keys:
                    doc.xref_set_key(xref, key, "null")
            if doc.xref_get_key(xref, "S") == ("name", "/JavaScript"):
                doc.xref_set_key(xref, "S", "null")
    doc.set_metadata({})


def save_sanitized(doc: pymupdf.Document, out: str | Path, *, title: str = "") -> Path:
    """Sanitize ``doc`` and save it as a new, garbage-collected file at ``out`` (atomically)."""
    sanitize(doc)
    if title:
        doc.set_metadata({"title": title, "producer": "Vaughn", "creator": "Vaughn"})
    out = Path(out)
    with atomic_output(out) as tmp:
        doc.save(tmp, garbage=4, clean=True, deflate=True, deflate_images=True,
                 deflate_fonts=True, incremental=False, encryption=pymupdf.PDF_ENCRYPT_NONE)
    return out.expanduser().resolve()
