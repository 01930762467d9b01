"""Finding redaction boxes on a page: vector fills, annotations, image XObjects, raster scans.

Every finder returns :class:`Box` candidates in unrotated page coordinates (as PyMuPDF's
``get_text("words")`` and ``get_drawings()`` report them). A candidate is not yet a redaction:
:mod:`app.redactions.analyze` keeps it only if it is dark, or carries a stamp, or hides text.
Shapes that are never redactions are dropped here: rules and underlines (too thin), curves and
diagonals (logos, hatching), frames (nested rectangles of one path), unfilled rectangles, page
backgrounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pymupdf

__all__ = [
    "Box",
    "annotation_boxes",
    "image_boxes",
    "outlined_boxes",
    "raster_boxes",
    "vector_boxes",
]

Rect = tuple[float, float, float, float]

#: seqno given to annotations: they are drawn after all page content.
ANNOT_SEQNO = 1 << 30

MIN_SIDE = 4.0  # pt: anything thinner is a rule, an underline or a border
DARK = 0.35  # a fill whose brightest channel is below this hides black text


@dataclass
class Box:
    """A candidate redaction box."""

    rect: Rect
    source: str  # "vector" | "annotation" | "image" | "raster"
    fill: tuple[float, float, float] | None  # None when unknown (raster, image)
    seqno: int  # drawing order; ANNOT_SEQNO for annotations
    kind: str  # "dark" | "color" | "white"
    bordered: bool = False  # a dark border around it (white box with a dark frame)
    label: str = ""  # stamp text carried by the box itself (Redact annotation OverlayText)

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.rect
        return max(0.0, x1 - x0) * max(0.0, y1 - y0)


def _kind(fill: tuple[float, ...] | None) -> str:
    if not fill:
        return "white"
    if len(fill) == 1:
        fill = (fill[0],) * 3
    if len(fill) == 4:  # CMYK
        c, m, y, k = fill
        fill = tuple((1 - min(1.0, v + k)) for v in (c, m, y))
    if max(fill) < DARK:
        return "dark"
    if min(fill) > 0.92:
        return "white"
    return "color"


def _rgb(fill: tuple[float, ...] | None) -> tuple[float, float, float] | None:
    if fill is None:
        return None
    if len(fill) == 1:
        return (fill[0],) * 3
    if len(fill) == 4:
        c, m, y, k = fill
        return tuple(1 - min(1.0, v + k) for v in (c, m, y))  # type: ignore[return-value]
    return (fill[0], fill[1], fill[2])


def _intersect(a: Rect, b: Rect) -> Rect:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _contains(outer: Rect, inner: Rect, tol: float = 0.5) -> bool:
    return (outer[0] - tol <= inner[0] and outer[1] - tol <= inner[1]
            and outer[2] + tol >= inner[2] and outer[3] + tol >= inner[3])


def _path_rects(items: list[tuple[Any, ...]]) -> list[Rect] | None:
    """The rectangles a filled path consists of, or None if it is not made of rectangles."""
    rects: list[Rect] = []
    lines: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for it in items:
        op = it[0]
        if op == "re":
            r = it[1]
            rects.append((min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])))
        elif op == "qu":
            q = pymupdf.Quad(it[1])
            if not q.is_rectangular:
                return None
            r = q.rect
            if abs(q.ul.y - q.ur.y) > 0.5 and abs(q.ul.x - q.ll.x) > 0.5:
                return None  # rotated rectangle: not an axis-aligned box
            rects.append((r.x0, r.y0, r.x1, r.y1))
        elif op == "l":
            p, q = it[1], it[2]
            if abs(p[0] - q[0]) > 0.5 and abs(p[1] - q[1]) > 0.5:
                return None  # a diagonal: hatching, a logo, a glyph
            lines.append((p, q))
        else:
            return None  # curves: not a rectangle
    if lines:
        if len(lines) > 5 or rects:
            return None
        xs = [v[0] for ln in lines for v in ln]
        ys = [v[1] for ln in lines for v in ln]
        box = (min(xs), min(ys), max(xs), max(ys))
        for p, q in lines:  # every edge must lie on the bounding rectangle
            for x, y in (p, q):
                on_x = abs(x - box[0]) < 0.6 or abs(x - box[2]) < 0.6
                on_y = abs(y - box[1]) < 0.6 or abs(y - box[3]) < 0.6
                if not (on_x or on_y):
                    return None
        if len(lines) < 2:
            return None
        rects.append(box)
    if len(rects) > 1:  # nested rectangles in one path make a frame, not a filled box
        keep = []
        for i, r in enumerate(rects):
            nested = any(i != j and (_contains(r, s) or _contains(s, r)) for j, s in enumerate(rects))
            if not nested:
                keep.append(r)
        rects = keep
    return rects


def vector_boxes(page: pymupdf.Page) -> list[Box]:
    """Filled rectangles from the page's content stream (clipped to their clip paths)."""
    out: list[Box] = []
    strokes: list[tuple[Rect, tuple[float, float, float]]] = []
    clips: dict[int, Rect] = {}
    groups: dict[int, bool] = {}  # level -> the group does not paint opaquely (blend, alpha)
    page_rect = tuple(page.rect * page.derotation_matrix)  # drawings are unrotated
    page_area = max(1.0, page.rect.width * page.rect.height)
    for p in page.get_cdrawings(extended=True):
        level = p.get("level", 0)
        for lv in [k for k in clips if k >= level]:
            del clips[lv]
        for lv in [k for k in groups if k >= level]:
            del groups[lv]
        ptype = p.get("type")
        if ptype == "clip":
            sc = p.get("scissor")
            if sc:
                clips[level] = tuple(sc)
            continue
        if ptype == "group":
            blend = (p.get("blendmode") or "Normal") not in ("Normal", "Compatible")
            alpha = (p.get("opacity") if p.get("opacity") is not None else 1.0) < 0.85
            groups[level] = blend or alpha
            continue
        if ptype is None:
            continue
        fill = p.get("fill")
        color = p.get("color")
        if "s" in ptype and color is not None and (p.get("stroke_opacity") or 1.0) > 0.8:
            rgb = _rgb(color)
            if rgb is not None and max(rgb) < 0.5:
                r = p.get("rect")
                if r is not None:
                    strokes.append((tuple(r), rgb))
        if "f" not in ptype or fill is None:
            continue
        opacity = p.get("fill_opacity")
        if opacity is not None and opacity < 0.85:
            continue
        rects = _path_rects(p.get("items") or [])
        if not rects:
            continue
        clip = page_rect
        for c in clips.values():
            clip = _intersect(clip, c)
        rgb = _rgb(fill)
        kind = _kind(fill)
        if kind != "dark" and any(groups.values()):
            continue  # a highlight multiplied over the text (or a translucent panel)
        bordered = (kind == "white" and "s" in ptype and color is not None
                    and max(_rgb(color) or (1.0,)) < 0.5)
        for r in rects:
            r = _intersect(r, clip)
            w, h = r[2] - r[0], r[3] - r[1]
            if w < MIN_SIDE or h < MIN_SIDE:
                continue
            if kind == "white" and w * h > 0.5 * page_area:
                continue  # page and panel backgrounds
            out.append(Box(r, "vector", rgb, int(p.get("seqno", 0)), kind, bordered))
    if strokes:  # a white box framed by a separate dark stroke path
        for b in out:
            if b.kind == "white" and not b.bordered:
                for r, _ in strokes:
                    if all(abs(a - c) < 2.0 for a, c in zip(r, b.rect, strict=True)):
                        b.bordered = True
                        break
    return out


