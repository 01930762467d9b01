"""What changed between two versions of a record: redactions lifted, added or re-coded.

For a matched page pair (``a`` the earlier version, ``b`` the later), a redaction of one version
is *still there* in the other when at least half of its area is covered by the other's boxes;
otherwise the passage is shown in the clear there: a redaction of ``a`` gone from ``b`` is
``lifted``, a redaction of ``b`` not in ``a`` is ``added``. Boxes present in both with
different effective exemptions (the reviewer's codes when set, else the stamp's) are
``recoded``; a box whose codes are unknown on one side (a scan before its stamps are read) is
not a re-coding.

The *released text* of a lifted or added redaction is the text the other version shows in the
box's area: its OCR words (``ocr_words``) when OCR placed words on the page (an OCR'd scan, or a
load-file TIFF once OCR has read its stamps), else the words of its PDF text layer read with
PyMuPDF (one source file open at a time). Words under any box of the
showing version are never used, so text hidden under a bad redaction is never shown; text that
one version released in the clear is public and is shown. A page with neither (a scan or a
load-file TIFF before OCR, whose text has no positions) gives ``text=None`` and
``text_source="unavailable"``.

:func:`challenge_inconsistent` is the one write: a challenge with ground "inconsistent
redaction" on the still-redacted redaction, citing the version that released the passage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from app.errors import ReviewError
from app.matter.audit import Changes
from app.matter.store import Matter
from app.review import ops

Box = tuple[float, float, float, float]
COVERED = 0.5


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a page.

    ``kind``: ``lifted`` (redacted in a, shown in b), ``added`` (shown in a, redacted in b) or
    ``recoded``. ``*_redaction``/``*_bbox``: the box on each page (None on the side that shows
    the passage; the bbox there is the redacted side's box, the same place on the page).
    ``text``: the released text (lifted/added) or None.
    """

    kind: str
    a_page: int
    b_page: int
    a_redaction: int | None
    b_redaction: int | None
    a_bbox: Box
    b_bbox: Box
    a_exemptions: tuple[str, ...]
    b_exemptions: tuple[str, ...]
    text: str | None = None
    text_source: str = ""

    @property
    def redacted_side(self) -> str:
        """``a`` or ``b``: the version that still withholds the passage (lifted: a)."""
        return "b" if self.kind == "added" else "a"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "kind": self.kind, "a_page": self.a_page, "b_page": self.b_page,
            "a_redaction": self.a_redaction, "b_redaction": self.b_redaction,
            "a_bbox": [round(v, 2) for v in self.a_bbox],
            "b_bbox": [round(v, 2) for v in self.b_bbox],
            "a_exemptions": list(self.a_exemptions), "b_exemptions": list(self.b_exemptions),
            "text": self.text, "text_source": self.text_source,
        }


@dataclass
class _Red:
    id: int
    bbox: Box
    codes: tuple[str, ...]


@dataclass
class _Side:
    page: int
    source: str
    file: str
    kind: str
    index: int
    reds: list[_Red] = field(default_factory=list)
    hide: list[_Red] = field(default_factory=list)  # every box, full-page ones included


def _area(b: Box) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _codes(stamped: str, reviewed: str | None) -> tuple[str, ...]:
    return tuple(sorted(ops.effective_exemptions(stamped, reviewed)))


def _side(matter: Matter, page_id: int) -> _Side:
    row = matter.conn.execute(
        "SELECT p.text_source, f.path, f.kind, p.page_index FROM pages p "
        "JOIN source_files f ON f.id = p.source_file_id WHERE p.id = ?", (page_id,)).fetchone()
    if row is None:
        raise ValueError(f"no such page: {page_id}")
    side = _Side(page_id, row[0], matter.local_path(row[1]), row[2], row[3])
    for rid, x0, y0, x1, y1, ex, rev, full in matter.conn.execute(
            "SELECT id, x0, y0, x1, y1, exemptions, exemptions_reviewed, withheld_in_full "
            "FROM redactions WHERE page_id = ? ORDER BY y0, x0, id", (page_id,)):
        red = _Red(rid, (x0, y0, x1, y1), _codes(ex, rev))
        side.hide.append(red)  # text under any box, a page-sized one too, is never shown
        if not full:
            side.reds.append(red)
    return side


