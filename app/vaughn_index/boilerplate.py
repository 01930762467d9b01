"""Boilerplate justifications: the same text (identical or nearly) across many entries.

Texts are normalised (lower case, punctuation folded, Bates numbers and other digit runs
dropped, white space collapsed) and compared with RapidFuzz's ``fuzz.ratio`` (a normalised
Levenshtein similarity, 0-100). Two justifications are the same boilerplate at
:data:`THRESHOLD` (88) or above: in the benchmark's generated indexes, a template re-used with
a different name, date or record type in it scores 90-99, while distinct justifications of the
same exemption that share the statute's wording score under 75. Groups are the connected
components of that relation (union-find); a pair already in one group is not scored again, so
a group's ``min_score`` is the weakest of the links that joined it. A group is boilerplate when it spans at least
:data:`MIN_ENTRIES` entries, or at least two entries claiming different exemptions (one text
justifying different exemptions says nothing particular about either). Texts shorter than
:data:`MIN_CHARS` after normalisation are grouped only when identical.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

THRESHOLD = 88.0
MIN_ENTRIES = 3
MIN_CHARS = 20
BLOCK = 128  # rows compared at once
COLUMNS = 2048  # with this many columns at once (128 x 2,048 x 28 counts: 29 MB)


@dataclass(frozen=True)
class Group:
    """Entries (positions in the input) sharing one boilerplate justification."""

    members: tuple[int, ...]
    exemption_sets: tuple[tuple[str, ...], ...]
    identical: bool
    min_score: float  # the weakest link that joined the group (100 when all identical)


def normalise(text: str) -> str:
    """The text compared: lower case, no digits or punctuation, single spaces."""
    return " ".join("".join(c.lower() if c.isalpha() else " " for c in text).split())


def _letter_counts(texts: Sequence[str]) -> np.ndarray:
    """How often each of a-z, the space and anything else occurs in each text (rows)."""
    import numpy as np

    out = np.zeros((len(texts), 28), dtype=np.int32)
    for i, text in enumerate(texts):
        data = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        slot = np.where((data >= 97) & (data <= 122), data - 97,
                        np.where(data == 32, 26, 27))
        out[i] = np.bincount(slot, minlength=28)
    return out


def _near(counts: np.ndarray, size: np.ndarray, start: int, end: int, stop: int
          ) -> dict[int, list[int]]:
    """For each row r, start <= r < end, the columns r < c < stop whose letter counts allow
    a ratio at the threshold (compared a few thousand columns at a time: bounded memory)."""
    import numpy as np

    out: dict[int, list[int]] = {}
    rows_at = np.arange(start, end)[:, None]
    for lo in range(start, stop, COLUMNS):
        hi = min(lo + COLUMNS, stop)
        apart = np.abs(counts[start:end, None, :] - counts[None, lo:hi, :]).sum(axis=2)
        room = (1.0 - THRESHOLD / 100.0) * (size[start:end, None] + size[None, lo:hi])
        rows, cols = np.nonzero((apart <= room) & (np.arange(lo, hi)[None, :] > rows_at))
        for r, c in zip((rows + start).tolist(), (cols + lo).tolist(), strict=True):
            out.setdefault(r, []).append(c)
    return out


def groups(justifications: Sequence[str], exemptions: Sequence[Sequence[str]]) -> list[Group]:
    """The boilerplate groups among the entries' justifications."""
    import numpy as np
    from rapidfuzz import fuzz, process

    texts = [normalise(t) for t in justifications]
    unique: dict[str, list[int]] = {}
    for i, t in enumerate(texts):
        if t:
            unique.setdefault(t, []).append(i)
    keys = list(unique)
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    scores: dict[tuple[int, int], float] = {}
    # Shortest first: a ratio of T or more needs len(b) <= len(a) * (200 - T) / T (the length
    # difference alone costs that much), so each block is compared only with the texts that
    # are not too long for it (exact: no pair at or above the threshold is skipped).
    long_keys = sorted((k for k in range(len(keys)) if len(keys[k]) >= MIN_CHARS),
                       key=lambda k: len(keys[k]))
    choices = [keys[k] for k in long_keys]
    lengths = [len(c) for c in choices]
    stretch = (200.0 - THRESHOLD) / THRESHOLD
    counts = _letter_counts(choices)
    size = np.asarray(lengths, dtype=np.int32)
    for start in range(0, len(choices), BLOCK):  # the upper triangle, a block of rows at once
        end = min(start + BLOCK, len(choices))
        stop = bisect.bisect_right(lengths, lengths[end - 1] * stretch)
        # The ratio is 100 * (1 - indel / (len a + len b)), and the indel distance is at least
        # the difference of the two texts' letter counts: pairs that cannot reach the
        # threshold are dropped before any edit distance is computed (exact, like the length
        # bound above).
        near = _near(counts, size, start, end, stop)
        for r in range(start, end):
            k = long_keys[r]
            # a pair already in one group would add no link: not scored
            cols = [c for c in near.get(r, ()) if find(long_keys[c]) != find(k)]
            if not cols:
                continue
            row = process.cdist([choices[r]], [choices[c] for c in cols], scorer=fuzz.ratio,
                                score_cutoff=THRESHOLD, dtype=np.float32, workers=1)[0]
            for j in np.nonzero(row)[0].tolist():
                other = long_keys[cols[j]]
                a, b = find(k), find(other)
                if a != b:
                    scores[(k, other)] = float(row[j])
                    parent[b] = a
    components: dict[int, list[int]] = {}
    for k in range(len(keys)):
        components.setdefault(find(k), []).append(k)
    weakest: dict[int, float] = {}  # root -> the lowest score of a link inside its group
    for (a, _), score in scores.items():
        root = find(a)
        weakest[root] = min(score, weakest.get(root, 100.0))
    out: list[Group] = []
    for root, members_k in components.items():
        members = sorted(i for k in members_k for i in unique[keys[k]])
        sets = sorted({tuple(sorted(exemptions[i])) for i in members})
        if len(members) < MIN_ENTRIES and not (len(members) >= 2 and len(sets) >= 2):
            continue
        out.append(Group(tuple(members), tuple(sets), len(members_k) == 1,
                         weakest.get(root, 100.0)))
    out.sort(key=lambda g: g.members[0])
    return out
