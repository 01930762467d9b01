"""How much a page's text looks like words: the OCR confidence proxy and the garbage test.

PyMuPDF's OCR does not hand back Tesseract's per-word confidences, so Vaughn scores OCR text
(and existing text layers) by the share of its characters that sit in word-like tokens:
dictionary-shaped words (letters in one case pattern, with a vowel), numbers, dates, money,
Bates numbers, A-numbers and exemption codes. Misread scans give tokens such as ``Tl1e``,
``rn@nager``, ``HHHH`` or ``,.;`` which do not count. The score is 0..1, weighted by length.

No dictionary ships with Vaughn; the shape test is language-light on purpose (names and places
are not in any dictionary but are word-shaped).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.redactions.stamps import canonical_codes

_EDGE = "\"'“”‘’()[]{}<>.,;:!?*"
_WORD = re.compile(r"^(?:[A-Z]?[a-z]+|[A-Z]+)(?:[-'’](?:[A-Z]?[a-z]+|[A-Z]+))*(?:'s|’s)?$")
_NUMBER = re.compile(r"^[$€£#]?\d[\d,]*(?:\.\d+)?%?$|^\d{1,2}[:/.-]\d{1,2}(?:[:/.-]\d{2,4})?$"
                     r"|^\d+(?:st|nd|rd|th)$")
# Capitals in runs joined by single separators, then digits: "ICE-FOIA-000123", "A 123".
# (Written without a quantifier inside a quantifier over overlapping text: linear time.)
_CODE = re.compile(r"^(?:[A-Z]+(?:[-_ ][A-Z]+)*[-_ ]?)?\d{3,}(?:-\d+)*$|^A?\d{3}-\d{3}-\d{3}$|"
                   r"^(?:\(?[a-z]\)?)?(?:\(\d\))+(?:\([A-Fa-f]\))?[,;]?$|^[A-Z]+-\d+$")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")
_REPEAT = re.compile(r"(.)\1\1")

#: Tokens longer than this are never word-like (a word, a number or a code is shorter).
MAX_TOKEN = 64
#: Below this share a page's OCR is listed for a human look.
LOW_CONFIDENCE = 0.8
#: A PDF text layer below this share (with enough characters to judge) is garbage: OCR it.
GARBAGE_SHARE = 0.5
GARBAGE_MIN_CHARS = 40


def is_wordlike(token: str) -> bool:
    """True for a token shaped like a word, a number, a date, a code or an exemption."""
    core = token.strip(_EDGE)
    if not core or len(core) > MAX_TOKEN:
        return False
    if _NUMBER.match(core) or _CODE.match(core) or _CODE.match(token.strip(".,;:")):
        return True
    if len(core) == 1:
        return core in "aAI&" or core.isdigit()
    if not _WORD.match(core):
        return False
    if len(core) > 3 and not _VOWEL.search(core):
        return core.isupper() and len(core) <= 5  # acronyms: FBI, DHS, ERO, HSI
    return not _REPEAT.search(core.lower())


def wordlike_share(tokens: Iterable[str]) -> float:
    """The share (by characters) of ``tokens`` that are word-like; 1.0 for no tokens."""
    good = total = 0
    for token in tokens:
        n = len(token)
        if not n:
            continue
        total += n
        if is_wordlike(token):
            good += n
    return round(good / total, 4) if total else 1.0


def is_garbage_text(text: str) -> bool:
    """True for a text layer that is mostly not words (broken fonts, a bad OCR layer)."""
    tokens = text.split()
    if sum(len(t) for t in tokens) < GARBAGE_MIN_CHARS:
        return False
    return wordlike_share(tokens) < GARBAGE_SHARE


# -- exemption stamps as OCR misreads them ----------------------------------------------------
# Inside a burned-in box the text is a stamp, so a misread "(b)" ("(0)", "()", "(6)", "ib") is
# still "(b)". A stamp's skeleton is its text without brackets and spaces ("b6;b7C"); each
# segment is [misread b] digit [subsection letter]. Only a text whose every segment fits is
# rewritten; anything else (statutes, category labels, noise) is left as read.
_BRACKETS = str.maketrans("", "", "()[]{}|\\/ \t'\"`")
_SEGMENT = re.compile(r"(?:[0-9]|[A-Za-z&©®»«]{0,3})([1-9])([A-F¢©€ce]?)")
# A skeleton part made only of segments, each taken greedily and never re-split (atomic): a
# run of digits can be cut into segments in exponentially many ways, and is tried in one.
_SEGMENTS = re.compile(f"(?>{_SEGMENT.pattern})++")
_CLOSE_AS_K = re.compile(r"(?<=\d)[KHXY](?=[A-F¢©€ce])")
_CLOSE_AS_1 = re.compile(r"(?<=[A-Za-z])1(?=[2-9])")
_PART_SPLIT = re.compile(r"[;,:.]+")

_LETTER = {"¢": "C", "©": "C", "c": "C", "€": "E", "e": "E"}


def repair_stamp(text: str) -> str | None:
    """The canonical stamp ("(b)(6); (b)(7)(C)") for OCR text read inside a box, or None."""
    if len(text) < 4 or sum(text.count(c) for c in "()[]{}|") < 2:
        return None
    read, rest = canonical_codes(text)
    if any(not code.startswith("(b)") for code in read) and not rest.strip(" ;,.:|"):
        return "; ".join(read)  # a Privacy Act "(k)(2)" read as it is stays one
    codes: list[str] = []
    skeleton = text.translate(_BRACKETS)
    skeleton = _CLOSE_AS_K.sub("", skeleton)  # ")(" read as K, H...
    skeleton = _CLOSE_AS_1.sub("", skeleton)  # ")(" read as "1"
    for part in _PART_SPLIT.split(skeleton):
        if not part:
            continue
        if not _SEGMENTS.fullmatch(part):
            return None
        for digit, letter in _SEGMENT.findall(part):
            if letter and digit != "7":
                return None
            code = f"(b)({digit})" + (f"({_LETTER.get(letter, letter)})" if letter else "")
            if code not in codes:
                codes.append(code)
    return "; ".join(codes) if codes else None
