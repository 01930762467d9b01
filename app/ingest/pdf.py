"""Read pages out of PDF and image files: text, size, rotation, Bates candidates, redactions.

Nothing here writes to the matter; the pipeline turns what these functions return into rows
in one transaction per file. Bad files raise ``IngestError`` with a plain reason.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.bates import Candidate, page_candidates
from app.errors import IngestError

if TYPE_CHECKING:
    import pymupdf

IMAGE_SUFFIXES = {".tif", ".tiff", ".jpg", ".jpeg", ".png"}
_IMAGE_MAGIC = (b"II*\x00", b"MM\x00*", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
# A page whose text outside its Bates stamp is shorter than this, and which is mostly an
# image, is a scan: it goes to the OCR queue.
MIN_BODY_CHARS = 12


@dataclass
class PageRecord:
    """What ingest keeps of one page (the visible text only; never text under a bad box)."""

    page_index: int
    width: float
    height: float
    rotation: int
    text: str
    text_layer: bool
    needs_ocr: bool
    candidates: list[Candidate]
    redactions: list[Any] = field(default_factory=list)
    withheld_in_full: bool = False
    redacted_share: float = 0.0
    analyzed: bool = False
    stopped: str = ""  # "analysis stopped after 30 s": not analysed, no text, for a human look
    body_bottom: float | None = None  # where the text ends, as a share of the page height


#: A word as from ``page.get_text("words")``: (x0, y0, x1, y1, text, block_no, line_no, word_no).
Word = tuple[float, float, float, float, str, int, int, int]
Analyzer = Callable[["pymupdf.Page", list[Word], bool], Any]


def sniff_pdf(path: Path) -> None:
    """Raise IngestError unless ``path`` starts like a PDF (within its first KiB)."""
    size = path.stat().st_size
    if size == 0:
        raise IngestError(str(path), "empty file (0 bytes)")
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" in head:
        return
    lowered = head.lower()
    if b"<html" in lowered or b"<!doctype" in lowered or b"<head" in lowered:
        raise IngestError(str(path), "not a PDF: the file holds a web page (HTML)")
    raise IngestError(str(path), "not a PDF: the file does not start with a PDF header")


def sniff_image(path: Path) -> None:
    """Raise IngestError unless ``path`` starts with TIFF, JPEG or PNG magic bytes."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise IngestError(str(path), "empty file (0 bytes)")
    if not any(head.startswith(m) for m in _IMAGE_MAGIC):
        raise IngestError(str(path), "not an image: the file is not a TIFF, JPEG or PNG")


@functools.cache
def _messages_to_stderr() -> None:
    """MuPDF's own complaints ("format error: cycle in page tree") go to standard error, never
    into standard output, where ``--json`` listings are written."""
    import pymupdf

    pymupdf.set_messages(stream=sys.stderr)


def open_document(path: Path, kind: str, password: str | None = None) -> pymupdf.Document:
    """Open a PDF or image file with PyMuPDF, or raise IngestError saying why not."""
    import pymupdf

    _messages_to_stderr()
    if kind == "pdf":
        sniff_pdf(path)
    else:
        sniff_image(path)
    try:
        doc = pymupdf.open(str(path), filetype="pdf" if kind == "pdf" else None)
    except Exception as exc:  # MuPDF raises its own FzError* types and RuntimeError
        raise IngestError(str(path), f"damaged: cannot be opened ({_short(exc)})") from exc
    try:
        _check_opened(doc, path, kind, password)
    except IngestError:
        doc.close()
        raise
    except Exception as exc:  # page tree damage surfaces on the first look at it
        doc.close()
        raise IngestError(str(path), f"damaged: cannot be read ({_short(exc)})") from exc
    return doc


def _check_opened(doc: pymupdf.Document, path: Path, kind: str, password: str | None) -> None:
    if kind == "pdf" and not doc.is_pdf:
        raise IngestError(str(path), "not a PDF")
    if doc.needs_pass and (not password or not _authenticate(doc, password)):
        why = "the password given is wrong" if password else "use --password"
        raise IngestError(str(path), f"encrypted: a password is needed ({why})")
    if doc.page_count == 0:
        raise IngestError(str(path), "the document has no pages")
    if kind == "pdf" and doc.is_repaired and not _ends_with_eof(path):
        raise IngestError(str(path), "truncated: the file ends before its end-of-file marker "
                          "(ask for a complete copy)")


def _ends_with_eof(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2048))
        return b"%%EOF" in fh.read()


def read_pages(
    doc: pymupdf.Document,
    path: Path,
    analyzer: Analyzer | None,
    check: Callable[[], None] = lambda: None,
) -> Iterator[PageRecord]:
    """Yield a PageRecord for every page of ``doc``; raise IngestError on a broken page."""
    for index in range(doc.page_count):
        check()
        try:
            page = doc.load_page(index)
            yield extract_page(page, analyzer)
        except IngestError:
            raise
        except Exception as exc:
            raise IngestError(str(path), f"damaged at page {index + 1} ({_short(exc)})") from exc


Line = tuple[float, float, str, int, int]  # (top, bottom, text, first word, end word)


