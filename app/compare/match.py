"""Match the same record across tranches, and copies of one record inside a tranche.

Every page gets a signature from what it shows:

* **text**: the page's visible text (``page_text``, whatever its source: PDF layer, load-file
  text or OCR) with its own Bates number removed, as word 2-gram shingles. A 64-value MinHash
  of the shingles feeds locality-sensitive hashing (21 bands of 3), which proposes candidate
  page pairs in near-linear time; each candidate is then verified exactly with an
  IDF-weighted *containment* score (shared shingle weight over the smaller page's weight).
  Containment rather than Jaccard because a re-release mostly *adds* text (lifted redactions)
  and boilerplate (rare weight) must not make two different records look alike.
* **layout**: the redaction boxes. A re-release keeps the page geometry, so the boxes still
  redacted in both versions sit in the same place with the same size. Pages with too little
  text (a scan before OCR shows only its Bates line) are matched on their boxes: quantised box
  tokens go through the same MinHash/LSH, and candidates are verified by matching boxes one to
  one within a small tolerance.

Page pairs then vote for document pairs. Two records (documents of at most :data:`LONG_DOCUMENT`
pages) pair only when they have the same page count, line up at offset 0 and *every* page that
text or layout can judge matches its counterpart: single pages of different records often look
alike (weekly-report tables share columns, box positions and small value vocabularies; emails
and memos share boilerplate paragraphs), so half the pages matching is not enough. Longer files
(a whole tranche in one PDF) pair stretch by stretch. Inside one production only near-identical
copies pair: every page's text must agree to :data:`SAME_PRODUCTION` (look-alike reports of one
tranche share most of their text and all of their layout), and layout alone never pairs them.
Inside an accepted document pair, pages that neither text nor layout can judge (a scan without
OCR and without boxes, say) are paired by position and marked ``position``. Limits (honest): a
scanned page with no OCR text and no redaction boxes matches only through its document's other
pages; a record re-released with pages re-ordered matches on the pages that keep a consistent
offset; identical boilerplate pages shared by many documents (slip sheets, pages withheld in
full, LSH buckets of more than :data:`BUCKET_CAP` pages) are not matched on their own.
"""

from __future__ import annotations

import re
import time
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.matter.store import Matter

N_HASH = 63
BANDS, ROWS = 21, 3
BUCKET_CAP = 60
MIN_SHINGLES = 8  # fewer than this: the page's text cannot judge a match on its own
TEXT_THRESHOLD = 0.62
SAME_PRODUCTION = 0.85  # a copy within one production must share this much of its text
TEXT_FLOOR = 0.55  # text shared below this is not the same page, whatever the boxes say
LAYOUT_THRESHOLD = 0.9
MIN_BOXES = 3
BOX_TOL = 3.0  # points: scans put boxes within about a point of the vector original
DOC_THRESHOLD = 0.5
SINGLE_THRESHOLD = 0.8
LONG_DOCUMENT = 20  # pages: longer "documents" may hold many records (one file a tranche)
_THRESHOLD = {"text": TEXT_THRESHOLD, "layout": LAYOUT_THRESHOLD}

_CODE = re.compile(r"\(\s*[a-z0-9]{1,2}\s*\)", re.I)  # "(b)", "(7)", "(C)": stamp residue
_TOKEN = re.compile(r"[a-z0-9]+")
_rng = np.random.default_rng(20240508)
_A = (_rng.integers(1, 1 << 62, N_HASH, dtype=np.uint64) | np.uint64(1))
_B = _rng.integers(0, 1 << 62, N_HASH, dtype=np.uint64)
_BAND_MUL = _rng.integers(1, 1 << 62, ROWS, dtype=np.uint64) | np.uint64(1)
_MASK = (1 << 63) - 1


@dataclass(frozen=True)
class PagePair:
    """Two pages holding the same record page. ``a`` is the earlier page (tranche, then id).

    ``method``: ``text``, ``layout`` (redaction boxes) or ``position`` (inferred from the
    document pair); ``score`` in 0..1 (``position`` pairs score 0).
    """

    a: int
    b: int
    score: float
    method: str


@dataclass(frozen=True)
class DocPair:
    """Two documents holding the same record, with their page pairs in page order."""

    a: int
    b: int
    score: float
    pages: tuple[PagePair, ...]


@dataclass
class MatchResult:
    """What :func:`match` found: document pairs, plus timing and counts."""

    pairs: list[DocPair] = field(default_factory=list)
    pages: int = 0
    candidates: int = 0
    seconds: float = 0.0

    def page_pairs(self) -> list[PagePair]:
        """Every page pair of every document pair."""
        return [pp for d in self.pairs for pp in d.pages]


