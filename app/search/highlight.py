"""Where a query's hits are on a page: word boxes for the page view to paint.

:func:`hit_boxes` returns rectangles in unrotated page coordinates, PDF points (the space of
``page.get_text("words")`` and of the redaction boxes). Words come from the stored OCR word
boxes (``ocr_words``, migration 0003_ocr) when the page was OCR'd, else from the PDF text layer
with PyMuPDF. Words under a redaction box are never used:
the text under a bad redaction is not shown, and a stamp label is not a hit. Every positive
word, phrase, prefix and fuzzy word of the query is marked wherever it occurs on the page
(proximity operands too, also outside their window); field filters mark nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.matter.store import Matter
from app.matter.words import tokens_of
from app.search import fuzzy
from app.search.proximity import Alt
from app.search.query import AnyOf, Fuzzy, Near, Node, Op, Term, auto_edits, parse

Box = tuple[float, float, float, float]
Word = tuple[float, float, float, float, str]


Fuzz = tuple[str, int, int]  # (word, edits, exact leading letters)


def query_alts(node: Node, ocr: bool = False) -> tuple[list[Alt], list[Fuzz]]:
    """The token sequences a query's positive text matches, and its fuzzy words.

    Fuzzy words are compared with each word on the page itself (not through the index's
    vocabulary), so stored OCR words that differ from the indexed text still light up.
    """
    alts: list[Alt] = []
    fuzz: list[Fuzz] = []

    def leaf(t: Term | Fuzzy) -> None:
        if isinstance(t, Term):
            alts.append(Alt(t.tokens, t.prefix))
            if ocr and not t.prefix and len(t.tokens) == 1 and auto_edits(len(t.tokens[0])):
                fuzz.append((t.tokens[0], auto_edits(len(t.tokens[0])), 0))
        else:
            fuzz.append((t.word, t.max_edits(), t.keep))

    def walk(n: Node) -> None:
        if isinstance(n, Term | Fuzzy):
            leaf(n)
        elif isinstance(n, Near):
            for op in n.operands:
                for o in (op.options if isinstance(op, AnyOf) else (op,)):
                    leaf(o)
        elif isinstance(n, Op):
            walk(n.left)
            walk(n.right)

    walk(node)
    return alts, fuzz


def match_words(words: list[Word], alts: list[Alt], fuzz: Sequence[Fuzz] = ()) -> list[Box]:
    """Boxes of the words that make up an occurrence of any of ``alts`` or ``fuzz``."""
    stream: list[tuple[str, int]] = []  # (token, word index)
    for i, w in enumerate(words):
        stream.extend((t, i) for t in tokens_of(w[4]))
    tokens = {k: t for k, (t, _) in enumerate(stream)}
    hit: set[int] = set()
    for start in range(len(stream)):
        for alt in alts:
            if alt.at(tokens, start):
                hit.update(stream[k][1] for k in range(start, start + len(alt.tokens)))
        token = stream[start][0]
        if any(fuzzy.matches(word, token, edits, keep) for word, edits, keep in fuzz):
            hit.add(stream[start][1])
    return [tuple(words[i][:4]) for i in sorted(hit)]  # type: ignore[misc]


def hit_boxes(matter: Matter, page_id: int, query: str, *, ocr_tolerant: bool = False,
              password: str | None = None, page: Any = None) -> list[Box]:
    """Boxes of the query's hits on one page (empty when the page has no word positions).

    ``page``: the page already open (the window's renderer keeps its documents open), so the
    file is not opened again for every page shown while a search is active.
    """
    row = matter.conn.execute(
        "SELECT p.page_index, p.text_source, f.path, f.kind FROM pages p "
        "JOIN source_files f ON f.id = p.source_file_id WHERE p.id = ?", (page_id,)).fetchone()
    if row is None:
        raise KeyError(page_id)
    index, source, path, kind = row
    alts, fuzz = query_alts(parse(query), ocr=ocr_tolerant and source == "ocr")
    if not alts and not fuzz:
        return []
    words = _ocr_words(matter.conn, page_id) if source == "ocr" else None
    if words is None and page is not None:
        words = [tuple(w[:5]) for w in page.get_text("words")]
    if words is None:
        words = _pdf_words(path, kind, index, password)
    boxes = _redaction_boxes(matter.conn, page_id)
    visible = [w for w in words if not any(_overlaps(w, b) for b in boxes)]
    return match_words(visible, alts, fuzz)


def _pdf_words(path: str, kind: str, index: int, password: str | None) -> list[Word]:
    from app.errors import IngestError
    from app.ingest.pdf import open_document

    if kind not in ("pdf", "image"):
        return []
    try:
        doc = open_document(Path(path), kind, password)
    except (IngestError, OSError):
        return []
    try:
        if index >= doc.page_count:
            return []
        return [tuple(w[:5]) for w in doc.load_page(index).get_text("words")]
    finally:
        doc.close()


def _ocr_words(conn: sqlite3.Connection, page_id: int) -> list[Word] | None:
    """Stored OCR word boxes of the page (migration 0003_ocr), stamp labels left out."""
    cols = {r[1] for r in conn.execute("PRAGMA table_info(ocr_words)")}
    if not {"page_id", "x0", "y0", "x1", "y1", "text"} <= cols:
        return None
    stamp = " AND stamp = 0" if "stamp" in cols else ""
    order = "n" if "n" in cols else "x0"
    rows = conn.execute(f"SELECT x0, y0, x1, y1, text FROM ocr_words WHERE page_id = ?{stamp} "
                        f"ORDER BY {order}", (page_id,)).fetchall()
    return [tuple(r) for r in rows] if rows else None


def _redaction_boxes(conn: sqlite3.Connection, page_id: int) -> list[Box]:
    return [tuple(r) for r in conn.execute(
        # every box but a slip sheet's (its words are the page's visible text): a hit is never
        # marked under a box, a page-sized bad one included
        "SELECT x0, y0, x1, y1 FROM redactions WHERE page_id = ? AND source != 'slip_sheet'",
        (page_id,))]


def _overlaps(word: Word, box: Box) -> bool:
    """True when most of the word lies inside the box."""
    x0, y0, x1, y1 = max(word[0], box[0]), max(word[1], box[1]), min(word[2], box[2]), \
        min(word[3], box[3])
    if x1 <= x0 or y1 <= y0:
        return False
    area = max(1e-6, (word[2] - word[0]) * (word[3] - word[1]))
    return (x1 - x0) * (y1 - y0) / area > 0.5
