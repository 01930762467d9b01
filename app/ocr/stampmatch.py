"""Reading exemption stamps on scans by shape: each code compared with the codes it could be.

A stamp label on a scan is a few points tall: at 150 dpi "(b)(6); (b)(7)(C)" is six to nine
pixels high, blurred, white on black, and often cut at the box's edges. Tesseract reads about
half of them (it turns "(b)(6)" into "DHE)." or "[bM6)."), because it reads any text. These
labels come from a closed set: FOIA exemption codes, alone or a few in a row.
:func:`match_label` scales the label to a fixed ink height, splits it at the spaces between
codes, and compares each piece with every code rendered in Helvetica (the base-14 font MuPDF
ships, the face of Acrobat's and most redaction tools' overlay text) by normalised
correlation, letting the first and last piece be cut at the box's edge. A label is accepted
only when every piece's best code scores high and above any other code (:func:`match_label`,
and :func:`merge_reads` for the two cuts of one crop); a label it cannot be sure of may be
settled by the labels the same page reads clearly (:func:`settle`); otherwise the caller keeps
what OCR read. Nothing here touches a matter. No Qt.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import numpy as np
    from PIL import ImageFont

HEIGHT = 24  # ink height (pixels) labels and codes are scaled to
MIN_SCORE = 0.5  # correlation each piece's best code needs ...
MIN_MARGIN = 0.0  # ... and to explain the piece better than any close rival where they differ
BLUR_LABEL, BLUR_CODE = 1.5, 2.0  # both blurred: scans and rendered codes differ in weight
CUT = 0.42  # at most this share of HEIGHT may be missing where a label meets the box's edge
STRETCHES = (0.9, 0.97, 1.04, 1.11)  # widths a piece is tried at
TRIMS = ((2, 0), (0, 2), (2, 2))  # rows (top, bottom) the closest codes are tried without
SHORTLIST = 6  # how many codes that is
SLACK = 0.08  # a code this close to the best is one the piece may be (see settle())
CLEAR = 0.03  # a label read with this lead or more is clear: the page's labels are these
PATTERN = 3  # boxes of a page clearly read as one label before it settles an unsure one
GAP = 0.2  # a blank run this share of HEIGHT wide separates two codes

CODES = ["(b)(1)", "(b)(2)", "(b)(3)", "(b)(4)", "(b)(5)", "(b)(6)", "(b)(7)(A)",
         "(b)(7)(B)", "(b)(7)(C)", "(b)(7)(D)", "(b)(7)(E)", "(b)(7)(F)", "(b)(7)",
         "(b)(8)", "(b)(9)"]
# Codes that look like FOIA codes but are not: Privacy Act exemptions ("(k)(2)" is "(b)(2)"
# but for one letter). A piece they explain best is not read as a FOIA code (OCR reads it).
NOT_CODES = ["(j)(1)", "(j)(2)", "(k)(1)", "(k)(2)", "(k)(3)", "(k)(4)", "(k)(5)", "(k)(6)",
             "(k)(7)"]
_SUFFIXES = ("", ";", ",")


@dataclass(frozen=True)
class LabelMatch:
    """The label read from a crop: its codes, and the weakest piece's score and lead."""

    label: str
    codes: tuple[str, ...]
    score: float
    margin: float


@functools.lru_cache(maxsize=1)
def _font(size: int = 64) -> ImageFont.FreeTypeFont:
    import pymupdf
    from PIL import ImageFont

    return ImageFont.truetype(io.BytesIO(pymupdf.Font("helv").buffer), size)


