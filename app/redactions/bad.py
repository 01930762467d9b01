"""Bad redactions: live text under a box, decided from drawing order and colour.

x-ray renders each box and calls it bad when the box looks uniform and has characters under it;
a stamp drawn on the box or a hatch pattern defeats that test, and text drawn *on top* of a box
is wrongly counted. Here each character's place in the content stream (its ``seqno`` from
``page.get_texttrace()``) is compared with the box's:

* drawn before an opaque box and covered by it -> hidden;
* drawn after the box but invisible (render mode 3, zero opacity) or in the box's own colour
  (black text on a black box) -> hidden;
* drawn after the box in a contrasting colour -> visible: a stamp, or the box is a filled header.

Hidden text that is only whitespace or punctuation, or only a stamp or an "ok word" such as
REDACTED, does not make a box bad; neither does a date drawn on the box as part of its own
appearance (a redaction tool's date stamp).

Nothing in this module logs or prints text. :func:`hidden_text` is the only function that
returns hidden characters and is used only by the deliberate reveal in :mod:`.analyze`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pymupdf

from .boxes import Box
from .stamps import is_stamp_only

__all__ = ["TraceChar", "BoxText", "classify", "hidden_text", "load_trace"]

Rect = tuple[float, float, float, float]

_OK_WORDS = re.compile(
    r"\b(?:redacted|redaction|redact|withheld|privileged|privilege|confidential|sealed|"
    r"under\s+seal|filed\s+under\s+seal|proprietary|exempt|exemption|intentionally\s+left\s+blank|"
    r"blank|non[\s-]*responsive|nr|dup|duplicate)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|"
    r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)\b",
    re.IGNORECASE,
)
_PUNCT_WS = re.compile(r"[\s\W_]+")


@dataclass(frozen=True)
class TraceChar:
    """One character as drawn: text, box, position in the content stream, look."""

    ch: str
    bbox: Rect
    seqno: int
    color: tuple[float, float, float]
    invisible: bool


def load_trace(page: pymupdf.Page) -> list[TraceChar]:
    """Every character of the page with its drawing order (from ``get_texttrace``)."""
    out: list[TraceChar] = []
    for span in page.get_texttrace():
        stype = span.get("type", 0)
        opacity = span.get("opacity", 1.0)
        invisible = stype == 3 or (opacity is not None and opacity < 0.05)
        if stype in (2, 4) and not invisible:  # clip-only text: not drawn
            invisible = True
        col: tuple[float, ...] = tuple(span.get("color") or (0.0, 0.0, 0.0))
        if len(col) == 1:
            col = (col[0],) * 3
        elif len(col) == 4:
            c, m, y, k = col
            col = tuple(1 - min(1.0, v + k) for v in (c, m, y))
        color = (float(col[0]), float(col[1]), float(col[2]))
        seq = int(span.get("seqno", 0))
        for c in span.get("chars", ()):
            code = c[0]
            ch = chr(code) if isinstance(code, int) and code >= 0 else "\ufffd"
            bb = c[3]
            out.append(TraceChar(ch, (bb[0], bb[1], bb[2], bb[3]), seq, color, invisible))
    return out


def covered(inner: Rect, box: Rect) -> bool:
    """A glyph (or word) is covered when most of its width and its middle are inside the box."""
    w = inner[2] - inner[0]
    h = inner[3] - inner[1]
    if w <= 0 or h <= 0:
        return False
    ox = min(inner[2], box[2]) - max(inner[0], box[0])
    if ox < 0.6 * w:
        return False
    # glyph boxes include ascender/descender room: test the central band of the glyph
    cy0 = inner[1] + 0.3 * h
    cy1 = inner[3] - 0.25 * h
    oy = min(cy1, box[3]) - max(cy0, box[1])
    return oy >= 0.6 * (cy1 - cy0)


def _close_color(a: tuple[float, float, float], b: tuple[float, float, float] | None) -> bool:
    if b is None:
        return False
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) < 0.2


@dataclass
class BoxText:
    """What a box does to the characters it covers (indices into the trace list)."""

    hidden_before: list[int]
    hidden_after: list[int]
    on_top: list[int]

    @property
    def hidden(self) -> list[int]:
        return self.hidden_before + self.hidden_after


def classify(box: Box, chars: list[TraceChar], candidates: list[int] | None = None) -> BoxText:
    """Sort the characters covered by ``box`` into hidden (before/after) and visible on top."""
    hb: list[int] = []
    ha: list[int] = []
    top: list[int] = []
    idx = candidates if candidates is not None else range(len(chars))
    bx0, _, bx1, _ = box.rect
    for i in idx:
        c = chars[i]
        if c.bbox[2] <= bx0 or c.bbox[0] >= bx1 or not covered(c.bbox, box.rect):
            continue
        if box.source == "raster":
            (ha if c.invisible else top).append(i)
        elif c.seqno < box.seqno:
            hb.append(i)
        elif c.invisible or (box.kind == "dark" and _close_color(c.color, box.fill)):
            ha.append(i)
        else:
            top.append(i)
    return BoxText(hb, ha, top)


def _text(chars: list[TraceChar], idx: list[int]) -> str:
    """Characters in reading order (by line, then x); a space between separated runs."""
    items = sorted((chars[i] for i in idx), key=lambda c: (round(c.bbox[3] / 3), c.bbox[0]))
    out: list[str] = []
    last: TraceChar | None = None
    for c in items:
        if last is not None and (c.bbox[0] - last.bbox[2] > 1.5 or abs(c.bbox[3] - last.bbox[3]) > 3):
            out.append(" ")
        out.append(c.ch)
        last = c
    return "".join(out)


def hidden_text(chars: list[TraceChar], bt: BoxText) -> str:
    """The hidden characters of a box as text. Only for the deliberate reveal."""
    return _text(chars, bt.hidden)


def is_bad(chars: list[TraceChar], bt: BoxText) -> tuple[bool, int, bool]:
    """(bad, number of hidden non-blank characters, bad because of text drawn before the box)."""
    before = _text(chars, bt.hidden_before)
    after = _text(chars, bt.hidden_after)
    n = sum(1 for i in bt.hidden if not chars[i].ch.isspace())
    if n == 0:
        return False, 0, False
    if bt.on_top and _duplicate(before + " " + after, _text(chars, bt.on_top)):
        return False, 0, False  # the same text drawn twice, once visibly: nothing is hidden
    bad_before = bool(_PUNCT_WS.sub("", before)) and not _ok(before, dates=False)
    bad = bad_before or (bool(_PUNCT_WS.sub("", after)) and not _ok(after, dates=True))
    return bad, (n if bad else 0), bad_before


def _duplicate(hidden: str, shown: str) -> bool:
    """True when (nearly) every hidden word is also drawn visibly on the box."""
    hw = re.findall(r"\w+", hidden.lower())
    if not hw:
        return False
    sw = set(re.findall(r"\w+", shown.lower()))
    return sum(len(w) for w in hw if w in sw) >= 0.85 * sum(len(w) for w in hw)


def _ok(text: str, *, dates: bool) -> bool:
    """Text that may sit under a box without making it a bad redaction."""
    rest = _OK_WORDS.sub(" ", text)
    if dates:  # a date or time drawn on the box as part of its appearance, or a piece of one
        rest = _DATE.sub(" ", rest)
        if re.fullmatch(r"[\d\s/.:\-]*", rest):
            return True
    if not _PUNCT_WS.sub("", rest):
        return True
    return is_stamp_only(text)