@dataclass
class _Page:
    id: int
    doc: int
    index: int
    order: tuple[int, int]
    shingles: np.ndarray  # sorted unique uint64
    boxes: np.ndarray  # (n, 4) float
    box_tokens: np.ndarray
    withheld: bool


def tokens(text: str, bates: str | None = None) -> list[str]:
    """Normalised words of a page's visible text, without its Bates number or stamp codes."""
    if bates:
        text = text.replace(bates, " ")
    return _TOKEN.findall(_CODE.sub(" ", text.lower()))


_WORD_HASH: dict[str, int] = {}


def _word_hash(word: str) -> int:
    """A stable 64-bit hash of a word (Python's ``hash`` changes from run to run)."""
    h = _WORD_HASH.get(word)
    if h is None:
        data = word.encode()
        h = _WORD_HASH[word] = (zlib.crc32(data) << 32) | zlib.crc32(data, 0x5BD1E995)
    return h


_P1, _P2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)


def shingles(words: list[str]) -> np.ndarray:
    """Sorted unique 63-bit hashes of the word 2-grams (single words for a one-word page).

    Stable across runs, so matching the same matter twice proposes the same candidates.
    """
    h = np.fromiter((_word_hash(w) for w in words), dtype=np.uint64, count=len(words))
    if len(h) >= 2:
        with np.errstate(over="ignore"):
            h = h[:-1] * _P1 + ((h[1:] * _P2) >> np.uint64(7))
    return np.unique(h & np.uint64(_MASK))


def _box_tokens(boxes: np.ndarray) -> np.ndarray:
    """Quantised box tokens on two half-shifted grids, so a point of noise rarely splits them."""
    if not len(boxes):
        return np.zeros(0, dtype=np.uint64)
    out = []
    cy = (boxes[:, 1] + boxes[:, 3]) / 2
    for grid, shift in ((6.0, 0.0), (6.0, 3.0)):
        q = np.stack([np.floor((boxes[:, 0] + shift) / grid), np.floor((cy + shift) / grid),
                      np.floor((boxes[:, 2] - boxes[:, 0] + shift) / grid)], axis=1)
        for row in q.astype(np.int64).tolist():
            out.append(zlib.crc32(repr((shift, *row)).encode()) << 20 ^ zlib.crc32(
                repr(row).encode()))
    return np.unique(np.array(out, dtype=np.uint64))


def minhash(sets: list[np.ndarray]) -> np.ndarray:
    """(len(sets), N_HASH) MinHash signatures; an empty set gets all-max (never bucketed)."""
    sig = np.full((len(sets), N_HASH), np.iinfo(np.uint64).max, dtype=np.uint64)
    nonempty = [i for i, s in enumerate(sets) if len(s)]
    for start in range(0, len(nonempty), 4000):  # bounded memory at 100,000 pages
        chunk = nonempty[start:start + 4000]
        values = np.concatenate([sets[i] for i in chunk])
        offsets = np.cumsum([0] + [len(sets[i]) for i in chunk[:-1]])
        rows = np.array(chunk)
        with np.errstate(over="ignore"):
            for k in range(N_HASH):
                h = (values * _A[k] + _B[k]) >> np.uint64(1)
                sig[rows, k] = np.minimum.reduceat(h, offsets)
    return sig


def lsh_candidates(sig: np.ndarray, usable: np.ndarray) -> set[tuple[int, int]]:
    """Index pairs (i < j) that share at least one LSH band bucket of at most BUCKET_CAP."""
    pairs: set[tuple[int, int]] = set()
    idx = np.flatnonzero(usable)
    if len(idx) < 2:
        return pairs
    with np.errstate(over="ignore"):
        for band in range(BANDS):
            part = sig[idx, band * ROWS:(band + 1) * ROWS]
            key = (part * _BAND_MUL).sum(axis=1, dtype=np.uint64)
            order = np.argsort(key, kind="stable")
            sk = key[order]
            cut = np.flatnonzero(np.diff(sk)) + 1
            starts = np.concatenate([[0], cut])
            ends = np.concatenate([cut, [len(sk)]])
            sizes = ends - starts
            for s, e in zip(starts[(sizes > 1) & (sizes <= BUCKET_CAP)],
                            ends[(sizes > 1) & (sizes <= BUCKET_CAP)], strict=True):
                members = sorted(idx[order[s:e]].tolist())
                for x in range(len(members)):
                    for y in range(x + 1, len(members)):
                        pairs.add((members[x], members[y]))
    return pairs