def annotation_boxes(page: pymupdf.Page) -> list[Box]:
    """Redact, Square and dark Highlight annotations."""
    out: list[Box] = []
    annots = page.annots() if page.first_annot is not None else []
    for a in annots:
        t = a.type[0]
        r = a.rect
        if a.flags & pymupdf.PDF_ANNOT_IS_HIDDEN:
            continue
        if r.width < MIN_SIDE or r.height < MIN_SIDE:
            continue
        colors = a.colors or {}
        opacity = a.opacity if a.opacity is not None and a.opacity >= 0 else 1.0
        rect = (r.x0, r.y0, r.x1, r.y1)
        if t == pymupdf.PDF_ANNOT_REDACT:
            fill = colors.get("fill") or colors.get("stroke") or None
            label = ""
            try:
                kind_val = page.parent.xref_get_key(a.xref, "OverlayText")
                if kind_val[0] == "string":
                    label = kind_val[1]
            except Exception:
                label = ""
            rgb = _rgb(tuple(fill)) if fill else (0.0, 0.0, 0.0)
            out.append(Box(rect, "annotation", rgb, ANNOT_SEQNO, "dark", label=label))
        elif t == pymupdf.PDF_ANNOT_SQUARE:
            fill = colors.get("fill")
            if not fill or opacity < 0.85:
                continue
            rgb = _rgb(tuple(fill))
            out.append(Box(rect, "annotation", rgb, ANNOT_SEQNO, _kind(tuple(fill))))
        elif t == pymupdf.PDF_ANNOT_HIGHLIGHT:
            stroke = colors.get("stroke")
            if not stroke or opacity < 0.85:
                continue
            rgb = _rgb(tuple(stroke))
            if rgb is None or max(rgb) >= DARK:
                continue  # a yellow highlight multiplies: the text stays readable
            quads = a.vertices or []
            if len(quads) >= 4:
                for i in range(0, len(quads) - 3, 4):
                    q = pymupdf.Quad(quads[i: i + 4]).rect
                    if q.width >= MIN_SIDE and q.height >= MIN_SIDE:
                        out.append(Box((q.x0, q.y0, q.x1, q.y1), "annotation", rgb,
                                       ANNOT_SEQNO, "dark"))
            else:
                out.append(Box(rect, "annotation", rgb, ANNOT_SEQNO, "dark"))
    return out