def _ink(a: np.ndarray) -> np.ndarray:
    """Soft ink of a black-on-white 8-bit image: 0 white .. 1 its darkest pixel."""
    import numpy as np

    a = a.astype(np.float32)
    dark = float(a.min())
    return np.clip((255.0 - a) / max(1.0, 255.0 - dark), 0.0, 1.0)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in a 1-D mask."""
    runs, start = [], None
    for i, v in enumerate(mask.tolist() + [False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _extent(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """(row0, row1, col0, col1) of the text: the tallest band of inked rows (a box's edge
    left in the crop is a line a pixel or two thick, apart from the text), and the columns
    inked within it, without edge lines at either end."""
    import numpy as np

    ink = np.where(ink >= 0.35, ink, 0.0)  # faint specks and grey edge lines are not text
    ink[(ink > 0.5).mean(axis=1) > 0.75] = 0.0  # nor is a box's edge across the crop
    rows = ink.sum(axis=1)
    if rows.max() <= 0:
        return None
    bands = _runs(rows >= 0.08 * rows.max())
    r0, r1 = max(bands, key=lambda b: b[1] - b[0])
    if r1 - r0 < 3:
        return None
    cols = ink[r0:r1].sum(axis=0)
    runs = _runs(cols >= 0.08 * cols.max())
    outside = np.concatenate([ink[: max(0, r0 - 2)], ink[r1 + 2:]])

    def edge_line(run: tuple[int, int]) -> bool:  # thin, and inked above or below the text
        if run[1] - run[0] > 2 or not len(outside):
            return False
        return float(outside[:, run[0]: run[1]].max(axis=1).mean()) > 0.3

    while len(runs) > 1 and edge_line(runs[0]):
        runs.pop(0)
    while len(runs) > 1 and edge_line(runs[-1]):
        runs.pop()
    if not runs:
        return None
    return r0, r1, runs[0][0], runs[-1][1]


def _resize(ink: np.ndarray, width: int, height: int) -> np.ndarray:
    import numpy as np
    from PIL import Image

    img = Image.fromarray(ink.astype(np.float32), mode="F")
    resized = img.resize((max(1, width), height), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.float32)


def _blur(ink: np.ndarray, sigma: float) -> np.ndarray:
    import numpy as np
    from PIL import Image, ImageFilter

    img = Image.fromarray((ink * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(sigma))
    return np.asarray(img, dtype=np.float32) / 255.0


def _normalised(ink: np.ndarray, blur: float) -> np.ndarray | None:
    """``ink`` cut to its extent and scaled to HEIGHT rows (aspect kept), blurred."""
    box = _extent(ink)
    if box is None:
        return None
    r0, r1, c0, c1 = box
    part = ink[r0:r1, c0:c1]
    width = int(round(part.shape[1] * HEIGHT / part.shape[0]))
    return _blur(_resize(part, width, HEIGHT), blur)


@functools.lru_cache(maxsize=1)
def _templates() -> list[tuple[str, str, np.ndarray]]:
    """(code, suffix, image) for every code with each separator after it."""
    import numpy as np
    from PIL import Image, ImageDraw

    font = _font()
    out = []
    for code in CODES + NOT_CODES:
        for suffix in _SUFFIXES:
            text = code + suffix
            # Pillow annotates FreeTypeFont.getbbox as floats; it returns whole pixels (ints).
            x1, y1 = cast("tuple[int, int, int, int]", font.getbbox(text))[2:]
            img = Image.new("L", (x1 + 16, y1 + 16), 255)
            ImageDraw.Draw(img).text((8, 8), text, font=font, fill=0)
            norm = _normalised(_ink(np.asarray(img)), BLUR_CODE)
            if norm is not None:
                out.append((code, suffix, norm))
    return out


def _pieces(ink: np.ndarray) -> list[np.ndarray]:
    """The label split at blank runs at least GAP * HEIGHT wide."""

    blank = ink.max(axis=0) < 0.12
    pieces, start, run = [], None, 0
    for x, b in enumerate(blank.tolist() + [True] * (int(GAP * HEIGHT) + 1)):
        if not b:
            if start is None:
                start = x
            run = 0
        elif start is not None:
            run += 1
            if run >= GAP * HEIGHT:
                pieces.append(ink[:, start: x - run + 1])
                start, run = None, 0
    return [p for p in pieces if p.shape[1] >= HEIGHT // 3]


def _windows(a: np.ndarray, width: int) -> np.ndarray:
    """Every ``width``-column window of ``a``: shape (n, HEIGHT, width)."""
    import numpy as np

    return np.lib.stride_tricks.sliding_window_view(a, width, axis=1).transpose(1, 0, 2)


def _ncc(windows: np.ndarray, tpl: np.ndarray) -> np.ndarray:
    """Normalised correlation of ``tpl`` with each of ``windows`` (a flat one scores 0)."""
    out: np.ndarray = (_unit_rows(windows.reshape(len(windows), -1))
                       @ _unit_rows(tpl.reshape(1, -1))[0])
    return out


def _unit_rows(m: np.ndarray) -> np.ndarray:
    """Each row less its mean, scaled to length 1 (a flat row stays 0: it correlates with
    nothing)."""
    import numpy as np

    m = m - m.mean(axis=1, keepdims=True)
    norm = np.sqrt((m * m).sum(axis=1, keepdims=True))
    out: np.ndarray = np.divide(m, norm, out=np.zeros_like(m), where=norm > 0)
    return out


@dataclass(frozen=True)
class _Fit:
    score: float
    piece: np.ndarray  # the piece as stretched
    offset: int  # template column = piece column + offset
    code: str
    tpl: np.ndarray


def _fits(piece: np.ndarray, cut_left: bool, cut_right: bool,
          codes: set[str] | None = None) -> dict[str, _Fit]:
    """Each code's best placement against the piece (widths and offsets its cuts allow);
    only ``codes``, if given."""
    import numpy as np

    allowed_cut = CUT * HEIGHT * (cut_left + cut_right)
    stretched = [_resize(piece, int(round(piece.shape[1] * k)), HEIGHT) if k != 1.0 else piece
                 for k in STRETCHES]
    best: dict[str, _Fit] = {}

    def keep(fit: _Fit) -> None:
        if fit.code not in best or fit.score > best[fit.code].score:
            best[fit.code] = fit

    chosen = [(n, code, tpl) for n, (code, suffix, tpl) in enumerate(_templates())
              # a separator follows every code but the last
              if bool(suffix) != cut_right and (codes is None or code in codes)]
    for p in stretched:
        pw = p.shape[1]
        over = []  # templates at least as wide as the piece: the piece slides along them
        under: dict[int, list[tuple[int, str, np.ndarray]]] = {}  # narrower ones, by width
        for n, code, tpl in chosen:
            tw = tpl.shape[1]
            if pw > tw * 1.08 + 2 or tw - pw > min(allowed_cut, 0.3 * tw) + 0.06 * tw + 2:
                continue
            if pw <= tw:
                over.append((n, code, tpl))
            else:
                under.setdefault(tw, []).append((n, code, tpl))
        for tw, group in under.items():  # these slide along the piece, a width at a time
            wins = _unit_rows(_windows(p, tw).reshape(pw - tw + 1, -1))
            table = wins @ np.stack([_template_unit(n) for n, _, _ in group]).T
            for j, (_, code, tpl) in enumerate(group):
                i = int(table[:, j].argmax())
                keep(_Fit(float(table[i, j]), p, -i, code, tpl))
        if over:  # all in one product: every window of every such template
            tpl_wins = [_template_windows(n, pw) for n, _, _ in over]
            scores = np.concatenate(tpl_wins) @ _unit_rows(p.reshape(1, -1))[0]
            start = 0
            for (_, code, tpl), w in zip(over, tpl_wins, strict=True):
                i = int(scores[start: start + len(w)].argmax())
                keep(_Fit(float(scores[start + i]), p, i, code, tpl))
                start += len(w)
    return best


@functools.cache
def _template_unit(n: int) -> np.ndarray:
    """Template ``n`` of :func:`_templates` as one unit row (the same for every piece)."""
    unit: np.ndarray = _unit_rows(_templates()[n][2].reshape(1, -1))[0]
    return unit


@functools.lru_cache(maxsize=8192)
def _template_windows(n: int, width: int) -> np.ndarray:
    """Every ``width``-column window of template ``n``, each a unit row: pieces of one width
    recur on a page (the same label on many boxes), so these are made once."""
    tpl = _templates()[n][2]
    return _unit_rows(_windows(tpl, width).reshape(tpl.shape[1] - width + 1, -1))


def _overlap(fit: _Fit, tpl: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The piece's and ``tpl``'s columns that overlap at ``fit``'s placement."""
    a0 = max(0, -fit.offset)
    t0 = max(0, fit.offset)
    n = max(0, min(fit.piece.shape[1] - a0, tpl.shape[1] - t0))
    return fit.piece[:, a0: a0 + n], tpl[:, t0: t0 + n]


