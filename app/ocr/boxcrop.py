"""Cutting a stamp label out of a dark box on a scan: the box's inside, its light text.

A redaction box on a scan is rarely a clean rectangle: a 1-bit TIFF dithers its edges into
dotted light lines and its small label into scattered dots; a skewed page tilts a long box so
that its rectangle takes in light wedges of paper at both ends. :func:`label_crop` finds the
text inside the box's own fill despite both, and returns it black on white for the shape
reader (:mod:`app.ocr.stampmatch`) or OCR. Pure numpy on gray pixels; no matter, no Qt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def _edge_rows(dark: np.ndarray, c0: int, c1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each column of ``dark[:, c0:c1]`` holding the box: the column, the first row of
    the box's fill from the top and the last from the bottom (three dark rows in a row)."""
    import numpy as np

    from app.redactions.boxes import column_spans

    part = dark[:, c0:c1]
    solid = part[:-2] & part[1:-1] & part[2:]  # a dark run of 3 starts at this row
    has, top, after = column_spans(solid)
    cols = np.nonzero(has)[0]
    return cols + c0, top[cols], after[cols] + 1  # the last run's third row


def _line_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    """(slope, intercept) of the line through most of the points: fitted, then refitted
    without the points more than 2 px off it (a label touching the box's edge)."""
    import numpy as np

    keep = np.ones(len(x), dtype=bool)
    slope = icpt = 0.0
    for _ in range(3):
        if keep.sum() < 8:
            return None
        slope, icpt = (float(v) for v in np.polyfit(x[keep], y[keep], 1))
        keep = np.abs(y - (slope * x + icpt)) <= 2.0
    return slope, icpt


def _slanted_inside(dark: np.ndarray, c0: int, c1: int,
                    edge: int) -> np.ndarray | None:
    """The inside of a box whose top and bottom edges slope (a skewed scan): the rows between
    its fitted edges, ``edge`` pixels in. None when the box is level enough for its rectangle:
    a long box on a page skewed by half a degree drops by its whole height, and the light
    wedges its rectangle would then take in are not text."""
    import numpy as np

    xs, tops, bottoms = _edge_rows(dark, c0, c1)
    top, bottom = _line_fit(xs, tops), _line_fit(xs, bottoms)
    if top is None or bottom is None:
        return None
    span = c1 - c0
    if max(abs(top[0]), abs(bottom[0])) * span <= edge:
        return None
    rows = np.arange(dark.shape[0])[:, None]
    cols = np.arange(dark.shape[1])[None, :]
    upper = top[0] * cols + top[1] + edge
    lower = bottom[0] * cols + bottom[1] + 1 - edge  # (the fitted row is the last dark one)
    inside = (rows >= upper) & (rows < lower)
    inside[:, : c0 + edge] = False
    inside[:, c1 - edge:] = False
    return inside


