"""What one page shows about where records begin: header blocks, page-of footers, slip sheets.

Every pattern here sees untrusted page text: each is anchored or bounded, with no nested
quantifiers, and runs on one line at a time (lines are cut to 300 characters first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_LINE = 300
TOP_LINES = 12
HEAD, TAIL = 30, 8

_MARKING_WORDS = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "LAW ENFORCEMENT SENSITIVE",
                  "FOR OFFICIAL USE ONLY", "FOUO", "SENSITIVE BUT UNCLASSIFIED",
                  "LIMITED OFFICIAL USE", "CONTROLLED UNCLASSIFIED", "PRIVILEGED",
                  "DRAFT", "PRE-DECISIONAL", "PREDECISIONAL", "ATTORNEY WORK PRODUCT",
                  # what OCR keeps of a banner it splits or misreads ("ENFORCEMENT SENSITIVE //
                  # FOR QEFICIAL USE ONLY")
                  "ENFORCEMENT SENSITIVE", "USE ONLY")
_FIELD = re.compile(r"^\s{0,4}(from|sent|to|cc|bcc|subject|date|re|attachments?|importance)"
                    r"\s{0,3}:\s{0,8}(.{0,300})$", re.I)
_PAGE_OF = re.compile(r"\bpage\s{0,3}(\d{1,4})\s{0,3}(?:of|/)\s{0,3}(\d{1,4})\b", re.I)
_BARE_OF = re.compile(r"^\s{0,20}-?\s{0,2}(\d{1,4})\s{0,2}(?:/|of)\s{0,2}(\d{1,4})\s{0,2}-?\s*$",
                      re.I)
_PAGE_N = re.compile(r"(?:^|\s)page\s{1,3}(\d{1,4})\s*$", re.I)
_MEMO = re.compile(r"^\s{0,4}memorandum\b", re.I)
_MEMO_FOR = re.compile(r"^\s{0,4}(?:memorandum\s{1,3}for|for|thru|through)\s{0,3}:", re.I)
_DEAR = re.compile(r"^\s{0,4}dear\s{1,3}\S", re.I)
_FORM = re.compile(r"\bform\s{0,3}[A-Z]{0,3}-?\d{1,5}[A-Z]?\b", re.I)
_ORIGINAL = re.compile(r"^\s{0,8}-{2,12}\s{0,3}(?:original|forwarded)\s{1,3}message\s{0,3}-{0,12}",
                       re.I)
_LETTERHEAD = re.compile(r"^\s{0,4}(?:U\.\s?S\.\s{1,3})?(?:department|office|bureau|agency)"
                         r"\s{1,3}of\b", re.I)
_SUBJECT = re.compile(r"^[ \t]{0,4}subject[ \t]{0,3}:[ \t]{0,8}([^\n]{0,300})", re.I | re.M)
_REPLY = re.compile(r"^\s{0,4}(?:(?:re|fw|fwd|aw|wg)\s{0,2}:\s{0,3}){1,4}", re.I)


@dataclass
class PageInfo:
    """What the detector is given of one page (all of it is kept in the matter)."""

    text: str
    width: float = 612.0
    height: float = 792.0
    text_layer: bool = True
    withheld_in_full: bool = False
    body_bottom: float | None = None
    bates: str | None = None
    bookmark: str | None = None  # a top-level bookmark's title when one starts here
    label_restart: bool = False  # the PDF's page labels start a new numbering here


@dataclass
class PageSignals:
    """What one page shows: its header block, page-of numbering, slip sheet, layout."""

    lines: list[str]
    top: list[str]
    fields: list[tuple[str, str]] = field(default_factory=list)  # (label as typed, value)
    subjects: list[str] = field(default_factory=list)  # every Subject: on the page, in order
    page_of: tuple[int, int | None] | None = None
    marking: bool = False
    email: bool = False
    memo: bool = False
    letter: bool = False
    form: str | None = None
    heading: str | None = None
    slip: bool = False
    slip_text: str = ""
    landscape: bool = False
    size: tuple[int, int] = (0, 0)
    text_layer: bool = True
    ended_early: bool = False
    open_end: bool = False  # the last line stops mid-sentence
    open_start: bool = False  # the first line starts in lower case (a sentence going on)
    quoted: bool = False  # the page starts with an "-----Original Message-----" separator


def is_marking(line: str) -> bool:
    """A classification or handling banner ("LAW ENFORCEMENT SENSITIVE // FOUO")."""
    text = line.strip()
    if not text or not text[:1].isalpha() or text.upper() != text:
        return False
    return any(word in text for word in _MARKING_WORDS)


def page_lines(info: PageInfo) -> list[str]:
    """The page's non-empty lines, without its Bates stamp, each cut to MAX_LINE characters.

    Only the head and the tail of a long page are read (HEAD and TAIL lines): every signal
    sits there, except the Subject: lines, which :func:`read_page` finds in the whole text.
    """
    raw = info.text.splitlines()
    if len(raw) > HEAD + TAIL:
        raw = raw[:HEAD] + raw[-TAIL:]
    bates = (info.bates or "").strip()
    out = []
    for line in raw:
        line = line.strip()[:MAX_LINE]
        if not line:
            continue
        if bates and line.endswith(bates):
            line = line[: -len(bates)].strip()
            if not line:
                continue
        out.append(line)
    return out


def normal_subject(value: str) -> str:
    """A subject without its RE:/FW: prefixes, spacing and case."""
    value = _REPLY.sub("", value.strip())
    return " ".join(value.lower().split())


def same_heading(a: str | None, b: str | None, loose: bool = False) -> bool:
    """Two headings read as the same running header: equal letters and digits (OCR spacing
    does not count); ``loose`` (a page read by OCR) also takes a near match."""
    if not a or not b:
        return False
    ka = "".join(c for c in a if c.isalnum())
    kb = "".join(c for c in b if c.isalnum())
    if ka == kb:
        return True
    if not loose or abs(len(ka) - len(kb)) > max(3, len(ka) // 10):
        return False
    from difflib import SequenceMatcher

    return SequenceMatcher(None, ka, kb, autojunk=False).ratio() >= 0.95


def is_reply(value: str) -> bool:
    """True when a subject starts with RE:, FW: or the like."""
    found = _REPLY.match(value)
    return found is not None and bool(found.group(0).strip())


def read_page(info: PageInfo) -> PageSignals:
    """The signals of one page."""
    lines = page_lines(info)
    banner = _banner_lines(lines)
    body = [ln for ln in lines[banner:] if not is_marking(ln)]
    top = body[:TOP_LINES]
    sig = PageSignals(lines=lines, top=top)
    sig.marking = banner > 0 or any(is_marking(ln) for ln in lines[:3])
    sig.size = (round(info.width / 12), round(info.height / 12))
    sig.landscape = info.width > info.height * 1.05
    sig.text_layer = info.text_layer
    if "ubject" in info.text or "UBJECT" in info.text:
        sig.subjects = [m.group(1).strip() for m in _SUBJECT.finditer(info.text)]
    for ln in top[:10]:
        m = _FIELD.match(ln)
        if m:
            sig.fields.append((m.group(1), m.group(2).strip()))
    labels = {k.lower() for k, _ in sig.fields}
    upper_labels = {k for k, _ in sig.fields if k.isupper()}
    sig.memo = any(_MEMO.match(ln) or _MEMO_FOR.match(ln) for ln in top[:6]) or (
        len(upper_labels & {"FROM", "SUBJECT", "TO", "DATE", "THRU"}) >= 3)
    first_field = next((i for i, ln in enumerate(top) if _FIELD.match(ln)), None)
    sig.quoted = any(_ORIGINAL.match(ln) for ln in top[:2])
    sig.email = (not sig.memo and first_field is not None and first_field <= 3 and (
        "sent" in labels or {"from", "to", "subject"} <= labels
        or {"from", "date", "subject"} <= labels)) or sig.quoted
    sig.letter = any(_DEAR.match(ln) for ln in top) and not sig.email
    for ln in top[:3]:
        m = _FORM.search(ln)
        if m and len(ln) < 120:
            sig.form = ln
            break
    if not sig.letter and any(_LETTERHEAD.match(ln) for ln in top[:2]) and any(
            _DEAR.match(ln) for ln in body[:30]):
        sig.letter = True
    sig.page_of = _page_of(lines)
    if top:
        first = top[0]
        if (len(first) <= 90 and not first.endswith((".", ",", ";")) and not _FIELD.match(first)
                and first[:1].isupper() and len(first.split()) >= 2):
            sig.heading = " ".join(first.split()).lower()
    sig.slip = info.withheld_in_full and len(info.text.split()) <= 80
    if sig.slip:
        sig.slip_text = " ".join(" ".join(lines).lower().split())
    sig.ended_early = (info.text_layer and info.body_bottom is not None
                       and info.body_bottom < 0.7 and not sig.slip)
    last = next((ln for ln in reversed(body[-TAIL:]) if not _numbering(ln)), None)
    if last is not None:
        sig.open_end = last[-1:].isalpha() and len(last) > 40
    opening = next((ln for ln in top[:3] if not _numbering(ln)), None)
    sig.open_start = opening is not None and opening[:1].islower()
    return sig


def _numbering(line: str) -> bool:
    return bool(_PAGE_OF.search(line) or _BARE_OF.match(line) or _PAGE_N.search(line))


def _banner_lines(lines: list[str]) -> int:
    """How many leading lines form a classification banner (OCR splits one into several)."""
    caps = 0
    while caps < min(8, len(lines)) and lines[caps].upper() == lines[caps]:
        caps += 1
    for n in range(caps, 0, -1):
        if is_marking(" ".join(lines[:n])):
            return n
    return 0


def _page_of(lines: list[str]) -> tuple[int, int | None] | None:
    """(k, n) from a "Page k of n" / "k/n" line near the top or the bottom, or (k, None)."""
    near = lines[:4] + lines[-5:]
    for ln in near:
        m = _PAGE_OF.search(ln) or _BARE_OF.match(ln)
        if m:
            k, n = int(m.group(1)), int(m.group(2))
            if 1 <= k <= n:
                return (k, n)
    for ln in near:
        m = _PAGE_N.search(ln)
        if m and len(ln) < 120:
            return (int(m.group(1)), None)
    return None
