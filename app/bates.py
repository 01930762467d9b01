"""Bates numbers: parse, normalise, look up, and detect them in page text.

A Bates number is a prefix and a zero-padded counter ("ICE-FOIA-000123",
"DHS 2022-ICLI-00012 000123"). Stamps use look-alike hyphens and odd spacing, so every number
is normalised before it is stored, and lookups compare a *key* with separators removed.
Detection learns the production's prefixes from its pages instead of hard-coding a pattern.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Hyphen look-alikes: U+2010..U+2015, minus sign, small/full-width hyphen-minus, soft hyphen.
_HYPHENS = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u00ad]")
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s\-_.]+")
_NUMBER_TAIL = re.compile(r"^(?P<pre>.*?)(?P<num>\d{6,10})$")
# An atom that may belong to a prefix: upper-case letters, digits and separators, with a letter
# or hyphen in it ("ICE-FOIA-", "DHS", "2022-ICLI-00012"); "Page", "of" and "10" are not.
_PREFIX_ATOM = re.compile(r"^[A-Z0-9][A-Z0-9_.\-]*$")


@dataclass(frozen=True)
class Bates:
    """A parsed Bates number."""

    text: str  # normalised display form
    prefix: str  # normalised prefix, separators kept ("ICE-FOIA-")
    number: int | None  # the counter, None when the value has no numeric tail

    @property
    def key(self) -> str:
        """Separator-free upper-case form used for exact lookups."""
        return bates_key(self.text)

    @property
    def prefix_key(self) -> str:
        """Separator-free upper-case prefix used for range lookups."""
        return bates_key(self.prefix)


def normalise(text: str) -> str:
    """Fold look-alike hyphens to '-', collapse white space, strip."""
    return _SPACES.sub(" ", _HYPHENS.sub("-", text)).strip()


def bates_key(text: str) -> str:
    """The lookup key: upper case, no spaces, hyphens, underscores or dots."""
    return _SEPARATORS.sub("", normalise(text)).upper()


def parse(text: str) -> Bates | None:
    """Parse a Bates number as typed by a user or written in a load file.

    The counter is the trailing run of 6-10 digits; everything before it is the prefix.
    A value without such a tail (a control number like "SYM-00011001_REV") keeps number None.
    """
    value = normalise(text)
    if not value:
        return None
    match = _NUMBER_TAIL.match(value)
    if not match:
        return Bates(value, value, None)
    return Bates(value, match.group("pre"), int(match.group("num")))


def parse_range(text: str) -> tuple[Bates, Bates]:
    """Parse "B1..B2" (also "B1 - B2" is not accepted: hyphens live inside Bates numbers).

    Raises ValueError with a plain message when the range is malformed.
    """
    if ".." not in text:
        raise ValueError(f"not a Bates range (expected FIRST..LAST): {text!r}")
    first_text, last_text = text.split("..", 1)
    first, last = parse(first_text), parse(last_text)
    if first is None or last is None or first.number is None or last.number is None:
        raise ValueError(f"a Bates range needs two Bates numbers: {text!r}")
    if not last_text.strip()[:1].isdigit() and first.prefix_key != last.prefix_key:
        raise ValueError(f"the two ends of {text!r} have different prefixes")
    if last.number < first.number:
        raise ValueError(f"the range {text!r} ends before it starts")
    if last_text.strip()[:1].isdigit() and not last.prefix:  # "ICE-000120..000180"
        last = Bates(first.prefix + last.text, first.prefix, last.number)
    return first, last


# -- detection in page text ----------------------------------------------------------------

FOOTER_ZONE = 0.82  # lines whose top is below this share of the page height
HEADER_ZONE = 0.10  # lines whose bottom is above this share


@dataclass(frozen=True)
class Candidate:
    """A Bates-looking value found on a page, with how it was found."""

    bates: Bates
    whole_line: bool  # the line holds nothing else (a strong signal)


def candidates_in_line(line: str) -> list[Candidate]:
    """Bates-looking values at the ends of one header/footer line.

    The last atom must end in 6-10 digits; the prefix grows leftwards over upper-case atoms
    ("DHS 2022-ICLI-00012 000123") and stops at words such as "Page" or bare counters.
    """
    atoms = normalise(line).split(" ")
    out: list[Candidate] = []
    for end in range(len(atoms) - 1, -1, -1):
        match = _NUMBER_TAIL.match(atoms[end])
        if not match:
            continue
        pre = match.group("pre")
        if pre and not _PREFIX_ATOM.match(pre):
            continue
        start = end
        while start > 0 and _PREFIX_ATOM.match(atoms[start - 1]) and not atoms[start - 1].isdigit():
            start -= 1
        text = " ".join(atoms[start : end + 1])
        bates = parse(text)
        if bates is None or bates.number is None or not re.search("[A-Z]", bates.prefix):
            continue
        out.append(Candidate(bates, whole_line=start == 0 and end == len(atoms) - 1))
    return out


def page_candidates(lines: Iterable[tuple[float, float, str]], height: float) -> list[Candidate]:
    """Candidates from a page's lines ``(top, bottom, text)`` in its header and footer zones."""
    found: list[Candidate] = []
    for top, bottom, text in lines:
        if top >= height * FOOTER_ZONE or bottom <= height * HEADER_ZONE:
            found.extend(candidates_in_line(text))
    return found


class BatesLearner:
    """Chooses each page's Bates number, learning the production's prefixes as pages arrive.

    A prefix becomes *known* when it was seen as a whole footer/header line, or on two or more
    pages. A page's number is the candidate with a known prefix (the most frequent one wins);
    failing that, a lone whole-line candidate. Otherwise the page has no Bates number: never a
    made-up one.
    """

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.support: Counter[str] = Counter({p: 2 for p in known})

    def observe(self, pages: Sequence[list[Candidate]]) -> None:
        """Learn from the candidates of a batch of pages (call before choosing for them)."""
        for cands in pages:
            for prefix in {c.bates.prefix_key for c in cands}:
                self.support[prefix] += 1
            for prefix in {c.bates.prefix_key for c in cands if c.whole_line}:
                self.support[prefix] += 1

    def choose(self, cands: list[Candidate]) -> Bates | None:
        """The page's Bates number among its candidates, or None."""
        best: tuple[int, int, Candidate] | None = None
        for cand in cands:
            support = self.support[cand.bates.prefix_key]
            if support < 2:
                continue
            rank = (support, int(cand.whole_line), cand)
            if best is None or rank[:2] > best[:2]:
                best = rank
        return best[2].bates if best else None

    @property
    def known_prefixes(self) -> list[str]:
        """Prefix keys considered known, most frequent first."""
        return [p for p, n in self.support.most_common() if n >= 2]