def extract_page(page: pymupdf.Page, analyzer: Analyzer | None,
                 preview: Callable[[PageRecord], None] | None = None) -> PageRecord:
    """Text, Bates candidates and (with an analyzer) redactions of one page.

    ``preview`` is called with the record as it is before the analysis (size, Bates
    candidates, no text), so that a caller who stops a slow analysis still has those.
    """
    words = page.get_text("words")
    rect = page.rect  # rotated size, as the reviewer sees it
    lines = _lines(words)
    zone_lines = lines
    if page.rotation:  # words come in unrotated coordinates; zones are where the reader looks
        zone_lines = _lines(_rotate_words(words, page.rotation_matrix))
    candidates = page_candidates(((ln[0], ln[1], ln[2]) for ln in zone_lines), rect.height)
    # Body text is everything but the Bates stamp lines (each whole-line candidate is one).
    body_chars = sum(len(w[4]) for w in words) - sum(
        len(c.bates.text.replace(" ", "")) for c in candidates if c.whole_line)
    text_layer = body_chars >= MIN_BODY_CHARS
    needs_ocr = not text_layer and _mostly_image(page)
    record = PageRecord(
        page_index=page.number,
        width=round(rect.width, 2),
        height=round(rect.height, 2),
        rotation=page.rotation,
        text="",
        text_layer=text_layer,
        needs_ocr=needs_ocr,
        candidates=candidates,
        body_bottom=_body_bottom(zone_lines, candidates, rect.height),
    )
    hidden: frozenset[int] = frozenset()
    if preview is not None:
        preview(record)
    if analyzer is not None:
        analysis = analyzer(page, words, needs_ocr)
        # Text under a bad box never enters the index. Stamp labels ("(b)(6)") are not the
        # record's text either: they are searchable as exemptions, not as words. A slip sheet's
        # "WITHHELD IN FULL PURSUANT TO (b)(5)" is the page's only text and stays.
        hidden = analysis.hidden_words
        if not analysis.withheld_in_full:
            hidden = hidden | analysis.stamp_words
        record.redactions = list(analysis.redactions)
        record.withheld_in_full = analysis.withheld_in_full
        record.redacted_share = analysis.redacted_share
        record.analyzed = True
    record.text = assemble_text(words, lines, hidden)
    return record


def _body_bottom(lines: list[Line], candidates: list[Candidate], height: float) -> float | None:
    """The bottom of the page's last line of text other than its Bates stamp (0..1)."""
    if not lines or height <= 0:
        return None
    stamps = [c.bates.text for c in candidates if c.whole_line]
    for line in sorted(lines, key=_line_bottom, reverse=True):
        if not stamps or not any(s in line[2] for s in stamps):
            return round(min(1.0, max(0.0, line[1] / height)), 3)
    return None


def _line_bottom(line: Line) -> float:
    return line[1]


def assemble_text(words: list[Word], lines: list[Line], hidden: frozenset[int]) -> str:
    """Page text from its lines, leaving out the words at ``hidden`` indices."""
    if not hidden:
        return "\n".join(ln[2] for ln in lines)
    out = []
    for _, _, _, start, end in lines:
        kept = [words[i][4] for i in range(start, end) if i not in hidden]
        if kept:
            out.append(" ".join(kept))
    return "\n".join(out)


def _lines(words: list[Word]) -> list[Line]:
    """Group PyMuPDF words into lines (words of a line are contiguous in extraction order).

    A line's top and bottom are its first word's: enough to tell header and footer zones.
    """
    lines: list[Line] = []
    start = 0
    n = len(words)
    while start < n:
        first = words[start]
        key5, key6 = first[5], first[6]
        end = start + 1
        while end < n and words[end][6] == key6 and words[end][5] == key5:
            end += 1
        text = " ".join([w[4] for w in words[start:end]])
        lines.append((first[1], first[3], text, start, end))
        start = end
    return lines


def _rotate_words(words: list[Word], matrix: Any) -> list[Word]:
    import pymupdf

    out: list[Word] = []
    for w in words:
        r = pymupdf.Rect(w[:4]) * matrix
        out.append((r.x0, r.y0, r.x1, r.y1, *w[4:]))
    return out


def _mostly_image(page: pymupdf.Page) -> bool:
    area = abs(page.rect) or 1.0
    covered = 0.0
    for info in page.get_image_info():
        import pymupdf

        covered += abs(pymupdf.Rect(info["bbox"]) & page.rect)
    return covered / area > 0.5


def _saslprep(password: str) -> str:
    """SASLprep (RFC 4013), what PDF 2.0 (AES-256, R6) asks of passwords: non-ASCII spaces
    become spaces, characters "commonly mapped to nothing" (soft hyphen, zero-width joiners...)
    go, then NFKC."""
    import stringprep
    import unicodedata

    mapped = []
    for ch in password:
        if stringprep.in_table_c12(ch):
            mapped.append(" ")
        elif not stringprep.in_table_b1(ch):
            mapped.append(ch)
    return unicodedata.normalize("NFKC", "".join(mapped))


def _authenticate(doc: pymupdf.Document, password: str) -> bool:
    """Try the password as SASLprep normalises it (R6), then as typed (older revisions)."""
    prepared = _saslprep(password)
    return bool(doc.authenticate(prepared)) or (prepared != password
                                                 and bool(doc.authenticate(password)))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
