"""Fuzzy words for OCR noise: expand a word into the index's words within an edit distance.

The vocabulary is the unstemmed FTS5 index's own (an ``fts5vocab`` table in TEMP, so read-only
matters work too; on a server, the ``page_words`` table its triggers keep), read once and kept in memory for the connection until the index changes
(its structure record is the cheap version stamp). Distances are Levenshtein, computed with
rapidfuzz when it is installed (about 2 ms over 100,000 words) and by a banded pure-Python
fallback otherwise. A second pass compares *OCR-folded* forms, where glyphs OCR confuses are
mapped to one form ("rn" -> "m", "0" -> "o", "1" -> "l", "cl" -> "d"...), so that "rnodern"
is found from "modern" at distance 0 even though it is 2 edits away.
"""

from __future__ import annotations

import bisect
import sqlite3
from dataclasses import dataclass
from typing import Any

from app.search.text_index import for_conn

_RF: Any
_rf_extract: Any
try:  # optional accelerator
    from rapidfuzz.distance import Levenshtein as _RF
    from rapidfuzz.process import extract as _rf_extract
except ImportError:  # pragma: no cover - exercised where rapidfuzz is absent
    _RF = None
    _rf_extract = None

MAX_EXPANSIONS = 256  # words a fuzzy term may expand to (closest, then most frequent, first)

_OCR_PAIRS = (("rn", "m"), ("cl", "d"), ("vv", "w"), ("ri", "n"), ("li", "h"))
_OCR_CHARS = str.maketrans({"0": "o", "1": "l", "5": "s", "8": "b"})


def ocr_fold(word: str) -> str:
    """A word with OCR look-alike glyphs mapped to one form."""
    for a, b in _OCR_PAIRS:
        word = word.replace(a, b)
    return word.translate(_OCR_CHARS)


@dataclass
class Vocabulary:
    """The index's words, their page counts, and their OCR-folded forms."""

    stamp: bytes | None
    words: list[str]
    docs: list[int]
    folded: list[str]


_CACHE: dict[int, tuple[sqlite3.Connection, Vocabulary]] = {}  # by connection, a few kept
_CACHE_KEEP = 4


def _stamp(conn: sqlite3.Connection) -> bytes | None:
    return for_conn(conn).vocabulary_stamp()


def vocabulary(conn: sqlite3.Connection) -> Vocabulary:
    """The (cached) vocabulary of the matter's page-text index."""
    stamp = _stamp(conn)
    entry = _CACHE.get(id(conn))
    if entry is not None and entry[0] is conn and entry[1].stamp == stamp:
        return entry[1]
    words: list[str] = []
    docs: list[int] = []
    for term, doc in for_conn(conn).vocabulary_rows():
        words.append(term)
        docs.append(doc)
    vocab = Vocabulary(stamp, words, docs, [ocr_fold(w) for w in words])
    _CACHE.pop(id(conn), None)
    while len(_CACHE) >= _CACHE_KEEP:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[id(conn)] = (conn, vocab)
    return vocab


def cached_vocabulary(conn: sqlite3.Connection) -> Vocabulary | None:
    """The vocabulary if it is already in memory and current, else None (never reads it)."""
    entry = _CACHE.get(id(conn))
    if entry is not None and entry[0] is conn and entry[1].stamp == _stamp(conn):
        return entry[1]
    return None


def prefix_terms(vocab: Vocabulary, prefix: str) -> list[str]:
    """The index words that start with ``prefix`` (the vocabulary is in code-point order)."""
    lo = bisect.bisect_left(vocab.words, prefix)
    hi = bisect.bisect_left(vocab.words, prefix + "\U0010ffff")
    return vocab.words[lo:hi]


def warm(conn: sqlite3.Connection) -> int:
    """Read the vocabulary now (on a worker, after opening or ingesting); its word count."""
    return len(vocabulary(conn).words)


def expand(conn: sqlite3.Connection, word: str, edits: int, keep: int = 0,
           ocr: bool = True) -> list[str]:
    """Index words within ``edits`` of ``word`` whose first ``keep`` letters equal its own.

    With ``ocr``, a word also matches when its OCR-folded form is within ``edits`` of the
    folded query. Closest first, then most frequent; at most MAX_EXPANSIONS.
    """
    vocab = vocabulary(conn)
    found: dict[int, int] = {}
    _match(word, vocab.words, edits, found)
    if ocr:
        _match(ocr_fold(word), vocab.folded, edits, found)
    head = word[:keep]
    ranked = sorted(
        (i for i in found if vocab.words[i].startswith(head)),
        key=lambda i: (found[i], -vocab.docs[i]),
    )
    return [vocab.words[i] for i in ranked[:MAX_EXPANSIONS]]


def _match(word: str, choices: list[str], edits: int, found: dict[int, int]) -> None:
    if _rf_extract is not None:
        for _choice, dist, index in _rf_extract(word, choices, scorer=_RF.distance,
                                                score_cutoff=edits, limit=None):
            if dist < found.get(index, edits + 1):
                found[index] = int(dist)
        return
    n = len(word)
    for index, choice in enumerate(choices):  # pragma: no cover - fallback
        if abs(len(choice) - n) > edits:
            continue
        dist = distance(word, choice, edits)
        if dist <= edits and dist < found.get(index, edits + 1):
            found[index] = dist


def distance(a: str, b: str, cutoff: int | None = None) -> int:
    """Levenshtein distance (stops early, returning cutoff + 1, once above ``cutoff``)."""
    if _RF is not None:
        return int(_RF.distance(a, b, score_cutoff=cutoff))
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if cutoff is not None and min(cur) > cutoff:
            return cutoff + 1
        prev = cur
    return prev[-1]


def matches(word: str, candidate: str, edits: int, keep: int = 0, ocr: bool = True) -> bool:
    """True when ``candidate`` is a fuzzy match of ``word`` (as :func:`expand` decides)."""
    if not candidate.startswith(word[:keep]):
        return False
    if distance(word, candidate, edits) <= edits:
        return True
    return ocr and distance(ocr_fold(word), ocr_fold(candidate), edits) <= edits
