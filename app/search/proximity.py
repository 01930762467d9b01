"""Exact proximity: verify FTS5 NEAR candidates where NEAR alone is not the answer.

FTS5's ``NEAR(a b, N)`` is unordered, so ``a pre/N b`` and Lucene's ``"a b"~N`` take NEAR's
candidates and check them here. FTS5's ``highlight()`` marks, in C, exactly the phrase
instances that satisfy the NEAR group (on a server, app.search.text_index marks every
instance of the phrases, a superset the check narrows the same way); only the marked stretches of a page are re-tokenised
(counting the words between them), so checking a page costs about its number of hits, not its
length. Word positions count index tokens (letters and digits), the way FTS5 counts them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from app.matter.words import fold
from app.search.text_index import MARK_CLOSE, MARK_OPEN, for_conn

OPEN, CLOSE = MARK_OPEN, MARK_CLOSE
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Alt:
    """One way to match an operand: its tokens, the last one possibly a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False

    def at(self, marked: dict[int, str], start: int) -> bool:
        last = len(self.tokens) - 1
        for k, want in enumerate(self.tokens):
            got = marked.get(start + k)
            if got is None:
                return False
            if k == last and self.prefix:
                if not got.startswith(want):
                    return False
            elif got != want:
                return False
        return True


def marked_tokens(text: str) -> dict[int, str]:
    """Position -> token of the highlighted tokens (positions relative to the first mark)."""
    out: dict[int, str] = {}
    pos = 0
    i = text.find(OPEN)
    while i >= 0:
        j = text.find(CLOSE, i)
        if j < 0:
            j = len(text)
        for tok in _TOKEN.findall(text, i + 1, j):
            out[pos] = fold(tok)
            pos += 1
        k = text.find(OPEN, j)
        if k < 0:
            break
        pos += len(_TOKEN.findall(text, j + 1, k))
        i = k
    return out


def instances(marked: dict[int, str], alts: Sequence[Alt]) -> list[tuple[int, int]]:
    """(start, end) positions of the operand's instances among the marked tokens."""
    found = set()
    for start in marked:
        for alt in alts:
            if alt.at(marked, start):
                found.add((start, start + len(alt.tokens) - 1))
    return sorted(found)


def ordered(found: list[list[tuple[int, int]]], distance: int) -> bool:
    """Instances in operand order, each starting 0..distance words after the previous ends."""
    reach = {end for _, end in found[0]}
    for later in found[1:]:
        reach = {end for start, end in later
                 if any(0 <= start - prev - 1 <= distance for prev in reach)}
        if not reach:
            return False
    return True


def unordered(found: list[list[tuple[int, int]]], distance: int) -> bool:
    """One instance per operand, in any order, each within ``distance`` words of the last."""
    for combo in itertools.islice(itertools.product(*found), 20_000):
        spans = sorted(combo)
        if all(0 <= b[0] - a[1] - 1 <= distance for a, b in itertools.pairwise(spans)):
            return True
    return False


def slop(found: list[list[tuple[int, int]]], distance: int) -> bool:
    """Lucene sloppy phrase: distinct positions p_i with max(p_i - i) - min(p_i - i) <= N."""
    adjusted = sorted((s - i, i, s) for i, inst in enumerate(found) for s, _ in inst)
    k = len(found)
    for a in range(len(adjusted)):
        window = [x for x in adjusted[a:] if x[0] - adjusted[a][0] <= distance]
        per = [[s for _, i, s in window if i == j] for j in range(k)]
        if any(not p for p in per):
            continue
        for combo in itertools.islice(itertools.product(*per), 5_000):
            if len(set(combo)) == k:
                return True
    return False


CHECKS = {"pre": ordered, "w": unordered, "slop": slop}


def marked_rows(conn: Any, match: str,
                ids: Sequence[int] | None = None) -> Iterator[tuple[int, str]]:
    """(page id, text with the match's phrase instances between OPEN and CLOSE) per page
    (with ``ids``, ascending, only those pages); see app.search.text_index."""
    yield from for_conn(conn).marked_rows(match, ids)


def verify(conn: Any, candidates_fts: str, kind: str,
           operands: Sequence[Sequence[Alt]], distance: int,
           within: Sequence[int] | None = None) -> list[int]:
    """Page ids among the FTS5 candidates whose marked words satisfy the proximity."""
    check = CHECKS[kind]
    out = []
    for rowid, text in marked_rows(conn, candidates_fts, within):
        marked = marked_tokens(text or "")
        found = [instances(marked, alts) for alts in operands]
        if all(found) and check(found, distance):
            out.append(rowid)
    return out