def _lead(top: _Fit, other: _Fit) -> float:
    """How much better ``top`` explains the piece than ``other`` where the two codes differ.

    Codes share most of their ink ("(b)(" ...), so whole-piece scores differ by a hair; at the
    top code's placement, only the columns where the two rendered codes differ are compared.
    """
    import numpy as np

    piece, a = _overlap(top, top.tpl)
    _, b = _overlap(top, other.tpl)
    n = min(a.shape[1], b.shape[1])
    if n < 4:
        return top.score - other.score
    piece, a, b = piece[:, :n], a[:, :n], b[:, :n]
    cols = np.nonzero(np.abs(a - b).sum(axis=0) > 0.5)[0]
    if len(cols) < 2:
        return top.score - other.score
    sa = float(_ncc(piece[:, cols][None], a[:, cols])[0])
    sb = float(_ncc(piece[:, cols][None], b[:, cols])[0])
    return sa - sb


def _read_piece(piece: np.ndarray, cut_left: bool,
                cut_right: bool) -> tuple[str, float, float, tuple[str, ...]] | None:
    """(code, score, lead over the close runners-up, the codes scoring within SLACK of it)
    for one piece of a label, or None."""
    best = _fits(piece, cut_left, cut_right)
    # The closest codes again with a row or two less at the top or bottom: a speck beside
    # the label stretches its extent, and the piece is then scaled a little too small. Only
    # for a piece that already looks like a code: trimming is not to make one of "PII".
    ranked = sorted(best, key=lambda c: best[c].score, reverse=True)
    if ranked and best[ranked[0]].score >= MIN_SCORE:
        shortlist = set(ranked[:SHORTLIST])
        for trim_top, trim_bottom in TRIMS:
            trimmed = _resize(piece[trim_top: HEIGHT - trim_bottom], piece.shape[1], HEIGHT)
            for code, fit in _fits(trimmed, cut_left, cut_right, shortlist).items():
                if fit.score > best[code].score:
                    best[code] = fit
    fits = sorted(best.values(), key=lambda f: f.score, reverse=True)
    if not fits or fits[0].code in NOT_CODES:
        return None
    fits = [f for f in fits if f.code not in NOT_CODES]
    if len(fits) < 2:
        return None
    top = fits[0]
    rivals = [f for f in fits[1:6] if top.score - f.score < 0.1] or fits[1:2]
    close = tuple(f.code for f in fits if top.score - f.score <= SLACK)
    return top.code, top.score, min(_lead(top, f) for f in rivals), close