def image_boxes(page: pymupdf.Page) -> list[Box]:
    """Images that look like boxes: uniform, not covering most of the page (scans are not)."""
    out: list[Box] = []
    infos = page.get_image_info()
    if not infos:
        return out
    page_area = max(1.0, page.rect.width * page.rect.height)
    log = None
    for info in infos:
        x0, y0, x1, y1 = info["bbox"]
        r = pymupdf.Rect(x0, y0, x1, y1) & page.cropbox
        if r.is_empty or r.width < MIN_SIDE or r.height < MIN_SIDE:
            continue
        if r.width * r.height > 0.5 * page_area:
            continue  # a scan or a background: not a box
        tf = info.get("transform")
        if tf and (abs(tf[1]) > 1e-3 or abs(tf[2]) > 1e-3) and (abs(tf[0]) > 1e-3):
            continue  # rotated/skewed image
        # Judge by how it looks: render just that area, small.
        zoom = min(2.0, 48.0 / max(r.width, r.height, 1.0))
        try:
            pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom).prerotate(0),
                                  clip=r * page.rotation_matrix, colorspace=pymupdf.csGRAY,
                                  alpha=False)
        except Exception:
            continue
        a = np.frombuffer(pix.samples, dtype=np.uint8)
        if a.size == 0:
            continue
        dark = float((a < 90).mean())
        med = float(np.median(a))
        uniform = float((np.abs(a.astype(np.int16) - med) < 24).mean())
        if dark >= 0.8:
            kind = "dark"
        elif uniform >= 0.9 and med < 235:
            kind = "color"
        elif uniform >= 0.97:
            kind = "white"
        else:
            continue
        if log is None:
            log = page.get_bboxlog()
        seq = _find_seq(log, "fill-image", (r.x0, r.y0, r.x1, r.y1))
        v = med / 255.0
        out.append(Box((r.x0, r.y0, r.x1, r.y1), "image", (v, v, v), seq, kind))
    return out


def _find_seq(log: list[tuple[str, Rect]], kind: str, rect: Rect) -> int:
    best, best_d = 0, 1e9
    for i, (k, bb) in enumerate(log):
        if not k.endswith("image"):
            continue
        d = sum(abs(a - b) for a, b in zip(bb, rect, strict=False))
        if d < best_d:
            best, best_d = i, d
    return best


