"""Boilerplate justifications: the same text (identical or nearly) across many entries.

Texts are normalised (lower case, punctuation folded, Bates numbers and other digit runs
dropped, white space collapsed) and compared with RapidFuzz's ``fuzz.ratio`` (a normalised
Levenshtein similarity, 0-100). Two justifications are the same boilerplate at
:data:`THRESHOLD` (88) or above: in the benchmark's generated indexes, a template re-used with
a different name, date or record type in it scores 90-99, while distinct justifications of the
same exemption that share the statute's wording score under 75. Groups are the connected
components of that relation (union-find). A group is boilerplate when it spans at least
:data:`MIN_ENTRIES` entries, or at least two entries claiming different exemptions (one text
justifying different exemptions says nothing particular about either). Texts shorter than
:data:`MIN_CHARS` after normalisation are grouped only when identical.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 88.0
MIN_ENTRIES = 3
MIN_CHARS = 20
BLOCK = 256  # rows compared at once (256 x 20,000 float32 scores: 20 MB)


@dataclass(frozen=True)
class Group:
    """Entries (positions in the input) sharing one boilerplate justification."""

    members: tuple[int, ...]
    exemption_sets: tuple[tuple[str, ...], ...]
    identical: bool
    min_score: float


def normalise(text: str) -> str:
    """The text compared: lower case, no digits or punctuation, single spaces."""
    return " ".join("".join(c.lower() if c.isalpha() else " " for c in text).split())


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
    for start in range(0, len(choices), BLOCK):  # the upper triangle, a block of rows at once
        block = choices[start:start + BLOCK]
        stop = bisect.bisect_right(lengths, lengths[start + len(block) - 1] * stretch)
        matrix = process.cdist(block, choices[start:stop], scorer=fuzz.ratio,
                               score_cutoff=THRESHOLD, dtype=np.float32, workers=1)
        rows, cols = np.nonzero(matrix)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            if c <= r:
                continue
            k, other = long_keys[start + r], long_keys[start + c]
            scores[(k, other)] = float(matrix[r, c])
            a, b = find(k), find(other)
            if a != b:
                parent[b] = a
    components: dict[int, list[int]] = {}
    for k in range(len(keys)):
        components.setdefault(find(k), []).append(k)
    out: list[Group] = []
    for members_k in components.values():
        members = sorted(i for k in members_k for i in unique[keys[k]])
        sets = sorted({tuple(sorted(exemptions[i])) for i in members})
        if len(members) < MIN_ENTRIES and not (len(members) >= 2 and len(sets) >= 2):
            continue
        inside = set(members_k)
        pair_scores = [s for (a, b), s in scores.items() if a in inside and b in inside]
        out.append(Group(tuple(members), tuple(sets), len(members_k) == 1,
                         min(pair_scores) if pair_scores else 100.0))
    out.sort(key=lambda g: g.members[0])
    return out