@dataclass(frozen=True)
class PieceRead:
    """One code of a label as read: the best code, its score and its lead over rivals."""

    code: str
    score: float
    lead: float
    close: tuple[str, ...] = ()  # every code that scored within SLACK of the best

    @property
    def sure(self) -> bool:
        return self.score >= MIN_SCORE and self.lead >= MIN_MARGIN


def read_pieces(crop: np.ndarray) -> list[PieceRead | None] | None:
    """Each code of the label in ``crop`` (8-bit gray, black text on white, one line) as
    read, None where a piece matched no code; None when the crop is not a row of one to four
    codes. The first and the last code may be cut where the label met the box's edge."""
    ink = _normalised(_ink(crop), BLUR_LABEL)
    if ink is None or ink.shape[1] < HEIGHT:
        return None
    pieces = _pieces(ink)
    if not pieces or len(pieces) > 4:
        return None
    out: list[PieceRead | None] = []
    for i, piece in enumerate(pieces):
        read = _read_piece(piece, i == 0, i == len(pieces) - 1)
        out.append(PieceRead(*read) if read is not None else None)
    return out


def _label(reads: list[PieceRead | None]) -> LabelMatch | None:
    if not reads or not all(r is not None and r.sure for r in reads):
        return None
    sure = [r for r in reads if r is not None]
    return LabelMatch("; ".join(r.code for r in sure), tuple(r.code for r in sure),
                      round(min(r.score for r in sure), 3), round(min(r.lead for r in sure), 3))