# ----------------------------------------------------------------------------- raster

RASTER_DPI = 72.0
RASTER_MAX_PIXELS = 2_000_000
RASTER_MIN_W = 8.0  # pt
RASTER_MIN_H = 6.0  # pt
RASTER_MIN_AREA = 90.0  # pt^2


def _open(mask: np.ndarray, k: int) -> np.ndarray:
    """Morphological opening with a k x k square: keeps only areas k pixels thick.

    Separable boolean shifts: an erosion anchored at the top-left, then the matching dilation.
    """
    m = mask.astype(bool)
    core = m.copy()
    for i in range(1, k):  # erode along x
        core[:, :-i] &= m[:, i:]
        core[:, -i:] = False
    er = core.copy()
    for i in range(1, k):  # erode along y
        er[:-i, :] &= core[i:, :]
        er[-i:, :] = False
    out = er.copy()
    for i in range(1, k):  # dilate back along x
        out[:, i:] |= er[:, :-i]
    res = out.copy()
    for i in range(1, k):  # and along y
        res[i:, :] |= out[:-i, :]
    return res


def _components(mask: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """Bounding boxes (x0, y0, x1, y1, pixels) of 4-connected components, by row runs."""
    h, w = mask.shape
    m = np.zeros((h, w + 2), dtype=np.int8)
    m[:, 1:-1] = mask
    d = np.diff(m, axis=1)
    rows_s, cols_s = np.nonzero(d == 1)
    rows_e, cols_e = np.nonzero(d == -1)
    n = len(rows_s)
    if n == 0:
        return []
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rs = rows_s.tolist()
    cs = cols_s.tolist()
    ce = cols_e.tolist()
    # Runs are ordered by row, then column. Link runs of consecutive rows that overlap.
    start_of_row: dict[int, int] = {}
    for i, r in enumerate(rs):
        start_of_row.setdefault(r, i)
    prev_row_start = prev_row_end = 0
    prev_r = -2
    i = 0
    while i < n:
        r = rs[i]
        j = i
        while j < n and rs[j] == r:
            j += 1
        if prev_r == r - 1:
            a = prev_row_start
            for k in range(i, j):
                while a < prev_row_end and ce[a] <= cs[k]:
                    a += 1
                b = a
                while b < prev_row_end and cs[b] < ce[k]:
                    ra, rb = find(b), find(k)
                    if ra != rb:
                        parent[rb] = ra
                    b += 1
        prev_row_start, prev_row_end, prev_r = i, j, r
        i = j
    boxes: dict[int, list[int]] = {}
    for k in range(n):
        root = find(k)
        acc = boxes.get(root)
        if acc is None:
            boxes[root] = [cs[k], rs[k], ce[k], rs[k] + 1, ce[k] - cs[k]]
        else:
            acc[0] = min(acc[0], cs[k])
            acc[1] = min(acc[1], rs[k])
            acc[2] = max(acc[2], ce[k])
            acc[3] = max(acc[3], rs[k] + 1)
            acc[4] += ce[k] - cs[k]
    return [tuple(b) for b in boxes.values()]  # type: ignore[misc]


def _unit(page: pymupdf.Page) -> float:
    """Points per 'paper point': 1 on letter, legal and A4 pages; more on posters and plans,
    whose text and boxes are drawn proportionally larger."""
    return max(1.0, float(max(page.rect.width, page.rect.height)) / 1008.0)


def render_gray(page: pymupdf.Page, dpi: float = RASTER_DPI) -> tuple[np.ndarray, float]:
    """The page rendered in gray at about ``dpi`` (capped in pixels); returns (array, zoom)."""
    w, h = page.rect.width, page.rect.height
    zoom = dpi / 72.0 / _unit(page)
    if w * h * zoom * zoom > RASTER_MAX_PIXELS:
        zoom = (RASTER_MAX_PIXELS / max(1.0, w * h)) ** 0.5
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY,
                          alpha=False, annots=False)
    a = np.frombuffer(pix.samples, dtype=np.uint8)
    a = a.reshape(pix.height, pix.stride)[:, : pix.width]
    return a, zoom


