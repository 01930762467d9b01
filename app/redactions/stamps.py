"""Reading redaction stamps: every stamp variant normalised to canonical exemption codes.

Agencies stamp the same exemption many ways: "(b)(6)", "b6", "B6", "(b)(7)(c)", "b7C", "Ex. 7(C)",
"FOIA (b)(5)", "(b) (6), (b) (7)(C)" (DOJ spacing), "(b)(6); (b)(7)(C)", OCR noise such as
"(b}(6)" or "|b)(6)", and "(b)(3): 8 U.S.C. § 1202(f)" with a cited statute. All of them map to
the codes of :data:`EXEMPTIONS` (plus "(b)(7)" when no subpart is given). Privacy Act codes
("(j)(2)", "(k)(5)") and category labels ("Personal Privacy", "Harm to Ongoing Matter") are kept
as custom codes.

:func:`canonical_codes` never raises: any string gives a (possibly empty) list of codes.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "CATEGORY_LABELS",
    "EXEMPTIONS",
    "canonical_codes",
    "is_pure_stamp",
    "slip_sheet_codes",
]

#: The canonical catalog, in DOMAIN.md order.
EXEMPTIONS: list[str] = [
    "(b)(1)",
    "(b)(2)",
    "(b)(3)",
    "(b)(4)",
    "(b)(5)",
    "(b)(6)",
    "(b)(7)(A)",
    "(b)(7)(B)",
    "(b)(7)(C)",
    "(b)(7)(D)",
    "(b)(7)(E)",
    "(b)(7)(F)",
    "(b)(8)",
    "(b)(9)",
]

#: Category labels some releases stamp instead of codes; kept as custom codes, as written here.
CATEGORY_LABELS: list[str] = [
    "Harm to Ongoing Matter",
    "Personal Privacy",
    "Investigative Technique",
    "Grand Jury",
    "Deliberative Process",
    "Attorney-Client Privilege",
    "Attorney Work Product",
    "Law Enforcement Privilege",
    "Confidential Source",
    "Trade Secret",
    "Classified",
]

_ORDER: dict[str, float] = {code: i for i, code in enumerate(EXEMPTIONS)}
_ORDER["(b)(7)"] = _ORDER["(b)(7)(A)"] - 0.5  # bare exemption 7 sorts before its subparts

# OCR reads "(" and ")" as "{", "}", "[", "]", "|", "l"; dashes and odd spaces vary.
_BRACKETS = str.maketrans({"{": "(", "[": "(", "}": ")", "]": ")", "\uff08": "(", "\uff09": ")"})
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")

_OPEN = r"[(|]"
_CLOSE = r"[)|]"
# One exemption code in "b" form: (b)(7)(C), b7C, (b) (6), b(6), (b}(6) ...
_B_CODE = re.compile(
    rf"(?<![A-Za-z0-9])(?<![0-9][(|])(?:{_OPEN}\s?)?[bB]\s?(?:{_CLOSE})?\s?(?:{_OPEN}\s?)?"
    rf"(?:(7)\s?(?:{_CLOSE})?(?:\s?(?:{_OPEN}\s?)?([A-Fa-f])\s?(?:{_CLOSE})?(?![A-Za-z0-9]))?"
    rf"|([1-689])(?![0-9])\s?(?:{_CLOSE})?)"
)
# "Ex. 7(C)", "Exemption 6", "Exemptions 6 and 7(C)", "Ex 5" ...
_EX_CODE = re.compile(
    r"(?<![A-Za-z])(?:ex|exempt|exemptions?)\b\.?\s?(?:no\.?\s?)?"
    rf"((?:{_OPEN}\s?)?[1-9](?![0-9])\s?(?:{_CLOSE})?"
    rf"(?:\s?(?:{_OPEN}\s?)?[A-Fa-f]\s?(?:{_CLOSE})?(?![A-Za-z0-9]))?"
    rf"(?:\s?(?:,|;|&|/|and|or)\s?(?:{_OPEN}\s?)?[1-9](?![0-9])\s?(?:{_CLOSE})?"
    rf"(?:\s?(?:{_OPEN}\s?)?[A-Fa-f]\s?(?:{_CLOSE})?(?![A-Za-z0-9]))?)*)",
    re.IGNORECASE,
)
_EX_ITEM = re.compile(r"([1-9])(?![0-9])\s?\)?(?:\s?\(?([A-Fa-f])(?![A-Za-z0-9]))?")
# Continuation of a list without the "(b)": "(b)(6), (7)(C)" or "(b)(7)(C), (E)".
_CONT = re.compile(
    rf"\s?(?:(?:,|;|&|/|and)\s?)?{_OPEN}\s?(?:([1-9])(?![0-9])"
    rf"|([A-Fa-f])(?!\s?{_CLOSE}\s?{_OPEN}?\s?[0-9]))\s?{_CLOSE}"
    rf"(?:\s?{_OPEN}\s?([A-Fa-f])\s?{_CLOSE})?"
)
_SEPARATOR = re.compile(r"[,;&/]|and")
# Privacy Act: (j)(2), (k)(5), (d)(5).
_PA_CODE = re.compile(rf"(?<![A-Za-z0-9]){_OPEN}\s?([jkJK])\s?{_CLOSE}\s?{_OPEN}\s?([1-7])\s?{_CLOSE}")
_STATUTE_STOP = re.compile(r"[;]|(?=(?<![A-Za-z0-9])[(|]?\s?[bB]\s?[)|]?\s?[(|]?\s?[1-9](?![0-9]))")
# Possessive (*+): what the lead takes is never given back, so a long run cannot backtrack.
_STATUTE_LEAD = re.compile(
    r"^[\s:\-\u2013\u2014,]*+(?:(?:per|pursuant to|citing)\b[\s:\-\u2013\u2014,]*+)*+", re.I)
_CATEGORY = [
    (re.compile(r"(?<![A-Za-z])" + r"\s?".join(re.escape(w) for w in re.split(r"[\s-]+", c))
                .replace(r"\s?", r"[\s\-]*") + r"(?![A-Za-z])", re.IGNORECASE), c)
    for c in CATEGORY_LABELS
]
# Words that may surround codes in a stamp without making it anything but a stamp.
_FILLER = re.compile(
    r"\b(?:foia|pa|ex|exempt|exemptions?|exempted|exemption|and|or|per|pursuant|to|under|"
    r"u\.?s\.?c\.?|usc|withheld|redacted|redaction|privacy|act|no|dup|duplicate)\b\.?",
    re.IGNORECASE,
)
_PUNCT = re.compile(r"[\s()\[\]{}|,;:/&.\-\u2013\u2014§'\"]+")
_WITHHELD = re.compile(
    r"withheld\s+in\s+(?:full|its\s+entirety)|page\s*\(?s?\)?\s+withheld|pages?\s+(?:has|have)\s+"
    r"been\s+withheld|deleted\s+page|page\s*\(?s?\)?\s+deleted|withheld\s+page|"
    r"denied\s+in\s+full|removed\s+in\s+full|entire\s+page\s+(?:withheld|redacted)",
    re.IGNORECASE,
)


def _clean(label: str) -> str:
    text = unicodedata.normalize("NFKC", str(label))
    text = text.translate(_BRACKETS)
    return _SPACES.sub(" ", text)


def _b_code(num: str, sub: str | None) -> str:
    if num == "7":
        return f"(b)(7)({sub.upper()})" if sub else "(b)(7)"
    return f"(b)({num})"


def _parse(label: str) -> tuple[list[str], str, list[tuple[int, int]]]:
    """Codes (in order found, deduplicated), statute, and the spans of ``text`` they used."""
    text = _clean(label)
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    statute = ""

    def add(code: str) -> None:
        if code not in found:
            found.append(code)

    taken = [False] * (len(text) + 1)
    for m in _B_CODE.finditer(text):
        num, sub = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), None)
        end = m.end()
        add(_b_code(num, sub))
        spans.append((m.start(), end))
        last_num, last_sub = num, sub
        pos = end
        while True:  # "(b)(6), (7)(C)" / "(b)(7)(C), (E)"
            c = _CONT.match(text, pos)
            if not c:
                break
            if c.group(1):
                if last_num == "7" and not last_sub and not _SEPARATOR.search(
                        text, pos, c.start(1)):
                    # "(b)(7)(4)": exemption 7's subparagraphs are letters (A)-(F), so this is
                    # a letter misread as a digit (A as 4, F as 8), not (b)(4): left unread
                    break
                last_num, last_sub = c.group(1), c.group(3)
                add(_b_code(last_num, c.group(3)))
            elif last_num == "7":
                add(_b_code("7", c.group(2)))
            else:
                break
            spans.append((pos, c.end()))
            pos = c.end()
        if num == "3" and not statute:
            rest = text[pos:]
            stop = _STATUTE_STOP.search(rest)
            cited = rest[: stop.start()] if stop else rest
            cited = _STATUTE_LEAD.sub("", cited).strip(" ,;:-\u2013\u2014")
            if re.search(r"[0-9§]|u\.?s\.?c|act\b|stat\.|cfr|rule", cited, re.I):
                statute = cited
                spans.append((pos, pos + len(rest[: stop.start()] if stop else rest)))
    for a, b in spans:
        for i in range(a, min(b, len(taken))):
            taken[i] = True
    for m in _EX_CODE.finditer(text):
        if any(taken[m.start(1): m.end(1)]):
            continue
        for item in _EX_ITEM.finditer(m.group(1)):
            add(_b_code(item.group(1), item.group(2)))
        spans.append((m.start(), m.end()))
    for m in _PA_CODE.finditer(text):
        add(f"({m.group(1).lower()})({m.group(2)})")
        spans.append((m.start(), m.end()))
    for rx, name in _CATEGORY:
        for m in rx.finditer(text):
            add(name)
            spans.append((m.start(), m.end()))
    return found, statute, spans


def _sort_key(code: str) -> tuple[int, float]:
    if code in _ORDER:
        return (0, _ORDER[code])
    return (1, 0.0)


def canonical_codes(label: str) -> tuple[list[str], str]:
    """Canonical exemption codes stamped in ``label`` and the statute cited for (b)(3).

    FOIA codes come in catalog order, then custom codes (Privacy Act, category labels) in the
    order read. Never raises; a label with no readable code gives ``([], "")``.
    """
    try:
        found, statute, _ = _parse(label)
    except Exception:  # pragma: no cover - defensive: a stamp must never break ingest
        return [], ""
    ordered = sorted(found, key=_sort_key)  # stable: custom codes keep their order
    return ordered, statute


def is_pure_stamp(text: str) -> bool:
    """True when ``text`` holds exemption codes and nothing else but filler ("FOIA", "Ex.", ...).

    A box whose words are a pure stamp needs no drawing-order analysis: nothing else is there.
    """
    try:
        found, statute, spans = _parse(text)
    except Exception:  # pragma: no cover
        return False
    if not found:
        return False
    cleaned = _clean(text)
    chars = list(cleaned)
    for a, b in spans:
        for i in range(a, min(b, len(chars))):
            chars[i] = " "
    rest = _FILLER.sub(" ", "".join(chars))
    rest = _PUNCT.sub("", rest)
    return rest == ""


def is_stamp_only(text: str) -> bool:
    """True for text that is nothing but a stamp, an ok-word ("REDACTED") or punctuation."""
    stripped = _PUNCT.sub("", _FILLER.sub(" ", _clean(text)))
    return stripped == "" or is_pure_stamp(text)


def slip_sheet_codes(text: str) -> tuple[bool, list[str], str]:
    """(is a slip sheet, codes, statute) for the whole text of a page.

    A slip sheet says the page was withheld ("WITHHELD IN FULL PURSUANT TO (b)(5)",
    "Page withheld", "Deleted Page(s)") and carries little else.
    """
    try:
        if not _WITHHELD.search(_clean(text)):
            return False, [], ""
    except Exception:  # pragma: no cover
        return False, [], ""
    codes, statute = canonical_codes(text)
    return True, codes, statute