def _inter_matrix(a: list[_Red], b: list[_Red]) -> np.ndarray:
    """(len(a), len(b)) intersection areas."""
    if not a or not b:
        return np.zeros((len(a), len(b)))
    pa = np.array([r.bbox for r in a], dtype=np.float64)
    pb = np.array([r.bbox for r in b], dtype=np.float64)
    w = np.minimum(pa[:, None, 2], pb[None, :, 2]) - np.maximum(pa[:, None, 0], pb[None, :, 0])
    h = np.minimum(pa[:, None, 3], pb[None, :, 3]) - np.maximum(pa[:, None, 1], pb[None, :, 1])
    # typed here: numpy's hints give clip() with no upper bound as Any
    area: np.ndarray = np.clip(w, 0, None) * np.clip(h, 0, None)
    return area


def _changes(a: _Side, b: _Side) -> list[Change]:
    out = []
    inter = _inter_matrix(a.reds, b.reds)
    area_a = np.array([max(_area(r.bbox), 1e-9) for r in a.reds])
    area_b = np.array([max(_area(r.bbox), 1e-9) for r in b.reds])
    cover_a = inter.sum(axis=1) / area_a if len(a.reds) else np.zeros(0)
    cover_b = inter.sum(axis=0) / area_b if len(b.reds) else np.zeros(0)
    for k, red in enumerate(a.reds):
        if cover_a[k] < COVERED:
            out.append(Change("lifted", a.page, b.page, red.id, None, red.bbox, red.bbox,
                              red.codes, ()))
    for k, red in enumerate(b.reds):
        if cover_b[k] < COVERED:
            out.append(Change("added", a.page, b.page, None, red.id, red.bbox, red.bbox,
                              (), red.codes))
    if len(a.reds) and len(b.reds):
        share = inter / np.maximum(area_a[:, None], area_b[None, :])
        for k, ra in enumerate(a.reds):
            j = int(share[k].argmax())
            rb = b.reds[j]
            if share[k, j] >= 0.5 and ra.codes and rb.codes and ra.codes != rb.codes:
                out.append(Change("recoded", a.page, b.page, ra.id, rb.id, ra.bbox, rb.bbox,
                                  ra.codes, rb.codes))
    return out


def _chars(page: Any) -> list[tuple[float, float, float, float, str]]:
    """Every character of a PDF page's text layer with its box, as one-character "words"."""
    out = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                for ch in span["chars"]:
                    out.append((*ch["bbox"], ch["c"]))
            out.append((0.0, 0.0, 0.0, 0.0, "\n"))
    return out