def box_score(a: np.ndarray, b: np.ndarray, tol: float = BOX_TOL) -> float:
    """Share of the smaller box set that has a box of the other set in the same place."""
    if not len(a) or not len(b):
        return 0.0
    close = np.abs(a[:, None, :] - b[None, :, :]).max(axis=2) <= tol
    matched = min(int(close.any(axis=1).sum()), int(close.any(axis=0).sum()))
    return matched / min(len(a), len(b))


def _load(matter: Matter) -> list[_Page]:
    boxes: dict[int, list[tuple[float, float, float, float]]] = defaultdict(list)
    for pid, x0, y0, x1, y1 in matter.conn.execute(
            "SELECT page_id, x0, y0, x1, y1 FROM redactions WHERE withheld_in_full = 0"):
        boxes[pid].append((x0, y0, x1, y1))
    out = []
    rows = matter.conn.execute(
        # the page's place in its document (page_index is its place in its source file:
        # 0 for every page of a load-file volume, one image file a page)
        "SELECT p.id, p.document_id, row_number() OVER (PARTITION BY p.document_id "
        "ORDER BY p.id) - 1, pr.tranche, p.bates, p.withheld_in_full, "
        "coalesce(t.text, '') FROM pages p JOIN productions pr ON pr.id = p.production_id "
        "LEFT JOIN page_text t ON t.page_id = p.id ORDER BY p.id")
    for pid, doc, index, tranche, bates, withheld, text in rows:
        b = np.array(boxes.get(pid, ()), dtype=np.float64).reshape(-1, 4)
        out.append(_Page(pid, doc, index, (tranche, pid), shingles(tokens(text, bates)),
                         b, _box_tokens(b), bool(withheld)))
    return out