def _label_columns(text: np.ndarray, height: int) -> list[tuple[int, int]]:
    """The columns of the labels in a box's text mask: the groups of columns lighter than the
    box's usual column (runs less than ``height`` apart join): the heaviest, and any other
    holding a fifth of its light on rows a quarter of the box tall (two redactions side by
    side make one box with two labels; a scrap of a broken edge line is a row or two)."""
    import numpy as np

    counts = text.sum(axis=0)
    base = float(np.median(counts))
    busy = np.nonzero(counts > base + 1)[0]
    if not len(busy):
        return []
    groups: list[list[int]] = [[int(busy[0]), int(busy[0]) + 1]]
    for x in busy[1:].tolist():
        if x - groups[-1][1] < height:
            groups[-1][1] = x + 1
        else:
            groups.append([x, x + 1])
    mass = [int(counts[g0:g1].sum()) for g0, g1 in groups]
    tall = [int(text[:, g0:g1].any(axis=1).sum()) >= height // 4 for g0, g1 in groups]
    return [(g0, g1) for (g0, g1), m, t in zip(groups, mass, tall, strict=True)
            if m == max(mass) or (t and m >= 0.2 * max(mass))]


def _longest_run(row: np.ndarray, gap: int = 3) -> int:
    """The longest run of True in ``row`` when gaps of up to ``gap`` pixels are bridged."""
    import numpy as np

    xs = np.nonzero(row)[0]
    if not len(xs):
        return 0
    cuts = np.nonzero(np.diff(xs) > gap + 1)[0]
    starts = np.concatenate([[xs[0]], xs[cuts + 1]])
    ends = np.concatenate([xs[cuts], [xs[-1]]])
    return int((ends - starts).max()) + 1


def _drop_bands(text: np.ndarray, height: int) -> np.ndarray:
    """``text`` without the light lines along a long box (a dithered grey band at its edge,
    or the wedge a skewed edge leaves) and without specks away from the label.

    A line runs on, light every few pixels, far longer than the box is tall; a label's row is
    broken between its letters, and the fill beside it is black: rows light in many places
    away from the label are what is left of a broken line. Boxes not much wider than their
    label are left as they are, and so is a crop that would have nothing left.
    """
    import numpy as np

    h, w = text.shape
    if w < 4 * height:
        return text
    out = text.copy()
    out[_grown(np.array([_longest_run(row) >= 4 * height for row in text]))] = False
    labels = _label_columns(out, height) if out.sum() >= 6 else []
    if not labels:
        return text
    near = np.zeros(w, dtype=bool)
    for g0, g1 in labels:
        near[max(0, g0 - height // 2): g1 + height // 2] = True
    # what is left of a broken line: rows light in many places away from the label
    out[_grown(out[:, ~near].sum(axis=1) >= max(4, height // 4))] = False
    out[:, ~near] = False  # and the specks far from it
    return out if out.sum() >= 6 else text


def _grown(rows: np.ndarray) -> np.ndarray:
    """``rows`` and the row either side of each (a grey line's fringe)."""
    out = rows.copy()
    out[1:] |= rows[:-1]
    out[:-1] |= rows[1:]
    return out


def label_crop(sub: np.ndarray, faint: bool = False) -> tuple[np.ndarray, int, int] | None:
    """The stamp text inside a dark box region, black on white, cut to the text.

    The text is the light pixels inside the box's fill, a few pixels in from its edges: a
    1-bit scan dithers a box's edges into dotted light lines that touch the (dithered) label,
    so the box's own rectangle, not the light pixels' connections, says what is inside.
    With ``faint``, text is anything clearly lighter than the fill (a small label blurred to
    grey), not only light pixels. A long box's sloping edges are followed, and its dithered
    edge lines and stray specks dropped (:func:`_slanted_inside`, :func:`_drop_bands`).
    Returns (image, x offset, y offset) in ``sub`` pixels, or None when the box holds no text.
    """
    import numpy as np

    light = sub > 110
    if light.all() or not light.any():
        return None
    dark = ~light
    rows = np.nonzero(dark.mean(axis=1) > 0.35)[0]
    if len(rows) < 4:
        return None
    r0, r1 = int(rows[0]), int(rows[-1]) + 1
    cols = np.nonzero(dark[r0:r1].mean(axis=0) > 0.35)[0]
    if len(cols) < 4:
        return None
    c0, c1 = int(cols[0]), int(cols[-1]) + 1
    edge = max(2, (r1 - r0) // 16)
    inside = np.zeros_like(light)
    inside[r0 + edge: r1 - edge, c0 + edge: c1 - edge] = True
    slanted = _slanted_inside(dark, c0, c1, edge)
    if slanted is not None:
        inside = slanted
    threshold = 110.0
    if faint and inside.any():
        threshold = min(threshold, float(np.median(sub[inside])) + 40.0)
    text = _drop_bands((sub > threshold) & inside, r1 - r0)
    if text.sum() < 6:
        return None
    h, w = light.shape
    ys, xs = np.nonzero(text)
    m = 4
    y0, y1 = max(0, ys.min() - m), min(h, ys.max() + m + 1)
    x0, x1 = max(0, xs.min() - m), min(w, xs.max() + m + 1)
    out = np.where(inside[y0:y1, x0:x1], 255 - sub[y0:y1, x0:x1], 255).astype(np.uint8)
    out[out > 200] = 255
    return out, x0, y0
