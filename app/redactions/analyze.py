"""Redaction analysis of one page: the entry point the ingest pipeline calls once per page.

:func:`analyze_page` finds every redaction box (vector fills, annotations, image XObjects, and on
image-only pages dark rectangles in the rendered page), reads the exemption stamp of each
(inside the box, beside it, or in the margin on the same line), decides whether text is still
live under it (a bad redaction), spots pages withheld in full (slip sheets, a page-sized box)
and measures how much of the page is redacted.

Hidden text never leaves this package except through :func:`reveal_hidden_text`.
"""

from __future__ import annotations

import bisect
import contextlib
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import pymupdf

from . import bad as _bad
from . import labels as _labels
from .boxes import (
    Box,
    annotation_boxes,
    frame_boxes,
    gray_boxes,
    image_boxes,
    outlined_boxes,
    raster_boxes,
    render_gray,
    vector_boxes,
)
from .stamps import canonical_codes, is_pure_stamp, is_stamp_only, slip_sheet_codes

__all__ = [
    "PageAnalysis",
    "Redaction",
    "Word",
    "analyze_page",
    "is_image_only",
    "reveal_hidden_text",
]

# (x0, y0, x1, y1, text, block_no, line_no, word_no) as from page.get_text("words")
Word = tuple[float, float, float, float, str, int, int, int]
Rect = tuple[float, float, float, float]

FULL_PAGE_SHARE = 0.8  # one box covering this share of the page withholds it in full
SLIP_SHEET_MAX_WORDS = 120


@dataclass(frozen=True)
class Redaction:
    """One redaction on a page."""

    bbox: tuple[float, float, float, float]
    source: str  # "vector" | "annotation" | "image" | "raster" | "slip_sheet" | "full_page"
    label: str  # raw stamp text as read ("" if none)
    exemptions: tuple[str, ...]
    statute: str
    bad: bool
    hidden_chars: int
    withheld_in_full: bool
    #: where the code was found: "inside", "margin", "beside", "legend"; "illegible" when
    #: the box has a label whose code could not be read; "" when there is no label at all
    label_place: str = ""


@dataclass(frozen=True)
class PageAnalysis:
    """All redactions of a page and what they mean for its text."""

    redactions: tuple[Redaction, ...]
    hidden_words: frozenset[int]
    stamp_words: frozenset[int]
    withheld_in_full: bool
    redacted_share: float


EMPTY = PageAnalysis((), frozenset(), frozenset(), False, 0.0)


@lru_cache(maxsize=4096)
def _codes(text: str) -> tuple[tuple[str, ...], str]:
    codes, statute = canonical_codes(text)
    return tuple(codes), statute


@lru_cache(maxsize=4096)
def _pure(text: str) -> bool:
    return is_pure_stamp(text)


@lru_cache(maxsize=4096)
def _stamp_only(text: str) -> bool:
    return is_stamp_only(text)


def _area(r: Rect) -> float:
    return max(0.0, r[2] - r[0]) * max(0.0, r[3] - r[1])


def _inter(a: Rect, b: Rect) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def _center_in(w: Rect, box: Rect, pad: float = 0.5) -> bool:
    cx, cy = (w[0] + w[2]) / 2, (w[1] + w[3]) / 2
    return box[0] - pad <= cx <= box[2] + pad and box[1] - pad <= cy <= box[3] + pad


