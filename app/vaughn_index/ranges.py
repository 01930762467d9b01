"""Bates ranges as an agency writes them in a Vaughn index cell, and the pages they name.

A cell may hold one number, a range ("ICE-FOIA-000001 - ICE-FOIA-000003", "ICE-FOIA-000001-003",
"ICE-FOIA-000001 through 000003") or several of them separated by ``;``, ``,``, new lines or
"and". A Bates number is whatever ends in a run of 6-10 digits; the text before the run is its
prefix, compared separator-free and by suffix with the production's prefixes, so a leading
"Bates Nos." or "Doc 12:" does not matter. Only linear-time patterns (digit runs) are used.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.bates import bates_key, normalise

_DIGITS = re.compile(r"\d+")
_PARTS = re.compile(r"[;,\n]")
_RANGE_WORDS = ("through", "thru", "to", "..", "-", "–")


@dataclass(frozen=True)
class BatesRange:
    """A range of one prefix: ``start``..``end`` (counters); ``prefix`` separator-free."""

    first: str
    last: str
    prefix: str
    start: int
    end: int

    def as_dict(self) -> dict[str, object]:
        """What the matter stores (vaughn_entries.ranges)."""
        return {"first": self.first, "last": self.last, "prefix": self.prefix,
                "start": self.start, "end": self.end}

    @property
    def size(self) -> int:
        """How many Bates numbers the range spans."""
        return self.end - self.start + 1


def _tails(text: str) -> list[re.Match[str]]:
    """Digit runs of 6-10 digits that end a token (a Bates counter)."""
    out = []
    for m in _DIGITS.finditer(text):
        after = text[m.end():m.end() + 1]
        if 6 <= len(m.group()) <= 10 and not after.isalpha():
            out.append(m)
    return out


def _strip_range_word(text: str) -> str | None:
    """``text`` after a leading range separator, or None when it does not start with one."""
    rest = text.strip()
    for word in _RANGE_WORDS:
        if rest.lower().startswith(word):
            tail = rest[len(word):]
            if word.isalpha() and tail[:1].isalnum():
                continue
            return tail.strip()
    return None


def parse_ranges(cell: str) -> tuple[list[BatesRange], list[str]]:
    """The ranges in a Bates cell, and the parts that named no Bates number (kept to report)."""
    text = _PARTS.sub(";", str(cell or "").replace(" and ", ";").replace(" AND ", ";"))
    ranges: list[BatesRange] = []
    unread: list[str] = []
    for raw in text.split(";"):
        part = normalise(raw)
        if not part:
            continue
        tails = _tails(part)
        if not tails:
            unread.append(part)
            continue
        begin = 0
        i = 0
        while i < len(tails):
            m = tails[i]
            first = part[begin:m.end()].strip(" -")
            prefix = bates_key(part[begin:m.start()])
            start = end = int(m.group())
            last = first
            if i + 1 < len(tails):
                nxt = tails[i + 1]
                second = _strip_range_word(part[m.end():nxt.start()])
                second_key = bates_key(second or "")
                if (second is not None and int(nxt.group()) >= start
                        and (not second_key or prefix.endswith(second_key)
                             or second_key.endswith(prefix))):
                    end = int(nxt.group())
                    last = (_strip_range_word(part[m.end():nxt.end()]) or "" if second_key
                            else first[:len(first) - len(m.group())] + nxt.group())
                    i += 1
            ranges.append(BatesRange(first, last, prefix, start, end))
            begin = tails[i].end()
            i += 1
    return ranges, unread


class PageFinder:
    """The matter's pages by prefix key and counter, for resolving ranges to page ids."""

    def __init__(self, pages: Iterable[tuple[int, str | None, int | None]]) -> None:
        by_prefix: dict[str, list[tuple[int, int]]] = {}
        for pid, prefix, number in pages:
            if number is None:
                continue
            by_prefix.setdefault(bates_key(prefix or ""), []).append((int(number), int(pid)))
        for rows in by_prefix.values():
            rows.sort()
        self._rows = by_prefix
        self._numbers = {k: [n for n, _ in v] for k, v in by_prefix.items()}
        # Longest first: "DHS2022ICLI00012" must win over a shorter prefix it ends with.
        self._prefixes = sorted(by_prefix, key=len, reverse=True)

    def prefix_for(self, prefix: str) -> str | None:
        """The production prefix a range's prefix names (exact, else by suffix)."""
        if prefix in self._rows:
            return prefix
        for known in self._prefixes:
            if known and prefix.endswith(known):
                return known
        return None

    def pages(self, rng: BatesRange) -> list[int]:
        """Page ids in the range, in Bates order (empty when no production has them)."""
        known = self.prefix_for(rng.prefix)
        if known is None:
            return []
        numbers = self._numbers[known]
        lo = bisect.bisect_left(numbers, rng.start)
        hi = bisect.bisect_right(numbers, rng.end)
        return [pid for _, pid in self._rows[known][lo:hi]]
