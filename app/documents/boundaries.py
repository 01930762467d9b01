"""Where records start inside one production file, and why (explainable unitization).

Each page gets a score from the signals real productions carry: a top-level bookmark, page
labels starting again, "Page 1 of N" footers and their resets, an e-mail header, a MEMORANDUM
block, a letter, a form title, a slip sheet, a running header that changes, a change of page
size or of scanned/text pages, a page that ends early, a sentence that runs on. A page whose
score reaches ``THRESHOLD`` starts a record; the signals that fired are its reasons. When the
file's bookmarks partition its pages, they are taken as the producer's own unitization.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.documents.signals import (
    PageInfo,
    PageSignals,
    is_reply,
    normal_subject,
    read_page,
    same_heading,
)

THRESHOLD = 1.5


@dataclass
class Boundary:
    """A record's first page (index in the file) and the reasons it was placed there."""

    start: int
    reasons: list[str] = field(default_factory=list)
    source: str = "detected"  # 'file', 'bookmarks', 'detected', 'reviewer'


@dataclass
class _Unit:
    """What the detector remembers of the record being read."""

    first: PageSignals
    pages: int = 1
    email_open: bool = False  # the last e-mail header read was a reply: the thread may go on
    subject: str = ""
    heading_repeats: bool = False


def detect(pages: Sequence[PageInfo], *, whole_file: bool = False,
           signals: Sequence[PageSignals] | None = None,
           slip_runs: bool = True) -> list[Boundary]:
    """The records of one file, in order; ``whole_file`` keeps the file as one record.

    ``signals`` (one :func:`read_page` per page) saves reading the pages again. A slip sheet
    is never joined to the records around it; identical slip sheets in a row ("Page withheld
    in full pursuant to (b)(5)" three times) are the pages of one withheld record, as the
    agency's answer key counts them (a reviewer splits them with one key where they are
    not); ``slip_runs=False`` makes every slip sheet a record of its own
    (benchmarks/documents.py scores both).
    """
    if not pages:
        return []
    if whole_file:
        return [Boundary(0, ["one file, one record (the file is named by its first Bates)"],
                         "file")]
    marks = [i for i, p in enumerate(pages) if p.bookmark]
    if len(marks) >= 2 and marks[0] == 0:
        return [Boundary(i, [f"bookmark: {(pages[i].bookmark or '')[:80]}"], "bookmarks")
                for i in marks]
    sigs = list(signals) if signals is not None else [read_page(p) for p in pages]
    out = [Boundary(0, ["first page of the file"])]
    unit = _open(sigs[0])
    for i in range(1, len(sigs)):
        score, reasons = score_page(sigs[i - 1], sigs[i], unit, pages[i], slip_runs=slip_runs)
        if score >= THRESHOLD:
            out.append(Boundary(i, reasons))
            unit = _open(sigs[i])
        else:
            _extend(unit, sigs[i])
    return out


def _open(sig: PageSignals) -> _Unit:
    unit = _Unit(first=sig)
    if sig.email and sig.subjects:
        unit.subject = normal_subject(sig.subjects[0])
    _follow_thread(unit, sig)
    return unit


def _extend(unit: _Unit, sig: PageSignals) -> None:
    unit.pages += 1
    if unit.pages == 2 and same_heading(sig.heading, unit.first.heading,
                                        not (sig.text_layer and unit.first.text_layer)):
        unit.heading_repeats = True
    _follow_thread(unit, sig)


def _follow_thread(unit: _Unit, sig: PageSignals) -> None:
    if unit.first.email and sig.subjects:
        unit.email_open = is_reply(sig.subjects[-1])


def score_page(prev: PageSignals, cur: PageSignals, unit: _Unit, info: PageInfo, *,
               slip_runs: bool = True) -> tuple[float, list[str]]:
    """How strongly ``cur`` starts a new record after ``prev``, with the reasons that count."""
    score = 0.0
    reasons: list[str] = []

    def add(weight: float, why: str) -> None:
        nonlocal score
        score += weight
        reasons.append(why)

    if cur.slip or prev.slip:
        if cur.slip and prev.slip and cur.slip_text == prev.slip_text and slip_runs:
            add(-4, "the same slip sheet goes on")
        elif cur.slip and prev.slip:
            add(4, "another slip sheet (each is a record withheld in full)")
        elif cur.slip:
            add(4, "slip sheet (a record withheld in full)")
        else:
            add(4, "the page after a slip sheet")
    if info.bookmark:  # bookmarks that do not partition the file still point at records
        add(1.5, f"bookmark: {info.bookmark[:80]}")
    if info.label_restart:
        add(3, "the PDF's page labels start again")
    if cur.page_of is not None:
        k, n = cur.page_of
        pk = prev.page_of
        if k == 1:
            add(2.5, f"'Page 1 of {n}'" if n else "'Page 1'")
        elif pk is not None and pk[0] == k - 1 and (n is None or pk[1] == n):
            add(-3, f"'Page {k}' follows 'Page {pk[0]}'")
    if prev.page_of is not None and prev.page_of[1] and prev.page_of[0] == prev.page_of[1] \
            and (cur.page_of is None or cur.page_of[0] == 1):
        add(2.5, f"the page before was the last ('Page {prev.page_of[0]} of {prev.page_of[1]}')")
    if cur.email:
        subject = normal_subject(cur.subjects[0]) if cur.subjects else ""
        if unit.first.email and cur.quoted and (not subject or subject == unit.subject):
            add(-1.5, "the thread goes on ('Original Message' at the top)")
        elif unit.first.email and unit.email_open and subject and subject == unit.subject:
            add(-1.5, "the same e-mail thread goes on (same subject, a reply before)")
        else:
            add(2, "e-mail header at the top")
    if cur.memo:
        add(2, "MEMORANDUM block at the top")
    if cur.letter:
        add(1.5, "letter (letterhead or salutation) at the top")
    if cur.form and cur.form != prev.form:
        add(1.5, "form title at the top")
    repeats = same_heading(cur.heading, prev.heading, not (cur.text_layer and prev.text_layer))
    if cur.heading:
        if repeats and (cur.email or cur.memo or cur.letter):
            pass  # a letterhead repeats from record to record: the header block decides
        elif repeats:
            add(-1.5, "the running header repeats")
        elif unit.heading_repeats and unit.first.heading:
            add(1.5, "the running header changes")
        elif not (cur.email or cur.memo or cur.letter or cur.form):
            add(0.8, "a new heading at the top")
            if cur.marking:
                add(0.7, "the heading sits under a classification banner")
    if cur.marking and not prev.marking:
        add(0.7, "a classification banner appears")
    if cur.size != prev.size and cur.size != prev.size[::-1]:
        add(1.5, "page size changes")
    elif cur.landscape != prev.landscape:
        add(1.0, "orientation changes")
    if cur.text_layer != prev.text_layer:
        add(1.5, "scanned and text pages meet")
    if prev.ended_early:
        add(0.6, "the page before ends early")
    if prev.open_end and cur.open_start:
        add(-1.0, "a sentence runs on across the page break")
    return score, reasons