def _joinable(a: list[int], b: list[int], dark: np.ndarray) -> bool:
    """Two pieces of one box on a row band, cut apart by the white stamp inside it."""
    top, bot = max(a[1], b[1]), min(a[3], b[3])
    if bot - top < 0.7 * min(a[3] - a[1], b[3] - b[1]):
        return False
    left, right = (a, b) if a[0] <= b[0] else (b, a)
    gap = right[0] - left[2]
    if gap > max(a[3] - a[1], b[3] - b[1]) * 3:
        return False
    if gap > 0:
        region = dark[top:bot, left[2]: right[0]]
        if region.size and region.mean() < 0.35:
            return False
        # the band above and below the gap must be dark: the box's own edges
        edge = np.concatenate([dark[top, left[2]: right[0]], dark[bot - 1, left[2]: right[0]]])
        if edge.size and edge.mean() < 0.8:
            return False
    return True


def column_spans(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each column of ``mask``: whether it holds any True, its first True row, and the
    row after its last (0 and 0 for an empty column)."""
    # numpy types any() as a scalar or an array; along an axis of a 2-D mask it is an array
    has = cast("np.ndarray", mask.any(axis=0))
    top: np.ndarray = mask.argmax(axis=0)
    bottom = np.where(has, mask.shape[0] - mask[::-1].argmax(axis=0), 0)
    return has, top, bottom


def _fill(region: np.ndarray, solid: np.ndarray) -> float:
    """Dark share of a candidate box, between its top and bottom edge in each column (from
    ``solid``, the opened mask): a long box on a skewed scan slopes across its bounding
    rectangle, and the page's white in the corners that leaves is not a lighter box."""
    has, top, bottom = column_spans(solid)
    if not has.any():
        return float(region.mean())
    rows = np.arange(region.shape[0])[:, None]
    inside = (rows >= top) & (rows < bottom) & has
    return float(region[inside].mean())


def raster_boxes(page: pymupdf.Page, gray: np.ndarray | None = None,
                 zoom: float | None = None) -> list[Box]:
    """Dark filled rectangles in the rendered page (scans, TIFF pages)."""
    if gray is None or zoom is None:
        gray, zoom = render_gray(page)
    h, w = gray.shape
    if h < 8 or w < 8:
        return []
    unit = _unit(page)
    upx = zoom * unit  # pixels per paper point
    dark = gray < 110
    k = max(3, int(round(3.0 * upx)))  # about 3 pt: thicker than any text stroke
    opened = _open(dark, k)
    comps = _components(opened)
    if not comps:
        return []
    min_px = MIN_SIDE * upx
    cands = []
    for x0, y0, x1, y1, n in comps:
        bw, bh = x1 - x0, y1 - y0
        if bw < min_px + 1 or bh < min_px + 1:
            continue
        if n < 0.6 * bw * bh:
            continue  # a blob, a letter of a logo: not a filled rectangle
        cands.append([x0, y0, x1, y1])
    # A white stamp inside a box can cut it in pieces: join pieces of one row band
    # when the gap between them is mostly dark too.
    changed = True
    while changed:
        changed = False
        cands.sort(key=lambda b: (b[1], b[0]))
        n = len(cands)
        used = [False] * n
        kept = []
        for i in range(n):
            if used[i]:
                continue
            a = cands[i]
            j = i + 1
            while j < n and cands[j][1] < a[3]:  # sorted by top: later ones start lower
                if not used[j] and _joinable(a, cands[j], dark):
                    b = cands[j]
                    a = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    used[j] = True
                    changed = True
                j += 1
            kept.append(a)
        cands = kept
    out: list[Box] = []
    inv = pymupdf.Matrix(1 / zoom, 1 / zoom) * page.derotation_matrix
    for x0, y0, x1, y1 in cands:
        bw, bh = (x1 - x0), (y1 - y0)
        if bw < RASTER_MIN_W * upx or bh < RASTER_MIN_H * upx or (
                bw * bh < RASTER_MIN_AREA * upx * upx):
            continue  # too small to have hidden a word: a blot, a bullet, part of a logo
        if _fill(dark[y0:y1, x0:x1], opened[y0:y1, x0:x1]) < 0.75:
            continue
        if bw >= 0.95 * w and bh * bw < 0.8 * w * h:
            continue  # a stripe from edge to edge: cover art or a banner, not a redaction
        sides = [gray[max(0, y0 - 2), x0:x1], gray[min(h - 1, y1 + 1), x0:x1],
                 gray[y0:y1, max(0, x0 - 2)], gray[y0:y1, min(w - 1, x1 + 1)]]
        light = sum(1 for side in sides if side.size and (side > 150).mean() >= 0.6)
        if light < 2 and not (bw * bh >= 0.8 * w * h):
            continue  # dark on dark (a photo, a shaded panel): not a box on paper
        r = pymupdf.Rect(x0, y0, x1, y1) * inv
        out.append(Box((r.x0, r.y0, r.x1, r.y1), "raster", None, 0, "dark"))
    return out


def _smooth(gray: np.ndarray, k: int) -> np.ndarray:
    """Mean of each k x k neighbourhood (a dithered gray fill becomes an even tone)."""
    a = np.pad(gray.astype(np.float32), ((k // 2, k - 1 - k // 2), (k // 2, k - 1 - k // 2)),
               mode="edge")
    c = np.cumsum(np.cumsum(a, axis=0), axis=1)
    c = np.pad(c, ((1, 0), (1, 0)))
    h, w = gray.shape
    return (c[k:k + h, k:k + w] - c[:h, k:k + w] - c[k:k + h, :w] + c[:h, :w]) / (k * k)


GRAY_TONES = (115.0, 215.0)  # an even mid tone, 0-255: a gray fill, solid or dithered


def gray_boxes(page: pymupdf.Page, gray: np.ndarray | None = None,
               zoom: float | None = None) -> list[Box]:
    """Gray filled rectangles in the rendered page (scans, TIFF pages): an even mid tone
    (dithered dots on a 1-bit page average to one), rectangular, on light paper. A label in
    the box (dark text on the gray) may cut it: pieces on one row band are joined. Returned
    as kind "color" with their tone: the analysis keeps one only where a code says it is a
    redaction."""
    if gray is None or zoom is None:
        gray, zoom = render_gray(page)
    h, w = gray.shape
    if h < 8 or w < 8:
        return []
    upx = zoom * _unit(page)
    smooth = _smooth(gray, max(2, int(round(1.5 * upx))))
    mid = (smooth >= GRAY_TONES[0]) & (smooth <= GRAY_TONES[1])
    k = max(3, int(round(3.0 * upx)))
    opened = _open(mid, k)
    inked = mid | (gray < 110)
    cands = [[x0, y0, x1, y1] for x0, y0, x1, y1, n in _components(opened)
             if n >= 0.6 * (x1 - x0) * (y1 - y0)]
    cands.sort(key=lambda b: (b[1], b[0]))
    joined: list[list[int]] = []
    for b in cands:
        if joined and _joinable(joined[-1], b, inked):
            a = joined[-1]
            joined[-1] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
        else:
            joined.append(b)
    out: list[Box] = []
    inv = pymupdf.Matrix(1 / zoom, 1 / zoom) * page.derotation_matrix
    min_h = RASTER_MIN_H * upx
    parts = sorted((part for b in joined for part in _split_rows(gray, b, k)
                    if part[3] - part[1] >= 0.6 * min_h and part[2] - part[0] >= 2 * upx),
                   key=lambda b: (b[1], b[0]))
    rows: list[list[int]] = []
    for b in parts:  # the pieces a label inside cut a row into, whole again
        near = next((r for r in reversed(rows[-12:]) if _joinable(r, b, inked)), None)
        if near is None:
            rows.append(b)
        else:
            near[:] = [min(near[0], b[0]), min(near[1], b[1]), max(near[2], b[2]),
                       max(near[3], b[3])]
    for x0, y0, x1, y1 in rows:
        bw, bh = x1 - x0, y1 - y0
        if bw < RASTER_MIN_W * upx or bh < RASTER_MIN_H * upx or (
                bw * bh < RASTER_MIN_AREA * upx * upx) or bw >= 0.95 * w:
            continue
        region = smooth[y0:y1, x0:x1]
        tone = region[mid[y0:y1, x0:x1]]
        if tone.size < 0.6 * bw * bh or float(tone.std()) > 18.0:
            continue  # not one even tone: text, a photo, a shaded drawing
        sides = [gray[max(0, y0 - 2), x0:x1], gray[min(h - 1, y1 + 1), x0:x1],
                 gray[y0:y1, max(0, x0 - 2)], gray[y0:y1, min(w - 1, x1 + 1)]]
        if sum(1 for side in sides if side.size and (side > 150).mean() >= 0.6) < 2:
            continue  # not a box on paper
        v = float(np.median(tone)) / 255.0
        r = pymupdf.Rect(x0, y0, x1, y1) * inv
        out.append(Box((r.x0, r.y0, r.x1, r.y1), "raster", (v, v, v), 0, "color"))
    return out


def _hlines(dark: np.ndarray, min_len: int) -> list[list[int]]:
    """Horizontal dark strokes at least ``min_len`` long: [x0, y0, x1, y1], runs on
    neighbouring rows with about the same ends taken as one stroke."""
    strokes: list[list[int]] = []
    open_: list[list[int]] = []
    for y in range(dark.shape[0]):
        row = dark[y]
        if row.sum() < min_len:
            open_ = [s for s in open_ if s[3] >= y]
            continue
        edges = np.diff(np.concatenate(([0], row.view(np.int8), [0])))
        starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
        still = []
        for a0, a1 in zip(starts.tolist(), ends.tolist(), strict=True):
            if a1 - a0 < min_len:
                continue
            # the same stroke on the next row: about the same ends, or (a skewed scan) the
            # next piece of it, starting about where the row above stopped
            near = next((s for s in open_ if s[3] == y and (
                (abs(s[0] - a0) <= 2 and abs(s[2] - a1) <= 2)
                or min(a1, s[4]) - max(a0, s[5]) >= -3)), None)
            if near is None:
                near = [a0, y, a1, y + 1, a1, a0]  # + where its last row ended and began
                strokes.append(near)
            else:
                near[0], near[2] = min(near[0], a0), max(near[2], a1)
            near[3], near[4], near[5] = y + 1, a1, a0
            still.append(near)
        open_ = still
    return [st[:4] for st in strokes]


def frame_boxes(page: pymupdf.Page, gray: np.ndarray | None = None,
                zoom: float | None = None) -> list[Box]:
    """Outlined boxes in the rendered page (scans, TIFF pages): two horizontal strokes of the
    same extent a line of text apart, joined at both ends by vertical ones, nearly empty
    between (the rows of a redacted paragraph framed one under the other share their edges).
    Returned as white bordered boxes: the analysis keeps one only where a code is read inside
    it (a table cell or a form field is a frame too)."""
    if gray is None or zoom is None:
        gray, zoom = render_gray(page)
    h, w = gray.shape
    if h < 8 or w < 8:
        return []
    upx = zoom * _unit(page)
    dark = gray < 200  # a hairline frame is only partly dark at this resolution
    # thin, or sloping by at most the skew of a scan (1.2 degrees)
    strokes = [s for s in _hlines(dark, max(4, int(RASTER_MIN_W * upx)))
               if s[3] - s[1] <= 3 * upx + 0.021 * (s[2] - s[0])]
    strokes.sort(key=lambda s: (s[1] + s[3]) / 2)
    t = max(1, int(round(1.5 * upx)))
    out: list[Box] = []
    inv = pymupdf.Matrix(1 / zoom, 1 / zoom) * page.derotation_matrix
    for i, top in enumerate(strokes):
        for bottom in strokes[i + 1:]:
            gap = (bottom[1] + bottom[3] - top[1] - top[3]) / 2
            if gap > 40 * upx:
                break
            # one end in common at least: a row under a longer or shorter row shares the
            # stroke between them, which runs the length of the longer one
            if gap < 5 * upx or (abs(bottom[0] - top[0]) > 3 and abs(bottom[2] - top[2]) > 3):
                continue
            x0, x1 = max(top[0], bottom[0]) - 1, min(top[2], bottom[2]) + 1
            if x1 - x0 < RASTER_MIN_W * upx:
                continue
            mid = int((top[1] + top[3]) / 2 + gap / 2)
            half = max(1, int(gap / 4))
            inner = dark[mid - half: mid + half, x0: x1]  # the middle rows, clear of the edges
            if min(float(inner[:, :t].any(axis=1).mean()),
                   float(inner[:, -t:].any(axis=1).mean())) < 0.8:
                continue  # open at a side: two rules, not a box
            if float(inner[:, t:-t].mean()) > 0.5:
                continue  # full of ink
            r = pymupdf.Rect(x0, top[1], x1, bottom[3]) * inv
            out.append(Box((r.x0, r.y0, r.x1, r.y1), "raster", (1.0, 1.0, 1.0), 0, "white",
                           bordered=True))
            break  # the nearest stroke below that closes a frame with this one
    return out


def _split_rows(gray: np.ndarray, b: list[int], k: int) -> list[list[int]]:
    """A gray candidate cut into the boxes of its own tone: the stacked boxes of a redacted
    paragraph's rows, blurred into one by the smoothing, come apart at the hairline of paper
    between them; each keeps its own width."""
    x0, y0, x1, y1 = b
    region = gray[y0:y1, x0:x1].astype(np.float32)
    tone = float(np.median(region))
    same = _open(np.abs(region - tone) <= 25.0, max(2, k - 1))
    parts = [[x0 + a0, y0 + b0, x0 + a1, y0 + b1] for a0, b0, a1, b1, n in _components(same)
             if n >= 0.5 * (a1 - a0) * (b1 - b0)]
    return parts or [b]


def _first_line(dark: np.ndarray, steps: range, span: slice, *, rows: bool) -> int | None:
    """The first row (or column) along ``steps`` that is a dark line across ``span``."""
    limit = dark.shape[0] if rows else dark.shape[1]
    for k in steps:
        if not 0 <= k < limit:
            return None
        line = dark[k, span] if rows else dark[span, k]
        if line.size and line.mean() >= 0.8:
            return k
    return None


def outlined_boxes(page: pymupdf.Page, stamps: list[Rect], gray: np.ndarray | None = None,
                   zoom: float | None = None) -> list[Box]:
    """White boxes with a dark border around a stamp read by OCR, in the rendered page.

    An empty frame is not enough (form fields and table cells look the same): only frames that
    enclose a stamp (``stamps``: page-space rectangles of OCR words that read as codes) count.
    """
    if not stamps:
        return []
    if gray is None or zoom is None:
        gray, zoom = render_gray(page)
    h, w = gray.shape
    dark = gray < 128
    fwd = page.rotation_matrix * pymupdf.Matrix(zoom, zoom)
    inv = pymupdf.Matrix(1 / zoom, 1 / zoom) * page.derotation_matrix
    out: list[Box] = []
    for st in stamps:
        r = pymupdf.Rect(st) * fwd
        x0, y0, x1, y1 = int(r.x0), int(r.y0), int(r.x1 + 0.999), int(r.y1 + 0.999)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        reach = int(max(6, 1.5 * (y1 - y0)))

        xs, ys = slice(max(0, x0), min(w, x1)), slice(max(0, y0), min(h, y1))
        top = _first_line(dark, range(y0 - 1, y0 - reach, -1), xs, rows=True)
        bot = _first_line(dark, range(y1, y1 + reach), xs, rows=True)
        left = _first_line(dark, range(x0 - 1, x0 - 3 * reach, -1), ys, rows=False)
        right = _first_line(dark, range(x1, x1 + 3 * reach), ys, rows=False)
        if top is None or bot is None or left is None or right is None:
            continue
        b = pymupdf.Rect(left, top, right + 1, bot + 1) * inv
        out.append(Box((b.x0, b.y0, b.x1, b.y1), "raster", (1.0, 1.0, 1.0), 0, "dark",
                       bordered=True))
    return out
