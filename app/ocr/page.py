"""OCR one page of a matter's source file and work out what it means (runs in a worker).

:func:`run_job` opens the page's source file, OCRs the page (:mod:`app.ocr.engine`), keeps the
digital words already on it (a Bates stamp over a scan) and drops OCR words that repeat them,
re-runs the redaction analysis with the OCR words (so stamps burned into a scan are read),
marks which OCR words are stamp labels, and assembles the page text the index gets: the
page's words in reading order without stamp labels (a slip sheet keeps its text, as at ingest).

It returns a picklable :class:`PageResult`; the parent process writes it to the matter.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.ocr.engine import DEFAULT_DPI, ocr_page
from app.ocr.quality import wordlike_share

#: A word tuple as PyMuPDF and the OCR engine give them:
#: (x0, y0, x1, y1, text, block_no, line_no, word_no).
Word = tuple[float, float, float, float, str, int, int, int]

#: Why a page is OCRed. "stamps": a load-file TIFF whose text came from the load file; OCR
#: reads its stamps and word boxes but its text stays the load file's.
REASONS = ("no_text", "garbage", "stamps")


@dataclass
class Job:
    """One page to OCR."""

    page_id: int
    path: str
    kind: str  # source_files.kind: "pdf" | "image" | "volume_image"
    page_index: int
    reason: str
    bates: str | None = None
    dpi: int = DEFAULT_DPI
    mode: str = "page"


@dataclass
class PageResult:
    """What OCR found on one page, ready to be written."""

    page_id: int
    reason: str
    dpi: int
    mode: str
    words: list[tuple[float, float, float, float, str, int, int]] = field(default_factory=list)
    text: str = ""
    confidence: float = 0.0
    redactions: list[Any] = field(default_factory=list)
    withheld_in_full: bool = False
    redacted_share: float = 0.0
    seconds: float = 0.0
    error: str = ""


def run_job(job: Job, tessdata: str | None = None) -> PageResult:
    """OCR and analyse one page; failures come back as ``PageResult.error``, never raised."""
    started = time.perf_counter()
    try:
        result = _run(job, tessdata)
    except Exception as exc:  # a damaged page or file must not stop the queue
        result = PageResult(job.page_id, job.reason, job.dpi, job.mode,
                            error=f"{type(exc).__name__}: {exc}"[:300])
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _run(job: Job, tessdata: str | None) -> PageResult:
    from app.ingest.pdf import open_document
    from app.redactions import analyze_page

    doc = open_document(Path(job.path), "pdf" if job.kind == "pdf" else "image")
    try:
        page = doc.load_page(job.page_index)
        layer = [tuple(w) for w in page.get_text("words")]
        ocr = ocr_page(page, dpi=job.dpi, mode=job.mode, tessdata=tessdata)
        kept = _kept_layer_words(layer, job)
        words = _drop_repeats(ocr.words, kept)
        analysis = analyze_page(page, layer, image_only=True, ocr_words=words)
    finally:
        doc.close()
    # Digital words under a bad box never reach the page text (nor stamp labels, as at ingest).
    dropped = set(analysis.hidden_words)
    if not analysis.withheld_in_full:
        dropped |= analysis.stamp_words
    if dropped:
        keep_ids = {id(w) for w in kept}
        kept = [w for i, w in enumerate(layer) if id(w) in keep_ids and i not in dropped]
    stamps = set() if analysis.withheld_in_full else stamp_indices(words, analysis.redactions)
    body = [w for i, w in enumerate(words) if i not in stamps]
    text = merge_text(kept, body)
    lines = _line_numbers(words)
    return PageResult(
        page_id=job.page_id, reason=job.reason, dpi=job.dpi, mode=job.mode,
        words=[(w[0], w[1], w[2], w[3], w[4], lines[i], int(i in stamps))
               for i, w in enumerate(words)],
        text=text, confidence=wordlike_share([w[4] for w in body]), redactions=list(analysis.redactions),
        withheld_in_full=analysis.withheld_in_full, redacted_share=analysis.redacted_share,
    )


def _kept_layer_words(layer: list[Word], job: Job) -> list[Word]:
    """Digital words that stay: all of them on a scan (its Bates stamp), only the Bates line
    when the text layer is garbage and OCR replaces it."""
    if job.reason != "garbage":
        return layer
    if not job.bates:
        return []
    lines: dict[tuple[int, int], list[Word]] = {}
    for w in layer:
        lines.setdefault((w[5], w[6]), []).append(w)
    out: list[Word] = []
    for members in lines.values():
        if job.bates in " ".join(w[4] for w in members):
            out.extend(members)
    return out


def _overlap(a: Word, b: Word) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = max(1e-6, (a[2] - a[0]) * (a[3] - a[1]))
    return ix * iy / area


def _drop_repeats(ocr_words: list[Word], kept: list[Word]) -> list[Word]:
    """OCR words that do not re-read a digital word (the Bates stamp is read twice otherwise)."""
    if not kept:
        return list(ocr_words)
    return [w for w in ocr_words if not any(_overlap(w, k) >= 0.4 for k in kept)]


def stamp_indices(words: list[Word], redactions: Sequence[Any]) -> set[int]:
    """OCR words that are stamp labels: read inside a redaction box (on a scan a box is burned
    in, so what is read inside it is its stamp), or a stamp beside a box on its line."""
    from app.redactions.stamps import canonical_codes, is_stamp_only

    boxes = [r.bbox for r in redactions if r.source not in ("full_page", "slip_sheet")]
    out: set[int] = set()
    for i, w in enumerate(words):
        cx, cy = (w[0] + w[2]) / 2, (w[1] + w[3]) / 2
        if any(b[0] - 1 <= cx <= b[2] + 1 and b[1] - 1 <= cy <= b[3] + 1 for b in boxes):
            out.add(i)
            continue
        if not is_stamp_only(w[4]):
            continue
        codes = set(canonical_codes(w[4])[0])
        for r in redactions:
            b = r.bbox
            if codes and codes <= set(r.exemptions) and abs(cy - (b[1] + b[3]) / 2) <= max(
                    (b[3] - b[1]) / 2, (w[3] - w[1]) / 2) + 2:
                out.add(i)
                break
    return out


def _line_numbers(words: list[Word]) -> list[int]:
    """A running line number per word (Tesseract's block and line, in reading order)."""
    out: list[int] = []
    key = None
    n = -1
    for w in words:
        k = (w[5], w[6])
        if k != key:
            n += 1
            key = k
        out.append(n)
    return out


def _group(words: list[Word]) -> list[tuple[float, str]]:
    lines: list[tuple[float, str]] = []
    key = None
    members: list[Word] = []
    for w in [*words, None]:
        k = None if w is None else (w[5], w[6])
        if (w is None or k != key) and members:
            lines.append((min(m[1] for m in members), " ".join(m[4] for m in members)))
            members = []
        if w is not None:
            members.append(w)
            key = k
    return lines


def merge_text(kept: list[Word], ocr_words: list[Word]) -> str:
    """Page text: OCR lines in Tesseract's reading order, with each digital line (the Bates
    stamp) put before the first OCR line that starts below it."""
    ocr_lines = _group(ocr_words)
    out: list[str] = []
    pending = sorted(_group(kept))
    for top, text in ocr_lines:
        while pending and pending[0][0] < top:
            out.append(pending.pop(0)[1])
        out.append(text)
    out.extend(t for _, t in pending)
    return "\n".join(s for s in out if s.strip())