def match_label(crop: np.ndarray) -> LabelMatch | None:
    """The stamp label in ``crop`` (see :func:`read_pieces`) when every code in it is read
    surely, or None."""
    reads = read_pieces(crop)
    return _label(reads) if reads is not None else None


def merge_reads(a: list[PieceRead | None] | None,
                b: list[PieceRead | None] | None) -> LabelMatch | None:
    """The label read from two cuts of one crop (at the usual threshold and with faint
    strokes), code by code where both split it alike.

    Each code is taken from the cut that read it surely; where both did and one code extends
    the other ("(b)(7)" and "(b)(7)(C)": a dim last letter lost at the usual threshold), the
    longer; where both did and they differ otherwise, the one that matched better. When the cuts
    split differently, the one that reads whole (the longer label if both do) is kept.
    """
    if a is None or b is None or len(a) != len(b):
        whole = [m for m in (_label(a or []), _label(b or [])) if m is not None]
        return max(whole, key=lambda m: (len(m.label), m.score)) if whole else None
    merged: list[PieceRead | None] = []
    for x, y in zip(a, b, strict=True):
        xs = x if x is not None and x.sure else None
        ys = y if y is not None and y.sure else None
        if xs is None or ys is None:
            merged.append(xs or ys)
        elif xs.code != ys.code and (ys.code.startswith(xs.code) or xs.code.startswith(ys.code)):
            merged.append(max(xs, ys, key=lambda r: len(r.code)))
        else:
            merged.append(max(xs, ys, key=lambda r: r.score))
    return _label(merged)


def settle(reads: tuple[list[PieceRead | None] | None, ...],
           known: dict[tuple[str, ...], int],
           pieces: int | None = None) -> LabelMatch | None:
    """A label the matcher could not be sure of, taken as the label this page's other boxes
    were most often read as (``known``: codes -> boxes read clearly), when every piece is, or
    may be, that label's code and the label is at least twice as common as any other such.

    An agency stamps the same few labels box after box; at 5 pt on a dithered page "(b)(6)"
    and "(b)(8)", or "(7)(C)" and "(7)(E)", differ by a few pixels the scan has lost. The
    page decides only between the codes the shapes cannot tell apart: a piece read clearly
    (lead CLEAR or more) keeps its code, a piece may become only a code within SLACK of its
    best, and every piece must look like a code (score MIN_SCORE). ``reads`` are the piece
    reads of the crop's cuts (None where a cut read nothing); ``pieces``, when given, is how
    many codes the label was already read with, which settling does not change.
    """
    fitting: dict[tuple[str, ...], int] = {}
    for cut in reads:
        if not cut or (pieces is not None and len(cut) != pieces):
            continue
        for codes, n in known.items():
            if len(codes) == len(cut) and all(
                    r is not None and r.score >= MIN_SCORE and (
                        code == r.code or (r.lead < CLEAR and code in r.close))
                    for r, code in zip(cut, codes, strict=True)):
                fitting[codes] = n
    ranked = sorted(fitting.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] < PATTERN or (len(ranked) > 1
                                                and ranked[0][1] < 2 * ranked[1][1]):
        return None
    codes = ranked[0][0]
    return LabelMatch("; ".join(codes), codes, 0.0, 0.0)