def _filter(sets: list[np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """A function keeping the hashes found in 2..BUCKET_CAP of ``sets``."""
    allh = np.concatenate(sets or [np.zeros(0, np.uint64)])
    keys, counts = np.unique(allh, return_counts=True)
    keep = keys[(counts > 1) & (counts <= BUCKET_CAP)]
    return lambda h: h[np.isin(h, keep, assume_unique=True)]


def _idf(pages: list[_Page]) -> tuple[np.ndarray, np.ndarray]:
    allh = np.concatenate([p.shingles for p in pages] or [np.zeros(0, np.uint64)])
    keys, counts = np.unique(allh, return_counts=True)
    n = max(len(pages), 1)
    # A shingle on one page only cannot be shared by any pair: weight 0, so the text a
    # re-release lifted (names, numbers: all unique) does not drown what both versions show.
    return keys, np.where(counts > 1, np.log(1.0 + n / counts), 0.0)


def _weights(h: np.ndarray, keys: np.ndarray, idf: np.ndarray) -> np.ndarray:
    return idf[np.searchsorted(keys, h)]


def text_score(a: np.ndarray, wa: np.ndarray, b: np.ndarray, wb: np.ndarray) -> float:
    """IDF-weighted containment of the smaller page's shingles in the other's."""
    if not len(a) or not len(b):
        return 0.0
    _, ia, _ = np.intersect1d(a, b, assume_unique=True, return_indices=True)
    denom = min(float(wa.sum()), float(wb.sum()))
    return float(wa[ia].sum()) / denom if denom else 0.0


def match(matter: Matter, *, progress: Callable[[str, int, int], None] | None = None
          ) -> MatchResult:
    """Find every pair of documents in the matter that hold the same record.

    ``progress(stage, done, total)`` is called between stages and every few thousand
    candidates while verifying (it may raise to cancel). Pairs are ordered by the
    earlier document's first page; in each pair ``a`` is the earlier (lower tranche) version.
    """
    started = time.perf_counter()
    report = progress or (lambda *_: None)
    pages = _load(matter)
    report("signatures", 1, 4)
    keys, idf = _idf(pages)
    weights = [_weights(p.shingles, keys, idf) for p in pages]
    text_keep = _filter([p.shingles for p in pages])
    box_keep = _filter([p.box_tokens for p in pages])
    has_text = np.array([len(p.shingles) >= MIN_SHINGLES and not p.withheld for p in pages])
    has_boxes = np.array([len(p.boxes) >= MIN_BOXES and not p.withheld for p in pages])
    # Only shingles that two or more pages share, and not boilerplate on very many pages, can
    # propose a pair: MinHash on those sees re-releases as near-identical.
    text_sig = minhash([text_keep(p.shingles if ok else p.shingles[:0]) for p, ok in zip(
        pages, has_text, strict=True)])
    box_sig = minhash([box_keep(p.box_tokens if ok else p.box_tokens[:0]) for p, ok in zip(
        pages, has_boxes, strict=True)])
    report("candidates", 2, 4)
    cands_text = lsh_candidates(text_sig, has_text)
    cands_box = lsh_candidates(box_sig, has_boxes)
    report("verify", 3, 4)

    def judge(i: int, j: int) -> tuple[float, str] | None:
        """The page pair's score and method, or None when nothing on them can judge it."""
        p, q = pages[i], pages[j]
        if has_text[i] and has_text[j]:
            s = text_score(p.shingles, weights[i], q.shingles, weights[j])
            if len(p.boxes) and len(q.boxes) and s >= TEXT_FLOOR:
                # both redacted somewhere: boxes must agree too (but cannot make up for text
                # that mostly differs: look-alike reports share their layout)
                s = (s + box_score(p.boxes, q.boxes)) / 2
            return s, "text"
        if has_boxes[i] and has_boxes[j]:
            return box_score(p.boxes, q.boxes), "layout"
        return None

    def same_production(i: int, j: int) -> tuple[float, str] | None:
        """Two copies within one production: near-identical text, nothing less (look-alike
        weekly reports of one tranche share most of their text and all of their layout)."""
        verdict = judge(i, j)
        if verdict is None or (verdict[1] == "text" and verdict[0] >= SAME_PRODUCTION):
            return verdict
        return 0.0, verdict[1]

    found: dict[tuple[int, int], tuple[float, str]] = {}
    within: dict[tuple[int, int], tuple[float, str]] = {}
    for n, (i, j) in enumerate(cands_text | cands_box):
        if n % 4096 == 4095:
            report("verify", 3, 4)  # often, so a progress callback that cancels acts soon
        if pages[i].doc == pages[j].doc or (i, j) in found or (i, j) in within:
            continue
        if pages[i].order[0] == pages[j].order[0]:
            verdict = same_production(i, j)
            if verdict and verdict[0] >= SAME_PRODUCTION:
                within[(i, j)] = verdict
            continue
        verdict = judge(i, j)
        if verdict and verdict[0] >= _THRESHOLD[verdict[1]]:
            found[(i, j)] = verdict
    pairs = _documents(pages, found, judge) + _documents(pages, within, same_production)
    result = MatchResult(pairs=_transitive(pairs, pages), pages=len(pages),
                         candidates=len(cands_text) + len(cands_box))
    result.seconds = time.perf_counter() - started
    report("done", 4, 4)
    return result


def _documents(pages: list[_Page], found: dict[tuple[int, int], tuple[float, str]],
               judge: Callable[[int, int], tuple[float, str] | None]) -> list[DocPair]:
    """Group verified page pairs into document pairs at one consistent page offset.

    Every aligned page pair of a proposed document pair is then judged directly (LSH may have
    missed some); the document score is the mean over the pages that can be judged.
    """
    by_doc: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(pages):
        by_doc[p.doc].append(i)
    for members in by_doc.values():
        members.sort(key=lambda i: pages[i].index)
    votes: dict[tuple[int, int], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for (i, j), (score, _) in found.items():
        if pages[j].order < pages[i].order:
            i, j = j, i
        p, q = pages[i], pages[j]
        votes[(p.doc, q.doc)][q.index - p.index] += score
    out = []
    for (da, db), offsets in votes.items():
        for offset, _ in sorted(offsets.items(), key=lambda kv: -kv[1]):
            a_pages, b_pages = by_doc[da], by_doc[db]
            b_at = {pages[j].index: j for j in b_pages}
            overlap = [(i, b_at[pages[i].index + offset]) for i in a_pages
                       if pages[i].index + offset in b_at]
            verdicts = [judge(i, j) for i, j in overlap]
            ok = [v is not None and v[0] >= _THRESHOLD[v[1]] for v in verdicts]
            judged_all = [v[0] if good else 0.0 for v, good in zip(verdicts, ok, strict=True)
                          if v is not None]
            longest = max(len(a_pages), len(b_pages))
            if longest <= LONG_DOCUMENT:
                # Records: a re-release keeps the page count and the page order, and every
                # page that text or layout can judge must match its counterpart. One or two
                # look-alike pages (a table of the same columns, boilerplate paragraphs) are
                # not a record.
                whole = (offset == 0 and len(a_pages) == len(b_pages) and any(ok)
                         and all(good for v, good in zip(verdicts, ok, strict=True)
                                 if v is not None))
            else:
                whole = (len(overlap) / longest >= 0.5
                         and sum(judged_all) / max(len(judged_all), 1) >= DOC_THRESHOLD)
            if not whole and longest <= LONG_DOCUMENT:
                continue  # documents that are records: they line up, or they do not match
            if whole:
                runs = [(0, len(overlap))]  # two documents that line up: pair them whole
            else:  # a whole production in one file, say: pair the stretches that match
                runs = _runs(ok, [v is None for v in verdicts])
            for lo, hi in runs:
                judged = [v for v in verdicts[lo:hi] if v is not None]
                total = sum(v[0] for v, good in zip(verdicts[lo:hi], ok[lo:hi], strict=True)
                            if good and v is not None)  # good implies v is not None
                score = total / max(len(judged), 1)
                if score < DOC_THRESHOLD or not any(ok[lo:hi]):
                    continue
                if not whole and sum(ok[lo:hi]) == 1 and score < SINGLE_THRESHOLD:
                    continue  # one page alone must match very well
                pps = []
                for (i, j), v, good in zip(overlap[lo:hi], verdicts[lo:hi], ok[lo:hi],
                                           strict=True):
                    pps.append(PagePair(pages[i].id, pages[j].id,
                                        round(v[0], 4) if v else 0.0,
                                        v[1] if good and v else "position"))
                out.append(DocPair(da, db, round(score, 4), tuple(pps)))
            if whole:
                break  # two documents that line up: one offset only
    out = _one_to_one(out, pages)
    out.sort(key=lambda d: (d.pages[0].a if d.pages else 0, d.b))
    return out


def _runs(ok: list[bool], unknown: list[bool]) -> list[tuple[int, int]]:
    """Maximal stretches of matching pages; pages nothing can judge join a run inside it."""
    runs, k = [], 0
    while k < len(ok):
        if not ok[k]:
            k += 1
            continue
        lo = hi = k
        while hi + 1 < len(ok) and (ok[hi + 1] or unknown[hi + 1]):
            hi += 1
        while hi > lo and not ok[hi]:
            hi -= 1
        runs.append((lo, hi + 1))
        k = hi + 1
    return runs


def _transitive(pairs: list[DocPair], pages: list[_Page]) -> list[DocPair]:
    """Add b~c when a~b and a~c (a record in three tranches, one version a scan, say)."""
    order = {p.doc: p.order for p in pages if p.index == 0}
    pos = {p.id: (p.doc, p.index) for p in pages}
    have = {(pp.a, pp.b) for d in pairs for pp in d.pages}
    by_doc: dict[int, list[DocPair]] = defaultdict(list)
    for d in pairs:
        by_doc[d.a].append(d)
        by_doc[d.b].append(d)
    extra = []
    for d1 in pairs:
        for d2 in by_doc[d1.a]:
            if d2 is d1 or d2.a != d1.a:
                continue
            b, c = d1.b, d2.b
            if order.get(c, (0, 0)) < order.get(b, (0, 0)):
                continue
            if b == c:
                continue
            via_b = {pp.a: pp.b for pp in d1.pages}
            via_c = {pp.a: pp.b for pp in d2.pages}
            pps = tuple(PagePair(via_b[x], via_c[x], 0.0, "transitive")
                        for x in sorted(via_b, key=lambda x: pos[x][1]) if x in via_c
                        and (via_b[x], via_c[x]) not in have
                        and (via_c[x], via_b[x]) not in have)
            if pps:
                have.update((pp.a, pp.b) for pp in pps)
                extra.append(DocPair(b, c, round(min(d1.score, d2.score), 4), pps))
    out = pairs + extra
    out.sort(key=lambda d: (order.get(d.a, (0, 0)), d.b))
    return out


def _one_to_one(pairs: list[DocPair], pages: list[_Page]) -> list[DocPair]:
    """Keep pairs greedily by score so a page pairs with at most one page per other tranche.

    A record re-released in three tranches yields three pairs (1-2, 1-3, 2-3); two documents of
    one production that both look like one document of another keep only the better.
    """
    tranche = {p.id: p.order[0] for p in pages}
    taken: set[tuple[int, int]] = set()
    kept = []
    for d in sorted(pairs, key=lambda d: (-d.score, d.a, d.b)):
        keys = {(pp.a, tranche[pp.b]) for pp in d.pages} | {(pp.b, tranche[pp.a])
                                                           for pp in d.pages}
        if keys & taken:
            continue
        taken |= keys
        kept.append(d)
    return kept
