"""A record's type, date, title and correspondents, read from its first pages.

The date is the record's own (an e-mail's Sent, a memo's or letter's date line), never the
date of the Bates stamp or of the production. Patterns are anchored or bounded (untrusted text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.documents.signals import PageSignals

TYPES = ("email", "memo", "letter", "report", "form", "slip_sheet", "other")
TYPE_LABELS = {"email": "e-mail", "memo": "memo", "letter": "letter",
               "report": "spreadsheet/report", "form": "form", "slip_sheet": "slip sheet",
               "other": "other"}

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MDY = re.compile(r"\b([A-Za-z]{3,9})\.?\s{1,3}(\d{1,2})(?:st|nd|rd|th)?,?\s{1,3}(\d{4})\b")
_DMY = re.compile(r"\b(\d{1,2})\s{1,3}([A-Za-z]{3,9})\.?,?\s{1,3}(\d{4})\b")
_NUM = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATE_LINE = re.compile(r"^\s{0,4}(?:date|dated)\s{0,3}:\s{0,8}(.{1,120})$", re.I)
_REPORT_WORDS = ("report", "weekly", "monthly", "log", "spreadsheet", "statistics", "tracker",
                 "summary of", "roster", "list of", "docket")


@dataclass
class RecordMeta:
    """What a record's pages say about it."""

    doc_type: str = "other"
    doc_date: str | None = None
    title: str | None = None
    author: str | None = None
    recipients: str | None = None


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as YYYY-MM-DD ("Tue, 3 May 2022", "May 3, 2022", "5/3/2022")."""
    text = text[:300]
    candidates = []
    m = _ISO.search(text)
    if m:
        candidates.append((m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3))))
    m = _MDY.search(text)
    if m and m.group(1)[:3].lower() in _MONTHS:
        candidates.append((m.start(), int(m.group(3)), _MONTHS[m.group(1)[:3].lower()],
                           int(m.group(2))))
    m = _DMY.search(text)
    if m and m.group(2)[:3].lower() in _MONTHS:
        candidates.append((m.start(), int(m.group(3)), _MONTHS[m.group(2)[:3].lower()],
                           int(m.group(1))))
    m = _NUM.search(text)
    if m:
        year = int(m.group(3))
        year += 2000 if year < 70 else (1900 if year < 100 else 0)
        candidates.append((m.start(), year, int(m.group(1)), int(m.group(2))))
    for _, y, mo, d in sorted(candidates):
        if 1 <= mo <= 12 and 1 <= d <= 31 and 1900 <= y <= 2100:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def _field(sig: PageSignals, *names: str) -> str | None:
    for label, value in sig.fields:
        if label.lower() in names and value:
            return value
    return None


def describe(sigs: Sequence[PageSignals]) -> RecordMeta:
    """The metadata of a record from the signals of its pages (the first few are read)."""
    if not sigs:
        return RecordMeta()
    first = sigs[0]
    meta = RecordMeta()
    if first.slip:
        meta.doc_type = "slip_sheet"
        meta.title = "Withheld in full"
        return meta
    if first.email:
        meta.doc_type = "email"
        meta.title = _field(first, "subject")
        meta.author = _field(first, "from")
        meta.recipients = _field(first, "to")
        sent = _field(first, "sent", "date")
        meta.doc_date = parse_date(sent) if sent else None
        return meta
    if first.memo:
        meta.doc_type = "memo"
        meta.title = _field(first, "subject", "re")
        meta.author = _field(first, "from")
        meta.recipients = _field(first, "to") or _memo_for(first)
        meta.doc_date = _dated(first)
        return meta
    if first.letter:
        meta.doc_type = "letter"
        meta.title = _field(first, "re", "subject") or _heading(first)
        meta.doc_date = _dated(first)
        meta.recipients = _salutation(first)
        return meta
    if first.form:
        meta.doc_type = "form"
        meta.title = first.form
        meta.doc_date = _dated(first)
        return meta
    heading = _heading(first)
    if first.landscape or (heading and any(w in heading.lower() for w in _REPORT_WORDS)):
        meta.doc_type = "report"
    meta.title = heading
    meta.doc_date = _dated(first)
    return meta


def _heading(sig: PageSignals) -> str | None:
    for line in sig.top[:3]:
        if 3 <= len(line) <= 120 and not line.endswith("."):
            return line
    return None


def _dated(sig: PageSignals) -> str | None:
    for line in sig.top:
        m = _DATE_LINE.match(line)
        if m:
            found = parse_date(m.group(1))
            if found:
                return found
    for line in sig.top[:10]:
        if len(line) <= 40:
            found = parse_date(line)
            if found:
                return found
    return None


def _memo_for(sig: PageSignals) -> str | None:
    for line in sig.top[:6]:
        if line.upper().startswith("MEMORANDUM FOR"):
            return line.split(":", 1)[-1].strip() or None
    return None


def _salutation(sig: PageSignals) -> str | None:
    for line in sig.top:
        if line.lower().startswith("dear "):
            return line[5:].rstrip(",:").strip() or None
    return None