class _GridIndex:
    """Small rectangles bucketed by their centre in a coarse grid, to find those near a box."""

    def __init__(self, rects: list[Rect], cell: float = 48.0) -> None:
        self.rects = rects
        self.cell = cell
        self.grid: dict[tuple[int, int], list[int]] = {}
        self.hw = self.hh = 0.0
        for i, (x0, y0, x1, y1) in enumerate(rects):
            self.hw = max(self.hw, (x1 - x0) / 2)
            self.hh = max(self.hh, (y1 - y0) / 2)
            key = (int((x0 + x1) / 2 // cell), int((y0 + y1) / 2 // cell))
            self.grid.setdefault(key, []).append(i)

    def query(self, r: Rect) -> list[int]:
        """Indices of rectangles that intersect ``r`` (sorted)."""
        c = self.cell
        gx0, gx1 = int((r[0] - self.hw) // c), int((r[2] + self.hw) // c)
        gy0, gy1 = int((r[1] - self.hh) // c), int((r[3] + self.hh) // c)
        found: list[int] = []
        grid = self.grid
        if (gx1 - gx0 + 1) * (gy1 - gy0 + 1) > len(grid):
            keys = [k for k in grid if gx0 <= k[0] <= gx1 and gy0 <= k[1] <= gy1]
        else:
            keys = [(gx, gy) for gx in range(gx0, gx1 + 1) for gy in range(gy0, gy1 + 1)]
        for key in keys:
            found.extend(grid.get(key, ()))
        rects = self.rects
        return sorted(i for i in found if rects[i][2] >= r[0] and rects[i][0] <= r[2]
                      and rects[i][3] >= r[1] and rects[i][1] <= r[3])


def is_image_only(page: pymupdf.Page, words: list[Word] | None = None) -> bool:
    """True for a scanned or TIFF page: an image covers most of it and it has (almost) no text.

    A digital Bates stamp or a few stray words on top of a scan do not count as text.
    """
    try:
        if words is None:
            words = page.get_text("words")
        if sum(len(w[4]) for w in words) > 60:
            return False
        area = max(1.0, page.rect.width * page.rect.height)
        return any(_area(tuple(i["bbox"])) >= 0.5 * area for i in page.get_image_info())
    except Exception:
        return False


def _dedupe(boxes: list[Box]) -> list[Box]:
    """Drop boxes that repeat another (a fill and its twin, a raster copy of a vector box)."""
    order = sorted(range(len(boxes)), key=lambda i: (boxes[i].source == "raster", -boxes[i].seqno))
    kept: list[Box] = []
    grid: dict[tuple[int, int], list[int]] = {}
    cell = 64.0
    for i in order:
        b = boxes[i]
        x0, y0, x1, y1 = b.rect
        keys = [(gx, gy) for gx in range(int(x0 // cell), int(x1 // cell) + 1)
                for gy in range(int(y0 // cell), int(y1 // cell) + 1)]
        if len(keys) > 400:  # a huge box: compare with everything
            near = set(range(len(kept)))
        else:
            near = {j for key in keys for j in grid.get(key, ())}
        dup = False
        for j in near:
            k = kept[j]
            inter = _inter(b.rect, k.rect)
            if inter <= 0:
                continue
            small, large = min(b.area, k.area), max(b.area, k.area)
            if inter >= 0.85 * large or (inter >= 0.9 * small and small >= 0.7 * large) or (
                    b.source == "raster" and inter >= 0.5 * small):
                dup = True
                break
        if not dup:
            kept.append(b)
            if len(keys) <= 400:
                for key in keys:
                    grid.setdefault(key, []).append(len(kept) - 1)
            else:
                for key in list(grid):
                    grid[key].append(len(kept) - 1)
    return kept


@dataclass
class _Found:
    box: Box
    label: str
    codes: tuple[str, ...]
    statute: str
    bad: bool
    hidden_chars: int
    stamp_idx: list[int]
    hidden_idx: list[int]
    place: str = ""
    tentative: bool = False


def _stamp_runs(words: list[Word], skip: set[int] | None = None) -> list[_labels.Run]:
    """The stamps among ``words`` outside the boxes (see :func:`labels.stamp_runs`)."""
    return _labels.stamp_runs(words, skip or set(), _stamp_only, _pure)


def _slip_label(words: list[Word]) -> str:
    """The lines of a slip sheet that say it is withheld or name exemptions."""
    lines: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        lines.setdefault((w[5], w[6]), []).append(w)
    keep = []
    for key in sorted(lines, key=lambda k: (min(w[1] for w in lines[k]), k)):
        text = " ".join(w[4] for w in sorted(lines[key], key=lambda w: w[7]))
        if slip_sheet_codes(text)[0] or _codes(text)[0]:
            keep.append(text)
    return " ".join(keep)[:500]


def analyze_page(page: pymupdf.Page, words: list[Word] | None = None, *,
                 image_only: bool = False, ocr_words: list[Word] | None = None) -> PageAnalysis:
    """Every redaction on ``page``; see :class:`PageAnalysis`.

    ``words`` defaults to ``page.get_text("words")``. ``image_only=True`` adds detection of
    dark rectangles in the rendered page (scans, TIFF pages). ``ocr_words`` (same tuple shape,
    page coordinates) lets an OCR step supply stamp text that the page's text layer lacks;
    they are used to read labels only and are not indexed in ``hidden_words``/``stamp_words``.
    Never raises on a broken page: what cannot be read gives an empty analysis.
    """
    try:
        if words is None:
            words = page.get_text("words")
        return _analyze(page, list(words), image_only, list(ocr_words or []))
    except Exception:
        return EMPTY


def _collect(page: pymupdf.Page, image_only: bool,
             ocr_words: list[Word] | None = None) -> list[Box]:
    boxes: list[Box] = []
    for finder in (vector_boxes, annotation_boxes, image_boxes):
        with contextlib.suppress(Exception):
            boxes.extend(finder(page))
    if image_only:
        with contextlib.suppress(Exception):
            gray, zoom = render_gray(page)
            boxes.extend(raster_boxes(page, gray, zoom))
            if ocr_words:  # gray and outlined boxes count only with a code read by OCR
                boxes.extend(gray_boxes(page, gray, zoom))
                boxes.extend(frame_boxes(page, gray, zoom))
            if ocr_words:
                stamps = [run.rect for run in _stamp_runs(ocr_words)]
                stamps = [r for r in stamps
                          if not any(_inter(r, b.rect) > 0.5 * _area(r) for b in boxes)]
                boxes.extend(outlined_boxes(page, stamps, gray, zoom))
    return _dedupe(boxes)


class _Page:
    """The words of one page being analysed, indexed for box lookups; the character trace
    (for bad-redaction checks) is loaded on first need."""

    def __init__(self, page: pymupdf.Page, words: list[Word], ocr_words: list[Word]) -> None:
        self.page = page
        # Unrotated, like every other box: words, drawings and stored bboxes use these.
        self.rect: Rect = tuple(page.rect * page.derotation_matrix)
        self.area = max(1.0, _area(self.rect))
        self.words = words + ocr_words  # indices >= n_words are OCR words
        self.n_words = len(words)
        self.wrects: list[Rect] = [(w[0], w[1], w[2], w[3]) for w in self.words]
        self.windex = _GridIndex(self.wrects)
        self._trace: list[_bad.TraceChar] | None = None
        self._tindex: _GridIndex | None = None

    def trace(self) -> tuple[list[_bad.TraceChar], _GridIndex]:
        """The page's characters with their render order, and a grid index over them."""
        if self._trace is None:
            self._trace = _bad.load_trace(self.page)
            self._tindex = _GridIndex([c.bbox for c in self._trace])
        assert self._tindex is not None
        return self._trace, self._tindex

    def text(self, idx: list[int]) -> str:
        return " ".join(self.words[i][4] for i in idx)


@dataclass
class _Split:
    """The words inside one box, told apart: stamp text on top, text hidden under it."""

    stamp_idx: list[int]
    hidden_idx: list[int]
    bad: bool = False
    hidden_chars: int = 0
    bad_before: bool = False
    visible_other: bool = False  # text on top of the box that is not a stamp


def _slip_sheet(pg: _Page) -> PageAnalysis | None:
    """The page as a slip sheet ("withheld in full pursuant to ..."), or None."""
    if not pg.words or len(pg.words) > SLIP_SHEET_MAX_WORDS:
        return None
    is_slip, codes, statute = slip_sheet_codes(pg.text(list(range(len(pg.words)))))
    if not is_slip:
        return None
    rec = Redaction(pg.rect, "slip_sheet", _slip_label(pg.words), tuple(codes), statute,
                    False, 0, True)
    return PageAnalysis((rec,), frozenset(), frozenset(range(pg.n_words)), True, 1.0)


def _split_words(pg: _Page, box: Box, cand: list[int]) -> _Split:
    """Which of the words in ``box`` are drawn on top of it and which lie hidden under it."""
    trace, tindex = pg.trace()
    bt = _bad.classify(box, trace, tindex.query(box.rect))
    is_bad, n_hidden, bad_before = _bad.is_bad(trace, bt)
    pts = sorted(
        ((trace[j].bbox[0] + trace[j].bbox[2]) / 2, (trace[j].bbox[1] + trace[j].bbox[3]) / 2,
         trace[j].ch, kind)
        for kind, group in ((0, bt.hidden), (1, bt.on_top)) for j in group)
    xs = [p[0] for p in pts]
    split = _Split([], [], is_bad, n_hidden, bad_before)
    for i in cand:
        if i >= pg.n_words:
            split.stamp_idx.append(i)
            continue
        wx0, wy0, wx1, wy1 = pg.wrects[i]
        wt = pg.words[i][4]
        hid_c: list[str] = []
        top_c: list[str] = []
        for k in range(bisect.bisect_left(xs, wx0), bisect.bisect_right(xs, wx1)):
            _, cy, ch, kind = pts[k]
            if wy0 <= cy <= wy1:
                (top_c if kind else hid_c).append(ch)
        hid, top = "".join(hid_c), "".join(top_c)
        if wt in top and (wt not in hid or _stamp_only(wt)):
            split.stamp_idx.append(i)
        elif hid:
            split.hidden_idx.append(i)
        else:
            split.stamp_idx.append(i)
    top_txt = "".join(trace[i].ch for i in bt.on_top)
    top_clean = "".join(ch for ch in top_txt if not ch.isspace())
    if len(top_clean) >= 2 and not _stamp_only(pg.text(split.stamp_idx)):
        split.visible_other = True
    return split


def _read_box(pg: _Page, box: Box) -> _Found | None:
    """``box`` with its label and hidden text, or None when it is not a redaction."""
    r = box.rect
    cand = [i for i in pg.windex.query(r) if _center_in(pg.wrects[i], r)
            or (i < pg.n_words and _bad.covered(pg.wrects[i], r))]
    text_in = pg.text(cand)
    if cand and not (box.source == "raster" and all(i >= pg.n_words for i in cand)) and not (
            _stamp_only(text_in)):
        split = _split_words(pg, box, cand)
    else:
        split = _Split(list(cand), [])
    label = box.label or pg.text(split.stamp_idx)
    codes, statute = _codes(label) if label else ((), "")
    if codes and box.source == "raster" and not _pure(label):
        # OCR read part of a scanned label as codes and the rest as noise: the part
        # may be a misread ("b6, bIC" is not (b)(6) alone); not legible, never a guess
        codes, statute = (), ""
    if split.visible_other and not codes and box.source in ("vector", "image") and (
            not split.bad_before or box.kind != "dark"):
        # a filled header, a coloured cell or a callout with its own text on top (x-ray's
        # no_bad_redactions.5.5 is such a case: flagging it would be a false alarm)
        return None
    if box.kind == "white" and not split.bad and not box.bordered:
        return None
    if split.visible_other and not codes:
        split.stamp_idx = []
    # a gray or outlined box with nothing inside is a redaction only if a stamp beside it,
    # in its margin or in the page's legend says so (decided by the caller)
    tentative = box.kind != "dark" and not split.bad and not codes
    if tentative and cand:
        return None
    return _Found(box, label if codes or not split.visible_other else "", codes, statute,
                  split.bad, split.hidden_chars, split.stamp_idx, split.hidden_idx,
                  tentative=tentative)


def _full_page(pg: _Page, found: list[_Found], hidden_words: frozenset[int],
               stamp_words: frozenset[int]) -> PageAnalysis | None:
    """The page as withheld in full under one page-sized box, or None."""
    full = [f for f in found if _inter(f.box.rect, pg.rect) >= FULL_PAGE_SHARE * pg.area]
    if not full:
        return None
    f = max(full, key=lambda f: f.box.area)
    codes, statute = f.codes, f.statute
    label = f.label
    if not codes:  # the stamp may be anywhere on the covered page
        text = pg.text([i for i in range(len(pg.words)) if i not in hidden_words])
        c2, s2 = _codes(text)
        if c2:
            codes, statute, label = c2, s2, text[:500]
    bad_any = any(x.bad for x in found)
    hidden_n = sum(x.hidden_chars for x in found if x.bad)
    place = f.place if f.codes else ("legend" if codes else "")
    rec = Redaction(pg.rect, "full_page", label, codes, statute, bad_any, hidden_n, True, place)
    return PageAnalysis((rec,), hidden_words, stamp_words, True, 1.0)


def _redacted_share(pg: _Page, found: list[_Found], skip: set[int]) -> float:
    """The redacted share of the page's content: box area over box plus visible text area."""
    red_area = sum(_area(f.box.rect) for f in found)
    for f in found:
        if f.bad:
            r = f.box.rect
            skip.update(i for i in pg.windex.query(r)
                        if i < pg.n_words and _center_in(pg.wrects[i], r, 0))
    text_area = sum(_area(pg.wrects[i]) for i in range(pg.n_words) if i not in skip)
    total = red_area + text_area
    return min(1.0, red_area / total) if total > 0 else 0.0


def _analyze(page: pymupdf.Page, words: list[Word], image_only: bool,
             ocr_words: list[Word]) -> PageAnalysis:
    pg = _Page(page, words, ocr_words)
    slip = _slip_sheet(pg)
    if slip is not None:
        return slip
    boxes = _collect(page, image_only, ocr_words)
    if not boxes:
        return PageAnalysis((), frozenset(), frozenset(), False, 0.0)
    found = [f for f in (_read_box(pg, box) for box in boxes) if f is not None]

    # stamps beside the box, above or below it, in the margin, or in a legend
    for f in found:
        if f.codes:
            f.place = "inside"
    if any(not f.codes for f in found):
        _outside_labels(found, pg.words, pg.n_words)
        found = [f for f in found if f.codes or not f.tentative]
    for f in found:  # a label on a scan was there but no code could be read from it
        if not f.codes and f.label and f.box.source == "raster":
            f.place = "illegible"

    stamp_words = frozenset(i for f in found for i in f.stamp_idx if i < pg.n_words)
    hidden_words = frozenset(i for f in found if f.bad for i in f.hidden_idx
                             if i < pg.n_words)
    full = _full_page(pg, found, hidden_words, stamp_words)
    if full is not None:
        return full
    found.sort(key=lambda f: (round(f.box.rect[1], 1), f.box.rect[0]))
    recs = tuple(
        Redaction(cast(Rect, tuple(round(v, 2) for v in f.box.rect)), f.box.source, f.label,
                  f.codes, f.statute, f.bad, f.hidden_chars if f.bad else 0, False, f.place)
        for f in found
    )
    share = _redacted_share(pg, found, set(stamp_words) | set(hidden_words))
    return PageAnalysis(recs, hidden_words, stamp_words, False, share)


def _neutral(box: Box) -> bool:
    """A gray fill (not a coloured highlight or cell)."""
    if box.fill is None:
        return False
    fill = box.fill if len(box.fill) == 3 else (box.fill[0],) * 3
    return max(fill) - min(fill) < 0.06


def _outside_labels(found: list[_Found], label_words: list[Word], n_words: int) -> None:
    """Codes for the boxes that have none inside: a stamp beside, above or below the box or in
    the margin of its line (:func:`labels.assign`), else a page legend when no box has a code
    of its own."""
    inside: set[int] = set()
    for f in found:
        inside.update(f.stamp_idx)
        inside.update(f.hidden_idx)
    runs = _stamp_runs(label_words, inside)
    targets = [_labels.Target(f.box.rect) for f in found if not f.codes]
    todo = [f for f in found if not f.codes]
    if runs:
        in_runs = {i for run in runs for i in run.idx}
        col = _labels.column(label_words, inside | in_runs)
        coded = [f.box.rect for f in found if f.codes]
        # words in the left margin that are not codes nor line numbers: a label not legible
        ink = [cast(Rect, tuple(label_words[i][:4])) for i in range(n_words, len(label_words))
               if i not in inside and i not in in_runs and label_words[i][2] <= col[0] + 2
               and not label_words[i][4].rstrip(".,").isdigit()]
        _labels.assign(targets, coded, runs, col, _codes, ink)
        for f, t in zip(todo, targets, strict=True):
            if t.codes:
                f.label, f.codes, f.place = t.label, t.codes, t.place
                f.statute = _codes(t.label)[1]
                f.stamp_idx = list(f.stamp_idx) + list(t.stamp_idx)
    if any(f.codes for f in found):
        return
    text, _ = _labels.legend_text(label_words, inside, _codes)
    if not text:
        return
    codes, statute = _codes(text)
    for f in found:
        # a frame found in a scan may be a table cell: a legend does not make it a redaction
        if f.box.kind == "dark" or (f.box.bordered and f.box.source != "raster") or _neutral(
                f.box):
            f.label, f.codes, f.statute, f.place = text[:200], codes, statute, "legend"


def reveal_hidden_text(page: pymupdf.Page, bbox: tuple[float, float, float, float]) -> str:
    """The live text hidden under the redaction at ``bbox``: for a deliberate reveal only.

    Returns "" when nothing is hidden there (or the box is not a bad redaction).
    """
    try:
        boxes = _collect(page, False)
    except Exception:
        return ""
    target = None
    best = 0.0
    for b in boxes:
        inter = _inter(b.rect, bbox)
        if inter > best:
            best, target = inter, b
    if target is None:
        target = Box(cast(Rect, tuple(bbox)), "vector", (0.0, 0.0, 0.0), 1 << 29, "dark")
    trace = _bad.load_trace(page)
    bt = _bad.classify(target, trace)
    return _bad.hidden_text(trace, bt)