class _Chars:
    """A page's characters (or OCR words) with their centres, for fast clipping by box."""

    def __init__(self, items: list[tuple[float, float, float, float, str]], hide: list[_Red],
                 sep: str = "") -> None:
        self.text = [t for *_, t in items]
        xy = np.array([((x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1, _ in items]
                      ).reshape(-1, 2)
        self.cx, self.cy = xy[:, 0], xy[:, 1]
        self.hidden = np.zeros(len(items), dtype=bool)
        for h in hide:
            self.hidden |= self._inside(h.bbox)
        self.sep = sep

    def _inside(self, box: Box) -> np.ndarray:
        return ((self.cx >= box[0]) & (self.cx <= box[2]) & (self.cy >= box[1])
                & (self.cy <= box[3]))

    def clip(self, box: Box) -> str:
        """The text inside ``box`` that no box of this page covers, whitespace collapsed."""
        keep = self._inside(box) & ~self.hidden
        parts: list[str] = []
        last = -2
        for k in np.flatnonzero(keep).tolist():
            if k != last + 1 and parts:
                parts.append(" ")
            parts.append(self.text[k])
            last = k
        return " ".join(self.sep.join(parts).split())


def _fill_text(matter: Matter, sides: dict[int, _Side], changes: list[Change]) -> list[Change]:
    """Set each lifted/added change's released text from the version that shows it."""
    need: dict[int, list[int]] = defaultdict(list)  # showing page -> change indexes
    for k, ch in enumerate(changes):
        if ch.kind in ("lifted", "added"):
            need[ch.b_page if ch.kind == "lifted" else ch.a_page].append(k)
    out = list(changes)
    by_file: dict[tuple[str, str], list[int]] = defaultdict(list)
    for page_id in need:
        side = sides[page_id]
        words = [] if side.source == "pdf" else [tuple(r) for r in matter.conn.execute(
            "SELECT x0, y0, x1, y1, text FROM ocr_words WHERE page_id = ? AND stamp = 0 "
            "ORDER BY n", (page_id,))]
        if words:  # an OCR'd scan, or a load-file TIFF whose words OCR placed
            clipper = _Chars(words, side.hide, sep=" ")
            for k in need[page_id]:
                out[k] = replace(out[k], text=clipper.clip(out[k].a_bbox) or None,
                                 text_source="ocr words")
        elif side.source == "pdf":
            by_file[(side.file, side.kind)].append(page_id)
        else:
            for k in need[page_id]:
                out[k] = replace(out[k], text=None, text_source="unavailable")
    for (path, kind), page_ids in sorted(by_file.items()):
        from app.ingest.pdf import open_document

        try:
            doc = open_document(Path(path), kind)
        except Exception:  # moved or damaged source: say so, do not fail the comparison
            for pid in page_ids:
                for k in need[pid]:
                    out[k] = replace(out[k], text=None, text_source="unavailable")
            continue
        try:
            for pid in page_ids:
                side = sides[pid]
                clipper = _Chars(_chars(doc[side.index]), side.hide)
                for k in need[pid]:
                    text = clipper.clip(out[k].a_bbox)
                    out[k] = replace(out[k], text=text or None,
                                     text_source="pdf words" if text else "unavailable")
        finally:
            doc.close()
    return out


def diff_pages(matter: Matter, pairs: Iterable[tuple[int, int]], *, with_text: bool = True
               ) -> list[Change]:
    """The differences of each (a page id, b page id) pair, in the order given.

    ``with_text=False`` skips reading released text (faster; ``text`` stays None).
    """
    sides: dict[int, _Side] = {}
    changes: list[Change] = []
    for a, b in pairs:
        for pid in (a, b):
            if pid not in sides:
                sides[pid] = _side(matter, pid)
        changes += _changes(sides[a], sides[b])
    return _fill_text(matter, sides, changes) if with_text else changes


def diff_pair(matter: Matter, pair: Any, *, with_text: bool = True) -> list[Change]:
    """The differences of a :class:`app.compare.match.DocPair` (all its page pairs)."""
    return diff_pages(matter, [(pp.a, pp.b) for pp in pair.pages], with_text=with_text)


def challenge_inconsistent(matter: Matter, reviewer: str, change: Change, *,
                           argument: str = "", op_id: str | None = None) -> Changes:
    """Challenge the still-redacted version's redaction as inconsistent, citing the other.

    One audited op (``app.review.ops.add_challenge``): ground "inconsistent redaction", the
    evidence cite naming the page (Bates, production) that shows the passage, and the released
    text as the evidence passage.
    """
    if change.kind not in ("lifted", "added"):
        raise ReviewError("only a lifted or added redaction is an inconsistent redaction")
    redacted, shown = ((change.a_redaction, change.b_page) if change.kind == "lifted"
                       else (change.b_redaction, change.a_page))
    row = matter.conn.execute(
        "SELECT p.bates, pr.name FROM pages p JOIN productions pr ON pr.id = p.production_id "
        "WHERE p.id = ?", (shown,)).fetchone()
    where = f"{row[0] or f'page {shown}'} ({row[1]})" if row else f"page {shown}"
    passage = change.text or ""
    default = (f"The same passage is released in the clear at {where}; withholding it here is "
               f"inconsistent with the agency's own release.")
    return ops.add_challenge(
        matter, reviewer, [("redaction", int(redacted or 0))], op_id=op_id,
        grounds=["inconsistent_redaction"], argument=argument or default,
        evidence_cite=f"Released at {where}", evidence_passage=passage)


def change_json(matter: Matter, change: Change) -> dict[str, Any]:
    """A change with the Bates numbers of its two pages, for the CLI."""
    out = change.as_dict()
    for side in ("a", "b"):
        out[f"{side}_bates"] = matter.scalar("SELECT bates FROM pages WHERE id = ?",
                                             (out[f"{side}_page"],))
    return out
